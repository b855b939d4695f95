//! Text features for assisted coding and theme discovery: TF-IDF over word n-grams and character
//! n-grams inside word boundaries, as sparse L2-normalised vectors over a sorted vocabulary.
//!
//! The weighting is scikit-learn's `TfidfVectorizer` with `sublinear_tf` and smoothed IDF
//! (Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, 2008, §6.2-6.4):
//! `tf = 1 + ln(count)`, `idf = ln((1 + n) / (1 + df)) + 1`, then each vector is scaled to unit
//! length. Character n-grams are taken from each word padded with a space on both sides
//! (scikit-learn's `char_wb`), which carries misspellings and word endings ("apointment",
//! "waited"/"waiting") that word features miss in short comments.
//!
//! Everything is deterministic: the vocabulary is sorted, and hash maps are only looked up, never
//! iterated into a result.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What a [`Vectoriser`] counts, and how large its vocabulary may grow.
#[derive(Debug, Clone, PartialEq)]
pub struct VectoriserOptions {
    /// Word n-grams from 1 to this length (0 for no word features).
    pub max_word_ngram: usize,
    /// Character n-grams inside padded words, lengths `lo..=hi`; `None` for none.
    pub char_ngrams: Option<(usize, usize)>,
    /// A term must occur in at least this many texts to be kept.
    pub min_df: usize,
    /// At most this many terms are kept, the most widespread first (ties by the term's text).
    pub max_features: usize,
    /// Leave out common English function words and numbers from word features (and bigrams that
    /// hold one), so that what a feature says can be read by a person, as theme terms must be.
    pub drop_stop_words: bool,
}

impl Default for VectoriserOptions {
    /// Single words: what assisted coding uses (docs/quality.md has what word pairs and character
    /// n-grams add, and cost).
    fn default() -> Self {
        VectoriserOptions {
            max_word_ngram: 1,
            char_ngrams: None,
            min_df: 2,
            max_features: 300_000,
            drop_stop_words: false,
        }
    }
}

impl VectoriserOptions {
    /// Readable word unigrams and bigrams only, without stop words: for theme terms.
    pub fn readable_words() -> Self {
        VectoriserOptions {
            max_word_ngram: 2,
            char_ngrams: None,
            min_df: 2,
            max_features: 50_000,
            drop_stop_words: true,
        }
    }
}

/// A sparse vector: strictly increasing feature indices with their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseVector {
    /// The number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// `(index, value)` pairs in index order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.indices.iter().zip(&self.values).map(|(&i, &v)| (i as usize, v))
    }

    /// The dot product with a dense vector (indices past its end count as zero).
    pub fn dot(&self, dense: &[f32]) -> f32 {
        self.iter().map(|(i, v)| dense.get(i).copied().unwrap_or(0.0) * v).sum()
    }
}

