//! Agreement between coders: Cohen's kappa for each code at character level, Krippendorff's alpha
//! pooled across codes, and the spans where coders disagree, so a team can see how far its coding
//! can be trusted and where to talk.
//!
//! Units are characters (Unicode scalar values), as NVivo's coding comparison counts them: every
//! character of a source that two or more coders have coded is a unit, and each coder either
//! applied a code to it or did not. Codings are swept at their boundaries, so the work grows with
//! the number of codings, not the length of the text.
//!
//! References: J. Cohen (1960), "A coefficient of agreement for nominal scales", Educational and
//! Psychological Measurement 20(1); K. Krippendorff (2011), "Computing Krippendorff's
//! Alpha-Reliability", Annenberg School for Communication, University of Pennsylvania.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

use serde::Serialize;

/// One coder's application of one code to a span `[start, end)` of a source, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Coding {
    pub source: i64,
    pub coder: i64,
    pub code: i64,
    pub start: usize,
    pub end: usize,
}

/// How far coders agree over the sources that two or more of them have coded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The sources compared: those with codings by two or more coders, and a known length.
    pub sources: Vec<i64>,
    /// The coders who coded any of those sources.
    pub coders: Vec<i64>,
    /// Characters in the sources compared: the units for each code.
    pub units: u64,
    /// Krippendorff's alpha over units (source, character, code), each coder of the source giving
    /// 1 if they applied the code to the character and 0 if not, pooled across codes. `None` when
    /// no coder applied any code anywhere (or always applied all), as agreement is then undefined.
    pub alpha: Option<f64>,
    /// Each code applied in a compared source, by code id.
    pub codes: Vec<CodeAgreement>,
    /// Where coders differ, by source then start.
    pub disagreements: Vec<Disagreement>,
    /// Sources coded by two or more coders whose length was not given; left out of the figures.
    pub unmeasured_sources: Vec<i64>,
}

/// Agreement on one code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeAgreement {
    pub code: i64,
    /// Characters of the compared sources (the same for every code: a code never applied in a
    /// compared source still counts as every coder there saying "not this code").
    pub units: u64,
    /// The share of judgements on which pairs of coders agree, in percent (0 to 100), pooled over
    /// every pair of coders and the characters of the sources each pair shares.
    pub observed_percent: f64,
    /// Cohen's kappa for two coders; with more, the mean of the pairs' kappas that are defined
    /// (Light's kappa). `None` when no pair's kappa is defined.
    pub kappa: Option<f64>,
    /// Krippendorff's alpha for this code alone, any number of coders.
    pub alpha: Option<f64>,
    /// Each pair of coders that shares a source, by coder ids.
    pub pairs: Vec<PairAgreement>,
}

/// Agreement of two coders on one code, over the characters of the sources both coded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAgreement {
    /// The two coders, the lower id first.
    pub coders: [i64; 2],
    pub units: u64,
    pub observed_percent: f64,
    /// Cohen's kappa; `None` where it is undefined: when both coders applied the code to every
    /// character or both to none, chance alone predicts their agreement (expected agreement 1)
    /// and kappa is 0/0. Such a pair agrees completely (`observed_percent` is 100) but says
    /// nothing about the code, so it is left out of the code's mean rather than counted as 1.
    pub kappa: Option<f64>,
}

/// A maximal span of a source where the coders of that source differ on a code, with the same
/// coders on each side throughout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    pub source: i64,
    pub code: i64,
    pub start: usize,
    pub end: usize,
    pub coders_applying: Vec<i64>,
    pub coders_not: Vec<i64>,
}

