//! The difference between two versions of a proposition's words, word by word, so a reader sees
//! what an edit changed without comparing two paragraphs by eye. Words and the spaces between
//! them are compared with Myers' diff (Myers 1986, "An O(ND) Difference Algorithm and Its
//! Variations", Algorithmica 1) from the `similar` crate.

use std::time::{Duration, Instant};

use serde::Serialize;
use similar::{Algorithm, DiffOp};

/// How long the diff may search for a shortest edit script before settling for a coarser one,
/// which is still a correct difference, only a longer one.
const DIFF_DEADLINE: Duration = Duration::from_millis(200);

/// What happened to a run of text between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    Removed,
    Added,
}

/// A run of text: the same in both versions, only in the older one, or only in the newer one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Piece {
    pub change: Change,
    pub text: String,
}

/// The pieces that take `old` to `new`: read in order, the `Same` and `Removed` pieces spell
/// `old` and the `Same` and `Added` ones spell `new`. Consecutive pieces of one kind are joined.
pub fn words(old: &str, new: &str) -> Vec<Piece> {
    let old_tokens = tokens(old);
    let new_tokens = tokens(new);
    let deadline = Instant::now().checked_add(DIFF_DEADLINE);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut push = |change: Change, text: &[&str]| {
        if text.is_empty() {
            return;
        }
        match pieces.last_mut() {
            Some(last) if last.change == change => last.text.extend(text.iter().copied()),
            _ => pieces.push(Piece { change, text: text.concat() }),
        }
    };
    for op in similar::capture_diff_slices_deadline(Algorithm::Myers, &old_tokens, &new_tokens, deadline) {
        match op {
            DiffOp::Equal { old_index, len, .. } => push(Change::Same, &old_tokens[old_index..old_index + len]),
            DiffOp::Delete { old_index, old_len, .. } => {
                push(Change::Removed, &old_tokens[old_index..old_index + old_len])
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                push(Change::Added, &new_tokens[new_index..new_index + new_len])
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                push(Change::Removed, &old_tokens[old_index..old_index + old_len]);
                push(Change::Added, &new_tokens[new_index..new_index + new_len]);
            }
        }
    }
    pieces
}

/// The text cut into words and the runs of white space between them, keeping every character.
fn tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut space = None;
    for (at, c) in text.char_indices() {
        let is_space = c.is_whitespace();
        if space.is_some_and(|s| s != is_space) {
            tokens.push(&text[start..at]);
            start = at;
        }
        space = Some(is_space);
    }
    if start < text.len() {
        tokens.push(&text[start..]);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spell(pieces: &[Piece], keep: Change) -> String {
        pieces.iter().filter(|p| p.change == Change::Same || p.change == keep).map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn a_changed_word_shows_as_removed_and_added() {
        let pieces = words("Fund weekly drop-in sessions", "Fund fortnightly drop-in sessions");
        let shown: Vec<(Change, &str)> = pieces.iter().map(|p| (p.change, p.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (Change::Same, "Fund "),
                (Change::Removed, "weekly"),
                (Change::Added, "fortnightly"),
                (Change::Same, " drop-in sessions")
            ]
        );
    }

    #[test]
    fn the_pieces_spell_both_versions() {
        let cases = [
            ("", "New words"),
            ("Old words", ""),
            ("a b c", "a b c"),
            (
                "Fund drop-ins  at the library.\nWeekly.",
                "Fund drop-ins at the library and the clinic.\n\nWeekly, with a crèche.",
            ),
        ];
        for (old, new) in cases {
            let pieces = words(old, new);
            assert_eq!(spell(&pieces, Change::Removed), old);
            assert_eq!(spell(&pieces, Change::Added), new);
            assert!(pieces.windows(2).all(|w| w[0].change != w[1].change), "{pieces:?}");
        }
        assert!(words("same", "same").iter().all(|p| p.change == Change::Same));
    }

    #[test]
    fn tokens_keep_every_character() {
        assert_eq!(tokens(" a  bé\nc "), [" ", "a", "  ", "bé", "\n", "c", " "]);
        assert!(tokens("").is_empty());
    }
}