/// What one feature of the vocabulary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term<'a> {
    /// One word, or two separated by a space.
    Words(&'a str),
    /// Characters from inside a word; a space marks the word's start or end.
    Chars(&'a str),
}

/// A fitted TF-IDF vectoriser: the vocabulary (word features first, then character features,
/// each sorted) with each term's inverse document frequency.
#[derive(Debug, Clone)]
pub struct Vectoriser {
    options: VectoriserOptions,
    words: Vec<Box<str>>,
    chars: Vec<Box<str>>,
    idf: Vec<f32>,
    word_index: FastMap<u32>,
    char_index: FastMap<u32>,
}

impl Vectoriser {
    /// Learns the vocabulary and IDF weights from `texts`, counting on every core.
    pub fn fit(texts: &[&str], options: &VectoriserOptions) -> Vectoriser {
        let partials = parallel_chunks(texts, |chunk| {
            let mut counts = DocumentCounts::default();
            let mut scratch = Scratch::default();
            for (doc, text) in chunk.iter().enumerate() {
                for_each_term(text, options, &mut scratch, |kind, term| counts.add(kind, term, doc));
            }
            counts
        });
        // The first chunk's maps are kept and the others' counts added to them: the chunks share
        // most of their terms, so this hashes far fewer keys than building fresh maps.
        let mut partials = partials.into_iter();
        let DocumentCounts { mut words, mut chars } = partials.next().unwrap_or_default();
        for partial in partials {
            for (term, (df, _)) in partial.words {
                words.entry(term).or_default().0 += df;
            }
            for (term, (df, _)) in partial.chars {
                chars.entry(term).or_default().0 += df;
            }
        }
        let min_df = options.min_df.max(1) as u32;
        // (is a char feature, term, df), filtered, then cut to the cap by df: a total order, so
        // the result does not depend on the maps' iteration order.
        let mut kept: Vec<(bool, Box<str>, u32)> = words
            .into_iter()
            .map(|(t, (df, _))| (false, t, df))
            .chain(chars.into_iter().map(|(t, (df, _))| (true, t, df)))
            .filter(|(_, _, df)| *df >= min_df)
            .collect();
        if kept.len() > options.max_features {
            kept.sort_unstable_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)).then_with(|| a.1.cmp(&b.1)));
            kept.truncate(options.max_features);
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let n = texts.len() as f64;
        let idf = kept.iter().map(|(_, _, df)| (((1.0 + n) / (1.0 + f64::from(*df))).ln() + 1.0) as f32).collect();
        let mut vectoriser = Vectoriser {
            options: options.clone(),
            words: Vec::new(),
            chars: Vec::new(),
            idf,
            word_index: FastMap::default(),
            char_index: FastMap::default(),
        };
        for (is_char, term, _) in kept {
            if is_char {
                vectoriser.chars.push(term);
            } else {
                vectoriser.words.push(term);
            }
        }
        for (i, term) in vectoriser.words.iter().enumerate() {
            vectoriser.word_index.insert(term.clone(), i as u32);
        }
        let offset = vectoriser.words.len();
        for (i, term) in vectoriser.chars.iter().enumerate() {
            vectoriser.char_index.insert(term.clone(), (offset + i) as u32);
        }
        vectoriser
    }

    /// The number of features (the vectors' dimension).
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// True when no term met the thresholds.
    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// What feature `index` is.
    pub fn term(&self, index: usize) -> Option<Term<'_>> {
        if index < self.words.len() {
            Some(Term::Words(&self.words[index]))
        } else {
            self.chars.get(index - self.words.len()).map(|t| Term::Chars(t))
        }
    }

    /// The options it was fitted with.
    pub fn options(&self) -> &VectoriserOptions {
        &self.options
    }

    /// One text's TF-IDF vector, L2-normalised (empty if none of its terms is in the vocabulary).
    pub fn transform(&self, text: &str) -> SparseVector {
        self.transform_with(text, &mut Scratch::default())
    }

    /// Many texts' vectors, in order, on every core.
    pub fn transform_batch(&self, texts: &[&str]) -> Vec<SparseVector> {
        parallel_chunks(texts, |chunk| self.transform_batch_serial(chunk)).into_iter().flatten().collect()
    }

    /// Many texts' vectors, in order, on this thread: for callers that share work between cores
    /// themselves.
    pub fn transform_batch_serial(&self, texts: &[&str]) -> Vec<SparseVector> {
        let mut scratch = Scratch::default();
        texts.iter().map(|text| self.transform_with(text, &mut scratch)).collect()
    }

    fn transform_with(&self, text: &str, scratch: &mut Scratch) -> SparseVector {
        let mut found = std::mem::take(&mut scratch.found);
        found.clear();
        for_each_term(text, &self.options, scratch, |kind, term| {
            let index = match kind {
                Kind::Word => self.word_index.get(term),
                Kind::Char => self.char_index.get(term),
            };
            if let Some(&index) = index {
                found.push(index);
            }
        });
        found.sort_unstable();
        let mut vector = SparseVector::default();
        let mut i = 0;
        while i < found.len() {
            let index = found[i];
            let mut count = 0u32;
            while i < found.len() && found[i] == index {
                count += 1;
                i += 1;
            }
            let tf = 1.0 + (count as f32).ln();
            vector.indices.push(index);
            vector.values.push(tf * self.idf[index as usize]);
        }
        let norm = vector.values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            vector.values.iter_mut().for_each(|v| *v /= norm);
        }
        scratch.found = found;
        vector
    }
}

/// The lower-cased words of a text: runs of letters and digits, with an apostrophe inside a word
/// kept ("didn't"), curly apostrophes made straight. The same words the features are built from.
pub fn words(text: &str) -> Vec<String> {
    let mut scratch = Scratch::default();
    lower(text, &mut scratch.lowered);
    split_words(&scratch.lowered).into_iter().map(str::to_owned).collect()
}

#[derive(Clone, Copy)]
enum Kind {
    Word,
    Char,
}

/// Buffers reused from one text to the next, so that counting allocates only for new terms.
#[derive(Default)]
struct Scratch {
    lowered: String,
    pair: String,
    padded: String,
    bounds: Vec<usize>,
    found: Vec<u32>,
}

/// Document frequencies of one chunk of texts: for each term, (texts it is in, last text seen),
/// so that a term repeated in a text counts once without a set per text.
#[derive(Default)]
struct DocumentCounts {
    words: FastMap<(u32, usize)>,
    chars: FastMap<(u32, usize)>,
}

