//! Assisted coding: suggests codes from a codebook for a text, learnt from texts researchers have
//! already coded. One linear support vector machine per code (one-vs-rest) over the TF-IDF
//! features of [`super::features`], with Platt-scaled confidences and a decision rule chosen by
//! cross-validation on the training texts alone.
//!
//! - Training: the dual coordinate descent method for the L2-regularised, squared-hinge-loss
//!   linear SVM (Hsieh, Chang, Lin, Keerthi & Sundararajan, "A dual coordinate descent method for
//!   large-scale linear SVM", ICML 2008; what LIBLINEAR and scikit-learn's `LinearSVC` run), with
//!   the bias as a constant feature of value 1, and with their shrinking (section 3.2): pairs of
//!   text and code settled at zero are left out of passes until the code is otherwise converged.
//!   Codes are trained in blocks of eight, a block on a core: a feature's weights for the block
//!   sit together, so one walk over a text's features scores and updates them all. The internal
//!   folds' models (for calibration) start from the final model's solution with the fold's texts
//!   taken out (a warm start, as LIBLINEAR's cross-validation of C does) and run one pass.
//! - Confidence: Platt's sigmoid fitted to decision values the model did not see in training
//!   (Platt 1999; the Newton method with backtracking of Lin, Lin & Weng, "A note on Platt's
//!   probabilistic outputs for support vector machines", Machine Learning 68, 2007), over the
//!   values summarised in bins when there are thousands.
//! - Decision: a code is suggested when its confidence reaches a threshold; when no code does,
//!   the most likely code is suggested if its confidence reaches a second, lower threshold (most
//!   coded texts carry at least one code). Both thresholds are those that maximise micro-F1 over
//!   the training texts' out-of-fold confidences.
//!
//! Why hand-written rather than a crate: linfa-svm is dense (ndarray) and kernel-oriented, and a
//! dense matrix over a vocabulary of 100,000 terms would not fit; the sparse solver is a page long
//! and tested here. Deterministic for a seed: the only randomness is the order of texts in each
//! pass and the internal folds, both from the seed.

use std::fmt;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::features::{SparseVector, Vectoriser, VectoriserOptions, parallel_chunks, parallel_chunks_of_at_least};

/// How a [`Model`] is trained.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The text features.
    pub features: VectoriserOptions,
    /// The SVM's cost of a margin violation (larger fits the training texts more closely).
    pub c: f64,
    /// The most passes over the texts for each SVM. LIBLINEAR stops at 1,000 and runs to
    /// `tolerance`, which takes about 10 here; stopping at 5 gives the same cross-validated F1
    /// (docs/quality.md) in half the time.
    pub max_epochs: usize,
    /// The SVM stops once every code's projected-gradient spread is below this (LIBLINEAR's 0.1).
    pub tolerance: f64,
    /// The most passes for each internal fold's SVMs, which start from the final model's solution
    /// and only score the fold's texts for calibration: one pass brings them close enough
    /// (the same cross-validated F1 as 3 passes, or as running them to tolerance).
    pub calibration_epochs: usize,
    /// Internal folds for the out-of-fold confidences that calibrate the model and choose its
    /// decision rule (at least 2).
    pub calibration_folds: usize,
    /// The seed of the texts' order and the internal folds.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: VectoriserOptions::default(),
            c: 0.5,
            max_epochs: 5,
            tolerance: 0.1,
            calibration_epochs: 1,
            calibration_folds: 2,
            seed: 2024,
        }
    }
}

/// Why a model could not be trained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainError {
    /// Fewer than two texts.
    TooFewTexts(usize),
    /// `labels` has a different length from `texts`.
    LabelRows { texts: usize, labels: usize },
    /// A text's labels have a different length from the code names (`row` counts from 0).
    LabelColumns { row: usize, expected: usize, found: usize },
    /// No code names.
    NoCodes,
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::TooFewTexts(n) => write!(f, "at least two coded texts are needed to train (got {n})"),
            TrainError::LabelRows { texts, labels } => {
                write!(f, "{texts} texts but {labels} rows of labels")
            }
            TrainError::LabelColumns { row, expected, found } => {
                write!(f, "text {row} has {found} labels, expected one for each of the {expected} codes")
            }
            TrainError::NoCodes => write!(f, "there are no codes to learn"),
        }
    }
}

impl std::error::Error for TrainError {}

/// One suggested code with its confidence (a calibrated probability, 0 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    pub code: usize,
    pub confidence: f32,
}

/// When codes are suggested, from their confidences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionRule {
    /// Every code with at least this confidence is suggested.
    pub threshold: f32,
    /// When none reaches `threshold`, the most likely code is suggested if it reaches this; above
    /// 1 means never.
    pub top_threshold: f32,
}

impl DecisionRule {
    /// The codes this rule suggests given every code's confidence, most confident first.
    pub fn decide(&self, confidences: &[f32]) -> Vec<Suggestion> {
        let mut chosen: Vec<Suggestion> = confidences
            .iter()
            .enumerate()
            .filter(|(_, p)| **p >= self.threshold)
            .map(|(code, &confidence)| Suggestion { code, confidence })
            .collect();
        if chosen.is_empty()
            && let Some((code, &confidence)) =
                confidences.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            && confidence >= self.top_threshold
        {
            chosen.push(Suggestion { code, confidence });
        }
        chosen.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.code.cmp(&b.code)));
        chosen
    }
}

