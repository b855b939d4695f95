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
        let centred = Centred::new(votes, participants, &center);
        let mut rng = StdRng::seed_from_u64(seed);
        let components = top_two(&centred, m, &mut rng);
        Pca { center, components }
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

/// The counted participants' centred votes in flat rows, read twice per iteration.
struct Centred {
    offsets: Vec<usize>,
    statement: Vec<u32>,
    value: Vec<f64>,
}

impl Centred {
    fn new(votes: &VoteMatrix, participants: &[usize], center: &[f64]) -> Centred {
        let mut centred = Centred { offsets: vec![0], statement: Vec::new(), value: Vec::new() };
        for &p in participants {
            for (s, c) in votes.row(p) {
                centred.statement.push(s as u32);
                centred.value.push(c.value() - center[s]);
            }
            centred.offsets.push(centred.statement.len());
        }
        centred
    }
}

/// The two leading eigenvectors of XᵀX (X the centred votes) by orthogonal iteration: power
/// iteration on both at once, the second kept orthogonal to the first, so each pass over the votes
/// serves both.
fn top_two(x: &Centred, m: usize, rng: &mut StdRng) -> [Vec<f64>; 2] {
    let mut v: [Vec<f64>; 2] = [0, 1].map(|_| (0..m).map(|_| rng.random::<f64>() - 0.5).collect());
    let mut next = [vec![0.0; m], vec![0.0; m]];
    if !settle(&mut v) {
        return [vec![0.0; m], vec![0.0; m]];
    }
    // Both components' weights of a statement side by side, so each vote reads and writes one
    // place, not two (the same sums in the same order: the result is unchanged).
    let mut pair = vec![[0.0; 2]; m];
    let mut sum = vec![[0.0; 2]; m];
    for _ in 0..ITERATIONS {
        for (s, p) in pair.iter_mut().enumerate() {
            *p = [v[0][s], v[1][s]];
        }
        sum.iter_mut().for_each(|x| *x = [0.0; 2]);
        for row in x.offsets.windows(2) {
            let (statements, values) = (&x.statement[row[0]..row[1]], &x.value[row[0]..row[1]]);
            let (mut y0, mut y1) = (0.0, 0.0);
            for (&s, &value) in statements.iter().zip(values) {
                let w = pair[s as usize];
                y0 += value * w[0];
                y1 += value * w[1];
            }
            for (&s, &value) in statements.iter().zip(values) {
                let n = &mut sum[s as usize];
                n[0] += value * y0;
                n[1] += value * y1;
            }
        }
        for (s, n) in sum.iter().enumerate() {
            next[0][s] = n[0];
            next[1][s] = n[1];
        }
        let more = settle(&mut next);
        let change: f64 = (0..2).map(|c| next[c].iter().zip(&v[c]).map(|(a, b)| (a - b) * (a - b)).sum::<f64>()).sum();
        std::mem::swap(&mut v, &mut next);
        if !more || change < TOLERANCE {
            break;
        }
    }
    // A fixed sign, so the map does not flip between runs: each largest weight is positive.
    for c in &mut v {
        let largest = c.iter().copied().fold(0.0, |a: f64, b| if b.abs() > a.abs() { b } else { a });
        if largest < 0.0 {
            c.iter_mut().for_each(|x| *x = -*x);
        }
    }
    v
}

/// Orthonormalises the pair; a vector with nothing left becomes zero (it carries no variance).
/// False when the first is zero.
fn settle(v: &mut [Vec<f64>; 2]) -> bool {
    let [first, second] = v;
    if !orthonormalise(first, &[]) {
        first.iter_mut().for_each(|x| *x = 0.0);
        second.iter_mut().for_each(|x| *x = 0.0);
        return false;
    }
    if !orthonormalise(second, &[&*first]) {
        second.iter_mut().for_each(|x| *x = 0.0);
    }
    true
}

/// Removes the parts along `found` and scales to unit length; false when nothing is left.
fn orthonormalise(v: &mut [f64], found: &[&[f64]]) -> bool {
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