impl DocumentCounts {
    fn add(&mut self, kind: Kind, term: &str, doc: usize) {
        let map = match kind {
            Kind::Word => &mut self.words,
            Kind::Char => &mut self.chars,
        };
        match map.get_mut(term) {
            Some((df, last)) => {
                if *last != doc {
                    *df += 1;
                    *last = doc;
                }
            }
            None => {
                map.insert(term.into(), (1, doc));
            }
        }
    }
}

fn lower(text: &str, out: &mut String) {
    out.clear();
    for c in text.chars() {
        match c {
            '\u{2019}' | '\u{2018}' | '`' => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

fn split_words(lowered: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = lowered.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let inner_apostrophe =
            c == '\'' && start.is_some() && chars.peek().is_some_and(|&(_, next)| next.is_alphanumeric());
        if c.is_alphanumeric() || inner_apostrophe {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            words.push(&lowered[s..i]);
        }
    }
    if let Some(s) = start {
        words.push(&lowered[s..]);
    }
    words
}

fn is_stop_word(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit()) || STOP_WORDS.binary_search(&word).is_ok()
}

/// Calls `each` with every term of `text`: word n-grams, then character n-grams of each word.
fn for_each_term(text: &str, options: &VectoriserOptions, scratch: &mut Scratch, mut each: impl FnMut(Kind, &str)) {
    let Scratch { lowered, pair, padded, bounds, .. } = scratch;
    lower(text, lowered);
    let words = split_words(lowered);
    let keep = |w: &str| !options.drop_stop_words || !is_stop_word(w);
    if options.max_word_ngram >= 1 {
        for word in words.iter().filter(|w| keep(w)) {
            each(Kind::Word, word);
        }
    }
    for n in 2..=options.max_word_ngram {
        for window in words.windows(n) {
            if window.iter().all(|w| keep(w)) {
                pair.clear();
                for (i, word) in window.iter().enumerate() {
                    if i > 0 {
                        pair.push(' ');
                    }
                    pair.push_str(word);
                }
                each(Kind::Word, pair);
            }
        }
    }
    if let Some((lo, hi)) = options.char_ngrams {
        for word in &words {
            padded.clear();
            padded.push(' ');
            padded.push_str(word);
            padded.push(' ');
            bounds.clear();
            bounds.extend(padded.char_indices().map(|(i, _)| i));
            bounds.push(padded.len());
            let length = bounds.len() - 1;
            for n in lo.max(1)..=hi.min(length) {
                for start in 0..=length - n {
                    each(Kind::Char, &padded[bounds[start]..bounds[start + n]]);
                }
            }
        }
    }
}

/// Runs `work` on chunks of `items` on every core, returning the results in chunk order. Texts
/// are cheap, so fewer than 256 stay on this thread.
pub(crate) fn parallel_chunks<T: Sync, R: Send>(items: &[T], work: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    parallel_chunks_of_at_least(items, 256, work)
}

/// [`parallel_chunks`] for items worth a thread of their own from `minimum` of them (1 for
/// trainings).
pub(crate) fn parallel_chunks_of_at_least<T: Sync, R: Send>(
    items: &[T],
    minimum: usize,
    work: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A few chunks per core so a core that is slowed by other work does not hold up the rest.
    let chunks = if items.len() < minimum.max(2) { 1 } else { (threads * 4).min(items.len()) };
    if chunks <= 1 || threads <= 1 {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(chunks);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<&[T]> = items.chunks(size).collect();
    let mut results: Vec<Option<R>> = Vec::new();
    results.resize_with(parts.len(), || None);
    let done = std::sync::Mutex::new(results);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(parts.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(part) = parts.get(i) else { break };
                    let result = work(part);
                    if let Ok(mut done) = done.lock() {
                        done[i] = Some(result);
                    }
                }
            });
        }
    });
    done.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()).into_iter().flatten().collect()
}

/// A hash map keyed by terms with a fast hasher: the keys are short strings counted millions of
/// times, where SipHash's protection against chosen keys costs more than it buys.
type FastMap<V> = HashMap<Box<str>, V, BuildHasherDefault<TermHasher>>;

/// A multiply-and-rotate hash over 8-byte words (in the manner of Firefox's and rustc's "Fx" hash).
#[derive(Default, Clone, Copy)]
struct TermHasher(u64);