/// Agreement between the coders of `codings`, given each source's length in characters as
/// `(source, chars)`.
///
/// A coder has coded a source when they have a coding in it; only sources with two or more coders
/// count, and within a source only its coders. A coder's overlapping (or touching) codings of one
/// code merge. A coding past the end of its source is cut at the end; one with no characters left
/// is no judgement on any character and is ignored.
pub fn agreement(codings: &[Coding], source_chars: &[(i64, usize)]) -> Agreement {
    let lengths: HashMap<i64, usize> = source_chars.iter().copied().collect();

    // Clamp to each source and drop empty spans; then find each source's coders.
    let mut kept: Vec<Coding> = Vec::with_capacity(codings.len());
    let mut coders_of: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for coding in codings {
        let end = lengths.get(&coding.source).map_or(coding.end, |&len| coding.end.min(len));
        if coding.start < end {
            kept.push(Coding { end, ..*coding });
            coders_of.entry(coding.source).or_default().insert(coding.coder);
        }
    }
    let mut unmeasured_sources = Vec::new();
    let mut shared: BTreeMap<i64, (usize, Vec<i64>)> = BTreeMap::new();
    for (source, coders) in coders_of {
        if coders.len() < 2 {
            continue;
        }
        match lengths.get(&source) {
            Some(&len) => {
                shared.insert(source, (len, coders.into_iter().collect()));
            }
            None => unmeasured_sources.push(source),
        }
    }
    kept.retain(|coding| shared.contains_key(&coding.source));
    kept.sort_unstable_by_key(|c| (c.source, c.code, c.coder, c.start, c.end));

    // The totals every code shares: characters, each pair's shared characters, and the number of
    // pairable values (one for each coder of each character) that alpha counts.
    let mut units = 0u64;
    let mut values = 0u64;
    let mut pair_units: BTreeMap<[i64; 2], u64> = BTreeMap::new();
    let mut all_coders = BTreeSet::new();
    for (len, coders) in shared.values() {
        let len = *len as u64;
        units += len;
        values += len * coders.len() as u64;
        all_coders.extend(coders.iter().copied());
        for (i, &a) in coders.iter().enumerate() {
            for &b in &coders[i + 1..] {
                *pair_units.entry([a, b]).or_default() += len;
            }
        }
    }

    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for group in kept.chunk_by(|a, b| (a.source, a.code) == (b.source, b.code)) {
        let (source, code) = (group[0].source, group[0].code);
        let Some((_, coders)) = shared.get(&source) else { continue };
        sweep(group, coders, tallies.entry(code).or_default(), &mut disagreements);
    }
    disagreements.sort_unstable_by_key(|d| (d.source, d.start, d.code, d.end));

    let mut pooled = Binary::default();
    let codes = tallies
        .into_iter()
        .map(|(code, tally)| {
            // Characters outside every coding are all 0s, which the sweep skipped.
            let all_zero = (values as f64) - tally.alpha.covered;
            let alpha = Binary {
                zeros: tally.alpha.zeros + all_zero,
                zero_pairs: tally.alpha.zero_pairs + all_zero,
                ..tally.alpha
            };
            pooled.add(&alpha);
            let mut agreeing = 0;
            let pairs: Vec<PairAgreement> = pair_units
                .iter()
                .map(|(&coders, &units)| {
                    let [both, first, second] = tally.pairs.get(&coders).copied().unwrap_or_default();
                    let neither = units - both - first - second;
                    agreeing += both + neither;
                    PairAgreement {
                        coders,
                        units,
                        observed_percent: percent(both + neither, units),
                        kappa: cohen_kappa([[both, first], [second, neither]]),
                    }
                })
                .collect();
            let defined: Vec<f64> = pairs.iter().filter_map(|p| p.kappa).collect();
            CodeAgreement {
                code,
                units,
                observed_percent: percent(agreeing, pair_units.values().sum()),
                kappa: (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64),
                alpha: alpha.alpha(),
                pairs,
            }
        })
        .collect();

    Agreement {
        sources: shared.keys().copied().collect(),
        coders: all_coders.into_iter().collect(),
        units,
        alpha: pooled.alpha(),
        codes,
        disagreements,
        unmeasured_sources,
    }
}

/// Cohen's kappa for two coders' yes/no judgements, from the table
/// `[[both yes, first only], [second only, both no]]`; `None` where chance expects full agreement
/// (each coder gave one answer throughout, the same one), or there are no units.
///
/// Kappa is (p_o − p_e) / (1 − p_e) (Cohen 1960); for a 2×2 table with counts a, b, c, d
/// (as above) it is 2(ad − bc) / ((a+b)(b+d) + (a+c)(c+d)), computed here in integers so that
/// the undefined case is an exact zero, not a rounding accident.
pub fn cohen_kappa(table: [[u64; 2]; 2]) -> Option<f64> {
    let [[a, b], [c, d]] = table.map(|row| row.map(i128::from));
    let denominator = (a + b) * (b + d) + (a + c) * (c + d);
    (denominator != 0).then(|| (2 * (a * d - b * c)) as f64 / denominator as f64)
}

