//! Multiple cause analysis (DOMAIN.md, "Cause map"): a diagram of factors whose arrows read
//! "contributes to", with one central event. From the map alone: root causes, each factor's reach
//! towards the central event, loops (vicious circles), clusters, leverage, and factors cut off
//! from the central event. Every enumeration is bounded, so a dense map cannot hang a server.
//!
//! The graph is petgraph's; strongly connected components are Tarjan's (petgraph). Betweenness is
//! Brandes's algorithm (Brandes 2001, "A faster algorithm for betweenness centrality"), and loops
//! are enumerated per component by depth-first search from each component's smallest node, under
//! a step budget (cf. Johnson 1975 for the unbounded algorithm).

use std::collections::{BTreeSet, VecDeque};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

/// A cause map as plain data: factor labels, arrows `(from, to)` by index, the central event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseMap {
    pub factors: Vec<String>,
    pub arrows: Vec<(usize, usize)>,
    pub central: usize,
}

/// How far the enumerations may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most loops listed.
    pub loops: usize,
    /// The most search steps spent finding loops, over the whole map.
    pub loop_steps: usize,
    /// The most paths counted from one factor to the central event.
    pub paths: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { loops: 500, loop_steps: 200_000, paths: 10_000 }
    }
}

/// A factor's way to the central event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    pub factor: usize,
    /// Simple paths from it to the central event, counted up to [`Limits::paths`].
    pub paths: usize,
    /// True when counting stopped at the limit: there are at least `paths`.
    pub more_paths: bool,
    /// Factors on some path between it and the central event (neither end counted).
    pub between: usize,
}

/// A factor's place in the leverage ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leverage {
    pub factor: usize,
    /// 0 to 1: the mean of its betweenness and its reach, each as a share of the map's largest.
    pub score: f64,
    pub betweenness: f64,
}

/// What the map shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Factors with no arrow into them from which the central event can be reached.
    pub root_causes: Vec<usize>,
    /// Every factor that reaches the central event, most paths first.
    pub reach: Vec<Reach>,
    /// Elementary cycles, shortest first, each in arrow order from its smallest factor.
    pub loops: Vec<Vec<usize>>,
    /// True when [`Limits`] stopped the search for loops before it finished.
    pub more_loops: bool,
    /// Strongly connected components of more than one factor, largest first.
    pub clusters: Vec<Vec<usize>>,
    /// Factors other than the central event, best leverage first.
    pub leverage: Vec<Leverage>,
    /// Factors from which the central event cannot be reached.
    pub disconnected: Vec<usize>,
}

fn graph(map: &CauseMap) -> DiGraph<(), ()> {
    let mut graph = DiGraph::with_capacity(map.factors.len(), map.arrows.len());
    for _ in &map.factors {
        graph.add_node(());
    }
    let mut seen = BTreeSet::new();
    for &(from, to) in &map.arrows {
        // A repeated arrow says nothing more; an arrow naming no factor is the caller's mistake.
        if from < map.factors.len() && to < map.factors.len() && seen.insert((from, to)) {
            graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
        }
    }
    graph
}

/// The factors from which `to` can be reached (itself included).
fn reaching(graph: &DiGraph<(), ()>, to: usize) -> Vec<bool> {
    let mut found = vec![false; graph.node_count()];
    let mut queue = VecDeque::from([to]);
    found[to] = true;
    while let Some(n) = queue.pop_front() {
        for m in graph.neighbors_directed(NodeIndex::new(n), Direction::Incoming) {
            if !found[m.index()] {
                found[m.index()] = true;
                queue.push_back(m.index());
            }
        }
    }
    found
}

/// The factors `from` reaches (itself included).
fn reached(graph: &DiGraph<(), ()>, from: usize) -> Vec<bool> {
    let mut found = vec![false; graph.node_count()];
    let mut queue = VecDeque::from([from]);
    found[from] = true;
    while let Some(n) = queue.pop_front() {
        for m in graph.neighbors(NodeIndex::new(n)) {
            if !found[m.index()] {
                found[m.index()] = true;
                queue.push_back(m.index());
            }
        }
    }
    found
}