/// A trained assisted-coding model.
#[derive(Debug, Clone)]
pub struct Model {
    code_names: Vec<String>,
    vectoriser: Vectoriser,
    svm: LinearSvms,
    /// Platt's (A, B) per code: confidence = 1 / (1 + exp(A f + B)).
    platt: Vec<(f32, f32)>,
    rule: DecisionRule,
}

impl Model {
    /// Trains on `texts`, where `labels[i][c]` says whether text `i` has code `c` (named
    /// `code_names[c]`). Uses every core.
    pub fn train(
        texts: &[&str],
        labels: &[Vec<bool>],
        code_names: &[String],
        options: &TrainOptions,
    ) -> Result<Model, TrainError> {
        if code_names.is_empty() {
            return Err(TrainError::NoCodes);
        }
        if texts.len() < 2 {
            return Err(TrainError::TooFewTexts(texts.len()));
        }
        if labels.len() != texts.len() {
            return Err(TrainError::LabelRows { texts: texts.len(), labels: labels.len() });
        }
        if let Some(row) = labels.iter().position(|l| l.len() != code_names.len()) {
            return Err(TrainError::LabelColumns { row, expected: code_names.len(), found: labels[row].len() });
        }
        let codes = code_names.len();
        // The vocabulary is learnt from all training texts: it uses no labels.
        let vectoriser = Vectoriser::fit(texts, &options.features);
        let x = vectoriser.transform_batch(texts);
        let dimension = vectoriser.len();

        // Internal folds by a seeded shuffle; fold f's texts are scored by a model trained on the
        // others, and the final model (`None`) on all of them. All trained at once.
        let folds = options.calibration_folds.clamp(2, texts.len());
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.shuffle(&mut StdRng::seed_from_u64(options.seed ^ 0x9e37_79b9_7f4a_7c15));
        let mut fold_of = vec![0usize; texts.len()];
        for (position, &i) in order.iter().enumerate() {
            fold_of[i] = position % folds;
        }
        // Codes in blocks of `BLOCK`, each block trained (final model, then the folds' models warm
        // started from it) and calibrated on its own, so blocks share out between cores.
        let blocks: Vec<std::ops::Range<usize>> =
            (0..codes).step_by(BLOCK).map(|start| start..(start + BLOCK).min(codes)).collect();
        let squared_norms = squared_norms(&x);
        let problem =
            Problem { x: &x, squared_norms: &squared_norms, labels, fold_of: &fold_of, folds, dimension, options };
        let trained = parallel_chunks_of_at_least(&blocks, 1, |chunk| {
            chunk.iter().map(|codes| problem.train_block(codes.clone())).collect::<Vec<_>>()
        });
        let mut svm = LinearSvms { codes, weights: vec![0.0; dimension * codes], bias: vec![0.0; codes] };
        let mut out_of_fold = vec![0f32; texts.len() * codes];
        let mut platt: Vec<(f32, f32)> = Vec::with_capacity(codes);
        for (range, block) in blocks.iter().zip(trained.into_iter().flatten()) {
            let lanes = range.len();
            for (f, w) in block.weights.iter().enumerate() {
                svm.weights[f * codes + range.start..f * codes + range.end].copy_from_slice(&w[..lanes]);
            }
            svm.bias[range.clone()].copy_from_slice(&block.bias[..lanes]);
            for (i, values) in block.out_of_fold.iter().enumerate() {
                out_of_fold[i * codes + range.start..i * codes + range.end].copy_from_slice(&values[..lanes]);
            }
            platt.extend(block.platt);
        }
        let confidences: Vec<f32> = out_of_fold
            .chunks(codes)
            .flat_map(|row| row.iter().zip(&platt).map(|(&f, &(a, b))| sigmoid(a, b, f)))
            .collect();
        let rule = choose_rule(&confidences, labels, codes);
        Ok(Model { code_names: code_names.to_vec(), vectoriser, svm, platt, rule })
    }

    /// The codes' names, in the order of the labels it was trained on.
    pub fn code_names(&self) -> &[String] {
        &self.code_names
    }

    /// The rule that turns confidences into suggestions, chosen in training.
    pub fn decision_rule(&self) -> DecisionRule {
        self.rule
    }

    /// Replaces the decision rule (e.g. a higher threshold for fewer, surer suggestions).
    pub fn with_decision_rule(mut self, rule: DecisionRule) -> Model {
        self.rule = rule;
        self
    }

    /// The features the model reads.
    pub fn vectoriser(&self) -> &Vectoriser {
        &self.vectoriser
    }

    /// Every code's confidence for `text`, in code order.
    pub fn confidences(&self, text: &str) -> Vec<f32> {
        self.confidences_of(&self.vectoriser.transform(text))
    }

    fn confidences_of(&self, x: &SparseVector) -> Vec<f32> {
        let mut values = vec![0f32; self.code_names.len()];
        self.svm.decision_values(x, &mut values);
        values.iter_mut().zip(&self.platt).for_each(|(f, &(a, b))| *f = sigmoid(a, b, *f));
        values
    }

    /// The codes suggested for `text`, most confident first.
    pub fn suggest(&self, text: &str) -> Vec<Suggestion> {
        self.rule.decide(&self.confidences(text))
    }

