use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::clusters::{Distances, kmeans, kmeans_by_silhouette, silhouette};
use super::pca::Pca;
use super::repness::{Counts, across, representatives, top};
use super::*;

fn vote(participant: u32, statement: u32, value: i8) -> Vote {
    let choice = match value {
        1 => Choice::Agree,
        -1 => Choice::Disagree,
        _ => Choice::Pass,
    };
    Vote { participant, statement, choice }
}

fn matrix(rows: &[&[i8]]) -> VoteMatrix {
    let statements = rows.first().map_or(0, |r| r.len());
    let votes = rows
        .iter()
        .enumerate()
        .flat_map(|(p, row)| row.iter().enumerate().map(move |(s, &v)| vote(p as u32, s as u32, v)))
        .collect();
    VoteMatrix::new(rows.len(), statements, votes)
}

#[test]
fn the_latest_vote_counts() {
    let votes = VoteMatrix::new(2, 2, vec![vote(0, 1, 1), vote(1, 0, -1), vote(0, 1, -1), vote(0, 0, 0)]);
    assert_eq!(votes.len(), 3);
    assert_eq!(votes.row(0).collect::<Vec<_>>(), vec![(0, Choice::Pass), (1, Choice::Disagree)]);
    assert_eq!(votes.row(1).collect::<Vec<_>>(), vec![(0, Choice::Disagree)]);
}

#[test]
fn of_many_votes_in_any_order_the_latest_counts() {
    let mut rng = StdRng::seed_from_u64(5);
    let mut votes = Vec::new();
    for _ in 0..3_000 {
        let value = rng.random_range(-1..=1);
        votes.push(vote(rng.random_range(0..40), rng.random_range(0..25), value));
    }
    let matrix = VoteMatrix::new(40, 25, votes.clone());
    for p in 0..40 {
        let mut expected: Vec<(usize, Choice)> = (0..25)
            .filter_map(|s| {
                votes.iter().rev().find(|v| v.participant == p && v.statement == s).map(|v| (s as usize, v.choice))
            })
            .collect();
        expected.sort_by_key(|&(s, _)| s);
        assert_eq!(matrix.row(p as usize).collect::<Vec<_>>(), expected, "participant {p}");
    }
}

#[test]
fn principal_components_of_a_known_matrix() {
    // Centred already; XᵀX = [[4,4,0],[4,4,0],[0,0,4]]: eigenvalue 8 along (1,1,0)/√2, 4 along (0,0,1).
    let votes = matrix(&[&[1, 1, 1], &[1, 1, -1], &[-1, -1, 1], &[-1, -1, -1]]);
    let pca = Pca::fit(&votes, &[0, 1, 2, 3], 7);
    let h = std::f64::consts::FRAC_1_SQRT_2;
    for (got, want) in pca.components[0].iter().zip([h, h, 0.0]) {
        assert!((got - want).abs() < 1e-9, "{:?}", pca.components);
    }
    for (got, want) in pca.components[1].iter().zip([0.0, 0.0, 1.0]) {
        assert!((got - want).abs() < 1e-9, "{:?}", pca.components);
    }
    let place = pca.project(&votes, 0);
    assert!((place[0] - 2.0 * h).abs() < 1e-9 && (place[1] - 1.0).abs() < 1e-9, "{place:?}");
}

#[test]
fn a_sparse_voter_is_scaled_out_from_the_middle() {
    // Participant 4 voted on one statement of three: their projection is scaled by √3.
    let votes = VoteMatrix::new(
        5,
        3,
        [&[1i8, 1, 1][..], &[1, 1, -1], &[-1, -1, 1], &[-1, -1, -1]]
            .iter()
            .enumerate()
            .flat_map(|(p, row)| row.iter().enumerate().map(move |(s, &v)| vote(p as u32, s as u32, v)))
            .chain([vote(4, 0, 1)])
            .collect(),
    );
    let pca = Pca::fit(&votes, &[0, 1, 2, 3], 7);
    let place = pca.project(&votes, 4);
    let along = (1.0 - pca.center[0]) * pca.components[0][0];
    assert!((place[0] - along * 3f64.sqrt()).abs() < 1e-9, "{place:?}");
}

