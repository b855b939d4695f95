//! The detectors that are patterns with checks: NHS and National Insurance numbers, postcodes,
//! phone numbers, emails, dates of birth and street addresses. Each regex finds candidates; code
//! then checks what a regex cannot (the NHS check digit, excluded NI prefixes, digit counts).
//!
//! Word boundaries are ASCII (`(?-u:\b)`): Unicode ones stop the regex crate's fast DFA on any
//! non-ASCII text.

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::scan::{self, positions};
use super::{Candidate, PiiKind};

// No word boundaries: an NHS number glued to letters ("ref9434765919") is still one; digits on
// either side are checked in code.
const NHS: &str = r"[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}";

// Two letters (first not D F I Q U V; second not D F I O Q U V), six digits, a suffix A-D; spaces
// allowed between the pairs as printed on letters ("AB 12 34 56 C"). The excluded pairs (BG, GB,
// KN, NK, NT, TN, ZZ) are checked in code. Source: HMRC National Insurance Manual NIM39110.
const NI: &str = r"(?i)(?-u:\b)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?-u:\b)";

// Every UK format: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, and GIR 0AA, with the
// letters each position allows. Source: the Royal Mail Programmers' Guide to postcodes (as in
// the UK Government Data Standards Catalogue).
const POSTCODE: &str = concat!(
    r"(?i)(?-u:\b)(?:GIR ?0AA|(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}",
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})(?-u:\b)"
);

// A leading `+country`, `(0...)` or `0...`, then groups of digits; the digit count is checked in
// code, which also drops trailing groups that make it too long ("call 0161 496 0000 2 times").
const PHONE: &str = concat!(
    r"(?:\+[0-9]{1,3}(?:[ .-]?\(0\))?|\(0[0-9]{1,5}\)|(?-u:\b)0[0-9]{1,5})",
    r"(?:[ .-]?[0-9]{1,6}){1,6}(?-u:\b)"
);

const EMAIL: &str = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}";

const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";

const STREET_SUFFIXES: &str = "Road|Rd|Street|St|Avenue|Ave|Close|Lane|Ln|Way|Drive|Dr|Crescent|Cres|Court|Ct|Place|Pl|\
    Gardens|Gdns|Grove|Terrace|Square|Sq|Hill|Row|Walk|Mews|Parade|Rise|View|Green|Vale|Wharf|Yard|Boulevard";

/// Words that make a nearby date a date of birth.
const BIRTH_CONTEXT: [&str; 7] = ["born", "dob", "d.o.b", "date of birth", "birth date", "birthdate", "birthday"];
const LONGEST_BIRTH_WORD: usize = 13;

/// How far from a birth word a date may be, in bytes: before it ("born on ...") and after it
/// ("12/03/1987 (date of birth)").
const BIRTH_BEFORE: usize = 48;
const BIRTH_AFTER: usize = 24;

#[derive(Debug, Clone)]
pub(super) struct Patterns {
    nhs: Regex,
    ni: Regex,
    postcode: Regex,
    phone: Regex,
    email: Regex,
    date: Regex,
    address: Regex,
    birth: AhoCorasick,
    /// The same words, for whether any occurs at all.
    any_birth: AhoCorasick,
}