    /// [`Model::suggest`] for many texts, in order, on every core.
    pub fn suggest_batch(&self, texts: &[&str]) -> Vec<Vec<Suggestion>> {
        parallel_chunks(texts, |chunk| {
            self.vectoriser
                .transform_batch_serial(chunk)
                .iter()
                .map(|x| self.rule.decide(&self.confidences_of(x)))
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect()
    }
}

fn sigmoid(a: f32, b: f32, f: f32) -> f32 {
    let z = a * f + b;
    // The two forms avoid overflow of exp for large |z|.
    if z >= 0.0 {
        let e = (-z).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + z.exp())
    }
}

/// One linear SVM per code: weights stored feature by feature (`weights[f * codes + c]`).
#[derive(Debug, Clone)]
struct LinearSvms {
    codes: usize,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl LinearSvms {
    /// Every code's decision value `w·x + b` into `out`.
    fn decision_values(&self, x: &SparseVector, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for (f, v) in x.iter() {
            let row = &self.weights[f * self.codes..(f + 1) * self.codes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }
}

/// Codes trained side by side: a feature's weights for a block's codes sit together, so one walk
/// over a text's features scores and updates them all (eight lanes, one or two SIMD registers).
/// Small enough that a text can be left out of a pass once all its block's codes are settled.
const BLOCK: usize = 8;

/// One value per code of a block.
type Lanes = [f32; BLOCK];

/// The training texts and how [`Model::train`] splits them, shared by every block of codes.
struct Problem<'a> {
    x: &'a [SparseVector],
    /// Each text's squared norm, the same for every block.
    squared_norms: &'a [f32],
    labels: &'a [Vec<bool>],
    /// Each text's internal fold, in `0..folds`.
    fold_of: &'a [usize],
    folds: usize,
    dimension: usize,
    options: &'a TrainOptions,
}

/// A block's SVMs, in the dual: `alpha` for every text (zero for texts not trained on), and the
/// weights and biases they add up to.
#[derive(Clone)]
struct Solution {
    weights: Vec<Lanes>,
    bias: Lanes,
    alpha: Vec<Lanes>,
}

/// What training one block of codes gives [`Model::train`].
struct TrainedBlock {
    weights: Vec<Lanes>,
    bias: Lanes,
    /// Every text's decision values from the model of the folds that left it out.
    out_of_fold: Vec<Lanes>,
    platt: Vec<(f32, f32)>,
}

/// The block's labels as ±1, with the texts and the constants of the dual.
struct Dual<'a> {
    x: &'a [SparseVector],
    lanes: usize,
    y: Vec<Lanes>,
    /// D_ii = 1/2C.
    diagonal: f32,
    /// Q_ii + D_ii: the squared norm of the text's vector, plus the bias feature's 1, plus D_ii.
    q: Vec<f32>,
}

impl Problem<'_> {
    fn dual(&self, codes: std::ops::Range<usize>) -> Dual<'_> {
        let diagonal = (0.5 / self.options.c) as f32;
        let y = self
            .labels
            .iter()
            .map(|l| {
                std::array::from_fn(|j| {
                    if l.get(codes.start + j).is_some_and(|&t| t && j < codes.len()) { 1.0 } else { -1.0 }
                })
            })
            .collect();
        let q = self.squared_norms.iter().map(|n| n + 1.0 + diagonal).collect();
        Dual { x: self.x, lanes: codes.len(), y, diagonal, q }
    }

    /// Trains the final SVMs of `codes` (at most [`BLOCK`]) on every text, then each internal
    /// fold's from the final one's solution without the fold's texts (a warm start: most texts'
    /// alphas barely move), scores each fold's texts by its model, and fits Platt's sigmoids.
    fn train_block(&self, codes: std::ops::Range<usize>) -> TrainedBlock {
        let dual = self.dual(codes.clone());
        let n = self.x.len();
        let mut rng = StdRng::seed_from_u64(self.options.seed ^ codes.start as u64);
        let mut solution =
            Solution { weights: vec![[0.0; BLOCK]; self.dimension], bias: [0.0; BLOCK], alpha: vec![[0.0; BLOCK]; n] };
        let all: Vec<usize> = (0..n).collect();
        dual.solve(&all, &mut solution, self.options.max_epochs, self.options.tolerance, &mut rng, true);
        let mut out_of_fold = vec![[0f32; BLOCK]; n];
        for fold in 0..self.folds {
            let mut warm = solution.clone();
            let (kept, held_out): (Vec<usize>, Vec<usize>) = all.iter().partition(|&&i| self.fold_of[i] != fold);
            for &i in &held_out {
                warm.leave_out(i, &self.x[i], &dual.y[i]);
            }
            dual.solve(&kept, &mut warm, self.options.calibration_epochs, self.options.tolerance, &mut rng, true);
            for &i in &held_out {
                out_of_fold[i] = scores(&warm, &self.x[i]);
            }
        }
        let platt = (0..dual.lanes)
            .map(|j| {
                let values: Vec<f64> = out_of_fold.iter().map(|v| f64::from(v[j])).collect();
                let truth: Vec<bool> = dual.y.iter().map(|y| y[j] > 0.0).collect();
                let (a, b) = platt_fit(&values, &truth);
                (a as f32, b as f32)
            })
            .collect();
        TrainedBlock { weights: solution.weights, bias: solution.bias, out_of_fold, platt }
    }
}