#[test]
fn kmeans_is_deterministic_and_finds_separate_blobs() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut points = Vec::new();
    for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
        for _ in 0..50 {
            points.push(cx + rng.random::<f64>());
            points.push(cy + rng.random::<f64>());
        }
    }
    let once = kmeans(&points, None, 3, 9);
    assert_eq!(once, kmeans(&points, None, 3, 9));
    let truth: Vec<usize> = (0..150).map(|i| i / 50).collect();
    assert_eq!(adjusted_rand_index(&once.member, &truth), 1.0);
    assert!(silhouette(&points, &once.member) > 0.8);
    // More clusters than distinct points: one per distinct point.
    let few = kmeans(&[1.0, 1.0, 1.0, 1.0, 2.0, 2.0], None, 5, 9);
    assert_eq!(few.k(), 2);
}

#[test]
fn of_near_equal_groupings_the_silhouette_keeps_the_clearest() {
    // Points in a square without structure, weighted with a long tail as base clusters are:
    // many groupings into 3 have all but equal inertia.
    let mut rng = StdRng::seed_from_u64(5);
    let points: Vec<f64> = (0..2 * 100).map(|_| rng.random::<f64>()).collect();
    let weights: Vec<f64> = (0..100).map(|_| 1.0 / (0.02 + rng.random::<f64>())).collect();
    let mut clearer = 0;
    for seed in 0..20 {
        let by_inertia = kmeans(&points, Some(&weights), 3, seed);
        let distances = Distances::new(&points);
        let (b, by_silhouette) = kmeans_by_silhouette(&distances, Some(&weights), 3, seed);
        assert_eq!(kmeans_by_silhouette(&distances, Some(&weights), 3, seed), (b, by_silhouette.clone()));
        assert_eq!(by_silhouette.k(), 3);
        assert_eq!(b, silhouette(&points, &by_silhouette.member));
        let a = silhouette(&points, &by_inertia.member);
        // The same restarts, so the silhouette's choice is never rated below the inertia's.
        assert!(b >= a - 1e-12, "seed {seed}: {b} < {a}");
        if b > a + 1e-9 {
            clearer += 1;
        }
    }
    assert!(clearer > 0, "the two choices never differed: the test shows nothing");
}

#[test]
fn adjusted_rand_index_ignores_labels_and_scores_chance_low() {
    assert_eq!(adjusted_rand_index(&[0, 0, 1, 1, 2], &[2, 2, 0, 0, 1]), 1.0);
    let ari = adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1]);
    assert!(ari < 0.0, "{ari}");
}

#[test]
fn repness_and_consensus_by_hand() {
    // Group 0 (participants 0-3) all agree with statement 0, group 1 (4-7) all disagree;
    // everyone agrees with statement 1.
    let rows: Vec<&[i8]> = vec![&[1i8, 1][..]; 4].into_iter().chain(vec![&[-1i8, 1][..]; 4]).collect();
    let votes = matrix(&rows);
    let group_of: Vec<Option<usize>> = (0..8).map(|p| Some(p / 4)).collect();
    let found = representatives(&Counts::new(&votes, &group_of, 2), 5);
    let first = &found[0][0];
    assert_eq!((first.statement, first.direction), (0, Direction::Agree));
    // pa = (4+1)/(4+2); the rest (0+1)/(4+2); z = 2√5 (5/5 − ½) = √5;
    // two-proportion: (5/5 − 1/5) / √(0.6 × 0.4 × (1/5 + 1/5)).
    assert!((first.probability - 5.0 / 6.0).abs() < 1e-12);
    assert!((first.probability_rest - 1.0 / 6.0).abs() < 1e-12);
    assert!((first.z_probability - 5f64.sqrt()).abs() < 1e-12);
    let z = 0.8 / (0.6f64 * 0.4 * 0.4).sqrt();
    assert!((first.z_difference - z).abs() < 1e-12);
    assert!((first.metric - 5.0 * z * (5.0 / 6.0) * 5f64.sqrt()).abs() < 1e-9);
    assert_eq!((found[1][0].statement, found[1][0].direction), (0, Direction::Disagree));
    // Statement 1 is agreed by both groups, so it represents neither.
    assert!(found.iter().flatten().all(|r| r.statement == 0));

    let figures = across(&Counts::new(&votes, &group_of, 2));
    assert!((figures[1].consensus - 25.0 / 36.0).abs() < 1e-12);
    assert!((figures[0].consensus - 5.0 / 36.0).abs() < 1e-12);
    assert!((figures[0].spread - 4.0 / 6.0).abs() < 1e-12);
    assert_eq!(top(&figures, 1, |a| a.consensus)[0].statement, 1);
    assert_eq!(top(&figures, 1, |a| a.spread)[0].statement, 0);
}

