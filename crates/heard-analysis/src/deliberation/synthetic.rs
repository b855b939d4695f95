//! Synthetic conversations for benchmarks: participants in four camps voting on statements, with
//! Pol.is-like shapes (a long tail of votes per participant, earlier statements voted on more,
//! passes and changed votes), and each participant's camp, the truth a grouping can be scored
//! against. The same seed always gives the same votes.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Choice, Vote};

/// How many camps a synthetic conversation has.
pub const CAMPS: usize = 4;

/// A synthetic conversation: its votes and the camp (0 to [`CAMPS`] - 1) of each participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub votes: Vec<Vote>,
    /// Indexed by participant.
    pub camps: Vec<usize>,
}

/// The votes of [`conversation_with_camps`], for callers that do not need the camps.
pub fn conversation(participants: usize, statements: usize, seed: u64) -> Vec<Vote> {
    conversation_with_camps(participants, statements, seed).votes
}

/// Four camps, each leaning for or against every statement; a participant votes on a number of
/// statements drawn from a long tail (many a few, some nearly all, mean about 60), earlier
/// statements more often, with one vote in eight passed and some votes changed later (the later
/// vote counts, as in [`super::VoteMatrix::new`]).
pub fn conversation_with_camps(participants: usize, statements: usize, seed: u64) -> Conversation {
    let mut rng = StdRng::seed_from_u64(seed);
    let leaning: Vec<f64> = (0..CAMPS * statements).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    let mut votes = Vec::with_capacity(participants * 62);
    let mut camps = Vec::with_capacity(participants);
    for p in 0..participants {
        // Recording the camp draws nothing more from `rng`, so the votes are as they always were.
        let camp = rng.random_range(0..CAMPS);
        camps.push(camp);
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
    Conversation { votes, camps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliberation::VoteMatrix;

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

    #[test]
    fn every_participant_has_a_camp_and_a_camp_agrees_with_itself_more_than_with_others() {
        let (participants, statements) = (400, 30);
        let Conversation { votes, camps } = conversation_with_camps(participants, statements, 11);
        assert_eq!(votes, conversation(participants, statements, 11));
        assert_eq!(camps.len(), participants);
        let mut sizes = [0; CAMPS];
        for &camp in &camps {
            sizes[camp] += 1; // panics on a camp out of range
        }
        assert!(sizes.iter().all(|&n| n > 50), "{sizes:?}");

        // The latest agree (1) or disagree (-1) of each participant on each statement; passes left out.
        let matrix = VoteMatrix::new(participants, statements, votes);
        let mut latest = vec![0_i8; participants * statements];
        for p in 0..participants {
            for (s, choice) in matrix.row(p) {
                latest[p * statements + s] = choice.value() as i8;
            }
        }
        // How often two participants who both took a side on a statement took the same one.
        let (mut within, mut across) = ([0_u32; 2], [0_u32; 2]);
        for a in 0..participants {
            for b in a + 1..participants {
                let tally = if camps[a] == camps[b] { &mut within } else { &mut across };
                for s in 0..statements {
                    let (x, y) = (latest[a * statements + s], latest[b * statements + s]);
                    if x != 0 && y != 0 {
                        tally[usize::from(x == y)] += 1;
                    }
                }
            }
        }
        let share = |[differ, same]: [u32; 2]| f64::from(same) / f64::from(same + differ);
        // Leanings uniform in [-1, 1] give about 0.5 + 2 * 0.45^2 / 3 = 0.635 within a camp, 0.5 across
        // (0.623 and 0.508 for this seed).
        assert!(share(within) > share(across) + 0.08, "within {}, across {}", share(within), share(across));
    }
}
