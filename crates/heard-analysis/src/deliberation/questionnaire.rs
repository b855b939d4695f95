//! The pre and post questionnaire of a Deliberation Day: the same questions answered on a scale
//! (1 to 5, say) before and after; per question and per attendee kind, the mean before and after,
//! the shift, a 95% interval for it and a test on the respondents who answered both.
//!
//! The shift is the mean of every answer after less the mean of every answer before, so an
//! attendee who answered only once still counts. Its interval is a bootstrap percentile interval
//! (B. Efron and R. J. Tibshirani (1993), "An Introduction to the Bootstrap", ch. 13) resampling
//! respondents, each with both their answers, so pairs stay paired and one-sided respondents stay
//! one-sided; it assumes nothing of the scale's distribution, which five points rarely make normal.
//! The test is Wilcoxon's signed-rank test on the paired differences (F. Wilcoxon (1945),
//! "Individual comparisons by ranking methods", Biometrics Bulletin 1(6)), zero differences dropped
//! and tied ones given midranks, with its exact p-value conditional on those ties (every sign
//! equally likely), as Likert answers are mostly ties and a room is small enough to count exactly.

use std::collections::BTreeMap;

use serde::Serialize;

use super::prioritise::mix;

/// Bootstrap resamples per interval.
pub const RESAMPLES: usize = 2000;

/// When a questionnaire was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Moment {
    Before,
    After,
}

/// One answer: a point on the question's scale.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Answer<K> {
    pub respondent: i64,
    pub question: i64,
    pub moment: Moment,
    pub value: i32,
    /// The respondent's declared kind; a respondent's answers are expected to carry the same kind.
    pub kind: K,
}

/// The answers at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub count: usize,
    /// `None` without answers.
    pub mean: Option<f64>,
}

/// The respondents who answered both before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paired {
    pub count: usize,
    /// Mean of (after − before); `None` without pairs.
    pub mean_shift: Option<f64>,
    pub increased: usize,
    pub decreased: usize,
    pub unchanged: usize,
    /// Two-sided exact p-value of Wilcoxon's signed-rank test; `None` without pairs, 1 when no
    /// answer moved.
    pub wilcoxon_p: Option<f64>,
}

/// How one question's answers moved, for one set of respondents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    /// Distinct respondents who answered the question at all.
    pub respondents: usize,
    pub before: Side,
    pub after: Side,
    /// Mean after − mean before; `None` unless there are answers at both moments.
    pub shift: Option<f64>,
    /// 95% bootstrap percentile interval of `shift` (see the module's notes); `None` when `shift`
    /// is, or every resample lacked one of the moments.
    pub interval: Option<(f64, f64)>,
    pub paired: Paired,
    /// Respondents who answered only before, and only after.
    pub before_only: usize,
    pub after_only: usize,
}

/// One question's shift for everyone and for each attendee kind that answered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionShift<K: Ord> {
    pub question: i64,
    pub all: Shift,
    pub by_kind: BTreeMap<K, Shift>,
}

/// Shifts per question (in increasing order of question), overall and by kind. Where a respondent
/// answered a question more than once at the same moment, the answer later in `answers` counts.
/// The same answers and `seed` give the same intervals.
pub fn shifts<K: Ord + Clone>(answers: &[Answer<K>], seed: u64) -> Vec<QuestionShift<K>> {
    // Per respondent, their (before, after) answers.
    type Both = BTreeMap<i64, (Option<i32>, Option<i32>)>;
    let mut questions: BTreeMap<i64, (Both, BTreeMap<K, Both>)> = BTreeMap::new();
    for a in answers {
        let (all, kinds) = questions.entry(a.question).or_default();
        for map in [all, kinds.entry(a.kind.clone()).or_default()] {
            let both = map.entry(a.respondent).or_default();
            match a.moment {
                Moment::Before => both.0 = Some(a.value),
                Moment::After => both.1 = Some(a.value),
            }
        }
    }
    questions
        .into_iter()
        .map(|(question, (all, kinds))| {
            let seed = seed ^ mix(question as u64);
            let all = shift(&all.into_values().collect::<Vec<_>>(), seed);
            let by_kind =
                kinds.into_iter().map(|(k, m)| (k, shift(&m.into_values().collect::<Vec<_>>(), seed))).collect();
            QuestionShift { question, all, by_kind }
        })
        .collect()
}