/// Two camps that disagree on 20 statements and all agree on 3, each person voting on about
/// two thirds of them, with 10% of votes against their camp or passed.
fn two_camps(participants: u32, seed: u64) -> (VoteMatrix, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut votes = Vec::new();
    let camp: Vec<usize> = (0..participants).map(|_| usize::from(rng.random_bool(0.4))).collect();
    for p in 0..participants {
        for s in 0..23u32 {
            if !rng.random_bool(0.65) {
                continue;
            }
            let leaning: i8 = if s >= 20 || (s < 10) == (camp[p as usize] == 0) { 1 } else { -1 };
            let value = match rng.random_range(0..20) {
                0 => -leaning,
                1 => 0,
                _ => leaning,
            };
            votes.push(vote(p, s, value));
        }
    }
    (VoteMatrix::new(participants as usize, 23, votes), camp)
}

#[test]
fn a_two_camp_conversation_is_recovered_exactly() {
    let (votes, camp) = two_camps(300, 11);
    let result = analyse(&votes, &Settings::default());
    assert_eq!(result.groups, 2);
    let truth: Vec<usize> = result.counted.iter().map(|&p| camp[p]).collect();
    assert!(result.counted.len() > 280, "most vote on 7 or more: {}", result.counted.len());
    assert_eq!(adjusted_rand_index(&result.group, &truth), 1.0);
    let consensus: Vec<usize> = result.consensus(3).iter().map(|a| a.statement).collect();
    assert!(consensus.iter().all(|&s| s >= 20), "{consensus:?}");
    assert!(result.divisive(5).iter().all(|a| a.statement < 20));
    for reps in &result.representative {
        assert!(!reps.is_empty() && reps.iter().all(|r| r.statement < 20));
    }
    // Deterministic.
    assert_eq!(analyse(&votes, &Settings::default()).group, result.group);
}

#[test]
fn kinds_of_attendee_are_compared_like_groups() {
    // Kinds declared as the camps, with every tenth participant undeclared.
    let (votes, camp) = two_camps(200, 5);
    let kind_of: Vec<Option<usize>> = camp.iter().enumerate().map(|(p, &c)| (p % 10 != 0).then_some(c)).collect();
    let figures = across_kinds(&votes, &kind_of, 2);
    assert_eq!(figures.len(), 23);
    assert!(top(&figures, 3, |a| a.consensus).iter().all(|a| a.statement >= 20));
    assert!(top(&figures, 10, |a| a.spread).iter().all(|a| a.statement < 20));
    let declared = kind_of.iter().flatten().count() as u32;
    let voted_on_0: u32 = figures[0].votes.iter().sum();
    assert!(voted_on_0 <= declared && voted_on_0 > declared / 2, "{voted_on_0} of {declared}");
    let apart = representatives(&Counts::new(&votes, &kind_of, 2), 3);
    assert!(apart.iter().all(|r| r.len() == 3 && r.iter().all(|r| r.statement < 20)));
}