fn squared_norms(x: &[SparseVector]) -> Vec<f32> {
    x.iter().map(|x| x.values.iter().map(|v| v * v).sum()).collect()
}

/// The block's decision values `w·x + b` for one text.
fn scores(solution: &Solution, x: &SparseVector) -> Lanes {
    let mut out = solution.bias;
    for (f, v) in x.iter() {
        for (o, w) in out.iter_mut().zip(&solution.weights[f]) {
            *o += w * v;
        }
    }
    out
}

impl Solution {
    /// Takes text `i` (features `x`, labels `y`) out of the solution: its alphas to zero, and
    /// what they added to the weights and biases taken away.
    fn leave_out(&mut self, i: usize, x: &SparseVector, y: &Lanes) {
        let change: Lanes = std::array::from_fn(|j| -self.alpha[i][j] * y[j]);
        self.alpha[i] = [0.0; BLOCK];
        add(self, x, &change);
    }
}

/// Adds `change`, a text's change of `alpha * y` in each lane, to the weights and biases.
fn add(solution: &mut Solution, x: &SparseVector, change: &Lanes) {
    for (b, d) in solution.bias.iter_mut().zip(change) {
        *b += d;
    }
    for (f, v) in x.iter() {
        for (w, d) in solution.weights[f].iter_mut().zip(change) {
            *w += d * v;
        }
    }
}

impl Dual<'_> {
    /// Dual coordinate descent (Hsieh et al. 2008, algorithm 1, L2 loss: U = ∞) over the texts
    /// `rows`, from `solution`, until each code's projected-gradient spread is within tolerance.
    ///
    /// With `shrinking` (their section 3.2, as LIBLINEAR does it): a (text, code) pair whose alpha
    /// is 0 and whose gradient exceeds the largest projected gradient of the code's previous pass
    /// is left out of later passes, and a text with none of its codes left is not visited at all;
    /// once a code's remaining pairs are within tolerance, all of its pairs are put back and
    /// checked again, so it stops only when every pair is.
    fn solve(
        &self,
        rows: &[usize],
        solution: &mut Solution,
        max_epochs: usize,
        tolerance: f64,
        rng: &mut StdRng,
        shrinking: bool,
    ) {
        let every: u32 = (1 << self.lanes) - 1;
        let mut active = vec![every; rows.len()];
        let mut shrunk = [0usize; BLOCK];
        let mut done: u32 = 0;
        let mut pg_max_before = [f32::INFINITY; BLOCK];
        let mut order: Vec<usize> = Vec::with_capacity(rows.len());
        for _ in 0..max_epochs.max(1) {
            if done == every {
                break;
            }
            order.clear();
            order.extend((0..rows.len()).filter(|&k| active[k] != 0));
            order.shuffle(rng);
            let mut pg_max = [f32::NEG_INFINITY; BLOCK];
            let mut pg_min = [f32::INFINITY; BLOCK];
            for &k in &order {
                let i = rows[k];
                let values = scores(solution, &self.x[i]);
                let mut change = [0f32; BLOCK];
                let mut moved = false;
                let mut lanes = active[k];
                let mut left = lanes;
                while left != 0 {
                    let c = left.trailing_zeros() as usize;
                    left &= left - 1;
                    let y = self.y[i][c];
                    let a = solution.alpha[i][c];
                    let gradient = y * values[c] - 1.0 + self.diagonal * a;
                    let projected = if a == 0.0 {
                        if shrinking && gradient > pg_max_before[c] {
                            lanes &= !(1 << c);
                            shrunk[c] += 1;
                            continue;
                        }
                        gradient.min(0.0)
                    } else {
                        gradient
                    };
                    pg_max[c] = pg_max[c].max(projected);
                    pg_min[c] = pg_min[c].min(projected);
                    if projected.abs() > 1e-12 {
                        let new = (a - gradient / self.q[i]).max(0.0);
                        solution.alpha[i][c] = new;
                        change[c] = (new - a) * y;
                        moved = true;
                    }
                }
                active[k] = lanes;
                if moved {
                    add(solution, &self.x[i], &change);
                }
            }
            for c in 0..self.lanes {
                let bit = 1u32 << c;
                if done & bit != 0 {
                    continue;
                }
                if f64::from(pg_max[c] - pg_min[c]) <= tolerance {
                    if shrunk[c] == 0 {
                        done |= bit;
                        active.iter_mut().for_each(|a| *a &= !bit);
                    } else {
                        active.iter_mut().for_each(|a| *a |= bit);
                        shrunk[c] = 0;
                        pg_max_before[c] = f32::INFINITY;
                    }
                } else {
                    pg_max_before[c] = if pg_max[c] <= 0.0 { f32::INFINITY } else { pg_max[c] };
                }
            }
        }
    }
}

/// Platt's fit reads a code's decision values through this many bins a class when there are more
/// than twice as many values: a bin stands for its values by their mean, weighted by their
/// number. The fit's terms are smooth in the value, so the sigmoid comes out the same to the
/// cross-validated F1's three decimals, for a fraction of the work on thousands of texts.
const PLATT_BINS: usize = 1_000;

/// Platt's (A, B) for decision values `f` with truths `y`, so that P(y | f) = 1/(1+exp(Af+B)).
fn platt_fit(f: &[f64], y: &[bool]) -> (f64, f64) {
    if f.len() > 2 * PLATT_BINS { sigmoid_fit(&binned(f, y, PLATT_BINS)) } else { sigmoid_fit(&each(f, y)) }
}

