//! Person names by a gazetteer of common UK given names and surnames plus context. A capitalised
//! word counts as (part of) a name when it is
//! - a given name or surname from the gazetteer that is not also an ordinary word ("Sarah", "Patel");
//! - any capitalised word after a title ("Dr Okonkwo") or a relationship word ("my son Kai",
//!   "a lady called Joan");
//! - a name that is also an ordinary word ("Will", "Green") only with such context or next to
//!   another name ("Will Smith", "Sarah Green"), so "Will you call?" and "Green spaces" stay.
//!
//! A name runs on over following capitalised words that are names or unknown capitalised words
//! ("Amina Okonkwo-Reid"), never across punctuation or a line.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::scan::positions;
use super::{Candidate, PiiKind};

const GIVEN_NAMES: &str = include_str!("given_names.txt");
const SURNAMES: &str = include_str!("surnames.txt");
const AMBIGUOUS: &str = include_str!("ambiguous.txt");

const TITLES: [&str; 10] = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Nurse"];

const RELATIONS: [&str; 40] = [
    "son",
    "daughter",
    "husband",
    "wife",
    "partner",
    "mum",
    "mom",
    "mother",
    "dad",
    "father",
    "brother",
    "sister",
    "nan",
    "nana",
    "gran",
    "granny",
    "grandad",
    "grandma",
    "grandpa",
    "grandson",
    "granddaughter",
    "niece",
    "nephew",
    "aunt",
    "auntie",
    "uncle",
    "cousin",
    "friend",
    "neighbour",
    "carer",
    "boyfriend",
    "girlfriend",
    "child",
    "baby",
    "called",
    "named",
    "stepson",
    "stepdaughter",
    "fiancé",
    "fiancée",
];

/// Capitalised words that are never taken as names, even after a relationship word or a name.
const NEVER: &[&str] = &[
    "I",
    "The",
    "A",
    "An",
    "And",
    "But",
    "Or",
    "So",
    "Then",
    "When",
    "If",
    "It",
    "He",
    "She",
    "They",
    "We",
    "You",
    "His",
    "Her",
    "Their",
    "Our",
    "My",
    "Your",
    "This",
    "That",
    "There",
    "Is",
    "Was",
    "Has",
    "Had",
    "Who",
    "NHS",
    "GP",
    "Council",
    "Hospital",
    "School",
    "Services",
    "Service",
    "Centre",
    "Team",
    "Trust",
    "Road",
    "Street",
    "Ward",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "September",
    "October",
    "November",
    "December",
    "Christmas",
    "Easter",
    "English",
    "British",
];

#[derive(Debug, Clone, Copy, Default)]
struct Class {
    given: bool,
    surname: bool,
    /// Also an ordinary English word: counts only with context.
    ambiguous: bool,
    never: bool,
    /// One of [`RELATIONS`], in any ASCII case.
    relation: bool,
    /// One of [`TITLES`] in some case (the titles count only as written there).
    title: bool,
}

/// The gazetteer, keyed by words with their ASCII letters in lower case: those of at most 16
/// bytes (all but a few) packed into one number, the rest as bytes.
#[derive(Debug, Clone)]
pub(super) struct Gazetteer {
    short: HashMap<u128, Class, BuildHasherDefault<Fold>>,
    long: HashMap<Box<[u8]>, Class, BuildHasherDefault<Fnv>>,
}

/// A word of at most 16 bytes, ASCII letters in lower case, as one number (no word holds a zero
/// byte, so the padding is unambiguous): a look-up per capitalised word is on redaction's hot
/// path, and this hashes and compares in a few instructions.
fn short_key(bytes: &[u8]) -> u128 {
    let mut key = [0u8; 16];
    key[..bytes.len()].copy_from_slice(bytes);
    for b in &mut key {
        *b = b.to_ascii_lowercase();
    }
    u128::from_le_bytes(key)
}

/// A folded multiply (as in wyhash and foldhash) for the short keys; the keys are from a fixed
/// list, so a hash that resists chosen keys buys nothing here.
#[derive(Debug, Clone, Copy, Default)]
struct Fold(u64);

