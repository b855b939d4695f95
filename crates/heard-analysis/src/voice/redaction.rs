//! Redaction: find personal data in a source's text and replace each span with a typed placeholder
//! (`[NAME-1]`, `[NHS-NUMBER-1]`...) that stays the same for the same thing throughout one text.
//!
//! Build a [`Redactor`] once (it compiles its patterns) and reuse it. Offsets in [`Span`] count
//! Unicode scalar values (`char`s), never bytes, so they agree with what the web page, the JSON API
//! and `heard redact` report. Detection is deliberately conservative about names (a gazetteer plus
//! context) and strict about numbers (NHS numbers must pass their check digit).

mod known;
mod names;
mod patterns;
mod scan;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PiiKind {
    Person,
    NhsNumber,
    NiNumber,
    Postcode,
    Phone,
    Email,
    DateOfBirth,
    Address,
}

impl PiiKind {
    pub const ALL: [PiiKind; 8] = [
        PiiKind::Person,
        PiiKind::NhsNumber,
        PiiKind::NiNumber,
        PiiKind::Postcode,
        PiiKind::Phone,
        PiiKind::Email,
        PiiKind::DateOfBirth,
        PiiKind::Address,
    ];

    /// The stable code used in JSON (`heard redact --jsonl`, the API, stored review decisions).
    pub fn code(self) -> &'static str {
        match self {
            PiiKind::Person => "PERSON",
            PiiKind::NhsNumber => "NHS_NUMBER",
            PiiKind::NiNumber => "NI_NUMBER",
            PiiKind::Postcode => "POSTCODE",
            PiiKind::Phone => "PHONE",
            PiiKind::Email => "EMAIL",
            PiiKind::DateOfBirth => "DATE_OF_BIRTH",
            PiiKind::Address => "ADDRESS",
        }
    }

    /// The kind for a code from [`PiiKind::code`].
    pub fn from_code(code: &str) -> Option<PiiKind> {
        PiiKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The word inside the placeholder: `[NAME-1]`, `[DOB-2]`.
    pub fn label(self) -> &'static str {
        match self {
            PiiKind::Person => "NAME",
            PiiKind::NhsNumber => "NHS-NUMBER",
            PiiKind::NiNumber => "NI-NUMBER",
            PiiKind::Postcode => "POSTCODE",
            PiiKind::Phone => "PHONE",
            PiiKind::Email => "EMAIL",
            PiiKind::DateOfBirth => "DOB",
            PiiKind::Address => "ADDRESS",
        }
    }

    /// Which of two overlapping candidates of the same length wins: the more specific kind.
    fn specificity(self) -> u8 {
        match self {
            PiiKind::Email => 8,
            PiiKind::NhsNumber => 7,
            PiiKind::NiNumber => 7,
            PiiKind::Phone => 6,
            PiiKind::DateOfBirth => 5,
            PiiKind::Postcode => 4,
            PiiKind::Address => 3,
            PiiKind::Person => 2,
        }
    }
}

/// A span of personal data: `start..end` in Unicode scalar values (chars) of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: PiiKind,
}

/// A redacted text and the spans of the original that were replaced (sorted, not overlapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    pub spans: Vec<Span>,
}

/// A candidate found by a detector, in byte offsets of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    start: usize,
    end: usize,
    kind: PiiKind,
}

