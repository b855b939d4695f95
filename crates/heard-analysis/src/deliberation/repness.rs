//! What each group stands for and what all groups share, from vote counts
//! (`polismath/math/repness.clj`). Probabilities carry Laplace pseudocounts, (n + 1) / (votes + 2);
//! a statement represents a group when both its agreement (or disagreement) there and the
//! difference from everyone else pass one-sided z-tests at 90%. The same figures work for any
//! grouping, so they serve the attendees' declared kinds as well as the opinion groups.

use super::{Choice, VoteMatrix};

/// One-sided 90% critical value of the standard normal.
pub const Z_90: f64 = 1.2816;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Agree,
    Disagree,
}

/// A statement that sets a group apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Representative {
    pub statement: usize,
    pub direction: Direction,
    /// Probability that someone in the group agrees (or disagrees), with pseudocounts.
    pub probability: f64,
    /// The same for everyone outside the group.
    pub probability_rest: f64,
    /// Votes (including passes) from the group.
    pub votes: u32,
    /// z of the group's probability against one half.
    pub z_probability: f64,
    /// z of the group's proportion against the rest's.
    pub z_difference: f64,
    /// Pol.is's ranking: ratio × its z × probability × its z.
    pub metric: f64,
}

/// A statement's figures across a grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct Across {
    pub statement: usize,
    /// Per group: probability of agreeing, with pseudocounts.
    pub agree: Vec<f64>,
    /// Per group: votes, including passes.
    pub votes: Vec<u32>,
    /// Group-aware consensus: the product over groups of (agrees + 1) / (votes + 2).
    pub consensus: f64,
    /// The same for disagreeing.
    pub consensus_against: f64,
    /// The widest difference in probability of agreeing between two groups.
    pub spread: f64,
}

/// A grouping's agrees, disagrees and votes (with passes) per group and statement, counted once
/// for both [`representatives`] and [`across`].
pub struct Counts {
    statements: usize,
    groups: usize,
    /// `[group * statements + s]`, as are the others.
    agree: Vec<u32>,
    disagree: Vec<u32>,
    seen: Vec<u32>,
}

impl Counts {
    /// `group_of` gives each participant's group (below `groups`), `None` for those left out.
    pub fn new(votes: &VoteMatrix, group_of: &[Option<usize>], groups: usize) -> Counts {
        let m = votes.statements();
        let cells = groups * m;
        let mut counts =
            Counts { statements: m, groups, agree: vec![0; cells], disagree: vec![0; cells], seen: vec![0; cells] };
        for (p, g) in group_of.iter().enumerate() {
            let Some(g) = *g else { continue };
            for (s, c) in votes.row(p) {
                let at = g * m + s;
                counts.seen[at] += 1;
                match c {
                    Choice::Agree => counts.agree[at] += 1,
                    Choice::Disagree => counts.disagree[at] += 1,
                    Choice::Pass => {}
                }
            }
        }
        counts
    }
}

/// (successes + 1) / (trials + 2).
pub fn probability(successes: u32, trials: u32) -> f64 {
    (f64::from(successes) + 1.0) / (f64::from(trials) + 2.0)
}

/// Pol.is's one-proportion test against one half, with a pseudocount.
pub fn proportion_test(successes: u32, trials: u32) -> f64 {
    let (s, n) = (f64::from(successes) + 1.0, f64::from(trials) + 1.0);
    2.0 * n.sqrt() * (s / n - 0.5)
}

/// Pol.is's two-proportion z-test, with a pseudocount on each count.
pub fn two_proportion_test(successes_in: u32, trials_in: u32, successes_out: u32, trials_out: u32) -> f64 {
    let (s1, n1) = (f64::from(successes_in) + 1.0, f64::from(trials_in) + 1.0);
    let (s2, n2) = (f64::from(successes_out) + 1.0, f64::from(trials_out) + 1.0);
    let pooled = (s1 + s2) / (n1 + n2);
    if pooled >= 1.0 || pooled <= 0.0 {
        return 0.0;
    }
    (s1 / n1 - s2 / n2) / (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

/// Each group's representative statements, at most `limit`, most representative first.
pub fn representatives(counts: &Counts, limit: usize) -> Vec<Vec<Representative>> {
    let (m, groups) = (counts.statements, counts.groups);
    let total = |v: &[u32], s: usize| (0..groups).map(|g| v[g * m + s]).sum::<u32>();
    (0..groups)
        .map(|g| {
            let mut found: Vec<Representative> = (0..m)
                .filter_map(|s| {
                    let at = g * m + s;
                    let seen = counts.seen[at];
                    let rest_seen = total(&counts.seen, s) - seen;
                    let candidate = |direction, n: &[u32]| {
                        let (hits, rest_hits) = (n[at], total(n, s) - n[at]);
                        let p = probability(hits, seen);
                        let probability_rest = probability(rest_hits, rest_seen);
                        let z_probability = proportion_test(hits, seen);
                        let z_difference = two_proportion_test(hits, seen, rest_hits, rest_seen);
                        let ratio = p / probability_rest;
                        let metric = ratio * z_difference * p * z_probability;
                        Representative {
                            statement: s,
                            direction,
                            probability: p,
                            probability_rest,
                            votes: seen,
                            z_probability,
                            z_difference,
                            metric,
                        }
                    };
                    let agree = candidate(Direction::Agree, &counts.agree);
                    let disagree = candidate(Direction::Disagree, &counts.disagree);
                    // The direction the group differs in more, as Pol.is's `repful-for`.
                    let chosen = if agree.z_difference >= disagree.z_difference { agree } else { disagree };
                    (chosen.z_probability > Z_90 && chosen.z_difference > Z_90).then_some(chosen)
                })
                .collect();
            found.sort_by(|a, b| b.metric.total_cmp(&a.metric).then(a.statement.cmp(&b.statement)));
            found.truncate(limit);
            found
        })
        .collect()
}

/// Every statement's agreement, consensus and spread across a grouping (opinion groups, or kinds
/// of attendee).
pub fn across(counts: &Counts) -> Vec<Across> {
    let (m, groups) = (counts.statements, counts.groups);
    (0..m)
        .map(|s| {
            let agree: Vec<f64> =
                (0..groups).map(|g| probability(counts.agree[g * m + s], counts.seen[g * m + s])).collect();
            let against: f64 =
                (0..groups).map(|g| probability(counts.disagree[g * m + s], counts.seen[g * m + s])).product();
            let high = agree.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let low = agree.iter().copied().fold(f64::INFINITY, f64::min);
            Across {
                statement: s,
                consensus: agree.iter().product(),
                consensus_against: against,
                spread: if groups == 0 { 0.0 } else { high - low },
                votes: (0..groups).map(|g| counts.seen[g * m + s]).collect(),
                agree,
            }
        })
        .collect()
}

/// The `limit` statements highest by `key`, ties by statement.
pub fn top(across: &[Across], limit: usize, key: impl Fn(&Across) -> f64) -> Vec<&Across> {
    let mut sorted: Vec<&Across> = across.iter().collect();
    sorted.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.statement.cmp(&b.statement)));
    sorted.truncate(limit);
    sorted
}