/// Krippendorff's alpha for nominal data: `units` each hold the values their coders gave, `None`
/// where a coder gave none. Units with fewer than two values cannot be paired and are left out
/// (Krippendorff 2011, section C). `None` when fewer than two values are pairable or all of them
/// are the same, as expected disagreement is then 0.
pub fn nominal_alpha<V, U>(units: impl IntoIterator<Item = U>) -> Option<f64>
where
    V: Eq + Hash,
    U: IntoIterator<Item = Option<V>>,
{
    // For each value c: n_c, how often it was given in pairable units, and o_cc, the coincidences
    // of c with itself: each unit adds m_uc (m_uc − 1) / (m_u − 1).
    let mut by_value: HashMap<V, (f64, f64)> = HashMap::new();
    let mut counts: Vec<(V, u64)> = Vec::new();
    for unit in units {
        counts.clear();
        for value in unit.into_iter().flatten() {
            match counts.iter_mut().find(|(v, _)| *v == value) {
                Some((_, n)) => *n += 1,
                None => counts.push((value, 1)),
            }
        }
        let m: u64 = counts.iter().map(|(_, n)| n).sum();
        if m < 2 {
            continue;
        }
        for (value, n) in counts.drain(..) {
            let entry = by_value.entry(value).or_default();
            entry.0 += n as f64;
            entry.1 += (n * (n - 1)) as f64 / (m - 1) as f64;
        }
    }
    let n: f64 = by_value.values().map(|(n_c, _)| n_c).sum();
    let sum_squares: f64 = by_value.values().map(|(n_c, _)| n_c * n_c).sum();
    let agreeing: f64 = by_value.values().map(|(_, o_cc)| o_cc).sum();
    alpha_from(n, sum_squares, agreeing)
}

/// Nominal alpha from n (pairable values), Σ n_c² and Σ o_cc: Krippendorff (2011) gives
/// α = 1 − D_o/D_e = [(n−1) Σ o_cc − Σ n_c(n_c−1)] / [n(n−1) − Σ n_c(n_c−1)], which is
/// 1 − (n−1)(n − Σ o_cc) / (n² − Σ n_c²).
fn alpha_from(n: f64, sum_squares: f64, agreeing: f64) -> Option<f64> {
    let expected = n * n - sum_squares;
    (n >= 2.0 && expected > 0.0).then(|| 1.0 - (n - 1.0) * (n - agreeing) / expected)
}

/// One code's counts, summed over the segments where some coder applied it.
#[derive(Debug, Default)]
struct Tally {
    /// For each pair of coders (lower id first): characters both applied the code to, only the
    /// first did, only the second did. "Neither" is the rest of the pair's shared characters.
    pairs: BTreeMap<[i64; 2], [u64; 3]>,
    alpha: Binary,
}

/// Krippendorff's coincidences for 0/1 values, weighted by segment length.
#[derive(Debug, Default, Clone, Copy)]
struct Binary {
    /// n_0 and n_1: the pairable 0s and 1s.
    zeros: f64,
    ones: f64,
    /// o_00 and o_11.
    zero_pairs: f64,
    one_pairs: f64,
    /// The values counted so far (Σ m_u over the units seen), so the all-0 remainder is known.
    covered: f64,
}

impl Binary {
    fn add(&mut self, other: &Binary) {
        self.zeros += other.zeros;
        self.ones += other.ones;
        self.zero_pairs += other.zero_pairs;
        self.one_pairs += other.one_pairs;
        self.covered += other.covered;
    }

    fn alpha(&self) -> Option<f64> {
        let n = self.zeros + self.ones;
        alpha_from(n, self.zeros * self.zeros + self.ones * self.ones, self.zero_pairs + self.one_pairs)
    }
}

