//! Synthetic conversations for benchmarks: participants in four camps voting on statements, with
//! Pol.is-like shapes (a long tail of votes per participant, earlier statements voted on more,
//! passes and changed votes). The same seed always gives the same votes.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Choice, Vote};

/// Four camps, each leaning for or against every statement; a participant votes on a number of
/// statements drawn from a long tail (many a few, some nearly all, mean about 60), earlier
/// statements more often, with one vote in eight passed and some votes changed later (the later
/// vote counts, as in [`super::VoteMatrix::new`]).
pub fn conversation(participants: usize, statements: usize, seed: u64) -> Vec<Vote> {
    let mut rng = StdRng::seed_from_u64(seed);
    let leaning: Vec<f64> = (0..4 * statements).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    let mut votes = Vec::with_capacity(participants * 62);
    for p in 0..participants {
        let camp = rng.random_range(0..4);
        let many = (rng.random::<f64>().powi(3) * 230.0) as usize + 3;
        for _ in 0..many.min(statements) {
            let s = (rng.random::<f64>().powf(1.5) * statements as f64) as usize;
            let agree = 0.5 + 0.45 * leaning[camp * statements + s];
            let choice = if rng.random_bool(0.125) {
                Choice::Pass
            } else if rng.random_bool(agree) {
                Choice::Agree
            } else {
                Choice::Disagree
            };
            votes.push(Vote { participant: p as u32, statement: s as u32, choice });
        }
    }
    votes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_votes_within_bounds() {
        let votes = conversation(300, 40, 7);
        assert_eq!(votes, conversation(300, 40, 7));
        assert_ne!(votes, conversation(300, 40, 8));
        assert!(votes.iter().all(|v| (v.participant as usize) < 300 && (v.statement as usize) < 40));
        // Every participant votes at least three times.
        let mut per_participant = vec![0; 300];
        for vote in &votes {
            per_participant[vote.participant as usize] += 1;
        }
        assert!(per_participant.iter().all(|&n| n >= 3), "{per_participant:?}");
    }
}