impl Patterns {
    pub(super) fn new() -> Patterns {
        let date = format!(
            r"(?i)(?-u:\b)(?:[0-9]{{1,2}}[/.-][0-9]{{1,2}}[/.-](?:[0-9]{{4}}|[0-9]{{2}})|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}|[0-9]{{1,2}}(?:st|nd|rd|th)?(?: of)? {MONTHS},? [0-9]{{4}}|{MONTHS} [0-9]{{1,2}}(?:st|nd|rd|th)?,? [0-9]{{4}})(?-u:\b)"
        );
        let address = format!(
            r"(?-u:\b)(?:(?i:flat|apartment|unit) [0-9]{{1,4}}[A-Za-z]?,? )?[0-9]{{1,4}}[A-Za-z]?,? (?:[A-Z][A-Za-z'\-]+ ){{1,3}}(?:{STREET_SUFFIXES})(?-u:\b)"
        );
        let compile = |pattern: &str| Regex::new(pattern).expect("redaction patterns are valid regexes");
        Patterns {
            nhs: compile(NHS),
            ni: compile(NI),
            postcode: compile(POSTCODE),
            phone: compile(PHONE),
            email: compile(EMAIL),
            date: compile(&date),
            address: compile(&address),
            birth: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(BIRTH_CONTEXT)
                .expect("birth context words build an automaton"),
            any_birth: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(BIRTH_CONTEXT)
                .expect("birth context words build an automaton"),
        }
    }

    /// Every candidate in `text`. Each pattern runs only on windows around the bytes it needs
    /// (a digit, or `@` for emails), which is where redaction's time goes otherwise; the windows
    /// are wide enough that the matches are exactly those of a scan of the whole text (a test
    /// checks this against [`Patterns::find_scanning_everything`]).
    pub(super) fn find(&self, text: &str, found: &mut Vec<Candidate>) {
        let bytes = text.as_bytes();
        for window in windows(bytes, positions(bytes, |b| b == b'@'), EMAIL_BEFORE, EMAIL_AFTER) {
            self.find_emails(text, window, found);
        }
        let digits: Vec<usize> = positions(bytes, |b| b.is_ascii_digit()).collect();
        let mut dates = Vec::new();
        let digits_in = |(start, end): (usize, usize)| {
            &digits[digits.partition_point(|&d| d < start)..digits.partition_point(|&d| d < end)]
        };
        for window in windows(bytes, digits.iter().copied(), DIGITS_BEFORE, DIGITS_AFTER) {
            let mut present = Present::in_window(bytes, window, digits_in(window));
            if present.digits >= 4 {
                // A date counts only near a birth word (see `keep_dates_of_birth`).
                let from = window.0.saturating_sub(BIRTH_BEFORE + LONGEST_BIRTH_WORD);
                let to = (window.1 + BIRTH_AFTER + LONGEST_BIRTH_WORD).min(bytes.len());
                present.birth_word = self.any_birth.is_match(&bytes[from..to]);
            }
            self.find_numbers(text, window, present, found, &mut dates);
        }
        for window in windows(bytes, digits.iter().copied(), DIGITS_BEFORE, ADDRESS_AFTER) {
            if has_house_number(bytes, window, digits_in(window)) {
                push_all(&self.address, text, window, PiiKind::Address, found, |_| true);
            }
        }
        self.keep_dates_of_birth(text, &dates, found);
    }

    /// The same as [`Patterns::find`] by scanning the whole text with every pattern.
    #[cfg(test)]
    pub(super) fn find_scanning_everything(&self, text: &str, found: &mut Vec<Candidate>) {
        let all = (0, text.len());
        let mut dates = Vec::new();
        self.find_emails(text, all, found);
        self.find_numbers(text, all, Present::ANYTHING, found, &mut dates);
        push_all(&self.address, text, all, PiiKind::Address, found, |_| true);
        self.keep_dates_of_birth(text, &dates, found);
    }

    fn find_emails(&self, text: &str, window: (usize, usize), found: &mut Vec<Candidate>) {
        push_all(&self.email, text, window, PiiKind::Email, found, |_| true);
    }