/// Every decision value with its truth, each of weight 1.
fn each(f: &[f64], y: &[bool]) -> Vec<(f64, bool, f64)> {
    f.iter().zip(y).map(|(&value, &truth)| (value, truth, 1.0)).collect()
}

/// The decision values of each class in `bins` equal bins over their range: each bin that holds
/// any as (their mean, the class, their number).
fn binned(f: &[f64], y: &[bool], bins: usize) -> Vec<(f64, bool, f64)> {
    let low = f.iter().copied().fold(f64::INFINITY, f64::min);
    let high = f.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let width = ((high - low) / bins as f64).max(f64::MIN_POSITIVE);
    let mut sum = vec![0.0; 2 * bins];
    let mut count = vec![0.0; 2 * bins];
    for (&value, &truth) in f.iter().zip(y) {
        let bin = (((value - low) / width) as usize).min(bins - 1) + if truth { bins } else { 0 };
        sum[bin] += value;
        count[bin] += 1.0;
    }
    (0..2 * bins).filter(|&b| count[b] > 0.0).map(|b| (sum[b] / count[b], b >= bins, count[b])).collect()
}

/// Platt's (A, B) for weighted decision values `(f, truth, weight)`: Newton's method with
/// backtracking on the regularised targets, after Lin, Lin & Weng (2007).
fn sigmoid_fit(points: &[(f64, bool, f64)]) -> (f64, f64) {
    let positives: f64 = points.iter().filter(|p| p.1).map(|p| p.2).sum();
    let negatives: f64 = points.iter().filter(|p| !p.1).map(|p| p.2).sum();
    let high = (positives + 1.0) / (positives + 2.0);
    let low = 1.0 / (negatives + 2.0);
    let target = |truth: bool| if truth { high } else { low };
    let objective = |a: f64, b: f64| -> f64 {
        points
            .iter()
            .map(|&(fi, truth, weight)| {
                let (z, t) = (fi * a + b, target(truth));
                weight * if z >= 0.0 { t * z + (-z).exp().ln_1p() } else { (t - 1.0) * z + z.exp().ln_1p() }
            })
            .sum()
    };
    let (mut a, mut b) = (0.0, ((negatives + 1.0) / (positives + 1.0)).ln());
    let mut value = objective(a, b);
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
        for &(fi, truth, weight) in points {
            let (z, t) = (fi * a + b, target(truth));
            let (p, q) = if z >= 0.0 {
                let e = (-z).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = z.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = weight * p * q;
            h11 += fi * fi * d2;
            h22 += d2;
            h21 += fi * d2;
            let d1 = weight * (t - p);
            g1 += fi * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let slope = g1 * da + g2 * db;
        let mut step = 1.0;
        let mut moved = false;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let candidate = objective(na, nb);
            if candidate < value + 1e-4 * step * slope {
                (a, b, value, moved) = (na, nb, candidate, true);
                break;
            }
            step /= 2.0;
        }
        if !moved {
            break;
        }
    }
    (a, b)
}

/// The decision rule with the best micro-F1 over out-of-fold `confidences` (`codes` a text).
///
/// Counts as [`DecisionRule::decide`] would for each candidate rule, without deciding each text
/// again: a threshold's hits are the confidences that reach it, and a text with none is left to
/// its most likely code.
fn choose_rule(confidences: &[f32], labels: &[Vec<bool>], codes: usize) -> DecisionRule {
    let truths = labels.iter().map(|l| l.iter().filter(|&&t| t).count() as u64).sum::<u64>();
    // Each text's most likely code's confidence (ties to the first, as `decide`), and its truth.
    let tops: Vec<(f32, bool)> = confidences
        .chunks(codes)
        .zip(labels)
        .filter_map(|(row, truth)| {
            let (code, &p) = row.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))?;
            Some((p, truth[code]))
        })
        .collect();
    let thresholds: Vec<f32> = (4..=14).map(|i| i as f32 * 0.05).collect();
    let mut best = (f64::NEG_INFINITY, DecisionRule { threshold: 0.5, top_threshold: 2.0 });
    for &threshold in &thresholds {
        let mut above = Counts::default();
        for (row, truth) in confidences.chunks(codes).zip(labels) {
            for (&p, &t) in row.iter().zip(truth) {
                if p >= threshold {
                    above.count(t);
                }
            }
        }
        let tops_below: Vec<(f32, bool)> = tops.iter().copied().filter(|&(p, _)| p < threshold).collect();
        let candidates = std::iter::once(2.0).chain((0..).map(|i| i as f32 * 0.05).take_while(|&t| t < threshold));
        for top_threshold in candidates {
            let mut counts = above;
            for &(p, t) in &tops_below {
                if p >= top_threshold {
                    counts.count(t);
                }
            }
            counts.fn_ = truths - counts.tp;
            let f1 = counts.f1();
            if f1 > best.0 + 1e-9 {
                best = (f1, DecisionRule { threshold, top_threshold });
            }
        }
    }
    best.1
}

