//! k-means over points in the plane (weighted, for clustering base-cluster centres), the
//! silhouette that chooses how many groups, and the adjusted Rand index that compares groupings.
//! Points are flat `[x0, y0, x1, y1, ...]`. Pol.is (`polismath/math/clusters.clj`) seeds k-means
//! with the first k distinct points; Heard uses seeded k-means++ with restarts, keeping the lowest
//! weighted inertia ([`kmeans`]) or, for opinion groups, the best silhouette
//! ([`kmeans_by_silhouette`]), so the result depends on neither the order of participants nor luck.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const MAX_ITERATIONS: usize = 100;

/// Clusters of points: each point's cluster and each cluster's centre.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Flat centres, two numbers each.
    pub centres: Vec<f64>,
    pub member: Vec<usize>,
}

impl Clustering {
    pub fn k(&self) -> usize {
        self.centres.len() / 2
    }

    /// Points in each cluster.
    pub fn sizes(&self) -> Vec<f64> {
        let mut sizes = vec![0.0; self.k()];
        for &c in &self.member {
            sizes[c] += 1.0;
        }
        sizes
    }
}

fn distance2(points: &[f64], i: usize, centres: &[f64], c: usize) -> f64 {
    let dx = points[2 * i] - centres[2 * c];
    let dy = points[2 * i + 1] - centres[2 * c + 1];
    dx * dx + dy * dy
}

/// k-means of flat 2-D points with optional weights. k is lowered to the number of distinct
/// points; no cluster is empty. Of its restarts, the one with the lowest weighted inertia is kept.
/// Deterministic for a given seed.
pub fn kmeans(points: &[f64], weights: Option<&[f64]>, k: usize, seed: u64) -> Clustering {
    let inertia = |c: &Clustering| -> f64 {
        (0..c.member.len()).map(|i| weights.map_or(1.0, |w| w[i]) * distance2(points, i, &c.centres, c.member[i])).sum()
    };
    restarts(points, weights, k, seed)
        .into_iter()
        .map(|c| (inertia(&c), c))
        .reduce(|best, next| if next.0 < best.0 - 1e-12 { next } else { best })
        .map_or(Clustering { centres: Vec::new(), member: Vec::new() }, |(_, c)| c)
}

/// k-means as [`kmeans`] of the points `distances` holds, but of its restarts the one kept is the
/// grouping the silhouette rates best (ties to the earlier restart), returned with that
/// silhouette: the criterion that chooses how many groups also chooses between groupings of the
/// same number whose inertias are all but equal.
pub fn kmeans_by_silhouette(distances: &Distances, weights: Option<&[f64]>, k: usize, seed: u64) -> (f64, Clustering) {
    restarts(&distances.points, weights, k, seed)
        .into_iter()
        .map(|c| (distances.silhouette(&c.member), c))
        .reduce(|best, next| if next.0 > best.0 + 1e-12 { next } else { best })
        .unwrap_or((0.0, Clustering { centres: Vec::new(), member: Vec::new() }))
}