/// Sweeps one code's codings in one source (sorted by coder, then start) at their boundaries,
/// adding each segment where some coder applied the code to `tally`, and each where they differ
/// to `disagreements`.
fn sweep(group: &[Coding], coders: &[i64], tally: &mut Tally, disagreements: &mut Vec<Disagreement>) {
    // Each coder's codings, merged, become +1 at the start and −1 at the end; after merging a
    // coder's spans neither overlap nor touch, so each coder is simply in or out.
    let mut events: Vec<(usize, usize, bool)> = Vec::with_capacity(group.len() * 2);
    for by_coder in group.chunk_by(|a, b| a.coder == b.coder) {
        let Ok(who) = coders.binary_search(&by_coder[0].coder) else { continue };
        let mut current: Option<(usize, usize)> = None;
        for coding in by_coder {
            match current {
                Some((start, end)) if coding.start <= end => current = Some((start, end.max(coding.end))),
                _ => {
                    if let Some((start, end)) = current {
                        events.extend([(start, who, true), (end, who, false)]);
                    }
                    current = Some((coding.start, coding.end));
                }
            }
        }
        if let Some((start, end)) = current {
            events.extend([(start, who, true), (end, who, false)]);
        }
    }
    events.sort_unstable();

    let (source, code) = (group[0].source, group[0].code);
    let m = coders.len();
    let mut applying = vec![false; m];
    let mut count = 0usize;
    let mut previous = 0;
    let mut i = 0;
    while i < events.len() {
        let position = events[i].0;
        if count > 0 && position > previous {
            add_segment(tally, coders, &applying, count, (position - previous) as u64);
            if count < m {
                disagree(disagreements, source, code, previous, position, coders, &applying);
            }
        }
        while let Some(&(_, who, starts)) = events.get(i).filter(|event| event.0 == position) {
            applying[who] = starts;
            if starts {
                count += 1;
            } else {
                count -= 1;
            }
            i += 1;
        }
        previous = position;
    }
}

/// Adds `len` characters where the coders marked in `applying` (`count` of them) applied the code.
fn add_segment(tally: &mut Tally, coders: &[i64], applying: &[bool], count: usize, len: u64) {
    for (i, &a) in coders.iter().enumerate() {
        for (j, &b) in coders.iter().enumerate().skip(i + 1) {
            let slot = match (applying[i], applying[j]) {
                (true, true) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (false, false) => continue,
            };
            tally.pairs.entry([a, b]).or_default()[slot] += len;
        }
    }
    // One unit per character with m values, `count` of them 1: it adds m_u1 (m_u1 − 1)/(m − 1)
    // to o_11 and likewise for 0s (Krippendorff 2011, section C).
    let (m, ones, zeros, len) = (applying.len() as f64, count as f64, (applying.len() - count) as f64, len as f64);
    let binary = &mut tally.alpha;
    binary.ones += len * ones;
    binary.zeros += len * zeros;
    binary.one_pairs += len * ones * (ones - 1.0) / (m - 1.0);
    binary.zero_pairs += len * zeros * (zeros - 1.0) / (m - 1.0);
    binary.covered += len * m;
}

