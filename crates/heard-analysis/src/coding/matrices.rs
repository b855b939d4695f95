//! Matrices over codings: which codes are applied to overlapping excerpts (co-occurrence), and how
//! codes spread over the values of a participant attribute (kind, age band, area...). Each cell
//! counts excerpts and can list them, so a table's number opens the words behind it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One code applied to one excerpt of a source, by character offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub excerpt: i64,
    pub source: i64,
    pub code: i64,
    pub start: usize,
    pub end: usize,
}

/// For each pair of codes `(a, b)` with `a < b`, the excerpts where both meet: an excerpt coded
/// with both, or two overlapping excerpts of one source coded one each. `(a, a)` holds the
/// excerpts coded `a`. Each cell's excerpts are sorted and distinct.
pub fn co_occurrence(codings: &[Placed]) -> BTreeMap<(i64, i64), BTreeSet<i64>> {
    // Each excerpt once, with its codes.
    let mut excerpts: HashMap<i64, (i64, usize, usize, BTreeSet<i64>)> = HashMap::new();
    for c in codings {
        excerpts.entry(c.excerpt).or_insert_with(|| (c.source, c.start, c.end, BTreeSet::new())).3.insert(c.code);
    }
    let mut by_source: BTreeMap<i64, Vec<(usize, usize, i64)>> = BTreeMap::new();
    for (&id, (source, start, end, _)) in &excerpts {
        by_source.entry(*source).or_default().push((*start, *end, id));
    }
    let mut cells: BTreeMap<(i64, i64), BTreeSet<i64>> = BTreeMap::new();
    let meet = |x: i64, y: i64, cells: &mut BTreeMap<(i64, i64), BTreeSet<i64>>| {
        let (cx, cy) = (&excerpts[&x].3, &excerpts[&y].3);
        for &a in cx {
            for &b in cy {
                if x != y && a == b {
                    continue;
                }
                let cell = cells.entry((a.min(b), a.max(b))).or_default();
                cell.insert(x);
                cell.insert(y);
            }
        }
    };
    for spans in by_source.values_mut() {
        spans.sort_unstable();
        // A sweep: each excerpt meets those still open when it starts.
        let mut open: Vec<(usize, i64)> = Vec::new();
        for &(start, end, id) in spans.iter() {
            open.retain(|&(open_end, _)| open_end > start);
            meet(id, id, &mut cells);
            for &(_, other) in &open {
                meet(other, id, &mut cells);
            }
            open.push((end, id));
        }
    }
    cells
}