/// Simple paths from `from` to `to`, counted up to `limit`; and whether the limit was reached.
fn count_paths(graph: &DiGraph<(), ()>, from: usize, to: usize, useful: &[bool], limit: usize) -> (usize, bool) {
    let mut on_path = vec![false; graph.node_count()];
    let mut count = 0;
    // An explicit stack of (node, its successors still to try), so depth never overflows.
    let successors = |n: usize| -> Vec<usize> {
        graph.neighbors(NodeIndex::new(n)).map(|m| m.index()).filter(|&m| useful[m]).collect()
    };
    let mut stack = vec![(from, successors(from))];
    on_path[from] = true;
    while let Some((node, next)) = stack.last_mut() {
        let Some(m) = next.pop() else {
            on_path[*node] = false;
            stack.pop();
            continue;
        };
        if m == to {
            count += 1;
            if count >= limit {
                return (count, true);
            }
        } else if !on_path[m] {
            on_path[m] = true;
            stack.push((m, successors(m)));
        }
    }
    (count, false)
}

/// Elementary cycles, each found once from its smallest factor, within a step budget.
fn loops(
    graph: &DiGraph<(), ()>,
    clusters: &[Vec<usize>],
    self_loops: &[usize],
    limits: Limits,
) -> (Vec<Vec<usize>>, bool) {
    let mut found: Vec<Vec<usize>> = self_loops.iter().map(|&n| vec![n]).collect();
    let mut steps = 0;
    let mut stopped = false;
    'clusters: for cluster in clusters {
        let members: BTreeSet<usize> = cluster.iter().copied().collect();
        for &start in &members {
            // Only factors larger than the start: each cycle is found from its smallest factor.
            let allowed = |m: usize| members.contains(&m) && m >= start;
            let successors = |n: usize| -> Vec<usize> {
                graph.neighbors(NodeIndex::new(n)).map(|m| m.index()).filter(|&m| allowed(m)).collect()
            };
            let mut path = vec![start];
            let mut stack = vec![successors(start)];
            while let Some(next) = stack.last_mut() {
                steps += 1;
                if steps > limits.loop_steps || found.len() >= limits.loops {
                    stopped = true;
                    break 'clusters;
                }
                let Some(m) = next.pop() else {
                    stack.pop();
                    path.pop();
                    continue;
                };
                if m == start {
                    if path.len() > 1 {
                        found.push(path.clone());
                    }
                } else if !path.contains(&m) {
                    path.push(m);
                    stack.push(successors(m));
                }
            }
        }
    }
    found.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    (found, stopped)
}