/// The detection engine: compiled patterns, the name gazetteer and the known names. Build once with
/// [`Redactor::new`], reuse for every text; it is cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct Redactor {
    patterns: patterns::Patterns,
    names: names::Gazetteer,
    known_names: Option<known::KnownNames>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor { patterns: patterns::Patterns::new(), names: names::Gazetteer::new(), known_names: None }
    }

    /// Names that are always detected wherever they appear as whole words, ignoring ASCII case:
    /// participants' pseudonyms and users' names. Blank names are ignored.
    pub fn with_known_names<'a>(mut self, known: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut known: Vec<&str> = known.into_iter().map(str::trim).filter(|name| !name.is_empty()).collect();
        known.sort_unstable();
        known.dedup();
        self.known_names = known::KnownNames::new(&known);
        self
    }

    /// The spans of personal data in `text`, sorted by start and never overlapping.
    pub fn detect(&self, text: &str) -> Vec<Span> {
        to_char_spans(text, &self.candidates(text))
    }

    /// `text` with every detected span replaced by its placeholder.
    pub fn redact(&self, text: &str) -> Redacted {
        let chosen = self.candidates(text);
        Redacted { text: render(text, &chosen), spans: to_char_spans(text, &chosen) }
    }

    /// Every detector's candidates, resolved to non-overlapping spans sorted by start.
    fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut found = Vec::with_capacity(16);
        self.patterns.find(text, &mut found);
        self.names.find(text, &mut found);
        if let Some(known) = &self.known_names {
            known.find(text, &mut found);
        }
        resolve(found)
    }
}

/// Merges candidates that overlap, directly or through others, into one span covering them all,
/// of the kind of the longest among them (the more specific kind on a tie, then the earlier), so
/// "12 Oak Road" is an address rather than "Oak" a name. Covering the whole union rather than only
/// the winner means that no part of a losing candidate is left readable: a name that runs into an
/// email address must not leave the address's tail behind.
fn resolve(mut found: Vec<Candidate>) -> Vec<Candidate> {
    if found.len() < 2 {
        return found;
    }
    found.sort_unstable_by_key(|c| c.start);
    let better = |a: &Candidate, b: &Candidate| {
        (a.end - a.start, a.kind.specificity(), std::cmp::Reverse(a.start))
            > (b.end - b.start, b.kind.specificity(), std::cmp::Reverse(b.start))
    };
    let mut chosen: Vec<Candidate> = Vec::with_capacity(found.len());
    let mut best = found[0];
    for candidate in found {
        match chosen.last_mut() {
            Some(group) if candidate.start < group.end => {
                group.end = group.end.max(candidate.end);
                if better(&candidate, &best) {
                    best = candidate;
                }
                group.kind = best.kind;
            }
            _ => {
                best = candidate;
                chosen.push(candidate);
            }
        }
    }
    chosen
}

/// Byte spans (sorted, not overlapping, on char boundaries) to char spans.
fn to_char_spans(text: &str, chosen: &[Candidate]) -> Vec<Span> {
    if text.is_ascii() {
        return chosen.iter().map(|c| Span { start: c.start, end: c.end, kind: c.kind }).collect();
    }
    let mut spans = Vec::with_capacity(chosen.len());
    let (mut byte, mut char) = (0, 0);
    let mut advance = |to: usize| {
        char += text[byte..to].chars().count();
        byte = to;
        char
    };
    for c in chosen {
        let start = advance(c.start);
        let end = advance(c.end);
        spans.push(Span { start, end, kind: c.kind });
    }
    spans
}

/// The text with each byte span replaced by its placeholder, numbered per kind in order of first
/// appearance of each normalised surface form.
fn render(text: &str, chosen: &[Candidate]) -> String {
    let mut out = String::with_capacity(text.len() + chosen.len() * 4);
    // By kind, each normalised surface form's number.
    let mut numbers: [HashMap<String, usize>; PiiKind::ALL.len()] = Default::default();
    let mut key = String::new();
    let mut copied = 0;
    for c in chosen {
        out.push_str(&text[copied..c.start]);
        key.clear();
        normalise(c.kind, &text[c.start..c.end], &mut key);
        let numbers = &mut numbers[c.kind as usize];
        let number = match numbers.get(key.as_str()) {
            Some(&number) => number,
            None => {
                let number = numbers.len() + 1;
                numbers.insert(key.clone(), number);
                number
            }
        };
        out.push('[');
        out.push_str(c.kind.label());
        out.push('-');
        push_decimal(&mut out, number);
        out.push(']');
        copied = c.end;
    }
    out.push_str(&text[copied..]);
    out
}