    /// The number patterns' candidates in `window`, skipping the patterns that cannot match there.
    fn find_numbers(
        &self,
        text: &str,
        window: (usize, usize),
        present: Present,
        found: &mut Vec<Candidate>,
        dates: &mut Vec<Candidate>,
    ) {
        if present.digits < 4 && !present.inward_code {
            return;
        }
        if present.digits >= 10 {
            self.find_nhs_numbers(text, window, found);
        }
        if present.digits >= 6 {
            push_all(&self.ni, text, window, PiiKind::NiNumber, found, is_ni_number);
        }
        if present.inward_code {
            push_all(&self.postcode, text, window, PiiKind::Postcode, found, is_postcode_case);
        }
        if present.digits >= 8 {
            for_each_match(&self.phone, text, window, |m| {
                if let Some(len) = phone_len(m.as_str()) {
                    found.push(Candidate { start: m.start(), end: m.start() + len, kind: PiiKind::Phone });
                }
            });
        }
        if present.digits >= 4 && present.birth_word {
            push_all(&self.date, text, window, PiiKind::DateOfBirth, dates, is_plausible_date);
        }
    }

    fn find_nhs_numbers(&self, text: &str, window: (usize, usize), found: &mut Vec<Candidate>) {
        let bytes = text.as_bytes();
        // A rejected candidate may hide a valid one that starts inside it, so the search goes on
        // from the next byte rather than after the candidate.
        let mut at = window.0;
        while let Some(m) = self.nhs.find_at(&text[..window.1], at) {
            let clear_before = m.start() == 0 || !bytes[m.start() - 1].is_ascii_digit();
            let clear_after = !bytes.get(m.end()).is_some_and(u8::is_ascii_digit);
            if clear_before && clear_after && is_nhs_number(m.as_str()) {
                found.push(Candidate { start: m.start(), end: m.end(), kind: PiiKind::NhsNumber });
                at = m.end();
            } else {
                at = m.start() + 1;
            }
        }
    }

    /// Keeps the dates with a birth word close by.
    fn keep_dates_of_birth(&self, text: &str, dates: &[Candidate], found: &mut Vec<Candidate>) {
        let bytes = text.as_bytes();
        for date in dates {
            let from = floor_char_boundary(text, date.start.saturating_sub(BIRTH_BEFORE + LONGEST_BIRTH_WORD));
            let to = ceil_char_boundary(text, (date.end + BIRTH_AFTER + LONGEST_BIRTH_WORD).min(text.len()));
            let near = self.birth.find_iter(&text[from..to]).any(|m| {
                let (start, end) = (from + m.start(), from + m.end());
                is_birth_word(bytes, start, end)
                    && ((end <= date.start && date.start - end <= BIRTH_BEFORE)
                        || (start >= date.end && start - date.end <= BIRTH_AFTER))
            });
            if near {
                found.push(*date);
            }
        }
    }
}

/// What a window holds that decides which number patterns can match in it at all. Each needs
/// some digits: an NHS number 10, a phone number 8 (see [`phone_len`]), an NI number 6, a date 4
/// ("1/2/87"); a postcode needs its inward code, a digit and two letters. A date matters only with
/// a birth word near enough to it.
#[derive(Debug, Clone, Copy)]
struct Present {
    digits: usize,
    inward_code: bool,
    /// A birth word, even inside another word, within reach of the window.
    birth_word: bool,
}

impl Present {
    #[cfg(test)]
    const ANYTHING: Present = Present { digits: usize::MAX, inward_code: true, birth_word: true };

    /// What `window` of `bytes` holds, given the offsets of its `digits`.
    fn in_window(bytes: &[u8], window: (usize, usize), digits: &[usize]) -> Present {
        let letter = |at: usize| at < window.1 && bytes[at].is_ascii_alphabetic();
        let inward_code = digits.iter().any(|&d| letter(d + 1) && letter(d + 2));
        Present { digits: digits.len(), inward_code, birth_word: false }
    }
}

/// Whether `window` of `bytes`, with `digits` at these offsets, holds what every street address
/// has after its house number: perhaps a letter and a comma, then a space and a capital ("12 Oak",
/// "27B, St").
fn has_house_number(bytes: &[u8], window: (usize, usize), digits: &[usize]) -> bool {
    let bytes = &bytes[..window.1];
    digits.iter().any(|&i| {
        let mut j = i + 1;
        if bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
            j += 1;
        }
        if bytes.get(j) == Some(&b',') {
            j += 1;
        }
        bytes.get(j) == Some(&b' ') && bytes.get(j + 1).is_some_and(u8::is_ascii_uppercase)
    })
}