/// The shift over respondents given as (before, after), either possibly missing.
fn shift(respondents: &[(Option<i32>, Option<i32>)], seed: u64) -> Shift {
    let side = |values: Vec<i32>| Side {
        count: values.len(),
        mean: (!values.is_empty()).then(|| values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64),
    };
    let before = side(respondents.iter().filter_map(|r| r.0).collect());
    let after = side(respondents.iter().filter_map(|r| r.1).collect());
    let shift = before.mean.zip(after.mean).map(|(b, a)| a - b);
    let differences: Vec<i64> =
        respondents.iter().filter_map(|r| r.0.zip(r.1)).map(|(b, a)| i64::from(a) - i64::from(b)).collect();
    let paired = Paired {
        count: differences.len(),
        mean_shift: (!differences.is_empty())
            .then(|| differences.iter().sum::<i64>() as f64 / differences.len() as f64),
        increased: differences.iter().filter(|&&d| d > 0).count(),
        decreased: differences.iter().filter(|&&d| d < 0).count(),
        unchanged: differences.iter().filter(|&&d| d == 0).count(),
        wilcoxon_p: (!differences.is_empty()).then(|| signed_rank_p(&differences)),
    };
    Shift {
        respondents: respondents.len(),
        interval: shift.and_then(|_| bootstrap(respondents, seed)),
        before,
        after,
        shift,
        paired,
        before_only: respondents.iter().filter(|r| r.0.is_some() && r.1.is_none()).count(),
        after_only: respondents.iter().filter(|r| r.0.is_none() && r.1.is_some()).count(),
    }
}

/// Two-sided exact p-value of Wilcoxon's signed-rank test: zeros dropped, ties given midranks.
/// Ranks are doubled so midranks are whole numbers, and the distribution of the positive rank sum
/// under every sign being equally likely is counted by dynamic programming.
pub fn signed_rank_p(differences: &[i64]) -> f64 {
    let mut nonzero: Vec<i64> = differences.iter().copied().filter(|&d| d != 0).collect();
    if nonzero.is_empty() {
        return 1.0;
    }
    nonzero.sort_by_key(|d| d.unsigned_abs());
    // Doubled midranks: a run of ties at positions i..j (1-based i+1..=j) gets i + 1 + j.
    let mut ranks = vec![0usize; nonzero.len()];
    let mut i = 0;
    while i < nonzero.len() {
        let mut j = i;
        while j < nonzero.len() && nonzero[j].unsigned_abs() == nonzero[i].unsigned_abs() {
            j += 1;
        }
        ranks[i..j].iter_mut().for_each(|r| *r = i + 1 + j);
        i = j;
    }
    let total: usize = ranks.iter().sum();
    let observed: usize = ranks.iter().zip(&nonzero).filter(|(_, d)| **d > 0).map(|(r, _)| r).sum();
    let mut mass = vec![0.0f64; total + 1];
    mass[0] = 1.0;
    let mut reach = 0;
    for &r in &ranks {
        for s in (0..=reach).rev() {
            let m = mass[s] / 2.0;
            mass[s] = m;
            mass[s + r] += m;
        }
        reach += r;
    }
    // |2W − total| measures distance from the mean total/2 in whole numbers.
    let distance = |w: usize| (2 * w).abs_diff(total);
    let far = distance(observed);
    let p: f64 = mass.iter().enumerate().filter(|&(w, _)| distance(w) >= far).map(|(_, m)| m).sum();
    p.min(1.0)
}

