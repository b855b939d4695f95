//! Carrying codings across a corrected text: a source's text is fixed once coded, so a correction
//! makes a new version, and each coded span moves to its place in the new text when the edit left
//! its characters alone.
//!
//! Offsets are in Unicode scalar values (`char`s), half-open `[start, end)`, as everywhere in the
//! coding area. The texts are compared character by character with Myers' diff (Myers 1986, "An
//! O(ND) Difference Algorithm and Its Variations", Algorithmica 1) from the `similar` crate.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp};

/// How long the diff may search for a shortest edit script before it settles for a coarser one.
/// A coarser script still only pairs characters that are equal, so past the deadline some spans
/// are dropped that a shortest script would have kept, but none is ever put on the wrong text.
/// Corrections are small and take well under a millisecond (docs/performance.md); this bounds a
/// pasted-over text.
const DIFF_DEADLINE: Duration = Duration::from_millis(500);

/// For each span of `old`, its place in `new` if the edit from `old` to `new` changed none of its
/// characters and inserted nothing strictly inside it; otherwise `None`.
///
/// Text inserted exactly at a span's start or end does not break it: the span keeps its own
/// characters, and the new text lies outside it. A span that is empty, reversed, or runs past the
/// end of `old` gives `None`, since it has no characters of its own to follow.
///
/// Where an edit could be placed in more than one way ("ab" → "abb": which `b` is new?) the diff
/// chooses, so a span next to such an edit may be kept or dropped, but a span carried across
/// always holds the same characters in `new` as in `old`.
pub fn carry(old: &str, new: &str, spans: &[(usize, usize)]) -> Vec<Option<(usize, usize)>> {
    let old: Vec<char> = old.chars().collect();
    let new: Vec<char> = new.chars().collect();
    let runs = unchanged_runs(&old, &new);
    spans
        .iter()
        .map(|&(start, end)| {
            if start >= end || end > old.len() {
                return None;
            }
            // The run that holds the span's first character must hold its last one too: a
            // boundary between runs inside the span is an edit inside it.
            let run = runs[..runs.partition_point(|run| run.old <= start)].last()?;
            let shift = |offset: usize| run.new + (offset - run.old);
            (end <= run.old + run.len).then(|| (shift(start), shift(end)))
        })
        .collect()
}

/// A stretch of characters the edit left alone: `old[old..old + len]` is `new[new..new + len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    old: usize,
    new: usize,
    len: usize,
}