/// Brandes's betweenness for a directed, unweighted graph, unnormalised.
fn betweenness(graph: &DiGraph<(), ()>) -> Vec<f64> {
    let n = graph.node_count();
    let mut centrality = vec![0.0; n];
    for s in 0..n {
        let mut order = Vec::with_capacity(n);
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut sigma = vec![0.0_f64; n];
        let mut dist: Vec<Option<usize>> = vec![None; n];
        sigma[s] = 1.0;
        dist[s] = Some(0);
        let mut queue = VecDeque::from([s]);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            let dv = dist[v].unwrap_or(0);
            for w in graph.neighbors(NodeIndex::new(v)).map(|w| w.index()) {
                if dist[w].is_none() {
                    dist[w] = Some(dv + 1);
                    queue.push_back(w);
                }
                if dist[w] == Some(dv + 1) {
                    sigma[w] += sigma[v];
                    preds[w].push(v);
                }
            }
        }
        let mut delta = vec![0.0_f64; n];
        while let Some(w) = order.pop() {
            for &v in &preds[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
    }
    centrality
}

/// Analyses a cause map within `limits`.
pub fn analyse(map: &CauseMap, limits: Limits) -> Analysis {
    let graph = graph(map);
    let n = map.factors.len();
    let central = map.central.min(n.saturating_sub(1));
    let to_central = if n == 0 { Vec::new() } else { reaching(&graph, central) };
    let others = (0..n).filter(|&f| f != central);
    let root_causes: Vec<usize> = others
        .clone()
        .filter(|&f| to_central[f] && graph.neighbors_directed(NodeIndex::new(f), Direction::Incoming).next().is_none())
        .collect();
    let disconnected: Vec<usize> = others.clone().filter(|&f| !to_central[f]).collect();
    let mut reach: Vec<Reach> = others
        .clone()
        .filter(|&f| to_central[f])
        .map(|f| {
            let from = reached(&graph, f);
            let between = (0..n).filter(|&m| m != f && m != central && from[m] && to_central[m]).count();
            let (paths, more_paths) = count_paths(&graph, f, central, &to_central, limits.paths);
            Reach { factor: f, paths, more_paths, between }
        })
        .collect();
    reach.sort_by(|a, b| b.paths.cmp(&a.paths).then(b.between.cmp(&a.between)).then(a.factor.cmp(&b.factor)));

    let mut clusters: Vec<Vec<usize>> = petgraph::algo::tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c: Vec<usize> = c.into_iter().map(|n| n.index()).collect();
            c.sort_unstable();
            c
        })
        .collect();
    clusters.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    let self_loops: Vec<usize> =
        (0..n).filter(|&f| graph.neighbors(NodeIndex::new(f)).any(|m| m.index() == f)).collect();
    let (loops, more_loops) = loops(&graph, &clusters, &self_loops, limits);

    let between = betweenness(&graph);
    let top_between = between.iter().copied().fold(0.0_f64, f64::max);
    let top_reach = reach.iter().map(|r| r.between + 1).max().unwrap_or(1) as f64;
    let reach_of = |f: usize| reach.iter().find(|r| r.factor == f).map_or(0.0, |r| (r.between + 1) as f64);
    let mut leverage: Vec<Leverage> = others
        .map(|f| {
            let b = if top_between > 0.0 { between[f] / top_between } else { 0.0 };
            let r = reach_of(f) / top_reach;
            Leverage { factor: f, score: (b + r) / 2.0, betweenness: between[f] }
        })
        .collect();
    leverage.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.factor.cmp(&b.factor)));
    Analysis { root_causes, reach, loops, more_loops, clusters, leverage, disconnected }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(labels: &[&str], arrows: &[(usize, usize)], central: usize) -> CauseMap {
        CauseMap { factors: labels.iter().map(|l| (*l).to_owned()).collect(), arrows: arrows.to_vec(), central }
    }

    #[test]
    fn a_small_map_is_read_as_a_person_would() {
        // 0 cuts → 1 staff shortage → 2 long waits → 5 crisis (central)
        // 3 stigma → 2; 2 → 4 missed appointments → 2 (a vicious circle); 6 weather, cut off.
        let m = map(
            &["cuts", "staff shortage", "long waits", "stigma", "missed appointments", "crisis", "weather"],
            &[(0, 1), (1, 2), (2, 5), (3, 2), (2, 4), (4, 2), (0, 1)],
            5,
        );
        let a = analyse(&m, Limits::default());
        assert_eq!(a.root_causes, [0, 3]);
        assert_eq!(a.disconnected, [6]);
        assert_eq!(a.loops, [vec![2, 4]]);
        assert!(!a.more_loops);
        assert_eq!(a.clusters, [vec![2, 4]]);
        let cuts = a.reach.iter().find(|r| r.factor == 0).unwrap();
        assert_eq!((cuts.paths, cuts.between), (1, 3), "cuts → staff → waits (→ missed → waits) → crisis");
        assert_eq!(a.leverage[0].factor, 2, "long waits sits on every path");
    }

    #[test]
    fn loops_are_listed_shortest_first_and_a_dense_map_stops_at_its_limits() {
        let triangle = map(&["a", "b", "c", "z"], &[(0, 1), (1, 0), (1, 2), (2, 0), (2, 3)], 3);
        let a = analyse(&triangle, Limits::default());
        assert_eq!(a.loops, [vec![0, 1], vec![0, 1, 2]]);

        // Every factor to every other: factorially many loops; the search stops and says so.
        let n = 14;
        let labels: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
        let arrows: Vec<(usize, usize)> =
            (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).collect();
        let dense = CauseMap { factors: labels, arrows, central: 0 };
        let started = std::time::Instant::now();
        let a = analyse(&dense, Limits::default());
        assert!(a.more_loops && a.loops.len() <= 500);
        assert!(a.reach.iter().all(|r| r.paths <= 10_000));
        assert!(started.elapsed().as_secs() < 20, "bounded");
    }

    #[test]
    fn betweenness_matches_a_hand_count() {
        // a → b → c: only b lies between two others.
        let g = graph(&map(&["a", "b", "c"], &[(0, 1), (1, 2)], 2));
        assert_eq!(betweenness(&g), [0.0, 1.0, 0.0]);
        // Two equal routes a → b → d and a → c → d share the one pair (a, d).
        let g = graph(&map(&["a", "b", "c", "d"], &[(0, 1), (0, 2), (1, 3), (2, 3)], 3));
        assert_eq!(betweenness(&g), [0.0, 0.5, 0.5, 0.0]);
    }
}
