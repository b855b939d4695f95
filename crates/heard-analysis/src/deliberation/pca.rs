//! Two principal components of the vote matrix by power iteration, and Pol.is's projection of a
//! participant (`polismath/math/pca.clj`). A missing vote is imputed by the statement's mean, so
//! once centred it is zero: the centred matrix is as sparse as the votes and is never made dense.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::VoteMatrix;

const ITERATIONS: usize = 100;
/// Squared change below which the vector has settled (a change of about 1e-12).
const TOLERANCE: f64 = 1e-24;

/// Statement means and the two components, fitted on the participants counted in.
#[derive(Debug, Clone)]
pub struct Pca {
    pub center: Vec<f64>,
    pub components: [Vec<f64>; 2],
}

impl Pca {
    pub fn fit(votes: &VoteMatrix, participants: &[usize], seed: u64) -> Pca {
        let m = votes.statements();
        let mut sum = vec![0.0; m];
        let mut count = vec![0usize; m];
        for &p in participants {
            for (s, c) in votes.row(p) {
                sum[s] += c.value();
                count[s] += 1;
            }
        }
        let center: Vec<f64> = sum.iter().zip(&count).map(|(&s, &n)| if n == 0 { 0.0 } else { s / n as f64 }).collect();
        let mut rng = StdRng::seed_from_u64(seed);
        let first = power_iteration(votes, participants, &center, &[], &mut rng);
        let second = power_iteration(votes, participants, &center, &[&first], &mut rng);
        Pca { center, components: [first, second] }
    }

    /// A participant's place: their centred votes on the components, scaled by
    /// √(statements ÷ votes cast) so that someone who voted on few statements is not pulled to
    /// the middle merely by their missing votes (Pol.is's `sparsity-aware-project-ptpt`).
    pub fn project(&self, votes: &VoteMatrix, participant: usize) -> [f64; 2] {
        let mut place = [0.0; 2];
        for (s, c) in votes.row(participant) {
            let x = c.value() - self.center[s];
            place[0] += x * self.components[0][s];
            place[1] += x * self.components[1][s];
        }
        let scale = (votes.statements() as f64 / votes.votes_of(participant).max(1) as f64).sqrt();
        [place[0] * scale, place[1] * scale]
    }
}

/// The leading eigenvector of XᵀX (X the centred votes), orthogonal to `found`.
fn power_iteration(
    votes: &VoteMatrix,
    participants: &[usize],
    center: &[f64],
    found: &[&Vec<f64>],
    rng: &mut StdRng,
) -> Vec<f64> {
    let m = center.len();
    let mut v: Vec<f64> = (0..m).map(|_| rng.random::<f64>() - 0.5).collect();
    if !orthonormalise(&mut v, found) {
        return vec![0.0; m];
    }
    let mut next = vec![0.0; m];
    for _ in 0..ITERATIONS {
        next.iter_mut().for_each(|x| *x = 0.0);
        for &p in participants {
            let mut y = 0.0;
            for (s, c) in votes.row(p) {
                y += (c.value() - center[s]) * v[s];
            }
            for (s, c) in votes.row(p) {
                next[s] += (c.value() - center[s]) * y;
            }
        }
        if !orthonormalise(&mut next, found) {
            // Nothing left beyond the components found: this one carries no variance.
            v.iter_mut().for_each(|x| *x = 0.0);
            break;
        }
        let change: f64 = next.iter().zip(&v).map(|(a, b)| (a - b) * (a - b)).sum();
        std::mem::swap(&mut v, &mut next);
        if change < TOLERANCE {
            break;
        }
    }
    // A fixed sign, so the map does not flip between runs: the largest weight is positive.
    let largest = v.iter().copied().fold(0.0, |a: f64, b| if b.abs() > a.abs() { b } else { a });
    if largest < 0.0 {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    v
}

/// Removes the parts along `found` and scales to unit length; false when nothing is left.
fn orthonormalise(v: &mut [f64], found: &[&Vec<f64>]) -> bool {
    for f in found {
        let along: f64 = v.iter().zip(f.iter()).map(|(a, b)| a * b).sum();
        v.iter_mut().zip(f.iter()).for_each(|(a, b)| *a -= along * b);
    }
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm < 1e-300 {
        return false;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    true
}