/// Records `[start, end)` as a disagreement, extending the last one when it continues it with the
/// same coders on each side.
fn disagree(
    disagreements: &mut Vec<Disagreement>,
    source: i64,
    code: i64,
    start: usize,
    end: usize,
    coders: &[i64],
    applying: &[bool],
) {
    let split = |apply: bool| -> Vec<i64> {
        coders.iter().zip(applying).filter(|&(_, &a)| a == apply).map(|(&coder, _)| coder).collect()
    };
    let coders_applying = split(true);
    if let Some(last) = disagreements.last_mut()
        && (last.source, last.code, last.end) == (source, code, start)
        && last.coders_applying == coders_applying
    {
        last.end = end;
        return;
    }
    disagreements.push(Disagreement { source, code, start, end, coders_applying, coders_not: split(false) });
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 100.0 } else { 100.0 * part as f64 / whole as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn coding(source: i64, coder: i64, code: i64, start: usize, end: usize) -> Coding {
        Coding { source, coder, code, start, end }
    }

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn perfect_agreement_gives_kappa_and_alpha_of_one() {
        let codings = [
            coding(1, 10, 7, 0, 20),
            coding(1, 11, 7, 0, 20),
            coding(1, 10, 8, 40, 50),
            // Split differently, but the same characters.
            coding(1, 11, 8, 40, 45),
            coding(1, 11, 8, 43, 50),
        ];
        let result = agreement(&codings, &[(1, 100)]);
        assert_eq!(result.sources, [1]);
        assert_eq!(result.coders, [10, 11]);
        assert_eq!(result.units, 100);
        assert_eq!(result.alpha, Some(1.0));
        for code in &result.codes {
            assert_eq!(code.kappa, Some(1.0));
            assert_eq!(code.alpha, Some(1.0));
            assert_eq!(code.observed_percent, 100.0);
            assert_eq!(code.units, 100);
        }
        assert!(result.disagreements.is_empty());
    }

    #[test]
    fn kappa_matches_the_textbook_two_by_two_example() {
        // The usual worked example (e.g. Wikipedia, "Cohen's kappa"): 50 units, both yes 20, A only
        // 5, B only 10, both no 15. p_o = (20 + 15)/50 = 0.7; A says yes to 25/50 = 0.5, B to
        // 30/50 = 0.6, so p_e = 0.5·0.6 + 0.5·0.4 = 0.5 and κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
        // In integers: 2(20·15 − 5·10)/((20+5)(5+15) + (20+10)(10+15)) = 500/1250 = 0.4.
        assert_eq!(cohen_kappa([[20, 5], [10, 15]]), Some(0.4));
        // The same as characters: A codes 0..25, B codes 0..20 and 25..35 of a 50-character source.
        let codings = [coding(1, 1, 3, 0, 25), coding(1, 2, 3, 0, 20), coding(1, 2, 3, 25, 35)];
        let result = agreement(&codings, &[(1, 50)]);
        let code = &result.codes[0];
        assert!(close(code.kappa, Some(0.4)), "{code:?}");
        assert!((code.observed_percent - 70.0).abs() < 1e-9);
        assert_eq!(code.pairs.len(), 1);
        assert_eq!(code.pairs[0].coders, [1, 2]);
        assert_eq!(code.pairs[0].units, 50);
        // Alpha from the same 100 values: n_1 = 25 + 30 = 55, n_0 = 45; o_11 = 2·20 = 40 and
        // o_00 = 2·15 = 30 (each agreeing unit of two values adds 2). α = 1 − 99·(100 − 70) /
        // (100² − 55² − 45²) = 1 − 2970/4950 = 0.4.
        assert!(close(code.alpha, Some(0.4)), "{code:?}");
        assert_eq!(
            result.disagreements,
            [
                Disagreement { source: 1, code: 3, start: 20, end: 25, coders_applying: vec![1], coders_not: vec![2] },
                Disagreement { source: 1, code: 3, start: 25, end: 35, coders_applying: vec![2], coders_not: vec![1] },
            ]
        );
    }

    #[test]
    fn systematic_disagreement_gives_negative_kappa() {
        // A codes the first half, B the second: a = d = 0, b = c = 10, so
        // κ = 2(0 − 100)/(10·10 + 10·10) = −1. Alpha: n = 40 values, n_0 = n_1 = 20, no agreeing
        // pair, so α = 1 − 39·40/(1600 − 400 − 400) = 1 − 1560/800 = −0.95.
        let codings = [coding(5, 1, 9, 0, 10), coding(5, 2, 9, 10, 20)];
        let result = agreement(&codings, &[(5, 20)]);
        assert!(close(result.codes[0].kappa, Some(-1.0)));
        assert!(close(result.codes[0].alpha, Some(-0.95)));
        assert!(close(result.alpha, Some(-0.95)));
        assert_eq!(result.codes[0].observed_percent, 0.0);
    }

    #[test]
    fn kappa_is_none_where_chance_predicts_everything() {
        assert_eq!(cohen_kappa([[0, 0], [0, 30]]), None);
        assert_eq!(cohen_kappa([[30, 0], [0, 0]]), None);
        assert_eq!(cohen_kappa([[0, 0], [0, 0]]), None);
        // One coder always yes, the other always no: p_o = 0 = p_e, so κ = 0, which is defined.
        assert_eq!(cohen_kappa([[0, 30], [0, 0]]), Some(0.0));
        // Code 2 is applied only in source 1, which coders 1 and 2 share; coders 1 and 3 share
        // source 2 where nobody applies it, so their kappa is None, and the code's mean is
        // coder 1 and 2's alone.
        let codings = [
            coding(1, 1, 2, 0, 5),
            coding(1, 2, 2, 0, 5),
            coding(1, 1, 4, 8, 10),
            coding(2, 1, 4, 0, 3),
            coding(2, 3, 4, 0, 3),
        ];
        let result = agreement(&codings, &[(1, 10), (2, 10)]);
        let code = &result.codes[0];
        assert_eq!(code.code, 2);
        assert_eq!(code.units, 20);
        let kappas: Vec<_> = code.pairs.iter().map(|p| (p.coders, p.units, p.kappa)).collect();
        assert_eq!(kappas, [([1, 2], 10, Some(1.0)), ([1, 3], 10, None)]);
        assert_eq!(code.kappa, Some(1.0));
        assert_eq!(code.observed_percent, 100.0);
    }

    #[test]
    fn three_coders_report_each_pair_and_their_mean() {
        // One 10-character source. Coders 1 and 2 code 0..5; coder 3 codes 0..10.
        // Pair (1,2): perfect, κ = 1. Pairs (1,3) and (2,3): a = 5, b = 0, c = 5, d = 0, so
        // κ = 2(0 − 0)/((5)(5) + (10)(5)) = 0. Mean 1/3.
        let codings = [coding(1, 1, 1, 0, 5), coding(1, 2, 1, 0, 5), coding(1, 3, 1, 0, 10)];
        let result = agreement(&codings, &[(1, 10)]);
        let code = &result.codes[0];
        let kappas: Vec<_> = code.pairs.iter().map(|p| (p.coders, p.kappa)).collect();
        assert_eq!(kappas, [([1, 2], Some(1.0)), ([1, 3], Some(0.0)), ([2, 3], Some(0.0))]);
        assert!(close(code.kappa, Some(1.0 / 3.0)));
        // Pairs agree on 10 + 5 + 5 of 30 judgements.
        assert!((code.observed_percent - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            result.disagreements,
            [Disagreement { source: 1, code: 1, start: 5, end: 10, coders_applying: vec![3], coders_not: vec![1, 2] }]
        );
        // Alpha by hand: 5 units of (1,1,1) and 5 of (0,0,1). n_1 = 15 + 5 = 20, n_0 = 10.
        // o_11 = 5·3·2/2 + 5·0 = 15; o_00 = 5·2·1/2 = 5. α = 1 − 29·(30 − 20)/(900 − 400 − 100)
        // = 1 − 290/400 = 0.275.
        assert!(close(code.alpha, Some(0.275)), "{code:?}");
    }

    #[test]
    fn only_sources_with_two_coders_count() {
        let codings = [
            coding(1, 1, 1, 0, 5),
            coding(2, 1, 1, 0, 5),
            coding(2, 2, 1, 5, 8),
            // Unknown length.
            coding(3, 1, 1, 0, 5),
            coding(3, 2, 1, 0, 5),
            // Past the end of source 4, so no judgement: source 4 has one coder.
            coding(4, 1, 1, 0, 5),
            coding(4, 2, 1, 12, 15),
            // Only in source 1, which one coder coded: not reported.
            coding(1, 1, 99, 0, 5),
        ];
        let result = agreement(&codings, &[(1, 10), (2, 10), (4, 10)]);
        assert_eq!(result.sources, [2]);
        assert_eq!(result.unmeasured_sources, [3]);
        assert_eq!(result.units, 10);
        assert_eq!(result.codes.iter().map(|c| c.code).collect::<Vec<_>>(), [1]);
        assert!(agreement(&[], &[]).codes.is_empty());
        assert_eq!(agreement(&[], &[]).alpha, None);
    }

    #[test]
    fn the_report_serialises_undefined_values_as_null() {
        let codings = [coding(1, 1, 1, 0, 10), coding(1, 2, 1, 0, 10)];
        let json = serde_json::to_value(agreement(&codings, &[(1, 10)])).unwrap_or_default();
        assert_eq!(json["codes"][0]["kappa"], serde_json::Value::Null);
        assert_eq!(json["codes"][0]["alpha"], serde_json::Value::Null);
        assert_eq!(json["codes"][0]["observed_percent"], 100.0);
        assert_eq!(json["codes"][0]["pairs"][0]["coders"], serde_json::json!([1, 2]));
        assert_eq!(json["alpha"], serde_json::Value::Null);
    }

    #[test]
    fn alpha_reproduces_krippendorffs_nominal_example() {
        // Krippendorff (2011), section C: four observers, twelve units, values 1 to 5, some
        // missing. He computes α = 0.743 for nominal data.
        let table: [[Option<u8>; 12]; 4] = [
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(1), Some(4), Some(1), Some(2), None, None, None],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(2), Some(4), Some(1), Some(2), Some(5), None, Some(3)],
            [None, Some(3), Some(3), Some(3), Some(2), Some(3), Some(4), Some(2), Some(2), Some(5), Some(1), None],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(4), Some(4), Some(1), Some(2), Some(5), Some(1), None],
        ];
        let units = (0..12).map(|unit| table.iter().map(move |observer| observer[unit]));
        let alpha = nominal_alpha(units).unwrap_or(f64::NAN);
        assert!((alpha - 0.743).abs() < 0.0005, "{alpha}");
        assert_eq!(nominal_alpha([[Some(1), Some(1)], [Some(1), None]]), None);
        assert_eq!(nominal_alpha::<u8, [Option<u8>; 0]>([]), None);
    }

    /// A code, each pair's kappa, and the code's alpha.
    type CodeFigures = (i64, Vec<([i64; 2], Option<f64>)>, Option<f64>);

    /// The same figures the slow way: character by character, alpha from `nominal_alpha`.
    fn by_character(
        codings: &[Coding],
        lengths: &[(i64, usize)],
    ) -> (Vec<CodeFigures>, Option<f64>, Vec<Disagreement>) {
        let lengths: BTreeMap<i64, usize> = lengths.iter().copied().collect();
        let kept: Vec<Coding> = codings
            .iter()
            .filter_map(|c| {
                let end = c.end.min(*lengths.get(&c.source)?);
                (c.start < end).then_some(Coding { end, ..*c })
            })
            .collect();
        let mut coders_of: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for c in &kept {
            coders_of.entry(c.source).or_default().insert(c.coder);
        }
        coders_of.retain(|_, coders| coders.len() >= 2);
        let all_coders: BTreeSet<i64> = coders_of.values().flatten().copied().collect();
        let codes: BTreeSet<i64> = kept.iter().filter(|c| coders_of.contains_key(&c.source)).map(|c| c.code).collect();
        let applies = |source: i64, coder: i64, code: i64, at: usize| {
            kept.iter().any(|c| (c.source, c.coder, c.code) == (source, coder, code) && c.start <= at && at < c.end)
        };
        let mut per_code = Vec::new();
        let mut pooled_units = Vec::new();
        let mut disagreements = Vec::new();
        for &code in &codes {
            let mut tables: BTreeMap<[i64; 2], [[u64; 2]; 2]> = BTreeMap::new();
            let mut units = Vec::new();
            for (&source, coders) in &coders_of {
                let mut run: Option<Disagreement> = None;
                for at in 0..lengths[&source] {
                    let unit: Vec<Option<bool>> = all_coders
                        .iter()
                        .map(|&coder| coders.contains(&coder).then(|| applies(source, coder, code, at)))
                        .collect();
                    for &a in coders {
                        for &b in coders.range(a + 1..) {
                            let (x, y) = (applies(source, a, code, at), applies(source, b, code, at));
                            tables.entry([a, b]).or_default()[usize::from(!x)][usize::from(!y)] += 1;
                        }
                    }
                    let applying: Vec<i64> = coders.iter().copied().filter(|&c| applies(source, c, code, at)).collect();
                    let differ = !applying.is_empty() && applying.len() < coders.len();
                    match &mut run {
                        Some(d) if differ && d.coders_applying == applying => d.end = at + 1,
                        _ => {
                            disagreements.extend(run.take());
                            if differ {
                                let coders_not = coders.iter().copied().filter(|c| !applying.contains(c)).collect();
                                run = Some(Disagreement {
                                    source,
                                    code,
                                    start: at,
                                    end: at + 1,
                                    coders_applying: applying,
                                    coders_not,
                                });
                            }
                        }
                    }
                    units.push(unit);
                }
                disagreements.extend(run);
            }
            let alpha = nominal_alpha(units.clone());
            pooled_units.extend(units);
            per_code.push((code, tables.into_iter().map(|(pair, table)| (pair, cohen_kappa(table))).collect(), alpha));
        }
        disagreements.sort_unstable_by_key(|d| (d.source, d.start, d.code, d.end));
        (per_code, nominal_alpha(pooled_units), disagreements)
    }

    fn data() -> impl Strategy<Value = (Vec<Coding>, Vec<(i64, usize)>)> {
        let lengths = proptest::collection::vec(1usize..60, 1..4);
        let codings = proptest::collection::vec((0usize..4, 1i64..5, 1i64..4, 0usize..70, 0usize..30), 0..24);
        (lengths, codings).prop_map(|(lengths, codings)| {
            let n = lengths.len();
            let codings = codings
                .into_iter()
                .map(|(source, coder, code, start, len)| {
                    coding((source % n) as i64 + 1, coder, code, start, start + len)
                })
                .collect();
            (codings, lengths.into_iter().enumerate().map(|(i, len)| (i as i64 + 1, len)).collect())
        })
    }

    fn kappas(result: &Agreement) -> Vec<CodeFigures> {
        result.codes.iter().map(|c| (c.code, c.pairs.iter().map(|p| (p.coders, p.kappa)).collect(), c.alpha)).collect()
    }

    proptest! {
        #[test]
        fn the_sweep_agrees_with_counting_every_character((codings, lengths) in data()) {
            let result = agreement(&codings, &lengths);
            let (per_code, alpha, disagreements) = by_character(&codings, &lengths);
            let swept = kappas(&result);
            prop_assert_eq!(swept.len(), per_code.len());
            for ((code, pairs, alpha), (code_, pairs_, alpha_)) in swept.iter().zip(&per_code) {
                prop_assert_eq!(code, code_);
                prop_assert_eq!(pairs.len(), pairs_.len());
                for ((pair, kappa), (pair_, kappa_)) in pairs.iter().zip(pairs_) {
                    prop_assert_eq!(pair, pair_);
                    prop_assert!(close(*kappa, *kappa_), "{:?} {:?}", kappa, kappa_);
                }
                prop_assert!(close(*alpha, *alpha_), "{:?} {:?}", alpha, alpha_);
            }
            prop_assert!(close(result.alpha, alpha), "{:?} {:?}", result.alpha, alpha);
            prop_assert_eq!(result.disagreements, disagreements);
        }

        #[test]
        fn kappa_lies_between_minus_one_and_one_and_alpha_at_most_one((codings, lengths) in data()) {
            let result = agreement(&codings, &lengths);
            prop_assert!(result.alpha.is_none_or(|alpha| alpha <= 1.0 + 1e-12));
            for code in &result.codes {
                prop_assert!(code.alpha.is_none_or(|alpha| alpha <= 1.0 + 1e-12));
                prop_assert!(code.kappa.is_none_or(|kappa| (-1.0..=1.0).contains(&kappa)));
                prop_assert!((0.0..=100.0).contains(&code.observed_percent));
                for pair in &code.pairs {
                    prop_assert!(pair.kappa.is_none_or(|kappa| (-1.0..=1.0).contains(&kappa)));
                }
            }
        }

        #[test]
        fn swapping_coders_changes_nothing((codings, lengths) in data()) {
            // 5 − coder reverses the coders' order, so each pair's first coder becomes its second.
            let swapped: Vec<Coding> = codings.iter().map(|c| Coding { coder: 5 - c.coder, ..*c }).collect();
            let (a, b) = (agreement(&codings, &lengths), agreement(&swapped, &lengths));
            prop_assert!(close(a.alpha, b.alpha));
            for (x, y) in a.codes.iter().zip(&b.codes) {
                prop_assert_eq!(x.code, y.code);
                prop_assert!(close(x.kappa, y.kappa) && close(x.alpha, y.alpha));
                prop_assert!((x.observed_percent - y.observed_percent).abs() < 1e-9);
                for pair in &x.pairs {
                    let [p, q] = pair.coders;
                    let other = y.pairs.iter().find(|o| o.coders == [5 - q, 5 - p]);
                    prop_assert!(other.is_some_and(|o| close(o.kappa, pair.kappa)));
                }
            }
            prop_assert_eq!(a.disagreements.len(), b.disagreements.len());
        }

        #[test]
        fn renaming_sources_changes_nothing((codings, lengths) in data()) {
            // 100 − source reverses the sources' order too.
            let renamed: Vec<Coding> = codings.iter().map(|c| Coding { source: 100 - c.source, ..*c }).collect();
            let renamed_lengths: Vec<(i64, usize)> = lengths.iter().map(|&(s, len)| (100 - s, len)).collect();
            let (a, b) = (agreement(&codings, &lengths), agreement(&renamed, &renamed_lengths));
            prop_assert!(close(a.alpha, b.alpha));
            prop_assert_eq!(a.units, b.units);
            for (x, y) in a.codes.iter().zip(&b.codes) {
                prop_assert_eq!(x.code, y.code);
                prop_assert!(close(x.kappa, y.kappa) && close(x.alpha, y.alpha));
                for (p, q) in x.pairs.iter().zip(&y.pairs) {
                    prop_assert!(close(p.kappa, q.kappa));
                }
            }
            let mut moved: Vec<Disagreement> =
                a.disagreements.into_iter().map(|d| Disagreement { source: 100 - d.source, ..d }).collect();
            moved.sort_unstable_by_key(|d| (d.source, d.start, d.code, d.end));
            prop_assert_eq!(moved, b.disagreements);
        }
    }
}
