//! Multiple cause analysis (DOMAIN.md, "Cause map"): a diagram of factors whose arrows read
//! "contributes to", with one central event. From the map alone: root causes, each factor's reach
//! towards the central event, loops (vicious circles), clusters, leverage, and factors cut off
//! from the central event. Every enumeration is bounded, so a dense map cannot hang a server.
//!
//! The graph is petgraph's; strongly connected components are Tarjan's (petgraph). Betweenness is
//! Brandes's algorithm (Brandes 2001, "A faster algorithm for betweenness centrality"). Loops are
//! enumerated shortest first by depth-first search within each component, under a step budget
//! (cf. Johnson 1975 for the unbounded algorithm); paths are counted component by component.
//! Communities ([`communities`]) are Louvain's; [`layout`] lays a map out for its picture.
//!
//! The bounds ([`Limits`]): at most 500 loops and 200,000 search steps for them over the whole
//! map; at most 10,000 paths counted from a factor and 10,000 search steps inside its cluster.
//! Where a bound stops a search, the result says so (`more_loops`, `Reach::more_paths`).

mod communities;
pub mod layout;

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
    /// The most search steps spent finding loops, over the whole map. Loops are searched shortest
    /// first, so those listed when the search stops are the shortest.
    pub loop_steps: usize,
    /// The most paths counted from one factor to the central event.
    pub paths: usize,
    /// The most search steps spent counting one factor's paths inside its cluster (a map without
    /// loops needs none: its paths are counted exactly, up to `paths`).
    pub path_steps: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { loops: 500, loop_steps: 200_000, paths: 10_000, path_steps: 10_000 }
    }
}

/// A factor's way to the central event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    pub factor: usize,
    /// Simple paths from it to the central event, counted up to [`Limits::paths`].
    pub paths: usize,
    /// True when counting stopped at a limit ([`Limits::paths`] or [`Limits::path_steps`]): there
    /// are at least `paths`.
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
    /// Groups of factors more linked among themselves than to the rest (Louvain modularity on the
    /// arrows taken both ways), largest first, each of two or more factors; empty for a map of
    /// fewer than [`COMMUNITIES_FROM`] factors, where the clusters and the picture say enough.
    pub communities: Vec<Vec<usize>>,
}

/// The smallest map whose communities are looked for.
pub const COMMUNITIES_FROM: usize = 20;

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

/// Simple paths from every factor to `central`, each counted up to `limits.paths`; and whether a
/// factor's count stopped at a limit (so it is a lower bound).
///
/// A simple path leaves a strongly connected component for good once it leaves it, so the count
/// from a factor is: the simple paths inside its own component, each followed by the count of
/// wherever it then leaves to. Components are taken sinks first (Tarjan's order), so those counts
/// are known; only the walk inside a component is a search, at most `limits.path_steps` steps from
/// each factor. A map without loops is counted exactly in time linear in its arrows.
fn count_paths(
    graph: &DiGraph<(), ()>,
    components: &[Vec<NodeIndex>],
    central: usize,
    useful: &[bool],
    limits: Limits,
) -> (Vec<usize>, Vec<bool>) {
    let n = graph.node_count();
    let mut component_of = vec![0; n];
    for (c, members) in components.iter().enumerate() {
        for m in members {
            component_of[m.index()] = c;
        }
    }
    let successors: Vec<Vec<usize>> = (0..n)
        .map(|f| graph.neighbors(NodeIndex::new(f)).map(|m| m.index()).filter(|&m| m != f && useful[m]).collect())
        .collect();
    let mut paths = vec![0usize; n];
    let mut capped = vec![false; n];
    // From each factor: the paths that leave its component at once (or end at the central event).
    let mut leaving = vec![0usize; n];
    let mut leaving_capped = vec![false; n];
    let mut on_path = vec![false; n];
    for (c, members) in components.iter().enumerate() {
        for m in members {
            let f = m.index();
            if !useful[f] {
                continue;
            }
            if f == central {
                leaving[f] = 1;
                continue;
            }
            for &s in successors[f].iter().filter(|&&s| component_of[s] != c) {
                leaving[f] = leaving[f].saturating_add(paths[s]).min(limits.paths);
                leaving_capped[f] |= capped[s];
            }
            if leaving[f] >= limits.paths {
                leaving_capped[f] = true;
            }
        }
        if members.len() == 1 {
            let f = members[0].index();
            paths[f] = leaving[f];
            capped[f] = leaving_capped[f];
            continue;
        }
        for m in members {
            let from = m.index();
            if !useful[from] {
                continue;
            }
            let (count, stopped) = walk_component(
                from,
                c,
                central,
                &successors,
                &component_of,
                &leaving,
                &leaving_capped,
                &mut on_path,
                limits,
            );
            paths[from] = count;
            capped[from] = stopped;
        }
    }
    (paths, capped)
}