/// How many excerpts each pair of codes meets on, as [`co_occurrence`] counts them, without
/// keeping the excerpts: for the whole matrix, where sets of ids would cost more than the counting.
/// Each source is swept on its own, and its meetings counted once each, since an excerpt belongs to
/// one source.
pub fn co_occurrence_counts(codings: &[Placed]) -> BTreeMap<(i64, i64), usize> {
    let mut sorted: Vec<&Placed> = codings.iter().collect();
    sorted.sort_unstable_by_key(|c| (c.source, c.start, c.end, c.excerpt, c.code));
    // Each excerpt once, with its codes, in order of source and start.
    let mut excerpts: Vec<(i64, usize, usize, i64, Vec<i64>)> = Vec::new();
    for c in sorted {
        match excerpts.last_mut() {
            Some(last) if last.3 == c.excerpt => {
                if last.4.last() != Some(&c.code) {
                    last.4.push(c.code);
                }
            }
            _ => excerpts.push((c.source, c.start, c.end, c.excerpt, vec![c.code])),
        }
    }
    let mut counts: HashMap<(i64, i64), usize> = HashMap::new();
    let mut met: Vec<(i64, i64, i64)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < excerpts.len() {
        let source = excerpts[i].0;
        met.clear();
        open.clear();
        while i < excerpts.len() && excerpts[i].0 == source {
            let (_, start, _, x, ref codes_x) = excerpts[i];
            open.retain(|&o| excerpts[o].2 > start);
            for (n, &a) in codes_x.iter().enumerate() {
                for &b in &codes_x[n..] {
                    met.push((a.min(b), a.max(b), x));
                }
            }
            for &o in &open {
                let (.., y, ref codes_y) = excerpts[o];
                for &a in codes_x {
                    for &b in codes_y {
                        if a != b {
                            met.push((a.min(b), a.max(b), x));
                            met.push((a.min(b), a.max(b), y));
                        }
                    }
                }
            }
            open.push(i);
            i += 1;
        }
        met.sort_unstable();
        met.dedup();
        for &(a, b, _) in &met {
            *counts.entry((a, b)).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// For each code and each value of an attribute, the excerpts coded with it whose source has a
/// participant with that value. `values` maps a source to its participants' values (a source may
/// hear several people, so an excerpt may count under several values, once each).
pub fn by_attribute(
    codings: &[Placed],
    values: &HashMap<i64, BTreeSet<String>>,
) -> BTreeMap<(i64, String), BTreeSet<i64>> {
    let mut cells: BTreeMap<(i64, String), BTreeSet<i64>> = BTreeMap::new();
    for c in codings {
        for value in values.get(&c.source).into_iter().flatten() {
            cells.entry((c.code, value.clone())).or_default().insert(c.excerpt);
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(excerpt: i64, source: i64, code: i64, start: usize, end: usize) -> Placed {
        Placed { excerpt, source, code, start, end }
    }

    #[test]
    fn codes_meet_on_one_excerpt_or_on_overlapping_ones() {
        let codings = [
            placed(1, 10, 100, 0, 10),
            placed(1, 10, 200, 0, 10),  // same excerpt, second code
            placed(2, 10, 300, 5, 15),  // overlaps excerpt 1
            placed(3, 10, 300, 20, 30), // overlaps nothing
            placed(4, 11, 100, 0, 10),  // another source, same offsets: no meeting
            placed(5, 11, 300, 10, 20), // touches excerpt 4 at 10 but does not overlap
        ];
        let cells = co_occurrence(&codings);
        let ids = |a, b| cells.get(&(a, b)).map(|s| s.iter().copied().collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(ids(100, 200), [1]);
        assert_eq!(ids(100, 300), [1, 2]);
        assert_eq!(ids(200, 300), [1, 2]);
        assert_eq!(ids(100, 100), [1, 4]);
        assert_eq!(ids(300, 300), [2, 3, 5]);
        assert!(!cells.contains_key(&(300, 100)));
    }

    #[test]
    fn counting_alone_agrees_with_the_excerpts_listed() {
        let mut codings = Vec::new();
        // A pseudo-random tangle of overlapping excerpts over three sources and six codes.
        let mut state = 7_u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for excerpt in 0..300_i64 {
            let source = i64::try_from(next(3)).unwrap();
            let start = usize::try_from(next(500)).unwrap();
            let end = start + 1 + usize::try_from(next(60)).unwrap();
            for _ in 0..=next(3) {
                let code = 100 + i64::try_from(next(6)).unwrap();
                codings.push(placed(excerpt, source, code, start, end));
            }
        }
        let listed: BTreeMap<(i64, i64), usize> =
            co_occurrence(&codings).into_iter().map(|(cell, ids)| (cell, ids.len())).collect();
        assert_eq!(co_occurrence_counts(&codings), listed);
    }

    #[test]
    fn codes_spread_over_the_people_heard() {
        let codings = [placed(1, 10, 100, 0, 5), placed(2, 11, 100, 0, 5), placed(2, 11, 200, 0, 5)];
        let values: HashMap<i64, BTreeSet<String>> = [
            (10, BTreeSet::from(["parent".to_owned()])),
            (11, BTreeSet::from(["parent".to_owned(), "carer".to_owned()])),
        ]
        .into();
        let cells = by_attribute(&codings, &values);
        assert_eq!(cells[&(100, "parent".to_owned())].len(), 2);
        assert_eq!(cells[&(100, "carer".to_owned())].len(), 1);
        assert_eq!(cells[&(200, "carer".to_owned())].len(), 1);
        assert!(!cells.contains_key(&(200, "other".to_owned())));
    }
}