/// 95% percentile interval of (mean after − mean before) over [`RESAMPLES`] resamples of the
/// respondents, drawn by a seeded SplitMix64 stream.
fn bootstrap(respondents: &[(Option<i32>, Option<i32>)], seed: u64) -> Option<(f64, f64)> {
    let n = respondents.len();
    let mut state = seed;
    let mut shifts = Vec::with_capacity(RESAMPLES);
    for _ in 0..RESAMPLES {
        let (mut before, mut nb, mut after, mut na) = (0i64, 0u32, 0i64, 0u32);
        for _ in 0..n {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            // Lemire's multiply-shift: an index below n without division.
            let pick = ((u128::from(mix(state)) * n as u128) >> 64) as usize;
            let (b, a) = respondents[pick];
            if let Some(b) = b {
                before += i64::from(b);
                nb += 1;
            }
            if let Some(a) = a {
                after += i64::from(a);
                na += 1;
            }
        }
        if nb > 0 && na > 0 {
            shifts.push(after as f64 / f64::from(na) - before as f64 / f64::from(nb));
        }
    }
    if shifts.is_empty() {
        return None;
    }
    shifts.sort_by(f64::total_cmp);
    let at = |q: f64| shifts[((shifts.len() - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(respondent: i64, question: i64, moment: Moment, value: i32, kind: &'static str) -> Answer<&'static str> {
        Answer { respondent, question, moment, value, kind }
    }

    fn toy() -> Vec<Answer<&'static str>> {
        use Moment::*;
        vec![
            // Respondents 1-3 answered both: 2 → 4, 3 → 4, 3 → 3.
            answer(1, 10, Before, 2, "carer"),
            answer(1, 10, After, 4, "carer"),
            answer(2, 10, Before, 3, "carer"),
            answer(2, 10, After, 4, "carer"),
            answer(3, 10, Before, 3, "practitioner"),
            answer(3, 10, After, 3, "practitioner"),
            // Respondent 4 only before, 5 only after.
            answer(4, 10, Before, 1, "practitioner"),
            answer(5, 10, After, 5, "carer"),
        ]
    }

    #[test]
    fn questionnaire_shift_on_a_toy_room() {
        let r = shifts(&toy(), 7);
        assert_eq!(r.len(), 1);
        let all = &r[0].all;
        assert_eq!(r[0].question, 10);
        // Before (2+3+3+1)/4 = 2.25, after (4+4+3+5)/4 = 4, shift 1.75.
        assert_eq!((all.before.count, all.before.mean), (4, Some(2.25)));
        assert_eq!((all.after.count, all.after.mean), (4, Some(4.0)));
        assert_eq!(all.shift, Some(1.75));
        assert_eq!((all.respondents, all.before_only, all.after_only), (5, 1, 1));
        // Pairs moved +2, +1, 0: mean 1; Wilcoxon on 2 and 1 (ranks 2 and 1, both positive): of the
        // four equally likely sign patterns, rank sums 0 and 3 are as far from 1.5 as seen: p = ½.
        let p = &all.paired;
        assert_eq!((p.count, p.mean_shift, p.increased, p.decreased, p.unchanged), (3, Some(1.0), 2, 0, 1));
        assert_eq!(p.wilcoxon_p, Some(0.5));
        let (low, high) = all.interval.expect("answers at both moments");
        assert!(low <= 1.75 && 1.75 <= high, "({low}, {high})");
        // By kind: carers 2 → 4, 3 → 4 and a 5 after: before 2.5, after 13/3.
        let carers = &r[0].by_kind["carer"];
        assert_eq!(carers.before.mean, Some(2.5));
        assert!((carers.after.mean.unwrap_or(0.0) - 13.0 / 3.0).abs() < 1e-12);
        assert_eq!((carers.paired.count, carers.after_only), (2, 1));
        let practitioners = &r[0].by_kind["practitioner"];
        assert_eq!(
            (practitioners.before.mean, practitioners.after.mean, practitioners.shift),
            (Some(2.0), Some(3.0), Some(1.0))
        );
        assert_eq!(practitioners.paired.wilcoxon_p, Some(1.0));
    }

    #[test]
    fn questionnaire_signed_rank_exact_p_values() {
        // Six distinct positive differences: only all-positive or all-negative is as extreme, 2/64.
        assert_eq!(signed_rank_p(&[1, 2, 3, 4, 5, 6]), 2.0 / 64.0);
        // Eight tied positive differences: the rank sum is 4.5 × the positives, so again 2/256.
        assert_eq!(signed_rank_p(&[1; 8]), 2.0 / 256.0);
        // Zeros are dropped: the same as the six alone.
        assert_eq!(signed_rank_p(&[0, 1, 2, 0, 3, 4, 5, 6]), 2.0 / 64.0);
        // Symmetric about zero: nothing to see.
        assert_eq!(signed_rank_p(&[1, -1, 2, -2]), 1.0);
        assert_eq!(signed_rank_p(&[0, 0]), 1.0);
        // {+1, −2, +3}: W+ = 1 + 3 = 4 against a mean of 3; sums 0..=6 over 8 patterns with
        // |W − 3| ≥ 1 are all but the two making 3, so p = 6/8.
        assert_eq!(signed_rank_p(&[1, -2, 3]), 0.75);
    }

    #[test]
    fn questionnaire_is_deterministic_and_intervals_shrink() {
        let many = |copies: i64| -> Vec<Answer<&'static str>> {
            (0..copies)
                .flat_map(|c| toy().into_iter().map(move |a| Answer { respondent: a.respondent + 100 * c, ..a }))
                .collect()
        };
        assert_eq!(shifts(&many(3), 1), shifts(&many(3), 1));
        let width = |copies| {
            let (low, high) = shifts(&many(copies), 1)[0].all.interval.expect("an interval");
            high - low
        };
        let (one, four, sixteen) = (width(1), width(4), width(16));
        assert!(sixteen < four && four < one, "{one} {four} {sixteen}");
        assert_eq!(shifts(&many(16), 1)[0].all.shift, Some(1.75));
        assert!(shifts(&many(16), 1)[0].all.paired.wilcoxon_p.is_some_and(|p| p < 0.001));
    }

    #[test]
    fn questionnaire_later_answers_count_and_one_moment_has_no_shift() {
        use Moment::*;
        let answers = [
            answer(1, 1, Before, 2, "carer"),
            answer(1, 1, Before, 4, "carer"),
            answer(2, 1, Before, 5, "carer"),
            answer(1, 2, After, 3, "carer"),
        ];
        let r = shifts(&answers, 0);
        assert_eq!(r.iter().map(|q| q.question).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!((r[0].all.before.count, r[0].all.before.mean), (2, Some(4.5)));
        assert_eq!((r[0].all.shift, r[0].all.interval, r[0].all.paired.wilcoxon_p), (None, None, None));
        assert_eq!((r[1].all.before.mean, r[1].all.after.mean, r[1].all.after_only), (None, Some(3.0), 1));
        assert!(shifts::<&str>(&[], 0).is_empty());
    }
}