/// True and false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Counts {
    /// One suggestion, right or wrong.
    fn count(&mut self, right: bool) {
        if right {
            self.tp += 1;
        } else {
            self.fp += 1;
        }
    }

    /// What deciding one text adds (the rule is chosen without it; tests check against it).
    #[cfg(test)]
    fn add(&mut self, truth: &[bool], suggested: &[Suggestion]) {
        let hits = suggested.iter().filter(|s| truth[s.code]).count() as u64;
        self.tp += hits;
        self.fp += suggested.len() as u64 - hits;
        self.fn_ += truth.iter().filter(|&&t| t).count() as u64 - hits;
    }

    fn f1(&self) -> f64 {
        let denominator = 2 * self.tp + self.fp + self.fn_;
        if denominator == 0 { 0.0 } else { 2.0 * self.tp as f64 / denominator as f64 }
    }
}

/// Micro- and macro-averaged scores of multi-label predictions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct F1Scores {
    /// F1 of all (text, code) decisions pooled.
    pub micro_f1: f64,
    pub micro_precision: f64,
    pub micro_recall: f64,
    /// The mean of each code's F1, over the codes that some text truly has (as scikit-learn's
    /// `f1_score(average="macro", labels=...)` with those codes).
    pub macro_f1: f64,
    /// How many codes the macro mean is over.
    pub codes_present: usize,
}

/// Scores `predicted[i][c]` against `truth[i][c]`.
pub fn f1_scores(truth: &[Vec<bool>], predicted: &[Vec<bool>]) -> F1Scores {
    let codes = truth.first().map_or(0, Vec::len);
    let mut per_code = vec![Counts::default(); codes];
    for (t, p) in truth.iter().zip(predicted) {
        for (c, counts) in per_code.iter_mut().enumerate() {
            match (t[c], p[c]) {
                (true, true) => counts.tp += 1,
                (false, true) => counts.fp += 1,
                (true, false) => counts.fn_ += 1,
                (false, false) => {}
            }
        }
    }
    let total =
        per_code.iter().fold(Counts::default(), |s, c| Counts { tp: s.tp + c.tp, fp: s.fp + c.fp, fn_: s.fn_ + c.fn_ });
    let present: Vec<&Counts> = per_code.iter().filter(|c| c.tp + c.fn_ > 0).collect();
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    F1Scores {
        micro_f1: total.f1(),
        micro_precision: ratio(total.tp, total.tp + total.fp),
        micro_recall: ratio(total.tp, total.tp + total.fn_),
        macro_f1: if present.is_empty() {
            0.0
        } else {
            present.iter().map(|c| c.f1()).sum::<f64>() / present.len() as f64
        },
        codes_present: present.len(),
    }
}

/// The outcome of [`cross_validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    /// Scores of the out-of-fold suggestions of all folds pooled.
    pub pooled: F1Scores,
    /// Each fold's scores.
    pub folds: Vec<F1Scores>,
    /// Each text's suggested codes (by the model that did not see it).
    pub predicted: Vec<Vec<bool>>,
    /// Seconds spent training each fold's model.
    pub train_seconds: Vec<f64>,
}

