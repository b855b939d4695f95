//! Sources: the records that hold people's words (DOMAIN.md, "Source"). A source's text arrives as
//! written or transcribed (the *original*) and is kept beside a *redacted* copy in which personal
//! data is replaced by typed placeholders; who may read which is decided per role and consent.
//!
//! This module holds what a source is and what may go into one; detection lives in
//! `heard_analysis::voice::redaction`, storage in `heard_store`.

use crate::Invalid;
use crate::error::{optional_text, required_text};

/// The longest text a source may have, in characters.
pub const MAX_TEXT_CHARS: usize = 100_000;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;

vocabulary! {
    /// What kind of voice a source holds (DOMAIN.md, "Source").
    pub enum SourceKind {
        Story = ("story", "Story"),
        InterviewTranscript = ("interview_transcript", "Interview transcript"),
        FieldNote = ("field_note", "Field note"),
        Observation = ("observation", "Observation"),
        ListeningEventNote = ("listening_event_note", "Listening-event note"),
        SurveyResponse = ("survey_response", "Survey response"),
        Film = ("film", "Film"),
    }
}

vocabulary! {
    /// What a researcher decided about a span of personal data when reviewing a source's redaction.
    pub enum ReviewDecision {
        /// A detected span is right and stays hidden.
        Confirmed = ("confirmed", "Confirmed"),
        /// A detected span is not personal data and is shown.
        Removed = ("removed", "Removed"),
        /// Personal data the detector missed, marked by hand.
        Added = ("added", "Added"),
    }
}

/// A source's text as written or transcribed: not blank, at most [`MAX_TEXT_CHARS`] characters.
/// Line breaks are kept (normalised to `\n`); surrounding blank space is not.
pub fn source_text(field: &str, raw: &str) -> Result<String, Invalid> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::one(field, "Enter the text of the source"));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Invalid::one(
            field,
            format!(
                "The text must be {MAX_TEXT_CHARS} characters or fewer (it has {chars}); split it into several sources"
            ),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::one(field, "The text must not contain control characters"));
    }
    Ok(text.to_owned())
}

/// A short title for a source; a blank one is made from the kind and date by the caller.
pub fn source_title(field: &str, raw: &str) -> Result<Option<String>, Invalid> {
    let title = optional_text(field, "the title", raw, MAX_TITLE_CHARS)?;
    if title.as_deref().is_some_and(|t| t.chars().any(char::is_control)) {
        return Err(Invalid::one(field, "The title must be on one line"));
    }
    Ok(title)
}

/// The title a source gets when none is given: its kind, and its date if it has one
/// ("Story of 10 March 2014").
pub fn default_title(kind: SourceKind, collected_on: Option<time::Date>) -> String {
    match collected_on {
        Some(date) => format!("{} of {}", kind.label(), crate::dates::display(date)),
        None => kind.label().to_owned(),
    }
}

/// A span a researcher marks by hand, in characters of the original text: `start` counts from 0,
/// `end` is exclusive. Checked against the text's length.
pub fn marked_span(text_chars: usize, start: &str, end: &str) -> Result<(usize, usize), Invalid> {
    let parse = |field: &str, raw: &str| {
        raw.trim().parse::<usize>().map_err(|_| Invalid::one(field, "Enter a whole number of characters"))
    };
    let (start, end) = (parse("start", start)?, parse("end", end)?);
    if start >= end {
        return Err(Invalid::one("end", "The end must be after the start"));
    }
    if end > text_chars {
        return Err(Invalid::one("end", format!("The end must be at most {text_chars}, the length of the text")));
    }
    Ok((start, end))
}

/// What someone searches for: words that must all appear, and phrases in double quotes that must
/// appear as written. Anything else (operators, brackets, stray quotes) is treated as plain words,
/// so no input is a syntax error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub words: Vec<String>,
    pub phrases: Vec<Vec<String>>,
}

impl SearchQuery {
    pub const MAX_CHARS: usize = 200;
    pub const MAX_TERMS: usize = 16;

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let raw = required_text(field, "what to search for", raw, Self::MAX_CHARS)?;
        let mut query = SearchQuery::default();
        for (i, part) in raw.split('"').enumerate() {
            let words = words(part);
            if i % 2 == 1 && words.len() > 1 {
                query.phrases.push(words);
            } else {
                query.words.extend(words);
            }
        }
        query.words.dedup();
        let terms = query.words.len() + query.phrases.iter().map(Vec::len).sum::<usize>();
        if terms == 0 {
            return Err(Invalid::one(field, "Enter a word to search for"));
        }
        if terms > Self::MAX_TERMS {
            return Err(Invalid::one(field, format!("Search for {} words or fewer", Self::MAX_TERMS)));
        }
        Ok(query)
    }
}

/// The words of `text` as the search index splits them: runs of letters and digits, lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_normalised_and_limited() {
        assert_eq!(source_text("text", "  a\r\nb\rc  ").unwrap(), "a\nb\nc");
        assert_eq!(source_text("text", " \n ").unwrap_err().0[0].field, "text");
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(source_text("text", &long).unwrap_err().0[0].message.contains("100000"));
        assert!(source_text("text", "a\u{0}b").is_err());
        assert!(source_text("text", &"é".repeat(MAX_TEXT_CHARS)).is_ok());
    }

    #[test]
    fn a_source_without_a_title_is_named_by_kind_and_date() {
        assert_eq!(
            default_title(SourceKind::Story, Some(time::macros::date!(2014 - 03 - 10))),
            "Story of 10 March 2014"
        );
        assert_eq!(default_title(SourceKind::FieldNote, None), "Field note");
    }

    #[test]
    fn marked_spans_must_lie_inside_the_text() {
        assert_eq!(marked_span(10, "2", "5").unwrap(), (2, 5));
        assert_eq!(marked_span(10, "5", "5").unwrap_err().0[0].field, "end");
        assert_eq!(marked_span(10, "2", "11").unwrap_err().0[0].field, "end");
        assert_eq!(marked_span(10, "two", "5").unwrap_err().0[0].field, "start");
    }

    #[test]
    fn queries_split_into_words_and_phrases() {
        let q = SearchQuery::parse("q", r#"respite "short break" OR (night)"#).unwrap();
        assert_eq!(q.words, ["respite", "or", "night"]);
        assert_eq!(q.phrases, [vec!["short".to_owned(), "break".to_owned()]]);
        let q = SearchQuery::parse("q", r#"unclosed "quote here"#).unwrap();
        assert_eq!(q.words, ["unclosed"]);
        assert_eq!(q.phrases, [vec!["quote".to_owned(), "here".to_owned()]]);
        assert_eq!(SearchQuery::parse("q", r#""one""#).unwrap().words, ["one"]);
        assert!(SearchQuery::parse("q", "*** ---").is_err());
        let many: Vec<String> = (0..17).map(|i| format!("w{i}")).collect();
        assert!(SearchQuery::parse("q", &many.join(" ")).is_err());
    }
}
