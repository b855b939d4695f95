//! Communities of a larger cause map: the Louvain method (Blondel, Guillaume, Lambiotte and
//! Lefebvre 2008, "Fast unfolding of communities in large networks", J. Stat. Mech. P10008), which
//! greedily raises Newman–Girvan modularity by moving one factor at a time into a neighbour's
//! community, then merges each community into one node and starts again.
//!
//! Arrows are taken both ways (a community is about being linked, not about direction), a pair
//! linked both ways weighing two. Factors are visited in index order and ties keep the current
//! community, so the same map always gives the same communities.

use std::collections::BTreeMap;

/// A weighted undirected graph: neighbours with weights (no self entries), and each node's self
/// weight (twice the weight inside it, once merged).
struct Level {
    neighbours: Vec<Vec<(usize, f64)>>,
    inside: Vec<f64>,
}

impl Level {
    fn degree(&self, node: usize) -> f64 {
        self.neighbours[node].iter().map(|&(_, w)| w).sum::<f64>() + self.inside[node]
    }
}

/// The most sweeps over the nodes at one level; modularity stops rising long before on real maps.
const SWEEPS: usize = 50;

/// Communities of `factors` nodes linked by `arrows`: each of two or more factors, sorted, largest
/// first (ties by smallest factor).
pub(super) fn louvain(factors: usize, arrows: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut weights: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut distinct = std::collections::BTreeSet::new();
    for &(from, to) in arrows {
        if from < factors && to < factors && from != to && distinct.insert((from, to)) {
            *weights.entry((from.min(to), from.max(to))).or_insert(0.0) += 1.0;
        }
    }
    let mut neighbours = vec![Vec::new(); factors];
    for (&(a, b), &w) in &weights {
        neighbours[a].push((b, w));
        neighbours[b].push((a, w));
    }
    for list in &mut neighbours {
        list.sort_by_key(|&(m, _)| m);
    }
    let mut level = Level { neighbours, inside: vec![0.0; factors] };
    // Which node of the current level each factor belongs to.
    let mut membership: Vec<usize> = (0..factors).collect();
    loop {
        let (community, moved) = one_level(&level);
        if !moved {
            break;
        }
        for m in &mut membership {
            *m = community[*m];
        }
        level = merge(&level, &community);
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (f, &c) in membership.iter().enumerate() {
        groups.entry(c).or_default().push(f);
    }
    let mut communities: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    communities.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    communities
}

/// One level of local moves: each node's community, numbered 0.., and whether any node moved.
fn one_level(level: &Level) -> (Vec<usize>, bool) {
    let n = level.neighbours.len();
    let degree: Vec<f64> = (0..n).map(|i| level.degree(i)).collect();
    let total: f64 = degree.iter().sum();
    let mut community: Vec<usize> = (0..n).collect();
    if total == 0.0 {
        return (community, false);
    }
    // The summed degree of each community's members.
    let mut tot = degree.clone();
    let mut to_community = vec![0.0; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut moved_ever = false;
    for _ in 0..SWEEPS {
        let mut moved = false;
        for i in 0..n {
            let own = community[i];
            touched.clear();
            touched.push(own);
            for &(j, w) in &level.neighbours[i] {
                let c = community[j];
                if to_community[c] == 0.0 && c != own {
                    touched.push(c);
                }
                to_community[c] += w;
            }
            tot[own] -= degree[i];
            // The gain of joining c, up to a constant factor: k_i,in − Σ_tot · k_i / 2m.
            let gain = |c: usize| to_community[c] - tot[c] * degree[i] / total;
            let mut best = own;
            let mut best_gain = gain(own);
            for &c in &touched[1..] {
                let g = gain(c);
                if g > best_gain + 1e-12 {
                    best = c;
                    best_gain = g;
                }
            }
            tot[best] += degree[i];
            if best != own {
                community[i] = best;
                moved = true;
            }
            for &c in &touched {
                to_community[c] = 0.0;
            }
        }
        if !moved {
            break;
        }
        moved_ever = true;
    }
    // Number the communities 0.. in order of their smallest node.
    let mut number = vec![usize::MAX; n];
    let mut next = 0;
    for c in &mut community {
        if number[*c] == usize::MAX {
            number[*c] = next;
            next += 1;
        }
        *c = number[*c];
    }
    (community, moved_ever)
}

/// The graph whose nodes are `community`'s communities.
fn merge(level: &Level, community: &[usize]) -> Level {
    let count = community.iter().copied().max().map_or(0, |c| c + 1);
    let mut inside = vec![0.0; count];
    let mut between: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); count];
    for (i, list) in level.neighbours.iter().enumerate() {
        let a = community[i];
        inside[a] += level.inside[i];
        for &(j, w) in list {
            let b = community[j];
            if a == b {
                // Seen from both ends, so the self weight is twice the weight inside.
                inside[a] += w;
            } else {
                *between[a].entry(b).or_insert(0.0) += w;
            }
        }
    }
    Level { neighbours: between.into_iter().map(|m| m.into_iter().collect()).collect(), inside }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `groups` cliques of `size`, each joined to the next by one arrow.
    fn ring_of_cliques(groups: usize, size: usize) -> Vec<(usize, usize)> {
        let mut arrows = Vec::new();
        for g in 0..groups {
            let base = g * size;
            for a in 0..size {
                for b in a + 1..size {
                    arrows.push((base + a, base + b));
                }
            }
            arrows.push((base, ((g + 1) % groups) * size + 1));
        }
        arrows
    }

    #[test]
    fn cliques_joined_by_single_arrows_are_found_as_communities() {
        let arrows = ring_of_cliques(5, 6);
        let found = louvain(30, &arrows);
        let expected: Vec<Vec<usize>> = (0..5).map(|g| (g * 6..g * 6 + 6).collect()).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn the_same_map_gives_the_same_communities_and_isolated_factors_are_in_none() {
        let mut arrows = ring_of_cliques(4, 5);
        arrows.reverse();
        let first = louvain(22, &arrows);
        assert_eq!(first, louvain(22, &arrows));
        assert!(first.iter().all(|c| !c.contains(&20) && !c.contains(&21)));
        assert_eq!(first.len(), 4);
    }
}
