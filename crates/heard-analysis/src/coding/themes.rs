//! Theme discovery: candidate themes for a pile of uncoded texts, for a researcher to read, name
//! and turn into codes. Spherical k-means over TF-IDF vectors of readable words (no stop words,
//! no character n-grams), seeded by k-means++.
//!
//! Why spherical k-means (Dhillon & Modha, "Concept decompositions for large sparse text data
//! using clustering", Machine Learning 42, 2001) rather than NMF: it maximises cosine similarity,
//! the measure TF-IDF vectors are made for; each text belongs to exactly one theme, so a theme has
//! a size and members a researcher can page through; each pass costs one sparse-dense product per
//! text and theme; and its normalised centroid ranks both the theme's terms and its most
//! representative texts. Seeding is k-means++ (Arthur & Vassilvitskii, SODA 2007) with distance
//! 1 - cosine, from a seeded RNG, so the same seed gives the same themes.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::features::{SparseVector, Term, Vectoriser, VectoriserOptions, parallel_chunks};

/// How themes are discovered.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeOptions {
    /// How many themes; `None` for [`default_theme_count`] of the number of texts.
    pub themes: Option<usize>,
    /// The seed of k-means++.
    pub seed: u64,
    /// The most assignment passes (k-means usually settles in tens).
    pub max_iterations: usize,
    /// Terms listed for each theme.
    pub top_terms: usize,
    /// Representative texts listed for each theme.
    pub representatives: usize,
    /// The word features (readable words by default).
    pub features: VectoriserOptions,
}

impl Default for ThemeOptions {
    fn default() -> Self {
        ThemeOptions {
            themes: None,
            seed: 2024,
            max_iterations: 50,
            top_terms: 8,
            representatives: 3,
            features: VectoriserOptions::readable_words(),
        }
    }
}

/// About √(n/2) themes (a common rule of thumb for k, Mardia, Kent & Bibby 1979), between 2 and
/// 20: more than 20 candidates is more than a researcher reads in one sitting.
pub fn default_theme_count(texts: usize) -> usize {
    ((texts as f64 / 2.0).sqrt().round() as usize).clamp(2, 20)
}

/// One candidate theme.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The words that weigh most in the theme's centroid, heaviest first.
    pub top_terms: Vec<String>,
    /// How many texts are in it.
    pub size: usize,
    /// The texts in it (indices into the input), in input order.
    pub members: Vec<usize>,
    /// The members closest to the centroid, closest first.
    pub representatives: Vec<usize>,
}

/// The outcome of [`discover`].
#[derive(Debug, Clone, PartialEq)]
pub struct Themes {
    /// Largest first (ties by first member).
    pub themes: Vec<Theme>,
    /// Texts with no word in the vocabulary (empty, or only stop words): in no theme.
    pub unplaced: Vec<usize>,
    /// Assignment passes run.
    pub iterations: usize,
}

/// Proposes themes for `texts`.
pub fn discover(texts: &[&str], options: &ThemeOptions) -> Themes {
    let vectoriser = Vectoriser::fit(texts, &options.features);
    let vectors = vectoriser.transform_batch(texts);
    let (placed, unplaced): (Vec<usize>, Vec<usize>) = (0..texts.len()).partition(|&i| vectors[i].nnz() > 0);
    let k = options.themes.unwrap_or_else(|| default_theme_count(placed.len())).min(placed.len());
    if k == 0 {
        return Themes { themes: Vec::new(), unplaced, iterations: 0 };
    }
    let x: Vec<&SparseVector> = placed.iter().map(|&i| &vectors[i]).collect();
    let dimension = vectoriser.len();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut centroids = seed_centroids(&x, k, dimension, &mut rng);
    let mut assignment = vec![usize::MAX; x.len()];
    let mut similarity = vec![0f32; x.len()];
    let mut iterations = 0;
    for _ in 0..options.max_iterations.max(1) {
        iterations += 1;
        let assigned: Vec<(usize, f32)> =
            parallel_chunks(&x, |chunk| chunk.iter().map(|v| nearest(v, &centroids, dimension)).collect::<Vec<_>>())
                .into_iter()
                .flatten()
                .collect();
        let mut changed = false;
        for (i, (theme, s)) in assigned.into_iter().enumerate() {
            changed |= assignment[i] != theme;
            assignment[i] = theme;
            similarity[i] = s;
        }
        refill_empty(&mut assignment, &mut similarity, k);
        centroids = mean_directions(&x, &assignment, k, dimension);
        if !changed {
            break;
        }
    }

    let mut themes: Vec<Theme> = (0..k)
        .map(|t| {
            let members: Vec<usize> = (0..x.len()).filter(|&i| assignment[i] == t).collect();
            let centroid = &centroids[t * dimension..(t + 1) * dimension];
            let mut closest: Vec<(f32, usize)> = members.iter().map(|&i| (x[i].dot(centroid), i)).collect();
            closest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            Theme {
                top_terms: top_terms(&vectoriser, centroid, options.top_terms),
                size: members.len(),
                representatives: closest.iter().take(options.representatives).map(|&(_, i)| placed[i]).collect(),
                members: members.iter().map(|&i| placed[i]).collect(),
            }
        })
        .filter(|t| t.size > 0)
        .collect();
    themes.sort_by(|a, b| b.size.cmp(&a.size).then(a.members.first().cmp(&b.members.first())));
    Themes { themes, unplaced, iterations }
}