/// Simple paths inside component `c` from `from`, each followed by what leaves from its end.
#[allow(clippy::too_many_arguments)]
fn walk_component(
    from: usize,
    c: usize,
    central: usize,
    successors: &[Vec<usize>],
    component_of: &[usize],
    leaving: &[usize],
    leaving_capped: &[bool],
    on_path: &mut [bool],
    limits: Limits,
) -> (usize, bool) {
    let mut count = leaving[from];
    let mut capped = leaving_capped[from];
    let mut steps = 0;
    // An explicit stack of (factor, the index of its next successor to try), so depth never overflows.
    let mut stack = vec![(from, 0usize)];
    on_path[from] = true;
    while let Some((node, next)) = stack.last_mut() {
        let node = *node;
        steps += 1;
        if count >= limits.paths || steps > limits.path_steps {
            capped = true;
            break;
        }
        let Some(&m) = successors[node].get(*next) else {
            on_path[node] = false;
            stack.pop();
            continue;
        };
        *next += 1;
        if component_of[m] != c || on_path[m] || node == central {
            continue;
        }
        count = count.saturating_add(leaving[m]).min(limits.paths);
        capped |= leaving_capped[m];
        if m != central {
            on_path[m] = true;
            stack.push((m, 0));
        }
    }
    for (f, _) in stack {
        on_path[f] = false;
    }
    (count, capped)
}

/// Elementary cycles, shortest first, each found once from its smallest factor, within a step
/// budget: every loop of one arrow, then of two, of three..., each length by a depth-first search
/// that goes only where the start can still be reached in the arrows left. So when the budget runs
/// out, the loops listed are all those shorter than the longest listed, the readable ones.
fn loops(
    graph: &DiGraph<(), ()>,
    clusters: &[Vec<usize>],
    self_loops: &[usize],
    limits: Limits,
) -> (Vec<Vec<usize>>, bool) {
    let n = graph.node_count();
    let mut found: Vec<Vec<usize>> = self_loops.iter().map(|&f| vec![f]).collect();
    if found.len() >= limits.loops {
        found.truncate(limits.loops);
        return (found, true);
    }
    let mut cluster_of = vec![usize::MAX; n];
    for (c, members) in clusters.iter().enumerate() {
        for &m in members {
            cluster_of[m] = c;
        }
    }
    let successors: Vec<Vec<usize>> = (0..n)
        .map(|f| {
            let mut next: Vec<usize> = graph
                .neighbors(NodeIndex::new(f))
                .map(|m| m.index())
                .filter(|&m| m != f && cluster_of[m] == cluster_of[f] && cluster_of[f] != usize::MAX)
                .collect();
            next.sort_unstable();
            next
        })
        .collect();
    // For each start, each factor's distance back to it through factors larger than the start.
    let starts: Vec<usize> = clusters.iter().flatten().copied().collect();
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(starts.len());
    for &start in &starts {
        let mut dist = vec![usize::MAX; n];
        dist[start] = 0;
        let mut queue = VecDeque::from([start]);
        while let Some(v) = queue.pop_front() {
            for u in graph.neighbors_directed(NodeIndex::new(v), Direction::Incoming).map(|u| u.index()) {
                if u > start && cluster_of[u] == cluster_of[start] && dist[u] == usize::MAX {
                    dist[u] = dist[v] + 1;
                    queue.push_back(u);
                }
            }
        }
        back.push(dist);
    }
    let longest = clusters.iter().map(Vec::len).max().unwrap_or(0);
    let mut steps = 0;
    let mut on_path = vec![false; n];
    for length in 2..=longest {
        for (s, &start) in starts.iter().enumerate() {
            let dist = &back[s];
            let mut path = vec![start];
            let mut stack = vec![0usize];
            on_path[start] = true;
            while let (Some(&node), Some(next)) = (path.last(), stack.last_mut()) {
                steps += 1;
                if steps > limits.loop_steps || found.len() >= limits.loops {
                    found.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
                    return (found, true);
                }
                let Some(&m) = successors[node].get(*next) else {
                    on_path[node] = false;
                    path.pop();
                    stack.pop();
                    continue;
                };
                *next += 1;
                if m == start {
                    if path.len() == length {
                        found.push(path.clone());
                    }
                } else if m > start && !on_path[m] && dist[m] != usize::MAX && path.len() + dist[m] <= length {
                    on_path[m] = true;
                    path.push(m);
                    stack.push(0);
                }
            }
        }
    }
    found.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    (found, false)
}

