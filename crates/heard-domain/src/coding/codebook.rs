//! Qualitative coding as researchers know it from NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette
//! (DOMAIN.md, "Codebook, code, excerpt, coding, memo" and "Insight"): what a code, an excerpt, a
//! memo and an insight may be.
//!
//! An excerpt is a span of a source's redacted text counted in Unicode scalar values (`char`s),
//! half-open, as REFI-QDA counts `startPosition` and `endPosition`. Coding works on the redacted
//! text, as research transcripts are anonymised before analysis: every role that may read an
//! excerpt reads the same words, and no quote carries what redaction hid.

use crate::Invalid;
use crate::error::{Collector, optional_text, required_text};

/// The longest code name, in characters.
pub const MAX_CODE_NAME_CHARS: usize = 80;
/// The longest description of a code, in characters.
pub const MAX_CODE_DESCRIPTION_CHARS: usize = 2_000;
/// The longest memo, in characters.
pub const MAX_MEMO_CHARS: usize = 20_000;
/// The longest insight statement, in characters.
pub const MAX_STATEMENT_CHARS: usize = 400;
/// How deep a codebook's hierarchy may go: a code and four levels of children beneath it.
pub const MAX_CODE_DEPTH: usize = 5;

/// The colours offered for new codes, in order (GOV.UK Design System colours, distinct enough to
/// tell codes apart in a highlighted text).
pub const PALETTE: [&str; 10] =
    ["#1d70b8", "#00703c", "#d4351c", "#f47738", "#4c2c92", "#28a197", "#d53880", "#b58840", "#5694ca", "#85994b"];

vocabulary! {
    /// How an excerpt bears on an insight (DOMAIN.md, "Insight").
    pub enum Stance {
        Supports = ("supports", "Supports"),
        Contradicts = ("contradicts", "Cuts against"),
    }
}

vocabulary! {
    /// What a memo is written about.
    pub enum MemoTarget {
        Source = ("source", "Source"),
        Code = ("code", "Code"),
        Excerpt = ("excerpt", "Excerpt"),
    }
}

vocabulary! {
    /// What a researcher decided about an assisted-coding suggestion.
    pub enum SuggestionStatus {
        Pending = ("pending", "Waiting for a decision"),
        Accepted = ("accepted", "Accepted"),
        Rejected = ("rejected", "Rejected"),
    }
}

/// A code's name: not blank, one line, at most [`MAX_CODE_NAME_CHARS`] characters.
pub fn code_name(field: &str, raw: &str) -> Result<String, Invalid> {
    let name = required_text(field, "a name for the code", raw, MAX_CODE_NAME_CHARS)?;
    if name.chars().any(char::is_control) {
        return Err(Invalid::one(field, "The name must be on one line"));
    }
    Ok(name)
}

/// The key two code names are compared by: case and surrounding space ignored, inner runs of space
/// made one, so "Waiting times" and "waiting  Times" are the same code.
pub fn code_name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A colour as `#rrggbb` (lower case); blank means none was chosen.
pub fn colour(field: &str, raw: &str) -> Result<Option<String>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let hex = raw.strip_prefix('#').unwrap_or(raw);
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Invalid::one(field, "Enter the colour as # and six hexadecimal digits, like #1d70b8"));
    }
    Ok(Some(format!("#{}", hex.to_ascii_lowercase())))
}

/// A new or changed code, as a person entered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInput {
    pub name: String,
    pub description: Option<String>,
    pub colour: Option<String>,
    pub parent_id: Option<i64>,
}

impl CodeInput {
    /// Parses a code's fields; `parent` is a code id or blank.
    pub fn parse(name: &str, description: &str, colour_raw: &str, parent: &str) -> Result<CodeInput, Invalid> {
        let mut errors = Collector::new();
        let name = errors.take(code_name("name", name));
        let description =
            errors.take(optional_text("description", "the description", description, MAX_CODE_DESCRIPTION_CHARS));
        let colour = errors.take(colour("colour", colour_raw));
        let parent_id = match parent.trim() {
            "" => Some(None),
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(Some(id)),
                _ => {
                    errors.push("parent", "Choose a parent code from the list");
                    None
                }
            },
        };
        errors.finish(|| CodeInput {
            name: name.unwrap_or_default(),
            description: description.flatten(),
            colour: colour.flatten(),
            parent_id: parent_id.flatten(),
        })
    }
}

/// A span of a source's text by character offsets, half-open: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct CharSpan {
    pub start: usize,
    pub end: usize,
}

