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
}

/// The gazetteer, keyed by lowercase ASCII.
#[derive(Debug, Clone)]
pub(super) struct Gazetteer {
    classes: HashMap<Box<[u8]>, Class, BuildHasherDefault<Fnv>>,
}

/// FNV-1a: a look-up per capitalised word is on redaction's hot path, and the keys are short
/// names from a fixed list, so SipHash's protection against chosen keys buys nothing here.
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
#[derive(Debug, Clone, Copy)]
struct Word {
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
        let mut classes: HashMap<Box<[u8]>, Class, BuildHasherDefault<Fnv>> = HashMap::default();
        let mut mark = |word: &str, set: fn(&mut Class)| {
            set(classes.entry(word.to_ascii_lowercase().into_bytes().into_boxed_slice()).or_default())
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
        Gazetteer { classes }
    }

    fn class(&self, word: &str) -> Class {
        let bytes = word.as_bytes();
        if bytes.len() > 32 || !word.is_ascii() {
            return Class::default();
        }
        let mut lower = [0u8; 32];
        for (slot, b) in lower.iter_mut().zip(bytes) {
            *slot = b.to_ascii_lowercase();
        }
        self.classes.get(&lower[..bytes.len()]).copied().unwrap_or_default()
    }

    pub(super) fn find(&self, text: &str, found: &mut Vec<Candidate>) {
        let words = capitalised_words(text);
        let surface = |w: &Word| &text[w.start..w.end];
        let mut i = 0;
        while i < words.len() {
            let word = words[i];
            let class = self.class(surface(&word));
            let next_class =
                words.get(i + 1).filter(|next| next.follows_capitalised).map(|next| self.class(surface(next)));
            let named = class.given || class.surname;
            let next_is_name = next_class.is_some_and(|c| !c.never && (c.given || c.surname || c.ambiguous));
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
            while let Some(next) = words.get(last + 1).filter(|next| next.follows_capitalised) {
                let c = self.class(surface(next));
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

/// The capitalised words of `text` (first letter upper case, some later letter lower case, so not
/// "NHS" or "A"), with the context the name rules need. A word is a run of letters with inner
/// apostrophes and hyphens ("O'Neill", "Smith-Jones"), a possessive "'s" left off. One pass over
/// the bytes; most words are lower case and are skipped without a look-up.
fn capitalised_words(text: &str) -> Vec<Word> {
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
