//! Two principal components of the vote matrix by power iteration, and Pol.is's projection of a
//! participant (`polismath/math/pca.clj`). A missing vote is imputed by the statement's mean, so
//! once centred it is zero: the centred matrix is as sparse as the votes and is never made dense.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::VoteMatrix;

/// The most passes over the votes.
const ITERATIONS: usize = 100;
/// The block's vectors: the two components and two more that speed them up.
const BLOCK: usize = 4;
/// Settled when each component's residual ‖XᵀXv − θv‖ is this small beside the largest θ. At 1e-6
/// rather than 1e-8 a quarter fewer passes, and the same groups on all five Pol.is conversations
/// over seeds 2024 and 1-8 (docs/quality.md); of 10,000 and 33,000 synthetic participants, 1 and
/// 3 change group, each on a border.
const TOLERANCE: f64 = 1e-6;

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

/// The two leading eigenvectors of XᵀX (X the centred votes) by subspace iteration with
/// Rayleigh–Ritz (Saad, "Numerical methods for large eigenvalue problems", 2011, ch. 5): a block
/// of [`BLOCK`] vectors multiplied by XᵀX in one pass over the votes, then rotated to the
/// eigenvectors of XᵀX within the block's span. With only the two wanted vectors the second would
/// settle at the rate λ3/λ2, close to 1 when the room holds more than two camps (100 passes left
/// it unsettled at 33,000 participants); with four, at λ5/λ2.
fn top_two(x: &Centred, m: usize, rng: &mut StdRng) -> [Vec<f64>; 2] {
    // The block statement by statement: `v[s][j]` is vector j's weight of statement s, so each
    // vote reads and writes one place for all four.
    let mut v = vec![[0.0; BLOCK]; m];
    for j in 0..BLOCK.min(m) {
        v.iter_mut().for_each(|row| row[j] = rng.random::<f64>() - 0.5);
    }
    orthonormalise(&mut v);
    let mut w = vec![[0.0; BLOCK]; m];
    let mut pass = 0;
    loop {
        pass += 1;
        // w = XᵀX v, a row of X at a time: y = (row · v), then w += rowᵀ y.
        w.iter_mut().for_each(|x| *x = [0.0; BLOCK]);
        for row in x.offsets.windows(2) {
            let (statements, values) = (&x.statement[row[0]..row[1]], &x.value[row[0]..row[1]]);
            let mut y = [0.0; BLOCK];
            for (&s, &value) in statements.iter().zip(values) {
                let weights = &v[s as usize];
                for j in 0..BLOCK {
                    y[j] += value * weights[j];
                }
            }
            for (&s, &value) in statements.iter().zip(values) {
                let sum = &mut w[s as usize];
                for j in 0..BLOCK {
                    sum[j] += value * y[j];
                }
            }
        }
        // Rayleigh–Ritz: the eigenpairs of H = vᵀ XᵀX v give the best approximations within the
        // span; rotating both v and w by H's eigenvectors keeps w = XᵀX v.
        let mut h = [[0.0; BLOCK]; BLOCK];
        for (a, b) in v.iter().zip(&w) {
            for i in 0..BLOCK {
                for j in 0..BLOCK {
                    h[i][j] += a[i] * b[j];
                }
            }
        }
        let (theta, u) = symmetric_eigen(h);
        rotate(&mut v, &u);
        rotate(&mut w, &u);
        let largest = theta[0];
        if largest <= 0.0 {
            return [vec![0.0; m], vec![0.0; m]];
        }
        let settled = (0..2).all(|j| {
            let residual: f64 = v.iter().zip(&w).map(|(a, b)| (b[j] - theta[j] * a[j]).powi(2)).sum();
            residual.sqrt() <= TOLERANCE * largest
        });
        if settled || pass == ITERATIONS {
            let mut components = [0, 1].map(|j| v.iter().map(|row| row[j]).collect::<Vec<f64>>());
            // A direction with (almost) no variance carries none of the room's views.
            if theta[1] <= 1e-12 * largest {
                components[1].iter_mut().for_each(|x| *x = 0.0);
            }
            // A fixed sign, so the map does not flip between runs: each largest weight is positive.
            for c in &mut components {
                let largest = c.iter().copied().fold(0.0, |a: f64, b| if b.abs() > a.abs() { b } else { a });
                if largest < 0.0 {
                    c.iter_mut().for_each(|x| *x = -*x);
                }
            }
            return components;
        }
        std::mem::swap(&mut v, &mut w);
        orthonormalise(&mut v);
    }
}

/// Gram–Schmidt on the block's columns, in order, twice (once is not enough in floating point
/// when a column is nearly in the span of the earlier ones); a column with nothing left becomes zero.
fn orthonormalise(v: &mut [[f64; BLOCK]]) {
    for j in 0..BLOCK {
        for _ in 0..2 {
            for i in 0..j {
                let along: f64 = v.iter().map(|row| row[i] * row[j]).sum();
                v.iter_mut().for_each(|row| row[j] -= along * row[i]);
            }
        }
        let norm = v.iter().map(|row| row[j] * row[j]).sum::<f64>().sqrt();
        let scale = if norm < 1e-300 { 0.0 } else { 1.0 / norm };
        v.iter_mut().for_each(|row| row[j] *= scale);
    }
}