/// K-fold cross-validation with the given fold of each text (`fold_of[i]` in `0..k`): each fold is
/// suggested by a model trained, calibrated and given its decision rule on the other folds only.
pub fn cross_validate(
    texts: &[&str],
    labels: &[Vec<bool>],
    code_names: &[String],
    fold_of: &[usize],
    options: &TrainOptions,
) -> Result<CrossValidation, TrainError> {
    if labels.len() != texts.len() || fold_of.len() != texts.len() {
        return Err(TrainError::LabelRows { texts: texts.len(), labels: labels.len().min(fold_of.len()) });
    }
    let k = fold_of.iter().max().map_or(0, |m| m + 1);
    let mut predicted = vec![vec![false; code_names.len()]; texts.len()];
    let mut folds = Vec::with_capacity(k);
    let mut train_seconds = Vec::with_capacity(k);
    for fold in 0..k {
        let (train, test): (Vec<usize>, Vec<usize>) = (0..texts.len()).partition(|&i| fold_of[i] != fold);
        let started = std::time::Instant::now();
        let train_texts: Vec<&str> = train.iter().map(|&i| texts[i]).collect();
        let train_labels: Vec<Vec<bool>> = train.iter().map(|&i| labels[i].clone()).collect();
        let model = Model::train(&train_texts, &train_labels, code_names, options)?;
        train_seconds.push(started.elapsed().as_secs_f64());
        let test_texts: Vec<&str> = test.iter().map(|&i| texts[i]).collect();
        for (&i, suggestions) in test.iter().zip(model.suggest_batch(&test_texts)) {
            for s in suggestions {
                predicted[i][s.code] = true;
            }
        }
        let truth: Vec<Vec<bool>> = test.iter().map(|&i| labels[i].clone()).collect();
        let guessed: Vec<Vec<bool>> = test.iter().map(|&i| predicted[i].clone()).collect();
        folds.push(f1_scores(&truth, &guessed));
    }
    Ok(CrossValidation { pooled: f1_scores(labels, &predicted), folds, predicted, train_seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clearly synthetic comments: each code has its own words, with shared filler.
    fn corpus(n: usize) -> (Vec<String>, Vec<Vec<bool>>, Vec<String>) {
        let topics = [
            ["parking", "car park", "ticket machine", "spaces"],
            ["food", "lunch", "menu", "cold dinner"],
            ["kind nurse", "friendly staff", "caring", "polite"],
        ];
        let filler = ["the visit", "on tuesday", "overall", "at the clinic", "this time"];
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for i in 0..n {
            let mut label = vec![false; 3];
            let mut words = vec![filler[i % filler.len()]];
            label[i % 3] = true;
            words.push(topics[i % 3][(i / 3) % 4]);
            if i % 7 == 0 {
                let other = (i + 1) % 3;
                label[other] = true;
                words.push(topics[other][(i / 7) % 4]);
            }
            words.push(filler[(i / 5) % filler.len()]);
            texts.push(words.join(" "));
            labels.push(label);
        }
        (texts, labels, vec!["Parking".into(), "Food".into(), "Staff manner".into()])
    }

    #[test]
    fn learns_planted_codes_and_suggests_them_confidently() {
        let (texts, labels, names) = corpus(300);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let model = Model::train(&refs, &labels, &names, &TrainOptions::default()).expect("trains");
        let parking = model.suggest("Synthetic: no parking spaces at all");
        assert_eq!(parking.first().map(|s| s.code), Some(0), "{parking:?}");
        assert!(parking[0].confidence > 0.5);
        let both = model.suggest("the lunch was cold dinner, but a kind nurse helped");
        let codes: Vec<usize> = both.iter().map(|s| s.code).collect();
        assert!(codes.contains(&1) && codes.contains(&2), "{both:?}");
        let confidences = model.confidences("menu");
        assert!(confidences.iter().all(|p| (0.0..=1.0).contains(p)));
        assert_eq!(model.suggest_batch(&refs[..50]), refs[..50].iter().map(|t| model.suggest(t)).collect::<Vec<_>>());
    }

    #[test]
    fn same_seed_same_model() {
        let (texts, labels, names) = corpus(120);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let a = Model::train(&refs, &labels, &names, &TrainOptions::default()).expect("trains");
        let b = Model::train(&refs, &labels, &names, &TrainOptions::default()).expect("trains");
        assert_eq!(a.svm.weights, b.svm.weights);
        assert_eq!(a.platt, b.platt);
        assert_eq!(a.rule, b.rule);
    }

    /// The block's SVMs for the first `codes` codes of `corpus(300)`, solved to a tight tolerance
    /// over `rows`, from `start` (zero when `None`).
    fn tight_solution(rows: &[usize], start: Option<Solution>, shrinking: bool) -> (Solution, Vec<SparseVector>) {
        let (texts, labels, _) = corpus(300);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectoriser = Vectoriser::fit(&refs, &VectoriserOptions::default());
        let x = vectoriser.transform_batch(&refs);
        let options = TrainOptions::default();
        let fold_of = vec![0; refs.len()];
        let norms = squared_norms(&x);
        let problem = Problem {
            x: &x,
            squared_norms: &norms,
            labels: &labels,
            fold_of: &fold_of,
            folds: 1,
            dimension: vectoriser.len(),
            options: &options,
        };
        let dual = problem.dual(0..3);
        let mut solution = start.unwrap_or_else(|| Solution {
            weights: vec![[0.0; BLOCK]; vectoriser.len()],
            bias: [0.0; BLOCK],
            alpha: vec![[0.0; BLOCK]; refs.len()],
        });
        dual.solve(rows, &mut solution, 100_000, 1e-4, &mut StdRng::seed_from_u64(7), shrinking);
        (solution, x)
    }

    fn largest_difference(a: &Solution, b: &Solution) -> f32 {
        let weights = a.weights.iter().flatten().zip(b.weights.iter().flatten());
        weights.chain(a.bias.iter().zip(&b.bias)).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn shrinking_reaches_the_same_solution_as_every_pass_over_every_text() {
        let all: Vec<usize> = (0..300).collect();
        let (shrunk, _) = tight_solution(&all, None, true);
        let (plain, _) = tight_solution(&all, None, false);
        assert!(shrunk.alpha.iter().flatten().filter(|&&a| a > 0.0).count() > 10);
        assert!(largest_difference(&shrunk, &plain) < 1e-3, "{}", largest_difference(&shrunk, &plain));
    }

    #[test]
    fn a_fold_started_from_the_whole_solution_reaches_the_folds_own() {
        let all: Vec<usize> = (0..300).collect();
        let kept: Vec<usize> = (0..300).filter(|i| i % 3 != 0).collect();
        let (mut warm, x) = tight_solution(&all, None, true);
        let (_, labels, _) = corpus(300);
        for i in (0..300).filter(|i| i % 3 == 0) {
            let y: Lanes = std::array::from_fn(|j| if labels[i].get(j).copied().unwrap_or(false) { 1.0 } else { -1.0 });
            warm.leave_out(i, &x[i], &y);
        }
        let (warm, _) = tight_solution(&kept, Some(warm), true);
        let (cold, _) = tight_solution(&kept, None, true);
        assert!(largest_difference(&warm, &cold) < 1e-3, "{}", largest_difference(&warm, &cold));
    }

    #[test]
    fn cross_validation_scores_held_out_texts() {
        let (texts, labels, names) = corpus(300);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let folds: Vec<usize> = (0..refs.len()).map(|i| i % 5).collect();
        let cv = cross_validate(&refs, &labels, &names, &folds, &TrainOptions::default()).expect("runs");
        assert_eq!(cv.folds.len(), 5);
        assert!(cv.pooled.micro_f1 > 0.9, "{:?}", cv.pooled);
        assert_eq!(cv.pooled.codes_present, 3);
    }

    #[test]
    fn bad_shapes_are_refused() {
        let names = vec!["A".to_owned()];
        assert_eq!(
            Model::train(&["a"], &[vec![true]], &names, &TrainOptions::default()).err(),
            Some(TrainError::TooFewTexts(1))
        );
        assert_eq!(
            Model::train(&["a", "b"], &[vec![true], vec![]], &names, &TrainOptions::default()).err(),
            Some(TrainError::LabelColumns { row: 1, expected: 1, found: 0 })
        );
        assert_eq!(
            Model::train(&["a", "b"], &[vec![true]], &names, &TrainOptions::default()).err(),
            Some(TrainError::LabelRows { texts: 2, labels: 1 })
        );
        assert_eq!(
            Model::train(&["a", "b"], &[vec![], vec![]], &[], &TrainOptions::default()).err(),
            Some(TrainError::NoCodes)
        );
    }

    #[test]
    fn f1_by_hand() {
        let truth = vec![vec![true, false, false], vec![true, true, false]];
        let predicted = vec![vec![true, true, false], vec![false, true, false]];
        let s = f1_scores(&truth, &predicted);
        // tp 2, fp 1, fn 1 → micro 4/6; code 0: tp1 fn1 → 2/3; code 1: tp1 fp1 → 2/3; code 2 absent.
        assert!((s.micro_f1 - 4.0 / 6.0).abs() < 1e-12);
        assert!((s.macro_f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.codes_present, 2);
    }

    #[test]
    fn platt_fitted_through_bins_is_the_fit_on_every_value() {
        use rand::Rng;
        // 20,000 decision values as an SVM gives them: many negatives below -1, fewer positives.
        let mut rng = StdRng::seed_from_u64(3);
        let mut f = Vec::new();
        let mut y = Vec::new();
        for _ in 0..20_000 {
            let truth = rng.random::<f64>() < 0.1;
            let centre = if truth { 0.3 } else { -1.1 };
            f.push(centre + 0.6 * (rng.random::<f64>() + rng.random::<f64>() - 1.0) * 2.0);
            y.push(truth);
        }
        let exact = sigmoid_fit(&each(&f, &y));
        let (a, b) = platt_fit(&f, &y);
        assert!((a - exact.0).abs() < 1e-3 * exact.0.abs() && (b - exact.1).abs() < 1e-3 * exact.1.abs().max(1.0));
        for value in [-2.0, -1.0, 0.0, 0.5, 1.0] {
            let (p, q) = (sigmoid(a as f32, b as f32, value), sigmoid(exact.0 as f32, exact.1 as f32, value));
            assert!((p - q).abs() < 1e-4, "at {value}: {p} against {q}");
        }
    }

    #[test]
    fn platt_orders_confidence_by_decision_value() {
        let f: Vec<f64> = (0..100).map(|i| f64::from(i) / 25.0 - 2.0).collect();
        let y: Vec<bool> = f.iter().enumerate().map(|(i, v)| *v > 0.0 || i % 10 == 0).collect();
        let (a, b) = platt_fit(&f, &y);
        assert!(a < 0.0);
        assert!(sigmoid(a as f32, b as f32, 1.5) > 0.8);
        assert!(sigmoid(a as f32, b as f32, -1.5) < 0.3);
    }

    #[test]
    fn the_rule_chosen_is_the_best_of_deciding_every_text_by_every_rule() {
        let codes = 4;
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..20 {
            let labels: Vec<Vec<bool>> =
                (0..200).map(|_| (0..codes).map(|_| rand::Rng::random_bool(&mut rng, 0.3)).collect()).collect();
            let confidences: Vec<f32> = labels
                .iter()
                .flat_map(|l| l.clone())
                .map(|t| (rand::Rng::random_range(&mut rng, 0..20) as f32 * 0.05 + if t { 0.2 } else { 0.0 }).min(1.0))
                .collect();
            let thresholds: Vec<f32> = (4..=14).map(|i| i as f32 * 0.05).collect();
            let mut best = (f64::NEG_INFINITY, DecisionRule { threshold: 0.5, top_threshold: 2.0 });
            for &threshold in &thresholds {
                let tops = std::iter::once(2.0).chain((0..).map(|i| i as f32 * 0.05).take_while(|&t| t < threshold));
                for top_threshold in tops {
                    let rule = DecisionRule { threshold, top_threshold };
                    let mut counts = Counts::default();
                    for (row, truth) in confidences.chunks(codes).zip(&labels) {
                        counts.add(truth, &rule.decide(row));
                    }
                    if counts.f1() > best.0 + 1e-9 {
                        best = (counts.f1(), rule);
                    }
                }
            }
            assert_eq!(choose_rule(&confidences, &labels, codes), best.1);
        }
    }

    #[test]
    fn the_top_code_is_suggested_when_none_passes_the_threshold() {
        let rule = DecisionRule { threshold: 0.5, top_threshold: 0.2 };
        assert_eq!(rule.decide(&[0.1, 0.3, 0.25]), vec![Suggestion { code: 1, confidence: 0.3 }]);
        assert!(rule.decide(&[0.1, 0.15]).is_empty());
        assert_eq!(rule.decide(&[0.6, 0.9]).iter().map(|s| s.code).collect::<Vec<_>>(), [1, 0]);
    }
}