impl CharSpan {
    /// A span that fits a text of `text_chars` characters and holds at least one character.
    pub fn new(start: usize, end: usize, text_chars: usize) -> Result<CharSpan, Invalid> {
        if start >= end {
            return Err(Invalid::one(
                "end",
                format!("The excerpt must end after it starts (it starts at {start} and ends at {end})"),
            ));
        }
        if end > text_chars {
            return Err(Invalid::one(
                "end",
                format!("The excerpt ends at character {end} but the text has {text_chars} characters"),
            ));
        }
        Ok(CharSpan { start, end })
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn overlaps(self, other: CharSpan) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The characters of `text` this span covers. The span must fit the text.
    pub fn quote(self, text: &str) -> String {
        text.chars().skip(self.start).take(self.len()).collect()
    }
}

/// A span a person chose without a mouse: the words from the `first`th to the `last`th (counting
/// from 1) of the text, as the keyboard path through the source page offers them. Words are runs
/// of characters that are not white space.
pub fn span_of_words(text: &str, first: usize, last: usize) -> Result<CharSpan, Invalid> {
    let words = word_spans(text);
    if first == 0 || last < first {
        return Err(Invalid::one("first_word", "Enter the first word's number, then a last word's number no smaller"));
    }
    let (Some(start), Some(end)) = (words.get(first - 1), words.get(last - 1)) else {
        return Err(Invalid::one("last_word", format!("The text has {} words", words.len())));
    };
    Ok(CharSpan { start: start.start, end: end.end })
}

/// A span a person chose by typing the words as they appear in the text, with which occurrence
/// (from 1) when they appear more than once: the keyboard path through a source page. Runs of
/// white space in the words match any run of white space in the text, so a line break need not
/// be typed as one.
pub fn span_of_quote(text: &str, words: &str, occurrence: Option<usize>) -> Result<CharSpan, Invalid> {
    let wanted: Vec<&str> = words.split_whitespace().collect();
    if wanted.is_empty() {
        return Err(Invalid::one("words", "Enter the words to code, as they appear in the text"));
    }
    let spans = word_spans(text);
    let chars: Vec<char> = text.chars().collect();
    let word = |span: CharSpan| chars[span.start..span.end].iter().collect::<String>();
    let mut found = Vec::new();
    for (i, _) in spans.iter().enumerate() {
        if let Some(span) = match_at(&spans, i, &wanted, &word) {
            found.push(span);
        }
    }
    match (found.len(), occurrence) {
        (0, _) => {
            Err(Invalid::one("words", "Those words are not in the text; copy them exactly, punctuation included"))
        }
        (1, None | Some(1)) => Ok(found[0]),
        (n, None) => Err(Invalid::one(
            "occurrence",
            format!("Those words appear {n} times; enter which one to code, from 1 to {n}"),
        )),
        (n, Some(k)) if k == 0 || k > n => {
            Err(Invalid::one("occurrence", format!("Enter a number from 1 to {n}: those words appear {n} times")))
        }
        (_, Some(k)) => Ok(found[k - 1]),
    }
}

/// The span from word `i` when the words there match `wanted`: whole words, except that the first
/// may start and the last may end inside a word of the text ("respite" in "(respite),").
fn match_at(spans: &[CharSpan], i: usize, wanted: &[&str], word: &dyn Fn(CharSpan) -> String) -> Option<CharSpan> {
    let last = wanted.len() - 1;
    let mut start = None;
    let mut end = 0;
    for (j, want) in wanted.iter().enumerate() {
        let span = *spans.get(i + j)?;
        let have = word(span);
        let (from, to) = match (j == 0, j == last) {
            (true, true) => {
                let at = have.find(want)?;
                (have[..at].chars().count(), have[..at].chars().count() + want.chars().count())
            }
            (true, false) => {
                if !have.ends_with(want) {
                    return None;
                }
                (have.chars().count() - want.chars().count(), have.chars().count())
            }
            (false, true) => {
                if !have.starts_with(want) {
                    return None;
                }
                (0, want.chars().count())
            }
            (false, false) => {
                if have != *want {
                    return None;
                }
                (0, have.chars().count())
            }
        };
        if j == 0 {
            start = Some(span.start + from);
        }
        end = span.start + to;
    }
    Some(CharSpan { start: start?, end })
}

/// Each word of `text` (a run of non-space characters) as a span.
pub fn word_spans(text: &str) -> Vec<CharSpan> {
    let mut spans = Vec::new();
    let mut start = None;
    let mut index = 0;
    for c in text.chars() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(index),
            (true, Some(s)) => {
                spans.push(CharSpan { start: s, end: index });
                start = None;
            }
            _ => {}
        }
        index += 1;
    }
    if let Some(s) = start {
        spans.push(CharSpan { start: s, end: index });
    }
    spans
}

