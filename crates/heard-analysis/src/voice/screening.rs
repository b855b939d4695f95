//! A source's text screened for personal data when it arrives, and what a researcher's review
//! makes of it.
//!
//! [`Screened`] can only be made by running the detector ([`Screened::new`]) or by the store
//! reading back what it wrote, so code that stores a source cannot forget to redact it.

use heard_domain::voice::sources::ReviewDecision;

use super::redaction::{PiiKind, Redactor, Span, apply};

/// A text with its redacted copy and the spans the detector found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screened {
    original: String,
    redacted: String,
    detected: Vec<Span>,
}

impl Screened {
    /// Runs the detector over `original`.
    pub fn new(redactor: &Redactor, original: String) -> Screened {
        let redacted = redactor.redact(&original);
        Screened { original, redacted: redacted.text, detected: redacted.spans }
    }

    /// What the store wrote when the text arrived (or was last reviewed), read back.
    pub fn from_stored(original: String, redacted: String, detected: Vec<Span>) -> Screened {
        Screened { original, redacted, detected }
    }

    pub fn original(&self) -> &str {
        &self.original
    }

    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// The detector's spans, in characters of the original, sorted and not overlapping.
    pub fn detected(&self) -> &[Span] {
        &self.detected
    }

    /// The redacted text once `reviews` are taken into account.
    pub fn reviewed(&self, reviews: &[Review]) -> String {
        apply(&self.original, &reviewed_spans(&self.detected, reviews))
    }
}

/// A researcher's decision about one span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Review {
    pub span: Span,
    pub decision: ReviewDecision,
}

/// The spans hidden once reviews are applied: the detected ones not removed, and the added ones.
/// A removal names a detected span by its start and end; one that names none changes nothing.
pub fn reviewed_spans(detected: &[Span], reviews: &[Review]) -> Vec<Span> {
    let removed = |span: &Span| {
        reviews
            .iter()
            .any(|r| r.decision == ReviewDecision::Removed && r.span.start == span.start && r.span.end == span.end)
    };
    let mut spans: Vec<Span> = detected.iter().filter(|s| !removed(s)).copied().collect();
    spans.extend(reviews.iter().filter(|r| r.decision == ReviewDecision::Added).map(|r| r.span));
    spans.sort_unstable_by_key(|s| (s.start, s.end));
    spans
}

/// The redacted text of each line of a text made of lines joined by `\n` (a transcript, one cue a
/// line), with placeholders numbered across the whole text so `[NAME-1]` is the same person in
/// every cue. A span that crosses a line break is cut at it, so every line keeps its place.
pub fn redacted_lines(original: &str, spans: &[Span]) -> Vec<String> {
    const SEPARATOR: char = '\u{E000}';
    let mut breaks = Vec::new();
    let joined: String = original
        .chars()
        .enumerate()
        .map(|(i, c)| match c {
            '\n' => {
                breaks.push(i);
                SEPARATOR
            }
            SEPARATOR => ' ',
            c => c,
        })
        .collect();
    let mut cut = Vec::with_capacity(spans.len());
    for span in spans {
        let mut start = span.start;
        for &at in breaks.iter().filter(|&&at| at >= span.start && at < span.end) {
            if start < at {
                cut.push(Span { start, end: at, kind: span.kind });
            }
            start = at + 1;
        }
        if start < span.end {
            cut.push(Span { start, end: span.end, kind: span.kind });
        }
    }
    apply(&joined, &cut).split(SEPARATOR).map(str::to_owned).collect()
}

/// Spans as stored: `[[start, end, "KIND"], ...]`.
pub fn spans_to_json(spans: &[Span]) -> String {
    let items: Vec<String> = spans.iter().map(|s| format!("[{},{},\"{}\"]", s.start, s.end, s.kind.code())).collect();
    format!("[{}]", items.join(","))
}

/// Reads [`spans_to_json`]'s output back; `None` if it is not that shape.
pub fn spans_from_json(json: &str) -> Option<Vec<Span>> {
    let inner = json.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    if inner.is_empty() {
        return Some(Vec::new());
    }
    let inner = inner.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .split("],[")
        .map(|item| {
            let mut parts = item.split(',');
            let start = parts.next()?.trim().parse().ok()?;
            let end = parts.next()?.trim().parse().ok()?;
            let kind = PiiKind::from_code(parts.next()?.trim().trim_matches('"'))?;
            parts.next().is_none().then_some(Span { start, end, kind })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screened(text: &str) -> Screened {
        Screened::new(&Redactor::new().with_known_names(["Ada Quill"]), text.to_owned())
    }

    #[test]
    fn screening_redacts_on_arrival() {
        let s = screened("Ada Quill rang from 07700 900123 about respite.");
        assert_eq!(s.redacted(), "[NAME-1] rang from [PHONE-1] about respite.");
        assert_eq!(s.detected().len(), 2);
        assert_eq!(s.original(), "Ada Quill rang from 07700 900123 about respite.");
    }

    #[test]
    fn reviews_remove_and_add_spans() {
        let s = screened("Ada Quill met the Riverside team on Tuesday.");
        let person = s.detected()[0];
        let riverside = Span { start: 18, end: 27, kind: PiiKind::Address };
        let reviews = [
            Review { span: person, decision: ReviewDecision::Removed },
            Review { span: riverside, decision: ReviewDecision::Added },
        ];
        assert_eq!(s.reviewed(&reviews), "Ada Quill met the [ADDRESS-1] team on Tuesday.");
        let confirmed = [Review { span: person, decision: ReviewDecision::Confirmed }];
        assert_eq!(s.reviewed(&confirmed), s.redacted());
        let stray =
            [Review { span: Span { start: 1, end: 3, kind: PiiKind::Person }, decision: ReviewDecision::Removed }];
        assert_eq!(s.reviewed(&stray), s.redacted());
    }

    #[test]
    fn lines_keep_their_place_and_numbering() {
        let text = "Ada Quill said hello\nthen Ada Quill left\nno names here";
        let spans = Redactor::new().with_known_names(["Ada Quill"]).detect(text);
        assert_eq!(redacted_lines(text, &spans), ["[NAME-1] said hello", "then [NAME-1] left", "no names here"]);
        let across = [Span { start: 15, end: 26, kind: PiiKind::Address }];
        let lines = redacted_lines(text, &across);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "Ada Quill said [ADDRESS-1]");
        assert!(lines[1].starts_with("[ADDRESS-2]"), "{}", lines[1]);
    }

    #[test]
    fn spans_round_trip_through_json() {
        let spans = vec![
            Span { start: 0, end: 9, kind: PiiKind::Person },
            Span { start: 20, end: 32, kind: PiiKind::NhsNumber },
        ];
        let json = spans_to_json(&spans);
        assert_eq!(json, r#"[[0,9,"PERSON"],[20,32,"NHS_NUMBER"]]"#);
        assert_eq!(spans_from_json(&json), Some(spans));
        assert_eq!(spans_from_json("[]"), Some(Vec::new()));
        assert_eq!(spans_from_json("[[1,2]]"), None);
        assert_eq!(spans_from_json("nonsense"), None);
    }
}
