//! Which statement an attendee sees next, after Pol.is: a weighted random choice among the
//! statements they have not voted on, weighted by a priority that favours statements with few votes
//! (so every statement gets enough votes early) and statements that separate people.
//!
//! The formula is Pol.is's (compdemocracy/polis, `math/src/polismath/math/conversation.clj`,
//! `importance-metric` and `priority-metric`; the choice is `selectProbabilistically` in
//! `server/src/nextComment.ts`), written afresh here:
//!
//! - importance = (1 − p) · (E + 1) · a, with p = (passes + 1) / (seen + 2) and
//!   a = (agrees + 1) / (seen + 2): passes make a statement less worth asking, agreement and
//!   extremity more;
//! - priority = (importance · (1 + 8 · 2^(−seen / 5)))²: the second factor lifts new statements (nine
//!   times at no votes, halving its excess every five votes); squaring deepens the bias.
//!
//! Pol.is's meta statements (a fixed priority of 7²) have no counterpart in Heard and are left out.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What the choice knows about one statement: its votes so far and how far it separates people.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Votes of any kind (agree, disagree, pass), the latest per attendee.
    pub seen: u32,
    pub agrees: u32,
    pub passes: u32,
    /// The statement's distance from the origin in the two-component plane (see [`extremities`]);
    /// 0 before any analysis.
    pub extremity: f64,
}

/// Pol.is's `importance-metric`: how much a vote on this statement tells, leaving novelty aside.
pub fn importance(tally: &Tally) -> f64 {
    let seen = f64::from(tally.seen);
    let p = (f64::from(tally.passes) + 1.0) / (seen + 2.0);
    let a = (f64::from(tally.agrees) + 1.0) / (seen + 2.0);
    (1.0 - p) * (tally.extremity + 1.0) * a
}

/// Pol.is's `priority-metric` for a statement that is not meta: importance lifted for statements
/// with few votes, squared.
pub fn priority(tally: &Tally) -> f64 {
    let novelty = 1.0 + 8.0 * 2f64.powf(-f64::from(tally.seen) / 5.0);
    (importance(tally) * novelty).powi(2)
}

/// Each statement's extremity from the analysis's two components (one weight per statement): the
/// length of its pair of weights, times √(number of statements).
///
/// Pol.is projects, for each statement, a virtual participant who voted on it alone, with its
/// sparse-voter scaling √(statements / votes); that gives √n · |vote − mean| · ‖(c₁, c₂)‖. The
/// |vote − mean| factor is left out: Pol.is's virtual vote is a disagree (its own code asks why),
/// which would make statements most people agree with look extreme and those most disagree with
/// look mild. The √n keeps an ordinary statement's extremity near 1 whatever the number of
/// statements, as in Pol.is, so the (E + 1) factor weighs the same in a small room and a large one.
pub fn extremities(components: &[Vec<f64>; 2]) -> Vec<f64> {
    let n = components[0].len();
    let scale = (n as f64).sqrt();
    components[0].iter().zip(&components[1]).map(|(a, b)| scale * a.hypot(*b)).collect()
}

