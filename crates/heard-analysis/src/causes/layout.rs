//! A cause map laid out in columns that read left to right towards the central event (a layered,
//! Sugiyama-style drawing: Sugiyama, Tagawa and Toda 1981, "Methods for visual understanding of
//! hierarchical system structures"), as plain data for the picture to draw.
//!
//! A factor's column is its distance in arrows from the central event, which stands alone in the
//! right-most column, so every arrow towards it crosses one gap. Arrows that go back (loops) or
//! skip columns pass through dummy points, one per column crossed, so they run in the gaps between
//! boxes, never through them. Factors that cannot reach the central event are laid out the same
//! way in an area of their own below, from the left. Within a column the person's order is kept;
//! [`tidy`] offers an order with fewer crossings, found by barycentre sweeps (Sugiyama et al.).
//! Vertical places are the least-squares fit to the neighbours' places that keeps the order and
//! the gaps (isotonic regression by pool-adjacent-violators).

use std::collections::VecDeque;

use super::CauseMap;

/// A box's width; labels wrap inside it.
pub const BOX_WIDTH: f64 = 200.0;
/// Room either side of a label inside its box.
pub const PADDING_X: f64 = 12.0;
/// Room above and below the text inside a box.
pub const PADDING_Y: f64 = 8.0;
/// A label's font size in pixels, and the line height of its lines.
pub const LABEL_SIZE: f64 = 14.0;
pub const LINE_HEIGHT: f64 = 18.0;
/// The note line under each label (the picture's evidence count), at 12px.
pub const NOTE_SIZE: f64 = 12.0;
pub const NOTE_HEIGHT: f64 = 16.0;
/// The most lines of a label; a longer one ends in "…" (the full label is the link's name).
pub const MAX_LINES: usize = 6;
const COLUMN_GAP: f64 = 140.0;
const ROW_GAP: f64 = 20.0;
const DUMMY_HEIGHT: f64 = 10.0;
const MARGIN: f64 = 24.0;
/// The gap between the connected factors and the area of those cut off, with room for a heading.
const APART_GAP: f64 = 72.0;
const APART_HEADING: f64 = 32.0;
/// Sweeps of vertical placement, and of crossing reduction in [`tidy`].
const PLACEMENT_SWEEPS: usize = 6;
const TIDY_SWEEPS: usize = 12;

/// A laid-out map, in pixels from the top left.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// One per factor, in factor order.
    pub nodes: Vec<NodeBox>,
    /// One per distinct arrow, in the map's order.
    pub edges: Vec<EdgeRoute>,
    /// Where the area of factors that cannot reach the central event begins, if there are any.
    pub apart_y: Option<f64>,
}

/// A factor's box.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    pub factor: usize,
    /// Counted from the left within its area; the central event's is the largest.
    pub column: usize,
    /// True for a factor that cannot reach the central event (in the area below).
    pub apart: bool,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The label wrapped to the box; the note line below it is left to the picture.
    pub lines: Vec<String>,
}

/// An arrow's route: from the source box's edge to the target box's edge.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRoute {
    pub from: usize,
    pub to: usize,
    pub points: Vec<(f64, f64)>,
    /// True when it does not run left to right (a loop's way back, or within one column).
    pub backward: bool,
}

/// Lays `map` out, keeping `order` (one value per factor, smaller higher; ties by index; missing
/// values count as 0) within each column.
pub fn layout(map: &CauseMap, order: &[i64]) -> Layout {
    let mut graph = Layered::new(map);
    graph.order_by(order);
    graph.place_dummies();
    graph.draw(map)
}

/// An order (one value per factor: its place in its column, from 0) with fewer crossings than
/// `order`, or `order`'s own places where no sweep did better.
pub fn tidy(map: &CauseMap, order: &[i64]) -> Vec<i64> {
    let mut graph = Layered::new(map);
    graph.order_by(order);
    graph.place_dummies();
    let mut best = graph.layers.clone();
    let mut fewest = graph.crossings();
    for sweep in 0..TIDY_SWEEPS {
        graph.sweep(sweep % 2 == 0, true);
        let now = graph.crossings();
        if now < fewest {
            fewest = now;
            best = graph.layers.clone();
        }
    }
    let mut places = vec![0i64; map.factors.len()];
    for layer in &best {
        let mut place = 0;
        for &item in layer {
            if item < places.len() {
                places[item] = place;
                place += 1;
            }
        }
    }
    places
}