impl TermHasher {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for TermHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Common English function words, sorted (a binary search finds them). Written for Heard: the
/// words that carry no theme in comments about services.
const STOP_WORDS: &[&str] = &[
    "'s", "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "being", "but", "by", "can", "could", "did", "didn't", "do", "does", "doesn't", "don't", "done", "each",
    "even", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "i",
    "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "just", "me", "more", "most", "much", "my",
    "no", "not", "now", "of", "on", "once", "one", "only", "or", "other", "our", "out", "over", "really", "she", "so",
    "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "up", "us", "very", "was", "wasn't", "we", "were", "what", "when", "where", "which",
    "while", "who", "why", "will", "with", "would", "you", "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn words_only(max: usize) -> VectoriserOptions {
        VectoriserOptions { max_word_ngram: max, char_ngrams: None, min_df: 1, ..VectoriserOptions::default() }
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_are_lower_cased_unicode_with_inner_apostrophes() {
        assert_eq!(
            words("Didn’t SEE the Café-owner's ÉCOLE, 'quoted' 42x"),
            ["didn't", "see", "the", "café", "owner's", "école", "quoted", "42x"]
        );
    }

    #[test]
    fn vocabulary_is_sorted_and_cut_by_document_frequency() {
        let texts = ["staff kind", "staff rude", "parking", "staff kind staff"];
        let v = Vectoriser::fit(&texts, &VectoriserOptions { min_df: 2, ..words_only(2) });
        let terms: Vec<_> = (0..v.len()).filter_map(|i| v.term(i)).collect();
        assert_eq!(terms, [Term::Words("kind"), Term::Words("staff"), Term::Words("staff kind")]);
        let capped = Vectoriser::fit(&texts, &VectoriserOptions { max_features: 1, ..words_only(2) });
        assert_eq!(capped.term(0), Some(Term::Words("staff")), "the most widespread term is kept");
        assert_eq!(capped.len(), 1);
    }

    #[test]
    fn char_ngrams_stay_inside_padded_words() {
        let options =
            VectoriserOptions { max_word_ngram: 0, char_ngrams: Some((2, 3)), min_df: 1, ..Default::default() };
        let v = Vectoriser::fit(&["ab cd"], &options);
        let terms: Vec<_> = (0..v.len()).filter_map(|i| v.term(i)).collect();
        let expected = [" a", " ab", " c", " cd", "ab", "ab ", "b ", "cd", "cd ", "d "];
        assert_eq!(terms, expected.iter().map(|t| Term::Chars(t)).collect::<Vec<_>>());
    }

    #[test]
    fn vectors_are_unit_length_with_sorted_indices_and_tfidf_weights() {
        let texts = ["waiting waiting time", "time", "kind staff"];
        let v = Vectoriser::fit(&texts, &words_only(1));
        let x = v.transform("Waiting, waiting... time!");
        assert!(x.indices.windows(2).all(|w| w[0] < w[1]));
        let norm: f32 = x.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        // idf(waiting) = ln(4/2)+1, tf = 1+ln 2; idf(time) = ln(4/3)+1, tf = 1.
        let waiting = (1.0 + 2f32.ln()) * (2f32.ln() + 1.0);
        let time = (4f32 / 3.0).ln() + 1.0;
        let norm = (waiting * waiting + time * time).sqrt();
        let by_term: Vec<(Option<Term>, f32)> = x.iter().map(|(i, w)| (v.term(i), w)).collect();
        assert_eq!(by_term.len(), 2);
        assert_eq!(by_term[0].0, Some(Term::Words("time")));
        assert!((by_term[0].1 - time / norm).abs() < 1e-5);
        assert!((by_term[1].1 - waiting / norm).abs() < 1e-5);
        assert_eq!(v.transform("nothing known").nnz(), 0, "unknown words give an empty vector");
    }

    #[test]
    fn stop_words_and_numbers_are_left_out_of_readable_terms() {
        let v = Vectoriser::fit(
            &["The waiting time was 40 minutes"],
            &VectoriserOptions { min_df: 1, ..VectoriserOptions::readable_words() },
        );
        let terms: Vec<_> = (0..v.len()).filter_map(|i| v.term(i)).collect();
        assert_eq!(
            terms,
            [Term::Words("minutes"), Term::Words("time"), Term::Words("waiting"), Term::Words("waiting time")]
        );
    }

    #[test]
    fn batch_and_single_agree_and_fitting_is_deterministic() {
        let texts: Vec<String> = (0..3000).map(|i| format!("text number {} about topic {}", i % 17, i % 5)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let a = Vectoriser::fit(&refs, &VectoriserOptions::default());
        let b = Vectoriser::fit(&refs, &VectoriserOptions::default());
        assert_eq!(a.words, b.words);
        assert_eq!(a.chars, b.chars);
        let batch = a.transform_batch(&refs);
        assert_eq!(batch.len(), refs.len());
        for (text, vector) in refs.iter().zip(&batch).step_by(97) {
            assert_eq!(&a.transform(text), vector);
        }
    }
}