/// Replaces each row r of the block by r · u (the columns become u's combinations of them).
fn rotate(v: &mut [[f64; BLOCK]], u: &[[f64; BLOCK]; BLOCK]) {
    for row in v {
        let old = *row;
        for j in 0..BLOCK {
            row[j] = (0..BLOCK).map(|i| old[i] * u[i][j]).sum();
        }
    }
}

/// The eigenvalues of a small symmetric matrix, largest first, with its eigenvectors as the
/// columns of the second (cyclic Jacobi rotations, Golub and Van Loan §8.5).
fn symmetric_eigen(given: [[f64; BLOCK]; BLOCK]) -> ([f64; BLOCK], [[f64; BLOCK]; BLOCK]) {
    // Symmetric in exact arithmetic; make it so in floating point.
    let mut a: [[f64; BLOCK]; BLOCK] =
        std::array::from_fn(|i| std::array::from_fn(|j| (given[i][j] + given[j][i]) / 2.0));
    let mut u = [[0.0; BLOCK]; BLOCK];
    (0..BLOCK).for_each(|i| u[i][i] = 1.0);
    for _ in 0..50 {
        let off: f64 = (0..BLOCK)
            .flat_map(|i| (0..BLOCK).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let diagonal: f64 = (0..BLOCK).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-30 * diagonal {
            break;
        }
        for p in 0..BLOCK {
            for q in p + 1..BLOCK {
                if a[p][q] == 0.0 {
                    continue;
                }
                let tau = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                // The smaller root of t² + 2τt − 1 = 0 (signum(0) is 1, so τ = 0 turns by 45°).
                let t = tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = t * c;
                for row in &mut a {
                    let (akp, akq) = (row[p], row[q]);
                    row[p] = c * akp - s * akq;
                    row[q] = s * akp + c * akq;
                }
                let (row_p, row_q) = (a[p], a[q]);
                a[p] = std::array::from_fn(|k| c * row_p[k] - s * row_q[k]);
                a[q] = std::array::from_fn(|k| s * row_p[k] + c * row_q[k]);
                for row in &mut u {
                    let (ukp, ukq) = (row[p], row[q]);
                    row[p] = c * ukp - s * ukq;
                    row[q] = s * ukp + c * ukq;
                }
            }
        }
    }
    let mut order: [usize; BLOCK] = std::array::from_fn(|i| i);
    order.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]));
    let values = order.map(|i| a[i][i]);
    let vectors = std::array::from_fn(|row| order.map(|i| u[row][i]));
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliberation::synthetic::conversation;

    #[test]
    fn a_small_symmetric_matrix_is_diagonalised() {
        let a = [[4.0, 1.0, 0.5, 0.0], [1.0, 3.0, 0.2, 0.1], [0.5, 0.2, 2.0, 0.3], [0.0, 0.1, 0.3, 1.0]];
        let (values, vectors) = symmetric_eigen(a);
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
        for j in 0..BLOCK {
            for i in 0..BLOCK {
                let av: f64 = (0..BLOCK).map(|k| a[i][k] * vectors[k][j]).sum();
                assert!((av - values[j] * vectors[i][j]).abs() < 1e-12, "A·u = λu for pair {j}");
            }
            let norm: f64 = (0..BLOCK).map(|k| vectors[k][j] * vectors[k][j]).sum();
            assert!((norm - 1.0).abs() < 1e-12);
        }
        let trace = 4.0 + 3.0 + 2.0 + 1.0;
        assert!((values.iter().sum::<f64>() - trace).abs() < 1e-12);
    }

    /// Four camps give three directions of nearly equal weight, where two-vector power iteration
    /// had not settled after 100 passes; the block's components are eigenvectors of XᵀX.
    #[test]
    fn the_components_of_four_camps_are_settled_eigenvectors() {
        let (participants, statements) = (400, 60);
        let votes = VoteMatrix::new(participants, statements, conversation(participants, statements, 3));
        let everyone: Vec<usize> = (0..participants).filter(|&p| votes.votes_of(p) > 0).collect();
        let pca = Pca::fit(&votes, &everyone, 7);
        // XᵀX densely, from the centred votes.
        let mut xtx = vec![0.0; statements * statements];
        for &p in &everyone {
            let row: Vec<(usize, f64)> = votes.row(p).map(|(s, c)| (s, c.value() - pca.center[s])).collect();
            for &(a, x) in &row {
                for &(b, y) in &row {
                    xtx[a * statements + b] += x * y;
                }
            }
        }
        let times = |v: &[f64]| -> Vec<f64> {
            (0..statements).map(|a| (0..statements).map(|b| xtx[a * statements + b] * v[b]).sum()).collect()
        };
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let largest = dot(&pca.components[0], &times(&pca.components[0]));
        for c in &pca.components {
            assert!((dot(c, c) - 1.0).abs() < 1e-9);
            let image = times(c);
            let theta = dot(c, &image);
            let residual = image.iter().zip(c).map(|(a, b)| (a - theta * b).powi(2)).sum::<f64>().sqrt();
            assert!(residual < 1e-6 * largest, "residual {residual} against θ₁ {largest}");
        }
        assert!(dot(&pca.components[0], &pca.components[1]).abs() < 1e-9);
    }
}