/// Arrows crossing one another between neighbouring columns when laid out in `order`.
pub fn crossings(map: &CauseMap, order: &[i64]) -> usize {
    let mut graph = Layered::new(map);
    graph.order_by(order);
    graph.place_dummies();
    graph.crossings()
}

/// How wide `text` is at `size` pixels in a common sans-serif font (DejaVu Sans's advances, which
/// are wider than Arial's or Helvetica's, so text measured here fits in either).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(char_width).sum::<f64>() * size
}

fn char_width(c: char) -> f64 {
    match c {
        ' ' | '.' | ',' | ':' | ';' | '!' | '|' => 0.32,
        'i' | 'j' | 'l' | 'I' | 'J' | '\'' => 0.29,
        'f' | 't' | '(' | ')' | '[' | ']' | '-' | '/' => 0.40,
        'r' => 0.42,
        's' | 'c' | 'z' | '"' => 0.55,
        'k' | 'v' | 'x' | 'y' | 'F' | 'L' | 'T' | 'Y' => 0.61,
        'a' | 'b' | 'd' | 'e' | 'g' | 'h' | 'n' | 'o' | 'p' | 'q' | 'u' | 'P' | 'E' | 'S' => 0.64,
        '0'..='9' | '?' | '_' | '*' | '+' | '=' | '$' | '#' => 0.64,
        'w' => 0.82,
        'm' | 'M' | '%' | '@' => 0.98,
        'W' => 1.0,
        'A'..='Z' | '&' | '<' | '>' => 0.78,
        c if c.is_ascii() => 0.6,
        // Wide scripts (CJK, emoji) take about a square; other letters about a capital.
        c if c as u32 >= 0x2E80 => 1.0,
        _ => 0.75,
    }
}