impl Hasher for Fold {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(16) {
            let mut padded = [0u8; 16];
            padded[..chunk.len()].copy_from_slice(chunk);
            self.write_u128(u128::from_le_bytes(padded));
        }
    }

    fn write_u128(&mut self, key: u128) {
        let (low, high) = (key as u64, (key >> 64) as u64);
        let product = u128::from(low ^ self.0 ^ 0x243f_6a88_85a3_08d3) * u128::from(high ^ 0x9e37_79b9_7f4a_7c15);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

/// FNV-1a, for the few long keys.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A capitalised word and what comes just before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Word {
    start: usize,
    end: usize,
    /// The word before is a title, followed by a space or ". ".
    after_title: bool,
    /// The word before is a relationship word, followed by a space.
    after_relation: bool,
    /// The word before is capitalised too, with only spaces between.
    follows_capitalised: bool,
}

fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'))
}

impl Gazetteer {
    pub(super) fn new() -> Gazetteer {
        let mut gazetteer = Gazetteer { short: HashMap::default(), long: HashMap::default() };
        let mut mark = |word: &str, set: fn(&mut Class)| {
            let bytes = word.as_bytes();
            let class = if bytes.len() <= 16 {
                gazetteer.short.entry(short_key(bytes)).or_default()
            } else {
                gazetteer.long.entry(word.to_ascii_lowercase().into_bytes().into_boxed_slice()).or_default()
            };
            set(class);
        };
        for name in entries(GIVEN_NAMES) {
            mark(name, |c| c.given = true);
        }
        for name in entries(SURNAMES) {
            mark(name, |c| c.surname = true);
        }
        for name in entries(AMBIGUOUS) {
            mark(name, |c| c.ambiguous = true);
        }
        for word in NEVER.iter().copied() {
            mark(word, |c| c.never = true);
        }
        for word in RELATIONS {
            mark(word, |c| c.relation = true);
        }
        for word in TITLES {
            mark(word, |c| c.title = true);
        }
        gazetteer
    }

    /// What the gazetteer knows of a name: nothing for a word with non-ASCII letters, since the
    /// lists are ASCII.
    fn class(&self, word: &str) -> Class {
        if !word.is_ascii() {
            return Class::default();
        }
        self.lookup(word)
    }

    /// The entry for `word` with its ASCII letters in lower case.
    fn lookup(&self, word: &str) -> Class {
        let bytes = word.as_bytes();
        let class = if bytes.len() <= 16 {
            self.short.get(&short_key(bytes))
        } else if bytes.len() <= 32 {
            let mut lower = [0u8; 32];
            for (slot, b) in lower.iter_mut().zip(bytes) {
                *slot = b.to_ascii_lowercase();
            }
            self.long.get(&lower[..bytes.len()])
        } else {
            None
        };
        class.copied().unwrap_or_default()
    }

    pub(super) fn find(&self, text: &str, found: &mut Vec<Candidate>) {
        let words = self.capitalised_words(text);
        let classes: Vec<Class> = words.iter().map(|w| self.class(&text[w.start..w.end])).collect();
        let mut i = 0;
        while i < words.len() {
            let word = words[i];
            let class = classes[i];
            let next_is_name = words.get(i + 1).is_some_and(|next| {
                let c = classes[i + 1];
                next.follows_capitalised && !c.never && (c.given || c.surname || c.ambiguous)
            });
            let named = class.given || class.surname;
            let starts_name = !class.never
                && (word.after_title
                    || word.after_relation
                    || (named && !class.ambiguous)
                    || (class.ambiguous && next_is_name));
            if !starts_name {
                i += 1;
                continue;
            }
            // Run on over the next capitalised word when it is a name or unknown (a surname the
            // gazetteer lacks), then over further names: "Amina Okonkwo", "Mary Ann Smith".
            let mut last = i;
            while words.get(last + 1).is_some_and(|next| next.follows_capitalised) {
                let c = classes[last + 1];
                let is_name = c.given || c.surname || c.ambiguous;
                if c.never || (last > i && !is_name) {
                    break;
                }
                last += 1;
            }
            found.push(Candidate { start: word.start, end: words[last].end, kind: PiiKind::Person });
            i = last + 1;
        }
    }
}