/// The next statement for an attendee: an index into `tallies`, chosen at random with probability
/// proportional to its [`priority`] among the statements not in `voted` (indices into `tallies`;
/// any outside it are ignored). `None` when every statement has been voted on. Deterministic for a
/// given `seed`: the caller chooses it (say, from the attendee and how many votes they have cast),
/// so a reload shows the same statement.
pub fn next_statement(tallies: &[Tally], voted: &[usize], seed: u64) -> Option<usize> {
    let mut open = vec![true; tallies.len()];
    for &s in voted {
        if let Some(o) = open.get_mut(s) {
            *o = false;
        }
    }
    // A weight that is not a positive number (only from counts that cannot happen, such as more
    // passes than votes) falls back to Pol.is's default of 1 rather than removing the statement.
    let weights: Vec<(usize, f64)> = tallies
        .iter()
        .enumerate()
        .filter(|&(s, _)| open[s])
        .map(|(s, t)| {
            let w = priority(t);
            (s, if w.is_finite() && w > 0.0 { w } else { 1.0 })
        })
        .collect();
    let total: f64 = weights.iter().map(|(_, w)| w).sum();
    let mut target = StdRng::seed_from_u64(seed).random::<f64>() * total;
    for &(s, w) in &weights {
        if target < w {
            return Some(s);
        }
        target -= w;
    }
    // Rounding can leave the target a hair past the end.
    weights.last().map(|&(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(seen: u32, agrees: u32, passes: u32, extremity: f64) -> Tally {
        Tally { seen, agrees, passes, extremity }
    }

    /// How often each statement is chosen over `runs` seeds.
    fn frequencies(tallies: &[Tally], voted: &[usize], runs: u64) -> Vec<u64> {
        let mut chosen = vec![0; tallies.len()];
        for seed in 0..runs {
            chosen[next_statement(tallies, voted, seed).expect("some left")] += 1;
        }
        chosen
    }

    #[test]
    fn the_priority_is_pol_is_s_at_its_own_test_values() {
        // conversation.clj's comment block tries (priority-metric false 1 0 1 0) and friends;
        // worked by hand: p = 1/3, a = 2/3, importance 4/9, novelty 1 + 8·2^(−1/5).
        let novelty = 1.0 + 8.0 * 0.5f64.powf(0.2);
        assert!((priority(&tally(1, 1, 0, 0.0)) - (4.0 / 9.0 * novelty).powi(2)).abs() < 1e-12);
        // 20 seen, 20 agreed, 3 passed: p = 4/22, a = 21/22.
        let novelty: f64 = 1.0 + 8.0 * 0.0625;
        let importance = (18.0 / 22.0) * (21.0 / 22.0);
        assert!((priority(&tally(20, 20, 3, 0.0)) - (importance * novelty).powi(2)).abs() < 1e-12);
        // Extremity 1 doubles importance, so quadruples priority.
        assert!((priority(&tally(20, 18, 3, 1.0)) / priority(&tally(20, 18, 3, 0.0)) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn a_new_statement_comes_up_early() {
        // Twenty statements with 100 votes each, then one added with none.
        let mut tallies = vec![tally(100, 50, 10, 0.5); 20];
        tallies.push(tally(0, 0, 0, 0.0));
        let runs = 4_000;
        let new = frequencies(&tallies, &[], runs)[20];
        // Its share by the formula, worked separately: priority 9²/16 against 20 × the old one's.
        let fresh = (0.25f64 * 9.0).powi(2);
        let old = ((1.0 - 11.0 / 102.0) * 1.5 * (51.0 / 102.0) * (1.0 + 8.0 * 2f64.powi(-20))).powi(2);
        let expected = fresh / (fresh + 20.0 * old);
        let share = new as f64 / runs as f64;
        assert!(expected > 5.0 / 21.0, "five times an even share at least: {expected}");
        assert!((share - expected).abs() < 0.03, "chosen {share}, expected {expected}");

        // Thirty attendees arrive one after another, each voting on what they are shown: the new
        // statement gathers votes far faster than the 30/21 an even choice would give it.
        let mut votes_on_new = 0;
        for attendee in 0..30 {
            let s = next_statement(&tallies, &[], 1_000 + attendee).expect("some left");
            tallies[s].seen += 1;
            tallies[s].agrees += 1;
            if s == 20 {
                votes_on_new += 1;
            }
        }
        assert!(votes_on_new >= 8, "the new statement got {votes_on_new} of 30 votes");
    }

    #[test]
    fn a_divisive_statement_is_chosen_more_often_than_a_consensus_one_with_the_same_counts() {
        let consensus = tally(40, 20, 4, 0.1);
        let divisive = tally(40, 20, 4, 1.8);
        let runs = 4_000;
        let chosen = frequencies(&[consensus, divisive], &[], runs);
        let expected = (2.8f64 / 1.1).powi(2); // the priorities' ratio: ((E + 1) / (E' + 1))²
        let ratio = chosen[1] as f64 / chosen[0] as f64;
        assert!(chosen[1] > chosen[0] * 4, "divisive {} against consensus {}", chosen[1], chosen[0]);
        assert!((ratio - expected).abs() / expected < 0.15, "ratio {ratio}, expected {expected}");
    }

    #[test]
    fn nothing_already_voted_on_is_returned() {
        let tallies: Vec<Tally> = (0..12).map(|i| tally(i * 3, i, i / 2, f64::from(i) / 6.0)).collect();
        let voted = [0, 2, 3, 5, 7, 11, 40];
        for seed in 0..2_000 {
            let s = next_statement(&tallies, &voted, seed).expect("five left");
            assert!(!voted.contains(&s), "seed {seed} chose {s}, already voted on");
        }
        // Every one left does come up.
        let chosen = frequencies(&tallies, &voted, 2_000);
        for s in [1, 4, 6, 8, 9, 10] {
            assert!(chosen[s] > 0, "statement {s} never chosen");
        }
        let all: Vec<usize> = (0..12).collect();
        assert_eq!(next_statement(&tallies, &all, 1), None);
        assert_eq!(next_statement(&[], &[], 1), None);
        assert_eq!(next_statement(&tallies[..1], &[], 9), Some(0));
    }

    #[test]
    fn the_same_seed_gives_the_same_statement() {
        let tallies: Vec<Tally> = (0..30).map(|i| tally(i, i / 2, i / 5, f64::from(i % 4) / 2.0)).collect();
        let first: Vec<Option<usize>> = (0..200).map(|seed| next_statement(&tallies, &[1, 2], seed)).collect();
        let again: Vec<Option<usize>> = (0..200).map(|seed| next_statement(&tallies, &[1, 2], seed)).collect();
        assert_eq!(first, again);
        let distinct: std::collections::HashSet<_> = first.iter().collect();
        assert!(distinct.len() > 10, "different seeds choose different statements: {}", distinct.len());
    }

    #[test]
    fn extremity_is_the_length_of_a_statement_s_weights_scaled_by_root_n() {
        let components = [vec![0.6, 0.0, -0.3, 0.0], vec![0.8, 0.5, 0.4, 0.0]];
        let e = extremities(&components);
        let expected = [2.0, 1.0, 1.0, 0.0]; // √4 · ‖(c₁, c₂)‖
        for (got, want) in e.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{e:?}");
        }
        assert!(extremities(&[Vec::new(), Vec::new()]).is_empty());
    }

    #[test]
    fn a_statement_whose_priority_is_not_a_number_stays_choosable() {
        // An extremity that is not a number (a broken analysis) makes the priority NaN: the
        // statement falls back to Pol.is's default weight of 1 rather than vanishing.
        let tallies = [tally(2, 1, 0, f64::NAN), tally(2, 1, 0, 0.0)];
        assert!(priority(&tallies[0]).is_nan());
        let chosen = frequencies(&tallies, &[], 1_000);
        assert!(chosen[0] > 50 && chosen[1] > 50, "{chosen:?}");
    }
}