/// `label` in lines no wider than `width` at `size`: words kept whole where they fit, a word
/// longer than a line broken, at most [`MAX_LINES`] lines, the last ending in "…" if cut.
pub fn wrap(label: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    let space = text_width(" ", size);
    for word in label.split_whitespace() {
        let word_width = text_width(word, size);
        if !line.is_empty() && line_width + space + word_width <= width {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        line_width = 0.0;
        for c in word.chars() {
            let w = char_width(c) * size;
            if !line.is_empty() && line_width + w > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            let ellipsis = text_width("…", size);
            while !last.is_empty() && text_width(last, size) + ellipsis > width {
                last.pop();
            }
            last.push('…');
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// A distinct arrow and the dummy items it passes through, left to right.
struct Chain {
    from: usize,
    to: usize,
    dummies: Vec<usize>,
    /// Runs right to left (a loop's way back).
    backward: bool,
    /// Both ends in the same column, a self-arrow, or between the two areas: no dummies.
    special: bool,
}

/// The map with dummy items: items `0..factors` are the factors, the rest dummies.
struct Layered {
    factors: usize,
    /// Each item's layer; the main area's layers come first, then those of the area apart.
    layer_of: Vec<usize>,
    main_layers: usize,
    /// Items top to bottom in each layer.
    layers: Vec<Vec<usize>>,
    /// Each item's neighbours in the layer to its left and to its right.
    left: Vec<Vec<usize>>,
    right: Vec<Vec<usize>>,
    chains: Vec<Chain>,
    apart: Vec<bool>,
}

/// Distances in arrows to any of `targets`, following arrows backwards among `allowed` factors.
fn distances(n: usize, incoming: &[Vec<usize>], targets: &[usize], allowed: &[bool]) -> Vec<Option<usize>> {
    let mut dist = vec![None; n];
    let mut queue = VecDeque::new();
    for &t in targets {
        dist[t] = Some(0);
        queue.push_back(t);
    }
    while let Some(v) = queue.pop_front() {
        let d = dist[v].unwrap_or(0) + 1;
        for &u in &incoming[v] {
            if allowed[u] && dist[u].is_none() {
                dist[u] = Some(d);
                queue.push_back(u);
            }
        }
    }
    dist
}

impl Layered {
    fn new(map: &CauseMap) -> Self {
        let n = map.factors.len();
        let mut arrows: Vec<(usize, usize)> = Vec::with_capacity(map.arrows.len());
        let mut seen = std::collections::HashSet::new();
        for &(from, to) in &map.arrows {
            if from < n && to < n && seen.insert((from, to)) {
                arrows.push((from, to));
            }
        }
        let mut incoming = vec![Vec::new(); n];
        let mut outgoing = vec![Vec::new(); n];
        for &(from, to) in &arrows {
            if from != to {
                incoming[to].push(from);
                outgoing[from].push(to);
            }
        }
        let all = vec![true; n];
        let to_central = if n == 0 { Vec::new() } else { distances(n, &incoming, &[map.central.min(n - 1)], &all) };
        let apart: Vec<bool> = to_central.iter().map(Option::is_none).collect();
        // Apart, columns run towards the factors that lead nowhere further (or, in a loop with no
        // way out, towards its smallest factor).
        let mut apart_dist = vec![None; n];
        let mut pending: Vec<usize> = (0..n).filter(|&f| apart[f]).collect();
        while !pending.is_empty() {
            let sinks: Vec<usize> =
                pending.iter().copied().filter(|&f| outgoing[f].iter().all(|&m| !apart[m] || m == f)).collect();
            let targets = if sinks.is_empty() { vec![pending[0]] } else { sinks };
            let allowed: Vec<bool> = (0..n).map(|f| apart[f] && apart_dist[f].is_none()).collect();
            let found = distances(n, &incoming, &targets, &allowed);
            for f in 0..n {
                if apart_dist[f].is_none() && found[f].is_some() && apart[f] {
                    apart_dist[f] = found[f];
                }
            }
            pending.retain(|&f| apart_dist[f].is_none());
        }
        let main_far = to_central.iter().flatten().copied().max().unwrap_or(0);
        let apart_far = apart_dist.iter().flatten().copied().max().unwrap_or(0);
        let main_layers = main_far + 1;
        let layer_count = main_layers + if apart.iter().any(|&a| a) { apart_far + 1 } else { 0 };
        let mut layer_of: Vec<usize> = (0..n)
            .map(|f| match (to_central[f], apart_dist[f]) {
                (Some(d), _) => main_far - d,
                (None, Some(d)) => main_layers + apart_far - d,
                (None, None) => main_layers,
            })
            .collect();
        let mut layered = Layered {
            factors: n,
            layer_of: Vec::new(),
            main_layers,
            layers: vec![Vec::new(); layer_count],
            left: vec![Vec::new(); n],
            right: vec![Vec::new(); n],
            chains: Vec::with_capacity(arrows.len()),
            apart,
        };
        for &(from, to) in &arrows {
            let (a, b) = (layer_of[from], layer_of[to]);
            let special = from == to || a == b || layered.apart[from] != layered.apart[to];
            let backward = b <= a;
            let mut chain = Chain { from, to, dummies: Vec::new(), backward, special };
            if !special {
                let (lo, hi, first, last) = if a < b { (a, b, from, to) } else { (b, a, to, from) };
                let mut previous = first;
                for layer in lo + 1..hi {
                    let dummy = layer_of.len();
                    layer_of.push(layer);
                    layered.left.push(vec![previous]);
                    layered.right.push(Vec::new());
                    layered.right[previous].push(dummy);
                    chain.dummies.push(dummy);
                    previous = dummy;
                }
                layered.right[previous].push(last);
                layered.left[last].push(previous);
            }
            layered.chains.push(chain);
        }
        layered.layer_of = layer_of;
        layered
    }

    /// Factors by `order` within their layers; dummies not yet placed.
    fn order_by(&mut self, order: &[i64]) {
        for layer in &mut self.layers {
            layer.clear();
        }
        let mut factors: Vec<usize> = (0..self.factors).collect();
        factors.sort_by_key(|&f| (order.get(f).copied().unwrap_or(0), f));
        for f in factors {
            self.layers[self.layer_of[f]].push(f);
        }
    }

    /// Dummies inserted among the factors near their neighbours' places, factors kept in order.
    fn place_dummies(&mut self) {
        let items = self.layer_of.len();
        let mut position = vec![0.0; items];
        for layer in &self.layers {
            for (i, &item) in layer.iter().enumerate() {
                position[item] = i as f64;
            }
        }
        // Dummies per layer, in the order they were made.
        let mut dummies: Vec<Vec<usize>> = vec![Vec::new(); self.layers.len()];
        for d in self.factors..items {
            dummies[self.layer_of[d]].push(d);
        }
        for pass in 0..2 {
            let layer_order: Vec<usize> =
                if pass == 0 { (0..self.layers.len()).collect() } else { (0..self.layers.len()).rev().collect() };
            for l in layer_order {
                if dummies[l].is_empty() {
                    continue;
                }
                let mut keyed: Vec<(f64, usize)> =
                    self.layers[l].iter().filter(|&&i| i < self.factors).map(|&f| (position[f], f)).collect();
                let real = keyed.len();
                for (k, d) in keyed.iter_mut().enumerate() {
                    d.0 = k as f64;
                }
                for &d in &dummies[l] {
                    let neighbours: Vec<usize> = self.left[d].iter().chain(&self.right[d]).copied().collect();
                    let mean = neighbours.iter().map(|&m| position[m]).sum::<f64>() / neighbours.len().max(1) as f64;
                    // After the factor at the same place, so dummies lie between boxes.
                    keyed.push((mean.min(real as f64) + 0.5, d));
                }
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                self.layers[l] = keyed.iter().map(|&(_, i)| i).collect();
                for (i, &item) in self.layers[l].iter().enumerate() {
                    position[item] = i as f64;
                }
            }
        }
    }

    /// One barycentre sweep, left to right (`forward`) or back: each layer's items sorted by the
    /// mean place of their neighbours in the layer swept from.
    fn sweep(&mut self, forward: bool, move_factors: bool) {
        let mut position = vec![0.0; self.layer_of.len()];
        for layer in &self.layers {
            for (i, &item) in layer.iter().enumerate() {
                position[item] = i as f64;
            }
        }
        let count = self.layers.len();
        let order: Vec<usize> =
            if forward { (1..count).collect() } else { (0..count.saturating_sub(1)).rev().collect() };
        for l in order {
            let layer = &self.layers[l];
            let mut keyed: Vec<(f64, usize)> = layer
                .iter()
                .map(|&item| {
                    let from = if forward { &self.left[item] } else { &self.right[item] };
                    if from.is_empty() || (!move_factors && item < self.factors) {
                        (position[item], item)
                    } else {
                        (from.iter().map(|&m| position[m]).sum::<f64>() / from.len() as f64, item)
                    }
                })
                .collect();
            // A stable sort by key: items with no neighbours there keep their place.
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            self.layers[l] = keyed.iter().map(|&(_, i)| i).collect();
            for (i, &item) in self.layers[l].iter().enumerate() {
                position[item] = i as f64;
            }
        }
    }

    /// Pairs of segments that cross between each two neighbouring layers.
    fn crossings(&self) -> usize {
        let mut position = vec![0usize; self.layer_of.len()];
        for layer in &self.layers {
            for (i, &item) in layer.iter().enumerate() {
                position[item] = i;
            }
        }
        let mut total = 0;
        for layer in &self.layers {
            let mut segments: Vec<(usize, usize)> = layer
                .iter()
                .flat_map(|&a| self.right[a].iter().map(move |&b| (a, b)))
                .map(|(a, b)| (position[a], position[b]))
                .collect();
            segments.sort_unstable();
            // Inversions of the right ends, counted with a Fenwick tree (Barth, Jünger and Mutzel
            // 2002 count bilayer crossings this way).
            let size = segments.iter().map(|&(_, b)| b + 1).max().unwrap_or(0);
            let mut tree = vec![0usize; size + 1];
            for (seen, &(_, b)) in segments.iter().enumerate() {
                // Segments already seen whose right end lies below this one's.
                let mut at = b + 1;
                let mut not_below = 0;
                while at > 0 {
                    not_below += tree[at];
                    at -= at & at.wrapping_neg();
                }
                total += seen - not_below;
                let mut at = b + 1;
                while at <= size {
                    tree[at] += 1;
                    at += at & at.wrapping_neg();
                }
            }
        }
        total
    }

    fn draw(&self, map: &CauseMap) -> Layout {
        let items = self.layer_of.len();
        let central = map.central.min(self.factors.saturating_sub(1));
        let text_width = BOX_WIDTH - 2.0 * PADDING_X;
        let lines: Vec<Vec<String>> = map
            .factors
            .iter()
            .enumerate()
            .map(|(f, label)| wrap(label, text_width, if f == central { LABEL_SIZE * 1.1 } else { LABEL_SIZE }))
            .collect();
        let height: Vec<f64> = (0..items)
            .map(|i| {
                if i < self.factors {
                    2.0 * PADDING_Y + lines[i].len() as f64 * LINE_HEIGHT + NOTE_HEIGHT
                } else {
                    DUMMY_HEIGHT
                }
            })
            .collect();
        let column_x = |layer: usize| {
            let column = if layer >= self.main_layers { layer - self.main_layers } else { layer };
            MARGIN + column as f64 * (BOX_WIDTH + COLUMN_GAP)
        };
        // Centres, first stacked, then pulled towards their neighbours' centres.
        let mut centre = vec![0.0; items];
        for layer in &self.layers {
            let mut y = 0.0;
            for &item in layer {
                centre[item] = y + height[item] / 2.0;
                y += height[item] + ROW_GAP;
            }
        }
        for sweep in 0..PLACEMENT_SWEEPS {
            let layer_order: Vec<usize> =
                if sweep % 2 == 0 { (0..self.layers.len()).collect() } else { (0..self.layers.len()).rev().collect() };
            for l in layer_order {
                let layer = &self.layers[l];
                let wanted: Vec<f64> = layer
                    .iter()
                    .map(|&item| {
                        let near: Vec<usize> = self.left[item].iter().chain(&self.right[item]).copied().collect();
                        if near.is_empty() {
                            centre[item]
                        } else {
                            near.iter().map(|&m| centre[m]).sum::<f64>() / near.len() as f64
                        }
                    })
                    .collect();
                let weights: Vec<f64> = layer.iter().map(|&i| if i < self.factors { 1.0 } else { 0.3 }).collect();
                let heights: Vec<f64> = layer.iter().map(|&i| height[i]).collect();
                for (&item, y) in layer.iter().zip(fit_in_order(&wanted, &weights, &heights)) {
                    centre[item] = y;
                }
            }
        }
        // Each area from its own top: the main one at the margin, the one apart below it.
        let area_top = |main: bool| {
            self.layers
                .iter()
                .enumerate()
                .filter(|(l, _)| (*l < self.main_layers) == main)
                .flat_map(|(_, layer)| layer.iter().map(|&i| centre[i] - height[i] / 2.0))
                .fold(f64::INFINITY, f64::min)
        };
        let area_bottom = |main: bool, shift: f64| {
            self.layers
                .iter()
                .enumerate()
                .filter(|(l, _)| (*l < self.main_layers) == main)
                .flat_map(|(_, layer)| layer.iter().map(|&i| centre[i] + height[i] / 2.0 + shift))
                .fold(0.0, f64::max)
        };
        let main_top = area_top(true);
        let main_shift = if main_top.is_finite() { MARGIN - main_top } else { MARGIN };
        let main_bottom = area_bottom(true, main_shift).max(MARGIN);
        let has_apart = self.layers.len() > self.main_layers;
        let apart_y = has_apart.then_some(main_bottom + APART_GAP / 2.0);
        let apart_shift = match apart_y {
            Some(y) => y + APART_HEADING - area_top(false),
            None => 0.0,
        };
        let bottom = if has_apart { area_bottom(false, apart_shift) } else { main_bottom };
        for (item, c) in centre.iter_mut().enumerate() {
            *c += if self.layer_of[item] < self.main_layers { main_shift } else { apart_shift };
        }
        let columns = self
            .layer_of
            .iter()
            .map(|&l| if l >= self.main_layers { l - self.main_layers } else { l })
            .max()
            .unwrap_or(0);
        // Room on the right for arrows that loop back round the right-most column.
        let width = 2.0 * MARGIN + 48.0 + (columns + 1) as f64 * BOX_WIDTH + columns as f64 * COLUMN_GAP;

        let nodes: Vec<NodeBox> = (0..self.factors)
            .map(|f| {
                let layer = self.layer_of[f];
                NodeBox {
                    factor: f,
                    column: if layer >= self.main_layers { layer - self.main_layers } else { layer },
                    apart: self.apart[f],
                    x: column_x(layer),
                    y: centre[f] - height[f] / 2.0,
                    width: BOX_WIDTH,
                    height: height[f],
                    lines: lines[f].clone(),
                }
            })
            .collect();
        let ports = self.ports(&nodes, &centre);
        let mut lane = vec![0usize; self.layers.len()];
        let edges = self
            .chains
            .iter()
            .enumerate()
            .map(|(k, chain)| {
                let (a, b) = (&nodes[chain.from], &nodes[chain.to]);
                let mut points = Vec::with_capacity(chain.dummies.len() * 2 + 3);
                if chain.from == chain.to {
                    let (x, y) = (a.x + a.width, a.y + a.height / 2.0);
                    points.extend([(x, y - 8.0), (x + 26.0, y - 8.0), (x + 26.0, y + 8.0), (x, y + 8.0)]);
                } else if chain.special && a.apart == b.apart {
                    // Within one column: out to the right, along the gap, back in from the right.
                    let slot = &mut lane[self.layer_of[chain.from]];
                    let x = a.x + a.width + 18.0 + (*slot % 5) as f64 * 10.0;
                    *slot += 1;
                    let (ya, yb) = (a.y + a.height * 0.7, b.y + b.height * 0.7);
                    points.extend([(a.x + a.width, ya), (x, ya), (x, yb), (b.x + b.width, yb)]);
                } else if chain.special {
                    // Between the areas: down the gap beside the source, along the gap between the
                    // areas, into the target from the left.
                    let gap_y = apart_y.unwrap_or(b.y) - 6.0;
                    let (ya, yb) = (a.y + a.height / 2.0, b.y + b.height / 2.0);
                    let out = a.x + a.width + 12.0;
                    points.extend([
                        (a.x + a.width, ya),
                        (out, ya),
                        (out, gap_y),
                        (b.x - 16.0, gap_y),
                        (b.x - 16.0, yb),
                        (b.x, yb),
                    ]);
                } else if chain.backward {
                    let (ya, yb) = (a.y + a.height * 0.75, b.y + b.height * 0.75);
                    points.push((a.x, ya));
                    for &d in chain.dummies.iter().rev() {
                        let x = column_x(self.layer_of[d]);
                        points.extend([(x + BOX_WIDTH, centre[d]), (x, centre[d])]);
                    }
                    if chain.dummies.is_empty() {
                        // A way back across one gap bows below the way there, so both show.
                        points.push(((a.x + b.x + b.width) / 2.0, ya.max(yb) + 22.0));
                    }
                    points.push((b.x + b.width, yb));
                } else {
                    points.push((a.x + a.width, ports.out[k]));
                    for &d in &chain.dummies {
                        let x = column_x(self.layer_of[d]);
                        points.extend([(x, centre[d]), (x + BOX_WIDTH, centre[d])]);
                    }
                    points.push((b.x, ports.into[k]));
                }
                EdgeRoute { from: chain.from, to: chain.to, points, backward: chain.backward }
            })
            .collect();
        Layout { width, height: bottom + MARGIN, nodes, edges, apart_y }
    }

    /// Where each forward arrow leaves its source (right side) and enters its target (left side):
    /// spread over the middle of the box in the order of the other ends, so arrows do not cross
    /// at the box.
    fn ports(&self, nodes: &[NodeBox], centre: &[f64]) -> Ports {
        let mut out = vec![0.0; self.chains.len()];
        let mut into = vec![0.0; self.chains.len()];
        let mut leaving: Vec<Vec<(f64, usize)>> = vec![Vec::new(); self.factors];
        let mut arriving: Vec<Vec<(f64, usize)>> = vec![Vec::new(); self.factors];
        for (k, chain) in self.chains.iter().enumerate() {
            if chain.special || chain.backward {
                continue;
            }
            let first = chain.dummies.first().copied().unwrap_or(chain.to);
            let last = chain.dummies.last().copied().unwrap_or(chain.from);
            leaving[chain.from].push((centre[first], k));
            arriving[chain.to].push((centre[last], k));
        }
        let spread = |list: &mut Vec<(f64, usize)>, node: &NodeBox, ends: &mut [f64]| {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let count = list.len() as f64;
            let span = node.height * 0.5;
            for (i, &(_, k)) in list.iter().enumerate() {
                ends[k] = node.y + node.height / 2.0 - span / 2.0 + span * (i as f64 + 0.5) / count;
            }
        };
        for f in 0..self.factors {
            spread(&mut leaving[f], &nodes[f], &mut out);
            spread(&mut arriving[f], &nodes[f], &mut into);
        }
        Ports { out, into }
    }
}

struct Ports {
    out: Vec<f64>,
    into: Vec<f64>,
}

/// Centres as near `wanted` as least squares allows (by `weights`) while keeping the order and a
/// gap of [`ROW_GAP`] between boxes of `heights`: pool-adjacent-violators isotonic regression on
/// the centres less each box's least offset from the first.
fn fit_in_order(wanted: &[f64], weights: &[f64], heights: &[f64]) -> Vec<f64> {
    let mut offset = Vec::with_capacity(wanted.len());
    let mut at = 0.0;
    for (i, h) in heights.iter().enumerate() {
        if i > 0 {
            at += (heights[i - 1] + h) / 2.0 + ROW_GAP;
        }
        offset.push(at);
    }
    // Blocks of (weighted mean, weight, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(wanted.len());
    for i in 0..wanted.len() {
        let mut block = (wanted[i] - offset[i], weights[i], 1);
        while let Some(&(mean, weight, count)) = blocks.last() {
            if mean < block.0 {
                break;
            }
            blocks.pop();
            let total = weight + block.1;
            block = ((mean * weight + block.0 * block.1) / total, total, count + block.2);
        }
        blocks.push(block);
    }
    let mut fitted = Vec::with_capacity(wanted.len());
    for (mean, _, count) in blocks {
        for _ in 0..count {
            let i = fitted.len();
            fitted.push(mean + offset[i]);
        }
    }
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::causes::synthetic_map;

    fn map(labels: &[&str], arrows: &[(usize, usize)], central: usize) -> CauseMap {
        CauseMap { factors: labels.iter().map(|l| (*l).to_owned()).collect(), arrows: arrows.to_vec(), central }
    }

    #[test]
    fn columns_point_towards_the_central_event_and_cut_off_factors_lie_apart() {
        let m = synthetic_map(100, 300, 3);
        let laid = layout(&m, &[]);
        let central = &laid.nodes[m.central];
        let main: Vec<&NodeBox> = laid.nodes.iter().filter(|n| !n.apart).collect();
        assert!(main.iter().all(|n| n.column <= central.column && n.x <= central.x));
        assert_eq!(main.iter().filter(|n| n.column == central.column).count(), 1, "the central event alone");
        for &(from, to) in &m.arrows {
            let (a, b) = (&laid.nodes[from], &laid.nodes[to]);
            if !a.apart && !b.apart {
                assert!(b.column <= a.column + 1, "an arrow towards the central event crosses one gap");
            }
        }
        // Every factor but the central event has an arrow one column nearer it.
        for n in &main {
            if n.factor != m.central {
                let nearer = m.arrows.iter().any(|&(f, t)| f == n.factor && laid.nodes[t].column == n.column + 1);
                assert!(nearer, "factor {} leads on", n.factor);
            }
        }
        let apart_y = laid.apart_y.expect("the synthetic map has factors cut off");
        let main_bottom = main.iter().map(|n| n.y + n.height).fold(0.0, f64::max);
        assert!(laid.nodes.iter().filter(|n| n.apart).all(|n| n.y > apart_y && n.x < central.x));
        assert!(apart_y > main_bottom);
    }

    #[test]
    fn no_two_boxes_overlap_at_100_factors_and_routes_stay_inside() {
        let m = synthetic_map(100, 400, 11);
        let laid = layout(&m, &[]);
        for (i, a) in laid.nodes.iter().enumerate() {
            for b in &laid.nodes[i + 1..] {
                let apart =
                    a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
                assert!(apart, "{} and {} overlap", a.factor, b.factor);
            }
            assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.width <= laid.width && a.y + a.height <= laid.height);
        }
        for e in &laid.edges {
            assert!(e.points.len() >= 2);
            assert!(e.points.iter().all(|&(x, y)| (0.0..=laid.width).contains(&x) && (0.0..=laid.height).contains(&y)));
        }
        assert_eq!(laid.edges.len(), m.arrows.len());
    }

    #[test]
    fn the_persons_order_is_kept_within_a_column() {
        // Three factors in one column before the central event.
        let m = map(&["a", "b", "c", "event"], &[(0, 3), (1, 3), (2, 3)], 3);
        let ys = |order: &[i64]| -> Vec<f64> { layout(&m, order).nodes.iter().map(|n| n.y).collect() };
        let plain = ys(&[]);
        assert!(plain[0] < plain[1] && plain[1] < plain[2], "ties by index");
        let moved = ys(&[2, 0, 1, 0]);
        assert!(moved[1] < moved[2] && moved[2] < moved[0], "b, c, a as asked");
    }

    #[test]
    fn tidy_removes_a_crossing_and_keeps_no_worse() {
        // event ← x ← b and event ← y ← a, with a above b and x above y: the two arrows cross.
        let m = map(&["event", "x", "y", "a", "b"], &[(1, 0), (2, 0), (3, 2), (4, 1)], 0);
        let order = [0, 0, 1, 0, 1];
        assert_eq!(crossings(&m, &order), 1);
        let tidied = tidy(&m, &order);
        assert_eq!(crossings(&m, &tidied), 0);

        let big = synthetic_map(100, 300, 5);
        let before = crossings(&big, &[]);
        let after = crossings(&big, &tidy(&big, &[]));
        assert!(after < before, "{after} < {before}");
    }

    #[test]
    fn labels_wrap_within_the_box_and_long_ones_end_in_an_ellipsis() {
        let width = BOX_WIDTH - 2.0 * PADDING_X;
        let lines = wrap("Families with young children wait too long for a first appointment", width, LABEL_SIZE);
        assert!(lines.len() >= 2);
        assert!(lines.iter().all(|l| text_width(l, LABEL_SIZE) <= width));
        assert_eq!(lines.join(" "), "Families with young children wait too long for a first appointment");
        let unbroken = wrap(&"x".repeat(60), width, LABEL_SIZE);
        assert!(unbroken.len() > 1 && unbroken.iter().all(|l| text_width(l, LABEL_SIZE) <= width));
        let endless = wrap(&"word ".repeat(200), width, LABEL_SIZE);
        assert_eq!(endless.len(), MAX_LINES);
        assert!(endless[MAX_LINES - 1].ends_with('…'));
    }
}