/// The unchanged stretches of `old` in `new`, in order, each as long as it can be.
fn unchanged_runs(old: &[char], new: &[char]) -> Vec<Run> {
    // A correction touches a few words of a long text; taking the common prefix and suffix first
    // leaves the diff only the part between the first and last change.
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (old_middle, new_middle) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);

    let mut runs: Vec<Run> = Vec::new();
    let mut push = |run: Run| {
        if run.len == 0 {
            return;
        }
        match runs.last_mut() {
            Some(last) if last.old + last.len == run.old && last.new + last.len == run.new => {
                last.len += run.len;
            }
            _ => runs.push(run),
        }
    };
    push(Run { old: 0, new: 0, len: prefix });
    if !old_middle.is_empty() && !new_middle.is_empty() {
        let deadline = Instant::now().checked_add(DIFF_DEADLINE);
        for op in similar::capture_diff_slices_deadline(Algorithm::Myers, old_middle, new_middle, deadline) {
            if let DiffOp::Equal { old_index, new_index, len } = op {
                push(Run { old: prefix + old_index, new: prefix + new_index, len });
            }
        }
    }
    push(Run { old: old.len() - suffix, new: new.len() - suffix, len: suffix });
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chars(text: &str, (start, end): (usize, usize)) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    #[test]
    fn an_unchanged_text_keeps_every_span_where_it_was() {
        let text = "We waited eleven weeks for a visit.";
        let spans = [(0, 2), (3, 9), (10, 22), (0, 35)];
        let carried = carry(text, text, &spans);
        assert_eq!(carried, spans.iter().copied().map(Some).collect::<Vec<_>>());
    }

    #[test]
    fn an_edit_before_a_span_shifts_it() {
        let old = "We waited eleven weeks for a visit.";
        let new = "We all waited eleven weeks for a visit.";
        assert_eq!(carry(old, new, &[(10, 22)]), [Some((14, 26))]);
        assert_eq!(chars(new, (14, 26)), "eleven weeks");
        // A deletion before it shifts it back.
        assert_eq!(carry(new, old, &[(14, 26)]), [Some((10, 22))]);
    }

    #[test]
    fn an_edit_after_a_span_leaves_it_alone() {
        let old = "We waited eleven weeks for a visit.";
        let new = "We waited eleven weeks for a home visit.";
        assert_eq!(carry(old, new, &[(10, 22)]), [Some((10, 22))]);
    }

    #[test]
    fn an_edit_inside_a_span_drops_it() {
        let old = "We waited eleven weeks for a visit.";
        // A changed character, an insertion strictly inside, and a deletion inside.
        assert_eq!(carry(old, "We waited eleven wecks for a visit.", &[(10, 22)]), [None]);
        assert_eq!(carry(old, "We waited eleven long weeks for a visit.", &[(10, 22)]), [None]);
        assert_eq!(carry(old, "We waited weeks for a visit.", &[(10, 22)]), [None]);
        // The other spans are still carried.
        assert_eq!(
            carry(old, "We waited eleven long weeks for a visit.", &[(0, 9), (23, 35)]),
            [Some((0, 9)), Some((28, 40))]
        );
    }

    #[test]
    fn an_insertion_at_a_boundary_keeps_the_span() {
        let old = "eleven weeks";
        // At the start, at the end, and at both.
        assert_eq!(carry(old, "nearly eleven weeks", &[(0, 12)]), [Some((7, 19))]);
        assert_eq!(carry(old, "eleven weeks later", &[(0, 12)]), [Some((0, 12))]);
        assert_eq!(carry("[eleven weeks]", "[nearly eleven weeks!]", &[(1, 13)]), [Some((8, 20))]);
        // Changing the character just outside a span leaves it alone; changing its first or last
        // character does not.
        assert_eq!(carry("(eleven weeks)", "[eleven weeks]", &[(1, 13)]), [Some((1, 13))]);
        assert_eq!(carry("(eleven weeks)", "(Eleven weeks)", &[(1, 13)]), [None]);
        assert_eq!(carry("(eleven weeks)", "(eleven weekS)", &[(1, 13)]), [None]);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let old = "Café 🙂 the crèche was kind";
        let new = "Café 🙂🙂 the crèche was so kind";
        // "crèche" is chars 11..17 in old and 12..18 in new.
        assert_eq!(chars(old, (11, 17)), "crèche");
        assert_eq!(
            carry(old, new, &[(11, 17), (0, 4), (5, 6), (22, 26)]),
            [Some((12, 18)), Some((0, 4)), Some((5, 6)), Some((26, 30))]
        );
        // Changing an accent is an edit.
        assert_eq!(carry(old, "Cafe 🙂 the crèche was kind", &[(0, 4), (11, 17)]), [None, Some((11, 17))]);
    }

    #[test]
    fn spans_with_no_characters_of_their_own_are_not_carried() {
        assert_eq!(carry("abc", "abc", &[(1, 1), (2, 1), (2, 4)]), [None, None, None]);
        assert_eq!(carry("", "abc", &[(0, 0)]), [None]);
        assert_eq!(carry("abc", "", &[(0, 3)]), [None]);
    }

    fn edited() -> impl Strategy<Value = (String, String, Vec<(usize, usize)>)> {
        // A small alphabet with multi-byte characters makes ambiguous alignments common.
        let text = proptest::collection::vec(prop::sample::select(vec!['a', 'b', ' ', 'é', '🙂']), 0..60);
        let edits = proptest::collection::vec((any::<prop::sample::Index>(), 0usize..4, "[ab🙂]{0,4}"), 0..4);
        let spans = proptest::collection::vec((0usize..70, 0usize..20), 0..8);
        (text, edits, spans).prop_map(|(text, edits, spans)| {
            let old: String = text.iter().collect();
            let mut new = text;
            for (at, remove, insert) in edits {
                let at = at.index(new.len() + 1);
                let remove = remove.min(new.len() - at);
                new.splice(at..at + remove, insert.chars());
            }
            (old, new.into_iter().collect(), spans.into_iter().map(|(start, len)| (start, start + len)).collect())
        })
    }

    proptest! {
        #[test]
        fn a_carried_span_holds_the_same_text((old, new, spans) in edited()) {
            let carried = carry(&old, &new, &spans);
            prop_assert_eq!(carried.len(), spans.len());
            for (&span, place) in spans.iter().zip(carried) {
                if let Some(place) = place {
                    prop_assert_eq!(chars(&new, place), chars(&old, span));
                    prop_assert!(place.1 <= new.chars().count());
                }
            }
        }

        #[test]
        fn an_unchanged_text_carries_every_span((old, _new, spans) in edited()) {
            let len = old.chars().count();
            for (&(start, end), place) in spans.iter().zip(carry(&old, &old, &spans)) {
                prop_assert_eq!(place, (start < end && end <= len).then_some((start, end)));
            }
        }
    }
}