/// Brandes's betweenness for a directed, unweighted graph, unnormalised. The arrows are copied
/// into flat arrays and the buffers reused from source to source: a 500-factor map takes
/// milliseconds, not the tens that petgraph's neighbour walks and a list of predecessors each
/// time took.
fn betweenness(graph: &DiGraph<(), ()>) -> Vec<f64> {
    let n = graph.node_count();
    let (out_start, out_to) = flat_arrows(graph, Direction::Outgoing);
    let (in_start, in_from) = flat_arrows(graph, Direction::Incoming);
    let mut centrality = vec![0.0; n];
    let mut order = Vec::with_capacity(n);
    let mut sigma = vec![0.0_f64; n];
    let mut dist = vec![usize::MAX; n];
    let mut delta = vec![0.0_f64; n];
    for s in 0..n {
        order.clear();
        sigma.fill(0.0);
        dist.fill(usize::MAX);
        delta.fill(0.0);
        sigma[s] = 1.0;
        dist[s] = 0;
        order.push(s);
        let mut head = 0;
        while head < order.len() {
            let v = order[head];
            head += 1;
            for &w in &out_to[out_start[v]..out_start[v + 1]] {
                if dist[w] == usize::MAX {
                    dist[w] = dist[v] + 1;
                    order.push(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        // Back from the farthest: a predecessor on a shortest path is one step nearer the source.
        for &w in order.iter().rev() {
            for &v in &in_from[in_start[w]..in_start[w + 1]] {
                if dist[v] != usize::MAX && dist[v] + 1 == dist[w] {
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                }
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
    }
    centrality
}

/// Each factor's neighbours one way as one flat array: those of `f` are `to[start[f]..start[f + 1]]`.
fn flat_arrows(graph: &DiGraph<(), ()>, direction: Direction) -> (Vec<usize>, Vec<usize>) {
    let n = graph.node_count();
    let mut start = Vec::with_capacity(n + 1);
    let mut to = Vec::with_capacity(graph.edge_count());
    for f in 0..n {
        start.push(to.len());
        to.extend(graph.neighbors_directed(NodeIndex::new(f), direction).map(|m| m.index()));
    }
    start.push(to.len());
    (start, to)
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
    // Tarjan's components come sinks first, which the path count relies on.
    let components = petgraph::algo::tarjan_scc(&graph);
    let (paths, capped) =
        if n == 0 { (Vec::new(), Vec::new()) } else { count_paths(&graph, &components, central, &to_central, limits) };
    let mut reach: Vec<Reach> = others
        .clone()
        .filter(|&f| to_central[f])
        .map(|f| {
            let from = reached(&graph, f);
            let between = (0..n).filter(|&m| m != f && m != central && from[m] && to_central[m]).count();
            Reach { factor: f, paths: paths[f], more_paths: capped[f], between }
        })
        .collect();
    reach.sort_by(|a, b| b.paths.cmp(&a.paths).then(b.between.cmp(&a.between)).then(a.factor.cmp(&b.factor)));

    let mut clusters: Vec<Vec<usize>> = components
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
    let mut reach_of = vec![0.0; n];
    for r in &reach {
        reach_of[r.factor] = (r.between + 1) as f64;
    }
    let mut leverage: Vec<Leverage> = others
        .map(|f| {
            let b = if top_between > 0.0 { between[f] / top_between } else { 0.0 };
            let r = reach_of[f] / top_reach;
            Leverage { factor: f, score: (b + r) / 2.0, betweenness: between[f] }
        })
        .collect();
    leverage.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.factor.cmp(&b.factor)));
    let communities = if n >= COMMUNITIES_FROM { communities::louvain(n, &map.arrows) } else { Vec::new() };
    Analysis { root_causes, reach, loops, more_loops, clusters, leverage, disconnected, communities }
}

/// A deterministic synthetic cause map for tests and benchmarks: `factors` factors (the first is
/// the central event) in eight bands by distance from it, with `arrows` distinct arrows, most
/// towards the central event, some within a band and about one in ten back (loops), and a few
/// factors cut off. Labels are short phrases of the kind people write, some long enough to wrap.
pub fn synthetic_map(factors: usize, arrows: usize, seed: u64) -> CauseMap {
    const WHAT: [&str; 12] = [
        "waiting lists",
        "staff turnover",
        "cost of transport",
        "stigma",
        "housing",
        "debt",
        "isolation",
        "digital access",
        "referral criteria",
        "funding cuts",
        "language barriers",
        "caring duties",
    ];
    const HOW: [&str; 8] = [
        "grow",
        "are not understood by families",
        "",
        "at the front door",
        "after school hours",
        "in rural areas",
        "for young carers",
        "when services change without warning",
    ];
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |below: usize| -> usize {
        // xorshift64*: small, fast and the same everywhere.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % below.max(1)
    };
    let labels: Vec<String> = (0..factors)
        .map(|i| {
            if i == 0 {
                return "Families reach help too late".to_owned();
            }
            let how = HOW[next(HOW.len())];
            let what = WHAT[next(WHAT.len())];
            if how.is_empty() { format!("{what} ({i})") } else { format!("{what} {how} ({i})") }
        })
        .collect();
    let band: Vec<usize> = (0..factors).map(|i| if i == 0 { 0 } else { 1 + next(8) }).collect();
    let cut_off: Vec<bool> = (0..factors).map(|i| i > 0 && next(40) == 0).collect();
    let mut by_band: Vec<Vec<usize>> = vec![Vec::new(); 9];
    for (i, &b) in band.iter().enumerate() {
        if !cut_off[i] {
            by_band[b].push(i);
        }
    }
    let mut seen = BTreeSet::new();
    let mut list = Vec::with_capacity(arrows);
    // Every connected factor first gets one arrow a band nearer, so the central event is reached.
    for i in 1..factors {
        if list.len() >= arrows {
            break;
        }
        if cut_off[i] {
            continue;
        }
        let nearer = (0..band[i]).rev().find(|&b| !by_band[b].is_empty()).unwrap_or(0);
        let to = by_band[nearer][next(by_band[nearer].len())];
        if seen.insert((i, to)) {
            list.push((i, to));
        }
    }
    let mut attempts = 0;
    while list.len() < arrows && attempts < arrows * 20 && factors > 1 {
        attempts += 1;
        let from = 1 + next(factors - 1);
        let to = if cut_off[from] {
            // Cut-off factors point among themselves only.
            let others: Vec<usize> = (1..factors).filter(|&j| cut_off[j] && j != from).collect();
            if others.is_empty() {
                continue;
            }
            others[next(others.len())]
        } else {
            let roll = next(10);
            let b = match roll {
                0 => (band[from] + 1 + next(3)).min(8),
                1 | 2 => band[from],
                _ => band[from].saturating_sub(1 + usize::from(next(4) == 0)),
            };
            if by_band[b].is_empty() {
                continue;
            }
            by_band[b][next(by_band[b].len())]
        };
        if to != from && seen.insert((from, to)) {
            list.push((from, to));
        }
    }
    CauseMap { factors: labels, arrows: list, central: 0 }
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

    /// Simple paths counted one by one, for checking the count by components.
    fn naive_paths(map: &CauseMap, from: usize, path: &mut Vec<usize>) -> usize {
        if from == map.central {
            return 1;
        }
        path.push(from);
        let mut next: Vec<usize> = map.arrows.iter().filter(|a| a.0 == from).map(|a| a.1).collect();
        next.sort_unstable();
        next.dedup();
        let mut count = 0;
        for m in next {
            if !path.contains(&m) {
                count += naive_paths(map, m, path);
            }
        }
        path.pop();
        count
    }

    #[test]
    fn paths_counted_by_components_match_a_count_one_by_one() {
        for seed in 0..20 {
            let m = synthetic_map(18, 45, seed);
            let a = analyse(&m, Limits { path_steps: 10_000_000, ..Limits::default() });
            for r in &a.reach {
                assert!(!r.more_paths);
                assert_eq!(r.paths, naive_paths(&m, r.factor, &mut Vec::new()), "seed {seed}, factor {}", r.factor);
            }
        }
    }

    #[test]
    fn communities_are_found_for_larger_maps_only_and_the_same_each_time() {
        let small = synthetic_map(12, 30, 1);
        assert!(analyse(&small, Limits::default()).communities.is_empty());
        let large = synthetic_map(120, 400, 2);
        let first = analyse(&large, Limits::default()).communities;
        assert!(first.len() >= 2 && first.iter().all(|c| c.len() >= 2));
        assert_eq!(first, analyse(&large, Limits::default()).communities);
    }

    #[test]
    fn a_synthetic_map_of_500_factors_has_2000_arrows_and_reaches_its_central_event() {
        let m = synthetic_map(500, 2000, 2026);
        assert_eq!(m.arrows.len(), 2000);
        assert_eq!(m, synthetic_map(500, 2000, 2026));
        let a = analyse(&m, Limits::default());
        assert!(a.reach.len() > 400 && !a.disconnected.is_empty() && !a.loops.is_empty());
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