fn push_decimal(out: &mut String, mut number: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// Pushes to `key` the form under which two mentions count as the same thing: case, spacing and
/// punctuation that do not change what is identified are dropped.
fn normalise(kind: PiiKind, surface: &str, key: &mut String) {
    match kind {
        PiiKind::NhsNumber | PiiKind::Phone => {
            if surface.starts_with('+') {
                key.push('+');
            }
            key.extend(surface.chars().filter(char::is_ascii_digit));
        }
        PiiKind::NiNumber | PiiKind::Postcode => {
            key.extend(surface.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase));
        }
        PiiKind::Person | PiiKind::Address | PiiKind::DateOfBirth | PiiKind::Email => {
            for (i, word) in surface.split_whitespace().enumerate() {
                if i > 0 {
                    key.push(' ');
                }
                if word.is_ascii() {
                    key.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                } else {
                    key.extend(word.chars().flat_map(char::to_lowercase));
                }
            }
        }
    }
}

/// Replaces reviewed spans (confirmed, corrected or added by a researcher) with placeholders by
/// the same rules as [`Redactor::redact`]. Spans are in chars and may come in any order. Because a
/// span exists to hide something, doubtful spans hide more rather than less: an end past the text
/// is cut to the text's end, and overlapping spans are merged into one (keeping the earlier kind).
/// Empty spans are ignored.
pub fn apply(text: &str, spans: &[Span]) -> String {
    let mut spans: Vec<Span> = spans.iter().copied().filter(|s| s.start < s.end).collect();
    spans.sort_unstable_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    // Char offsets to byte offsets, in one pass; offsets past the end map to the text's end.
    let mut boundaries = text.char_indices().map(|(byte, _)| byte).chain(std::iter::once(text.len()));
    let mut char_at = 0;
    let mut byte_at = boundaries.next().unwrap_or(text.len());
    let mut to_byte = |char: usize| {
        while char_at < char {
            match boundaries.next() {
                Some(byte) => {
                    byte_at = byte;
                    char_at += 1;
                }
                None => return text.len(),
            }
        }
        byte_at
    };
    let mut chosen = Vec::with_capacity(merged.len());
    for span in merged {
        let start = to_byte(span.start);
        let end = to_byte(span.end);
        if start < end {
            chosen.push(Candidate { start, end, kind: span.kind });
        }
    }
    render(text, &chosen)
}

/// The properties every redaction keeps, whatever the input: spans in bounds, sorted and not
/// overlapping; the redacted text is the original with exactly those spans replaced; no detected
/// email address is left anywhere in the redacted text; and redetecting finds no email address or
/// NHS number in it. The fuzz target and the property tests hold the engine to these.
pub fn check_invariants(redactor: &Redactor, text: &str, redacted: &Redacted) -> Result<(), String> {
    let chars = text.chars().count();
    let mut previous_end = 0;
    for (i, span) in redacted.spans.iter().enumerate() {
        if span.start >= span.end {
            return Err(format!("span {i} is empty or reversed"));
        }
        if span.end > chars {
            return Err(format!("span {i} ends past the text"));
        }
        if span.start < previous_end {
            return Err(format!("span {i} overlaps or precedes the one before it"));
        }
        previous_end = span.end;
    }
    if apply(text, &redacted.spans) != redacted.text {
        return Err("redacted text differs from the original with its spans applied".to_owned());
    }
    let surface = |span: &Span| -> String { text.chars().skip(span.start).take(span.end - span.start).collect() };
    for (i, span) in redacted.spans.iter().enumerate() {
        // Not for NHS numbers: the same ten digits may rightly stay inside a longer number.
        if span.kind == PiiKind::Email && redacted.text.contains(&surface(span)) {
            return Err(format!("span {i} ({}) survives in the redacted text", span.kind.code()));
        }
    }
    for span in redactor.detect(&redacted.text) {
        if matches!(span.kind, PiiKind::Email | PiiKind::NhsNumber) {
            return Err(format!("redacted text still has a detectable {}", span.kind.code()));
        }
    }
    Ok(())
}