/// The letter at byte `at` of `text` (a char boundary) and its length, if it is one.
fn letter_at(text: &str, at: usize) -> Option<usize> {
    let b = *text.as_bytes().get(at)?;
    if b < 0x80 {
        return b.is_ascii_alphabetic().then_some(1);
    }
    let c = text[at..].chars().next()?;
    c.is_alphabetic().then(|| c.len_utf8())
}

/// The letter that ends at byte `at` of `text` (a char boundary) and its length, if it is one.
fn letter_before(text: &str, at: usize) -> Option<usize> {
    let b = *text.as_bytes().get(at.checked_sub(1)?)?;
    if b < 0x80 {
        return b.is_ascii_alphabetic().then_some(1);
    }
    let c = text[..at].chars().next_back()?;
    c.is_alphabetic().then(|| c.len_utf8())
}

/// The length of the apostrophe or hyphen that starts at byte `at`, or 0.
fn joiner_at(text: &str, at: usize) -> usize {
    match text.as_bytes().get(at) {
        Some(b'\'' | b'-') => 1,
        Some(0xE2) if text[at..].starts_with('’') => 3,
        _ => 0,
    }
}

/// The length of the apostrophe or hyphen that ends at byte `at`, or 0.
fn joiner_before(text: &str, at: usize) -> usize {
    match at.checked_sub(1).map(|i| text.as_bytes()[i]) {
        Some(b'\'' | b'-') => 1,
        Some(0x99) if text[..at].ends_with('’') => 3,
        _ => 0,
    }
}

/// The end of the word that starts at `start`: a run of letters with inner apostrophes and
/// hyphens ("O'Neill", "Smith-Jones").
fn word_end(text: &str, start: usize) -> usize {
    let mut i = start;
    loop {
        if let Some(len) = letter_at(text, i) {
            i += len;
            continue;
        }
        let joiner = joiner_at(text, i);
        if i > start && joiner > 0 && letter_at(text, i + joiner).is_some() {
            i += joiner;
            continue;
        }
        return i;
    }
}

/// The start of the word that ends at `end` (just after a letter); [`word_end`] read backwards.
/// Words are the maximal runs of letters joined by single joiners, so the two agree.
fn word_start(text: &str, end: usize) -> usize {
    let mut i = end;
    loop {
        if let Some(len) = letter_before(text, i) {
            i -= len;
            continue;
        }
        let joiner = joiner_before(text, i);
        if i < end && joiner > 0 && letter_before(text, i - joiner).is_some() {
            i -= joiner;
            continue;
        }
        return i;
    }
}

/// Whether a word starts at `at`, where there is a letter: not inside a word, nor just after a
/// joiner that follows a letter.
fn is_word_start(text: &str, at: usize) -> bool {
    if letter_before(text, at).is_some() {
        return false;
    }
    let joiner = joiner_before(text, at);
    joiner == 0 || letter_before(text, at - joiner).is_none()
}

/// The end of the word `start..end` with a possessive "'s" left off.
fn without_possessive(text: &str, start: usize, end: usize) -> usize {
    for possessive in ["'s", "’s", "'S", "’S"] {
        if end - start > possessive.len() + 1 && text[start..end].ends_with(possessive) {
            return end - possessive.len();
        }
    }
    end
}

/// First letter upper case, some later letter lower case: not "NHS" or "A".
fn is_capitalised(text: &str, start: usize, end: usize) -> bool {
    let first = text.as_bytes()[start];
    if first < 0x80 {
        first.is_ascii_uppercase() && text[start + 1..end].chars().any(char::is_lowercase)
    } else {
        let mut letters = text[start..end].chars();
        letters.next().is_some_and(char::is_uppercase) && letters.any(char::is_lowercase)
    }
}

