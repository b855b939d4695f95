//! Known names (participants' pseudonyms, users' names): found wherever they appear as whole
//! words, ignoring ASCII case, by an Aho-Corasick automaton.
//!
//! The automaton runs only around the bytes that some name must contain: for each name its rarest
//! byte in English text ("(" in "Kai Moreno (demo)", "q" in "Zoë Quill"). A match holds its
//! name's byte, so it lies within a name's length of one; windows that far around each such byte,
//! merged where they touch, hold every match of the whole text, and matches that overlap lie in
//! the same window. So the automaton's leftmost-longest matches, one window after another, are
//! exactly those of a scan of the whole text (a test checks this).

use aho_corasick::{AhoCorasick, MatchKind};

use super::scan::{positions, windows};
use super::{Candidate, PiiKind, names};

#[derive(Debug, Clone)]
pub(super) struct KnownNames {
    automaton: AhoCorasick,
    /// Each name's rarest byte, in ASCII lower case.
    anchors: Anchors,
    /// The longest name, in bytes.
    longest: usize,
}

impl KnownNames {
    /// `None` without names, or past the automaton's size limits, far beyond any organisation's
    /// people (then the gazetteer still finds common names).
    pub(super) fn new(names: &[&str]) -> Option<KnownNames> {
        if names.is_empty() {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(names)
            .ok()?;
        let mut rarest: Vec<u8> = names
            .iter()
            .filter_map(|name| name.bytes().min_by_key(|&b| frequency(b)))
            .map(|b| b.to_ascii_lowercase())
            .collect();
        rarest.sort_unstable();
        rarest.dedup();
        let anchors = match rarest[..] {
            // Padded with repeats: comparing with four bytes is as fast as with one.
            [a] => Anchors::Few([a; 4]),
            [a, b] => Anchors::Few([a, b, b, b]),
            [a, b, c] => Anchors::Few([a, b, c, c]),
            [a, b, c, d] => Anchors::Few([a, b, c, d]),
            _ => {
                let mut table = [false; 256];
                for b in rarest {
                    table[usize::from(b)] = true;
                }
                Anchors::Many(Box::new(table))
            }
        };
        let longest = names.iter().map(|name| name.len()).max().unwrap_or(0);
        Some(KnownNames { automaton, anchors, longest })
    }

    pub(super) fn find(&self, text: &str, found: &mut Vec<Candidate>) {
        let bytes = text.as_bytes();
        let reach = self.longest.saturating_sub(1);
        match &self.anchors {
            &Anchors::Few([a, b, c, d]) => {
                let hits = positions(bytes, |x| {
                    let x = x.to_ascii_lowercase();
                    x == a || x == b || x == c || x == d
                });
                for window in windows(hits, bytes.len(), reach, reach, |window| window) {
                    self.find_in(bytes, window, found);
                }
            }
            Anchors::Many(table) => {
                let hits = positions(bytes, |x| table[usize::from(x.to_ascii_lowercase())]);
                for window in windows(hits, bytes.len(), reach, reach, |window| window) {
                    self.find_in(bytes, window, found);
                }
            }
        }
    }

    /// The same as [`KnownNames::find`] by running the automaton over the whole text.
    #[cfg(test)]
    pub(super) fn find_scanning_everything(&self, text: &str, found: &mut Vec<Candidate>) {
        self.find_in(text.as_bytes(), (0, text.len()), found);
    }

    fn find_in(&self, bytes: &[u8], (start, end): (usize, usize), found: &mut Vec<Candidate>) {
        for m in self.automaton.find_iter(&bytes[start..end]) {
            let (m_start, m_end) = (start + m.start(), start + m.end());
            if names::is_word_boundary(bytes, m_start) && names::is_word_boundary(bytes, m_end) {
                found.push(Candidate { start: m_start, end: m_end, kind: PiiKind::Person });
            }
        }
    }
}

/// The names' rarest bytes in ASCII lower case: up to four compared directly (a loop the compiler
/// turns into SIMD), more by a table.
#[derive(Debug, Clone)]
enum Anchors {
    Few([u8; 4]),
    Many(Box<[bool; 256]>),
}

/// Roughly how often a byte occurs in English text, per thousand letters, either case; only the
/// order matters. Letters after the usual tables; bytes of non-ASCII characters are rare in
/// most sources.
fn frequency(b: u8) -> u32 {
    const LETTERS: [u32; 26] =
        [82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24, 67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1];
    match b.to_ascii_lowercase() {
        letter @ b'a'..=b'z' => LETTERS[usize::from(letter - b'a')],
        b' ' => 200,
        b'.' | b',' => 12,
        b'0'..=b'9' => 5,
        0x80.. => 3,
        _ => 2,
    }
}