/// k-means++: the first centroid is a random text, each next one a text drawn with probability
/// proportional to its distance (1 - cosine) from the nearest centroid so far.
fn seed_centroids(x: &[&SparseVector], k: usize, dimension: usize, rng: &mut StdRng) -> Vec<f32> {
    let mut centroids = vec![0f32; k * dimension];
    let mut distance = vec![f32::INFINITY; x.len()];
    let mut chosen = rng.random_range(0..x.len());
    for t in 0..k {
        let centroid = &mut centroids[t * dimension..(t + 1) * dimension];
        for (f, v) in x[chosen].iter() {
            centroid[f] = v;
        }
        let centroid = &centroids[t * dimension..(t + 1) * dimension];
        for (d, v) in distance.iter_mut().zip(x) {
            *d = d.min((1.0 - v.dot(centroid)).max(0.0));
        }
        let total: f64 = distance.iter().map(|&d| f64::from(d)).sum();
        if total <= 0.0 {
            // Every text already coincides with a centroid: any unchosen text will do.
            chosen = (chosen + 1) % x.len();
            continue;
        }
        let mut target = rng.random::<f64>() * total;
        chosen = x.len() - 1;
        for (i, &d) in distance.iter().enumerate() {
            target -= f64::from(d);
            if target < 0.0 && d > 0.0 {
                chosen = i;
                break;
            }
        }
    }
    centroids
}

/// The theme whose centroid is most similar to `v` (the lowest-numbered on a tie) and the cosine.
fn nearest(v: &SparseVector, centroids: &[f32], dimension: usize) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for (t, centroid) in centroids.chunks(dimension).enumerate() {
        let s = v.dot(centroid);
        if s > best.1 {
            best = (t, s);
        }
    }
    best
}

/// A theme left with no texts takes the text least similar to its own theme's centroid, so k
/// themes stay k (the usual repair for empty k-means clusters).
fn refill_empty(assignment: &mut [usize], similarity: &mut [f32], k: usize) {
    let mut sizes = vec![0usize; k];
    assignment.iter().for_each(|&t| sizes[t] += 1);
    for t in 0..k {
        if sizes[t] > 0 {
            continue;
        }
        let farthest = (0..assignment.len())
            .filter(|&i| sizes[assignment[i]] > 1)
            .min_by(|&a, &b| similarity[a].total_cmp(&similarity[b]).then(a.cmp(&b)));
        if let Some(i) = farthest {
            sizes[assignment[i]] -= 1;
            sizes[t] += 1;
            assignment[i] = t;
            similarity[i] = 1.0;
        }
    }
}

/// Each theme's centroid: the sum of its members' vectors, scaled to unit length.
fn mean_directions(x: &[&SparseVector], assignment: &[usize], k: usize, dimension: usize) -> Vec<f32> {
    let mut centroids = vec![0f32; k * dimension];
    for (v, &t) in x.iter().zip(assignment) {
        let centroid = &mut centroids[t * dimension..(t + 1) * dimension];
        for (f, value) in v.iter() {
            centroid[f] += value;
        }
    }
    for centroid in centroids.chunks_mut(dimension) {
        let norm = centroid.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            centroid.iter_mut().for_each(|v| *v /= norm);
        }
    }
    centroids
}