impl Gazetteer {
    /// The capitalised words of `text` (see [`is_capitalised`]), a possessive "'s" left off, with
    /// the context the name rules need. Only the bytes that can start one (an ASCII capital or the
    /// first byte of a non-ASCII char) are looked at, 32 at a time; the word before one is found by
    /// reading backwards, and only when just spaces (or ". " after a title) separate them, since
    /// otherwise it gives no context. A test checks this against [`capitalised_words_scanning`].
    pub(super) fn capitalised_words(&self, text: &str) -> Vec<Word> {
        let bytes = text.as_bytes();
        let mut words = Vec::new();
        let mut resume = 0;
        for start in positions(bytes, |b| b.is_ascii_uppercase() || b >= 0xC0) {
            if start < resume {
                continue;
            }
            if bytes[start] >= 0x80 {
                let first = text[start..].chars().next().unwrap_or_default();
                if !(first.is_alphabetic() && first.is_uppercase()) {
                    continue;
                }
            }
            if !is_word_start(text, start) {
                continue;
            }
            let full_end = word_end(text, start);
            resume = full_end;
            let end = without_possessive(text, start, full_end);
            if !is_capitalised(text, start, end) {
                continue;
            }
            let mut word = Word { start, end, after_title: false, after_relation: false, follows_capitalised: false };
            let spaces = bytes[..start].iter().rev().take_while(|&&b| b == b' ').count();
            let dot = spaces == 1 && start >= 2 && bytes[start - 2] == b'.';
            let p_end = start - spaces - usize::from(dot);
            if spaces > 0 && letter_before(text, p_end).is_some() {
                let p_start = word_start(text, p_end);
                // A possessive left off the word before leaves "'s" in the gap: no context.
                if without_possessive(text, p_start, p_end) == p_end {
                    let before = &text[p_start..p_end];
                    let class = self.lookup(before);
                    word.after_title = class.title && TITLES.contains(&before);
                    if !dot {
                        word.after_relation = class.relation;
                        word.follows_capitalised = is_capitalised(text, p_start, p_end);
                    }
                }
            }
            words.push(word);
        }
        words
    }
}

/// [`Gazetteer::capitalised_words`] by one pass over every byte, tokenising every word.
#[cfg(test)]
pub(super) fn capitalised_words_scanning(text: &str) -> Vec<Word> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    // The previous word: start, end, capitalised.
    let mut previous: Option<(usize, usize, bool)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let Some(len) = letter_at(text, i) else {
            // Skip a non-letter, a whole char at a time.
            i += if bytes[i] < 0x80 { 1 } else { text[i..].chars().next().map_or(1, char::len_utf8) };
            continue;
        };
        let start = i;
        i += len;
        loop {
            if let Some(len) = letter_at(text, i) {
                i += len;
                continue;
            }
            let joiner = match bytes.get(i) {
                Some(b'\'' | b'-') => 1,
                Some(0xE2) if text[i..].starts_with('’') => 3,
                _ => 0,
            };
            if joiner > 0 && letter_at(text, i + joiner).is_some() {
                i += joiner;
                continue;
            }
            break;
        }
        let mut end = i;
        for possessive in ["'s", "’s", "'S", "’S"] {
            if end - start > possessive.len() + 1 && text[start..end].ends_with(possessive) {
                end -= possessive.len();
                break;
            }
        }
        let first = bytes[start];
        let capitalised = if first < 0x80 {
            first.is_ascii_uppercase() && text[start + 1..end].chars().any(char::is_lowercase)
        } else {
            let mut letters = text[start..end].chars();
            letters.next().is_some_and(char::is_uppercase) && letters.any(char::is_lowercase)
        };
        if capitalised {
            let mut word = Word { start, end, after_title: false, after_relation: false, follows_capitalised: false };
            if let Some((p_start, p_end, p_capitalised)) = previous {
                let gap = &text[p_end..start];
                let spaces = !gap.is_empty() && gap.bytes().all(|b| b == b' ');
                let before = &text[p_start..p_end];
                word.after_title = (spaces || gap == ". ") && TITLES.contains(&before);
                word.after_relation = spaces && RELATIONS.iter().any(|r| r.eq_ignore_ascii_case(before));
                word.follows_capitalised = spaces && p_capitalised;
            }
            words.push(word);
        }
        previous = Some((start, end, capitalised));
    }
    words
}

/// Whether a byte offset lies between a word character and a non-word character (or the text's
/// edge), treating any non-ASCII character as part of a word.
pub(super) fn is_word_boundary(bytes: &[u8], at: usize) -> bool {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b >= 0x80;
    let before = at > 0 && bytes.get(at - 1).is_some_and(word);
    let after = bytes.get(at).is_some_and(word);
    !(before && after)
}