/// A memo's text: not blank, at most [`MAX_MEMO_CHARS`] characters, line breaks kept.
pub fn memo_text(field: &str, raw: &str) -> Result<String, Invalid> {
    let text = raw.replace("\r\n", "\n");
    let text = required_text(field, "the memo", &text, MAX_MEMO_CHARS)?;
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::one(field, "The memo must not contain control characters"));
    }
    Ok(text)
}

/// An insight's statement: a finding in a sentence, on one line.
pub fn insight_statement(field: &str, raw: &str) -> Result<String, Invalid> {
    let text = required_text(field, "the insight in a sentence", raw, MAX_STATEMENT_CHARS)?;
    if text.chars().any(char::is_control) {
        return Err(Invalid::one(field, "Write the insight on one line"));
    }
    Ok(text)
}

/// The colour for the `n`th code of a codebook (from 0) when none was chosen.
pub fn default_colour(n: usize) -> &'static str {
    PALETTE[n % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_must_fit_the_text_it_quotes() {
        assert!(CharSpan::new(0, 5, 5).is_ok());
        let err = CharSpan::new(3, 9, 5).unwrap_err();
        assert_eq!(err.message_for("end"), Some("The excerpt ends at character 9 but the text has 5 characters"));
        assert!(CharSpan::new(4, 4, 5).is_err());
        assert!(CharSpan::new(4, 2, 5).is_err());
    }

    #[test]
    fn quotes_count_characters_not_bytes() {
        let text = "Café 🙂 dans la crèche";
        let span = CharSpan::new(5, 6, text.chars().count()).unwrap();
        assert_eq!(span.quote(text), "🙂");
        assert_eq!(CharSpan { start: 0, end: 4 }.quote(text), "Café");
    }

    #[test]
    fn words_chosen_by_number_become_a_span() {
        let text = "We waited  eleven weeks\nfor a visit.";
        let span = span_of_words(text, 3, 4).unwrap();
        assert_eq!(span.quote(text), "eleven weeks");
        assert_eq!(span_of_words(text, 1, 1).unwrap().quote(text), "We");
        assert_eq!(span_of_words(text, 7, 7).unwrap().quote(text), "visit.");
        assert_eq!(span_of_words(text, 2, 9).unwrap_err().message_for("last_word"), Some("The text has 7 words"));
        assert!(span_of_words(text, 0, 1).is_err());
        assert!(span_of_words(text, 3, 2).is_err());
    }

    #[test]
    fn typed_words_become_a_span_and_repeated_ones_need_their_occurrence() {
        let text = "The respite was good.\nThe respite (day care) ended.";
        let span = span_of_quote(text, "respite was", None).unwrap();
        assert_eq!(span.quote(text), "respite was");
        let err = span_of_quote(text, "The respite", None).unwrap_err();
        assert_eq!(
            err.message_for("occurrence"),
            Some("Those words appear 2 times; enter which one to code, from 1 to 2")
        );
        assert_eq!(span_of_quote(text, "The respite", Some(2)).unwrap().quote(text), "The respite");
        assert_eq!(span_of_quote(text, "day care", None).unwrap().quote(text), "day care", "inside brackets");
        assert_eq!(span_of_quote(text, "good. The", None).unwrap().quote(text), "good.\nThe", "across a line break");
        assert!(span_of_quote(text, "respite  was  great", None).is_err());
        assert!(span_of_quote(text, "  ", None).is_err());
        assert!(span_of_quote(text, "The respite", Some(3)).is_err());
        let emoji = "Café 🙂 ok";
        assert_eq!(span_of_quote(emoji, "🙂 ok", None).unwrap(), CharSpan { start: 5, end: 9 });
    }

    #[test]
    fn code_names_compare_without_case_or_spacing() {
        assert_eq!(code_name_key("  Waiting   Times "), code_name_key("waiting times"));
        assert!(code_name("name", "   ").is_err());
        assert!(code_name("name", "two\nlines").is_err());
        assert_eq!(code_name("name", " Respite ").unwrap(), "Respite");
    }

    #[test]
    fn colours_are_six_hex_digits() {
        assert_eq!(colour("colour", "#1D70B8").unwrap().as_deref(), Some("#1d70b8"));
        assert_eq!(colour("colour", "00703c").unwrap().as_deref(), Some("#00703c"));
        assert_eq!(colour("colour", "").unwrap(), None);
        assert!(colour("colour", "#12345").is_err());
        assert!(colour("colour", "red").is_err());
    }

    #[test]
    fn a_code_form_reports_every_problem() {
        let err = CodeInput::parse("", "", "blue", "x").unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "colour", "parent"]);
        let ok = CodeInput::parse("Respite", " Short breaks ", "", "7").unwrap();
        assert_eq!(ok.parent_id, Some(7));
        assert_eq!(ok.description.as_deref(), Some("Short breaks"));
    }
}