/// How far a match can reach from the byte that its window is built around, with room to spare:
/// no number pattern starts more than 12 bytes before its first digit ("September. 3, 1987") or
/// ends more than 3 after its last ("AB 12 34 56 C"); an address ends at most about 80 bytes after
/// its house number (three words of at most 20 letters and a suffix); an email has at most 64
/// bytes before its `@` (RFC 5321) and the pattern allows 255 after it.
const DIGITS_BEFORE: usize = 24;
const DIGITS_AFTER: usize = 16;
const ADDRESS_AFTER: usize = 112;
const EMAIL_BEFORE: usize = 80;
const EMAIL_AFTER: usize = 280;

/// The byte ranges of `bytes` within `before`/`after` bytes of the bytes at `hits`, merged where
/// they touch and widened to the nearest non-word ASCII byte, so that word boundaries and char
/// boundaries at a window's edges are the same as in the whole text.
fn windows(
    bytes: &[u8],
    hits: impl IntoIterator<Item = usize>,
    before: usize,
    after: usize,
) -> impl Iterator<Item = (usize, usize)> {
    scan::windows(hits, bytes.len(), before, after, |(start, end)| (widen_left(bytes, start), widen_right(bytes, end)))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn widen_left(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && is_word_byte(bytes[at - 1]) && at < bytes.len() && is_word_byte(bytes[at]) {
        at -= 1;
    }
    // A non-ASCII byte run may still leave `at` inside a char: step back to its start.
    while at > 0 && at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

fn widen_right(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && at > 0 && is_word_byte(bytes[at - 1]) && is_word_byte(bytes[at]) {
        at += 1;
    }
    while at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The matches of `regex` inside `window` that `valid` accepts.
fn push_all(
    regex: &Regex,
    text: &str,
    window: (usize, usize),
    kind: PiiKind,
    found: &mut Vec<Candidate>,
    valid: impl Fn(&str) -> bool,
) {
    for_each_match(regex, text, window, |m| {
        if valid(m.as_str()) {
            found.push(Candidate { start: m.start(), end: m.end(), kind });
        }
    });
}

/// Calls `each` with the successive matches of `regex` inside `window`. Look-behind at the
/// window's start sees the whole text; the window's end is a word boundary (see [`windows`]).
fn for_each_match(regex: &Regex, text: &str, window: (usize, usize), mut each: impl FnMut(regex::Match<'_>)) {
    let haystack = &text[..window.1];
    let mut at = window.0;
    while at <= window.1 {
        let Some(m) = regex.find_at(haystack, at) else { break };
        each(m);
        // No pattern matches the empty string; guard anyway against looping forever.
        at = if m.end() > m.start() { m.end() } else { ceil_char_boundary(text, (m.end() + 1).min(text.len())) };
    }
}

/// Ten digits, unspaced or spaced 3-3-4 with one kind of separator, whose tenth digit is the
/// modulus 11 check digit of the first nine (weights 10 down to 2; 11 means 0; 10 is never
/// issued). Source: NHS Data Dictionary, "NHS NUMBER".
pub(super) fn is_nhs_number(candidate: &str) -> bool {
    let bytes = candidate.as_bytes();
    let separators: Vec<u8> = bytes.iter().copied().filter(|b| !b.is_ascii_digit()).collect();
    let spaced_ok = match separators.as_slice() {
        [] => true,
        [a, b] => a == b && bytes.get(3) == Some(a) && bytes.get(7) == Some(b),
        _ => false,
    };
    if !spaced_ok {
        return false;
    }
    let digits: Vec<u32> = bytes.iter().filter(|b| b.is_ascii_digit()).map(|b| u32::from(b - b'0')).collect();
    if digits.len() != 10 {
        return false;
    }
    let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => digits[9] == 0,
        10 => false,
        check => digits[9] == check,
    }
}

/// The NI prefixes that the regex's letter classes allow but HMRC never issues.
fn is_ni_number(candidate: &str) -> bool {
    let prefix = [candidate.as_bytes()[0].to_ascii_uppercase(), candidate.as_bytes()[1].to_ascii_uppercase()];
    !matches!(&prefix, b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ")
}

/// Postcodes are written all in capitals or all in small letters; mixed case ("M6 4th") is prose.
fn is_postcode_case(candidate: &str) -> bool {
    let letters = candidate.bytes().filter(u8::is_ascii_alphabetic);
    let upper = letters.clone().filter(u8::is_ascii_uppercase).count();
    upper == 0 || upper == letters.count()
}

/// The length in bytes of the longest prefix of `candidate`, cut at a group boundary, that has a
/// phone number's count of digits: UK numbers 0 + 9 or 10 digits (01, 02, 03, 07, 08), +44 with 9
/// or 10 after the country code, other countries 8 to 15 digits in all (ITU-T E.164).
pub(super) fn phone_len(candidate: &str) -> Option<usize> {
    let bytes = candidate.as_bytes();
    let international = bytes.first() == Some(&b'+');
    let uk_plus = candidate.starts_with("+44");
    let mut digits: usize = 0;
    let mut best = None;
    let mut national_first = None;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            continue;
        }
        digits += 1;
        let national_digits = if uk_plus {
            // The digits after "44", not counting a "(0)" trunk prefix.
            if i > 0 && bytes[i - 1] == b'(' && b == b'0' {
                digits -= 1;
                continue;
            }
            digits.saturating_sub(2)
        } else {
            digits
        };
        if national_first.is_none() && national_digits == 1 {
            national_first = Some(b);
        }
        let at_group_end = bytes.get(i + 1).is_none_or(|next| !next.is_ascii_digit());
        if !at_group_end {
            continue;
        }
        let ok = if uk_plus {
            matches!(national_first, Some(b'1' | b'2' | b'3' | b'7' | b'8')) && (9..=10).contains(&national_digits)
        } else if international {
            (8..=15).contains(&digits)
        } else {
            let second = bytes.iter().copied().filter(u8::is_ascii_digit).nth(1);
            match second {
                Some(b'1' | b'2' | b'3' | b'7') => (10..=11).contains(&digits),
                Some(b'8') => (9..=11).contains(&digits),
                _ => false,
            }
        };
        if ok {
            // Include a closing parenthesis that belongs to the group.
            best = Some(if bytes.get(i + 1) == Some(&b')') { i + 2 } else { i + 1 });
        }
    }
    best
}

/// Whether a birth word found by the automaton stands as a word ("born", not "stubborn").
fn is_birth_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
    let after_ok = bytes[end - 1] == b'.' || end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
    before_ok && after_ok
}

/// Numeric dates must have a day 1-31 and a month 1-12 (either order: 12/31/1987 happens too).
fn is_plausible_date(candidate: &str) -> bool {
    let parts: Vec<&str> = candidate.split(['/', '.', '-']).collect();
    let [a, b, c] = parts.as_slice() else {
        return true;
    };
    if !(a.bytes().all(|x| x.is_ascii_digit()) && b.bytes().all(|x| x.is_ascii_digit())) {
        return true;
    }
    let (Ok(a), Ok(b), Ok(_)) = (a.parse::<u32>(), b.parse::<u32>(), c.parse::<u32>()) else {
        return true;
    };
    if a > 31 {
        // ISO: year-month-day.
        let day = c.parse::<u32>().unwrap_or(0);
        return (1..=12).contains(&b) && (1..=31).contains(&day);
    }
    ((1..=31).contains(&a) && (1..=12).contains(&b)) || ((1..=12).contains(&a) && (1..=31).contains(&b))
}