/// Each restart's clustering: seeded k-means++ then Lloyd's iterations.
fn restarts(points: &[f64], weights: Option<&[f64]>, k: usize, seed: u64) -> Vec<Clustering> {
    let n = points.len() / 2;
    let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
    // Restarts are cheap for the few base-cluster centres and not needed for many participants,
    // where 100 base clusters are a fine summary from any start. Between, three: on vTaiwan
    // (1,218 counted in) as good as ten over seeds 1-8 (docs/quality.md), for a third of the work.
    let restarts = match n * k {
        0..=50_000 => 10,
        50_001..=200_000 => 3,
        _ => 1,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    (0..restarts)
        .map(|_| {
            let seeding = plus_plus(points, &weight, k, &mut rng);
            lloyd(points, &weight, seeding)
        })
        .collect()
}

/// Centres from k-means++, with what choosing them found out about each point: its nearest
/// centre (the lower-numbered on a tie) and its squared distances to that one and to the next
/// nearest. That is Lloyd's first assignment, which therefore costs nothing more.
struct Seeding {
    centres: Vec<f64>,
    member: Vec<usize>,
    nearest: Vec<f64>,
    second: Vec<f64>,
}

/// k-means++ seeding (Arthur and Vassilvitskii 2007): each next centre drawn with probability
/// proportional to weight × squared distance from the nearest chosen one.
fn plus_plus(points: &[f64], weight: &dyn Fn(usize) -> f64, k: usize, rng: &mut StdRng) -> Seeding {
    let n = points.len() / 2;
    if n == 0 || k == 0 {
        return Seeding { centres: Vec::new(), member: vec![0; n], nearest: vec![0.0; n], second: vec![0.0; n] };
    }
    let weights: Vec<f64> = (0..n).map(weight).collect();
    let total: f64 = weights.iter().sum();
    let first = pick(&weights, total, rng);
    let mut centres = vec![points[2 * first], points[2 * first + 1]];
    let mut member = vec![0; n];
    let mut nearest: Vec<f64> = (0..n).map(|i| distance2(points, i, &centres, 0)).collect();
    let mut second = vec![f64::INFINITY; n];
    // Each point's weight × squared distance to the nearest chosen centre, and their total.
    let mut mass: Vec<f64> = weights.iter().zip(&nearest).map(|(w, d)| w * d).collect();
    let mut total: f64 = mass.iter().sum();
    while centres.len() / 2 < k {
        if total <= 0.0 {
            break; // every distinct point is a centre already
        }
        let chosen = pick(&mass, total, rng);
        centres.extend_from_slice(&points[2 * chosen..2 * chosen + 2]);
        let c = centres.len() / 2 - 1;
        // The total summed apart, so that the loop has no chain from one point to the next.
        let (x, y) = (points[2 * chosen], points[2 * chosen + 1]);
        for (i, point) in points.chunks_exact(2).enumerate() {
            let (dx, dy) = (point[0] - x, point[1] - y);
            take(dx * dx + dy * dy, c, &mut nearest[i], &mut second[i], &mut member[i]);
            mass[i] = weights[i] * nearest[i];
        }
        total = mass.iter().sum();
    }
    Seeding { centres, member, nearest, second }
}

fn pick(mass: &[f64], total: f64, rng: &mut StdRng) -> usize {
    let mut target = rng.random::<f64>() * total;
    let mut last = 0;
    for (i, &m) in mass.iter().enumerate() {
        if m > 0.0 {
            last = i;
            if target < m {
                return i;
            }
            target -= m;
        }
    }
    last
}

/// Lloyd's iterations, with Hamerly's bounds ("Making k-means even faster", SDM 2010) so that a
/// point whose assigned centre is provably still the nearest is not compared with every centre:
/// the same assignments as the plain method (ties to the lower-numbered centre), for a fraction of
/// the distances once most points have settled.
fn lloyd(points: &[f64], weight: &dyn Fn(usize) -> f64, seeding: Seeding) -> Clustering {
    let n = points.len() / 2;
    let Seeding { mut centres, mut member, nearest, second } = seeding;
    let k = centres.len() / 2;
    // upper[i] ≥ the distance to i's centre; lower[i] ≤ the distance to any other centre. The
    // first assignment is the seeding's, so they start exact.
    let mut upper: Vec<f64> = nearest.into_iter().map(f64::sqrt).collect();
    let mut lower: Vec<f64> = second.into_iter().map(f64::sqrt).collect();
    let mut half_gap = vec![0.0; k];
    let mut moved = vec![0.0; k];
    for iteration in 0..MAX_ITERATIONS {
        // The first assignment is the seeding's; each later pass re-checks the points whose bounds
        // cannot rule out a nearer centre.
        let mut changed = iteration == 0 && n > 0;
        if iteration > 0 {
            for i in 0..n {
                let own = member[i];
                // A relative margin, so that rounding in the bounds never skips a near tie.
                let bound = lower[i].max(half_gap[own]) * (1.0 - 1e-9);
                if upper[i] < bound {
                    continue;
                }
                upper[i] = distance2(points, i, &centres, own).sqrt();
                if upper[i] < bound {
                    continue;
                }
                let (best, to_best, to_second) = nearest_two([points[2 * i], points[2 * i + 1]], &centres);
                (upper[i], lower[i]) = (to_best, to_second);
                if best != own {
                    member[i] = best;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
        let previous = centres.clone();
        let mut sum = vec![0.0; 2 * k];
        let mut mass = vec![0.0; k];
        for (i, &c) in member.iter().enumerate() {
            let w = weight(i);
            sum[2 * c] += w * points[2 * i];
            sum[2 * c + 1] += w * points[2 * i + 1];
            mass[c] += w;
        }
        for c in 0..k {
            if mass[c] > 0.0 {
                centres[2 * c] = sum[2 * c] / mass[c];
                centres[2 * c + 1] = sum[2 * c + 1] / mass[c];
            }
            moved[c] = distance2(&previous, c, &centres, c).sqrt();
        }
        // The bounds follow the centres: the own one may have come closer by at most its move,
        // any other by at most the largest move of the others.
        let (mut most, mut most_at, mut next_most) = (0.0, 0, 0.0);
        for (c, &d) in moved.iter().enumerate() {
            if d > most {
                (next_most, most, most_at) = (most, d, c);
            } else if d > next_most {
                next_most = d;
            }
        }
        for i in 0..n {
            upper[i] += moved[member[i]];
            lower[i] -= if member[i] == most_at { next_most } else { most };
        }
        // Half the distance from each centre to its nearest other: a point nearer its own centre
        // than that cannot be nearer another.
        let mut gap = vec![f64::INFINITY; k];
        for c in 0..k {
            for o in c + 1..k {
                let d = distance2(&centres, c, &centres, o);
                gap[c] = gap[c].min(d);
                gap[o] = gap[o].min(d);
            }
        }
        for (half, gap) in half_gap.iter_mut().zip(gap) {
            *half = gap.sqrt() / 2.0;
        }
    }
    // Seeding from distinct points leaves no cluster empty at the start; drop any emptied since.
    let mut used = vec![false; k];
    member.iter().for_each(|&c| used[c] = true);
    if used.iter().all(|&u| u) {
        return Clustering { centres, member };
    }
    let mut renumber = vec![0; k];
    let mut kept = Vec::new();
    for c in (0..k).filter(|&c| used[c]) {
        renumber[c] = kept.len() / 2;
        kept.extend_from_slice(&centres[2 * c..2 * c + 2]);
    }
    member.iter_mut().for_each(|c| *c = renumber[*c]);
    Clustering { centres: kept, member }
}

/// Takes a squared distance `d` to centre `c` into a point's nearest two: `best` (to centre `at`)
/// and `second`, the lower-numbered centre keeping a tie. Written as selections rather than
/// branches: which way each goes is a coin toss that a branch would guess wrong half the time.
#[inline(always)]
fn take(d: f64, c: usize, best: &mut f64, second: &mut f64, at: &mut usize) {
    let closer = d < *best;
    *second = if closer {
        *best
    } else if d < *second {
        d
    } else {
        *second
    };
    *at = if closer { c } else { *at };
    *best = if closer { d } else { *best };
}

/// Lanes of [`nearest_two`]: centres are taken four at a time, each lane keeping its own nearest
/// two, so the comparisons are selections with no chain from one centre to the next.
const LANES: usize = 4;

/// The centre nearest `point` (the lower-numbered on a tie) and the distances to it and to the
/// next nearest (equal to the first on a tie).
fn nearest_two(point: [f64; 2], centres: &[f64]) -> (usize, f64, f64) {
    let mut best = [f64::INFINITY; LANES];
    let mut second = [f64::INFINITY; LANES];
    let mut at = [usize::MAX; LANES];
    let mut consider = |lane: usize, c: usize, centre: &[f64]| {
        let (dx, dy) = (point[0] - centre[0], point[1] - centre[1]);
        take(dx * dx + dy * dy, c, &mut best[lane], &mut second[lane], &mut at[lane]);
    };
    let quads = centres.chunks_exact(2 * LANES);
    let rest = quads.remainder();
    for (q, quad) in quads.enumerate() {
        for lane in 0..LANES {
            consider(lane, q * LANES + lane, &quad[2 * lane..2 * lane + 2]);
        }
    }
    let first = centres.len() / 2 - rest.len() / 2;
    for (lane, centre) in rest.chunks_exact(2).enumerate() {
        consider(lane, first + lane, centre);
    }
    // The lanes' winners: the nearest, the lower-numbered on a tie; the runner-up is the nearest
    // of every lane's second and the other lanes' winners.
    let mut winner = 0;
    for lane in 1..LANES {
        if best[lane] < best[winner] || (best[lane] == best[winner] && at[lane] < at[winner]) {
            winner = lane;
        }
    }
    let mut runner_up = f64::INFINITY;
    for lane in 0..LANES {
        runner_up = runner_up.min(second[lane]);
        if lane != winner {
            runner_up = runner_up.min(best[lane]);
        }
    }
    (at[winner], best[winner].sqrt(), runner_up.sqrt())
}

/// The mean silhouette of a clustering of flat 2-D points (Rousseeuw 1987), each point counted
/// once as Pol.is does over base-cluster centres. A point alone in its cluster scores 0.
pub fn silhouette(points: &[f64], member: &[usize]) -> f64 {
    Distances::new(points).silhouette(member)
}

/// A few points (the base clusters' centres) with the distance between every two, worked out once
/// for the silhouettes of the many groupings tried on them.
pub struct Distances {
    points: Vec<f64>,
    /// Row-major, `n` × `n`.
    between: Vec<f64>,
}

impl Distances {
    pub fn new(points: &[f64]) -> Distances {
        let n = points.len() / 2;
        let mut between = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..i {
                let (dx, dy) = (points[2 * i] - points[2 * j], points[2 * i + 1] - points[2 * j + 1]);
                let d = (dx * dx + dy * dy).sqrt();
                between[i * n + j] = d;
                between[j * n + i] = d;
            }
        }
        Distances { points: points.to_vec(), between }
    }

    /// The mean silhouette of `member`, a cluster for each point; see [`silhouette`].
    pub fn silhouette(&self, member: &[usize]) -> f64 {
        let n = member.len();
        let k = member.iter().max().map_or(0, |&m| m + 1);
        if n < 2 || k < 2 {
            return 0.0;
        }
        let mut sizes = vec![0.0; k];
        member.iter().for_each(|&c| sizes[c] += 1.0);
        let mut total = 0.0;
        let mut sum = vec![0.0; k];
        for (i, row) in self.between.chunks_exact(n).enumerate() {
            sum.iter_mut().for_each(|s| *s = 0.0);
            for (&d, &c) in row.iter().zip(member) {
                sum[c] += d;
            }
            let own = member[i];
            if sizes[own] < 2.0 {
                continue;
            }
            let a = sum[own] / (sizes[own] - 1.0);
            let b =
                (0..k).filter(|&c| c != own && sizes[c] > 0.0).map(|c| sum[c] / sizes[c]).fold(f64::INFINITY, f64::min);
            let larger = a.max(b);
            if larger > 0.0 && b.is_finite() {
                total += (b - a) / larger;
            }
        }
        total / n as f64
    }
}

/// The adjusted Rand index of two labellings of the same items (Hubert and Arabie 1985): 1 when
/// they group alike, about 0 when no more alike than chance.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    assert_eq!(a.len(), b.len(), "labellings of the same items");
    let n = a.len();
    let ka = a.iter().max().map_or(0, |&m| m + 1);
    let kb = b.iter().max().map_or(0, |&m| m + 1);
    let mut table = vec![0u64; ka * kb];
    for (&x, &y) in a.iter().zip(b) {
        table[x * kb + y] += 1;
    }
    let pairs = |x: u64| (x * x.saturating_sub(1)) as f64 / 2.0;
    let index: f64 = table.iter().map(|&c| pairs(c)).sum();
    let rows: f64 = (0..ka).map(|x| pairs(table[x * kb..(x + 1) * kb].iter().sum())).sum();
    let columns: f64 = (0..kb).map(|y| pairs((0..ka).map(|x| table[x * kb + y]).sum())).sum();
    let expected = rows * columns / pairs(n as u64).max(1.0);
    let most = (rows + columns) / 2.0;
    if (most - expected).abs() < 1e-12 {
        return 1.0;
    }
    (index - expected) / (most - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lloyd's method without bounds: every point against every centre, every pass.
    fn plain_lloyd(points: &[f64], weights: &[f64], mut centres: Vec<f64>) -> (Vec<f64>, Vec<usize>) {
        let (n, k) = (points.len() / 2, centres.len() / 2);
        let mut member = vec![usize::MAX; n];
        for _ in 0..MAX_ITERATIONS {
            let mut changed = false;
            for (i, m) in member.iter_mut().enumerate() {
                let nearest = (0..k).fold((f64::INFINITY, 0), |best, c| {
                    let d = distance2(points, i, &centres, c);
                    if d < best.0 { (d, c) } else { best }
                });
                changed |= *m != nearest.1;
                *m = nearest.1;
            }
            if !changed {
                break;
            }
            let (mut sum, mut mass) = (vec![0.0; 2 * k], vec![0.0; k]);
            for (i, &c) in member.iter().enumerate() {
                sum[2 * c] += weights[i] * points[2 * i];
                sum[2 * c + 1] += weights[i] * points[2 * i + 1];
                mass[c] += weights[i];
            }
            for c in (0..k).filter(|&c| mass[c] > 0.0) {
                centres[2 * c] = sum[2 * c] / mass[c];
                centres[2 * c + 1] = sum[2 * c + 1] / mass[c];
            }
        }
        (centres, member)
    }

    #[test]
    fn the_nearest_two_are_a_plain_scans_ties_and_all() {
        let mut rng = StdRng::seed_from_u64(12);
        for case in 0..500 {
            let k = rng.random_range(1..14);
            // Centres on a coarse grid, so that equal distances (ties across lanes) are common.
            let centres: Vec<f64> = (0..2 * k).map(|_| f64::from(rng.random_range(0..4u8))).collect();
            let point = [f64::from(rng.random_range(0..4u8)), f64::from(rng.random_range(0..4u8))];
            let mut by_distance: Vec<(f64, usize)> = (0..k)
                .map(|c| ((point[0] - centres[2 * c]).powi(2) + (point[1] - centres[2 * c + 1]).powi(2), c))
                .collect();
            by_distance.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let second = by_distance.get(1).map_or(f64::INFINITY, |d| d.0);
            assert_eq!(
                nearest_two(point, &centres),
                (by_distance[0].1, by_distance[0].0.sqrt(), second.sqrt()),
                "case {case}: {k} centres"
            );
        }
    }

    #[test]
    fn the_bounds_change_no_assignment() {
        let mut rng = StdRng::seed_from_u64(11);
        for case in 0..40 {
            let n = rng.random_range(1..400);
            let k = rng.random_range(1..30);
            // Blobs, uniform noise and repeated points (as participants who voted alike).
            let mut points = Vec::with_capacity(2 * n);
            for i in 0..n {
                if i > 0 && rng.random::<f64>() < 0.2 {
                    let j = rng.random_range(0..i);
                    points.extend_from_slice(&[points[2 * j], points[2 * j + 1]]);
                } else {
                    let blob = f64::from(rng.random_range(0..4u8)) * 3.0;
                    points.extend_from_slice(&[blob + rng.random::<f64>(), rng.random::<f64>() * 4.0]);
                }
            }
            let weights: Vec<f64> =
                (0..n).map(|_| if case % 2 == 0 { 1.0 } else { rng.random_range(1..9) as f64 }).collect();
            let seeding = plus_plus(&points, &|i| weights[i], k, &mut rng);
            let centres = seeding.centres.clone();
            let bounded = lloyd(&points, &|i| weights[i], seeding);
            let (plain_centres, plain_member) = plain_lloyd(&points, &weights, centres);
            // Clusters emptied on the way are dropped by `lloyd` only: compare through the centres.
            let placed = |centres: &[f64], member: &[usize]| -> Vec<[u64; 2]> {
                member.iter().map(|&c| [centres[2 * c].to_bits(), centres[2 * c + 1].to_bits()]).collect()
            };
            assert_eq!(
                placed(&bounded.centres, &bounded.member),
                placed(&plain_centres, &plain_member),
                "case {case}: {n} points, k {k}"
            );
        }
    }
}