/// The heaviest word features of a centroid, leaving out a word already said by a chosen
/// two-word term and a two-word term whose words are both already listed.
fn top_terms(vectoriser: &Vectoriser, centroid: &[f32], n: usize) -> Vec<String> {
    let mut ranked: Vec<(f32, usize)> =
        centroid.iter().enumerate().filter(|(_, w)| **w > 0.0).map(|(i, &w)| (w, i)).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<&str> = Vec::with_capacity(n);
    for (_, i) in ranked {
        if chosen.len() >= n {
            break;
        }
        let Some(Term::Words(term)) = vectoriser.term(i) else { continue };
        let said = |word: &str| chosen.iter().any(|c| c.split(' ').any(|w| w == word));
        let redundant = match term.split_once(' ') {
            Some((a, b)) => said(a) && said(b),
            None => said(term),
        };
        if !redundant {
            chosen.push(term);
        }
    }
    chosen.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Synthetic comments on three planted topics with shared filler, shuffled together.
    fn planted() -> (Vec<String>, Vec<usize>) {
        let topics: [&[&str]; 3] = [
            &["parking", "car park", "parking spaces", "pay machine", "parking charges"],
            &["food", "hot meals", "menu choice", "tea and food", "cold food"],
            &["waiting", "waiting time", "long wait", "waited hours", "waiting room"],
        ];
        let filler = ["it was", "on monday", "we thought", "overall", "in the end", "my visit"];
        let mut rng = StdRng::seed_from_u64(11);
        let mut texts = Vec::new();
        let mut truth = Vec::new();
        for i in 0..300 {
            let topic = (i * 7) % 3;
            let mut words = Vec::new();
            for _ in 0..3 {
                words.push(filler[rng.random_range(0..filler.len())]);
                words.push(topics[topic][rng.random_range(0..topics[topic].len())]);
            }
            texts.push(format!("Synthetic: {}", words.join(" ")));
            truth.push(topic);
        }
        texts.push(String::new());
        texts.push("it was the".to_owned());
        truth.extend([usize::MAX, usize::MAX]);
        (texts, truth)
    }

    #[test]
    fn planted_topics_are_recovered() {
        let (texts, truth) = planted();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let found = discover(&refs, &ThemeOptions { themes: Some(3), ..ThemeOptions::default() });
        assert_eq!(found.themes.len(), 3);
        assert_eq!(found.unplaced, [300, 301], "empty and stop-word-only texts are in no theme");
        let mut topics_seen = Vec::new();
        for theme in &found.themes {
            let topic = truth[theme.members[0]];
            assert!(theme.members.iter().all(|&m| truth[m] == topic), "a theme is one planted topic");
            assert_eq!(theme.size, 100);
            assert_eq!(theme.representatives.len(), 3);
            assert!(theme.representatives.iter().all(|r| theme.members.contains(r)));
            topics_seen.push(topic);
            let expected = ["parking", "food", "waiting"][topic];
            assert!(theme.top_terms.iter().any(|t| t.contains(expected)), "{:?}", theme.top_terms);
            assert!(theme.top_terms.iter().all(|t| t.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '\'')));
        }
        topics_seen.sort_unstable();
        assert_eq!(topics_seen, [0, 1, 2]);
    }

    #[test]
    fn same_seed_same_themes() {
        let (texts, _) = planted();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let options = ThemeOptions { themes: Some(5), ..ThemeOptions::default() };
        assert_eq!(discover(&refs, &options), discover(&refs, &options));
        let by_default = discover(&refs, &ThemeOptions::default());
        assert_eq!(by_default.themes.len(), default_theme_count(300));
    }

    #[test]
    fn small_and_empty_piles() {
        assert!(discover(&[], &ThemeOptions::default()).themes.is_empty());
        let two = discover(
            &["parking parking", "parking again"],
            &ThemeOptions { themes: Some(5), ..ThemeOptions::default() },
        );
        assert!(two.themes.len() <= 2);
        assert_eq!(default_theme_count(10), 2);
        assert_eq!(default_theme_count(200), 10);
        assert_eq!(default_theme_count(100_000), 20);
    }
}
