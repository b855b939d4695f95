//! Timed transcripts of recordings, from WebVTT and SRT.
//!
//! WebVTT follows the W3C "WebVTT: The Web Video Text Tracks Format" parsing rules (§6.1: the
//! header, blocks, cue timings, cue text), stricter in one way: a block that should be a cue but
//! has no valid timing line is an error naming its line, not silently dropped, so a researcher
//! learns that a line of the transcript would be lost. SRT is the SubRip convention: numbered
//! blocks with `hh:mm:ss,mmm --> hh:mm:ss,mmm`.

use crate::Invalid;

/// The largest transcript file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most cues one transcript may hold.
pub const MAX_CUES: usize = 20_000;
/// The longest text of one cue, in characters.
pub const MAX_CUE_CHARS: usize = 10_000;

/// One timed piece of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cue {
    /// Milliseconds from the start of the recording.
    pub start_ms: u64,
    pub end_ms: u64,
    /// Plain text: tags removed, entities decoded, lines joined by `\n`.
    pub text: String,
    /// The WebVTT cue identifier, or the SRT block number.
    pub identifier: Option<String>,
    /// The first voice named in the cue by a WebVTT `<v Name>` tag.
    pub speaker: Option<String>,
}

/// The cues of one recording, in the order the file gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    pub cues: Vec<Cue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TranscriptFormat {
    WebVtt,
    Srt,
}

impl TranscriptFormat {
    /// WebVTT when the text starts (after an optional byte order mark) with the `WEBVTT` signature;
    /// SRT otherwise.
    pub fn detect(bytes: &[u8]) -> Self {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match bytes.strip_prefix(b"WEBVTT") {
            Some([] | [b' ' | b'\t' | b'\n' | b'\r', ..]) => Self::WebVtt,
            _ => Self::Srt,
        }
    }

    /// The format a file name or extension names: `vtt` or `srt`, any case, with or without a dot.
    pub fn from_extension(name: &str) -> Option<Self> {
        let extension = name.rsplit('.').next().unwrap_or(name);
        if extension.eq_ignore_ascii_case("vtt") {
            Some(Self::WebVtt)
        } else if extension.eq_ignore_ascii_case("srt") {
            Some(Self::Srt)
        } else {
            None
        }
    }

    fn timing_example(self) -> &'static str {
        match self {
            Self::WebVtt => "00:01:02.000 --> 00:01:04.000",
            Self::Srt => "00:01:02,000 --> 00:01:04,000",
        }
    }
}

/// Where a transcript went wrong and what: the cue (1-based, counting cues only) and the line
/// (1-based) when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptError {
    pub cue: Option<usize>,
    pub line: Option<usize>,
    pub problem: TranscriptProblem,
}

/// What is wrong with a transcript. Messages never quote cue text, which may be personal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranscriptProblem {
    #[error("the file is larger than the limit of 5 MB")]
    TooLarge,
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("the file does not start with WEBVTT")]
    NoHeader,
    #[error("the file has no cues")]
    NoCues,
    #[error("the file has more than the limit of 20,000 cues")]
    TooManyCues,
    #[error("expected a timestamp like {0}")]
    ExpectedTiming(&'static str),
    #[error("the end time {end} is before the start time {start}")]
    EndBeforeStart { start: String, end: String },
    #[error("the end time {end} is the same as the start time")]
    EndAtStart { end: String },
    #[error("the cue text is longer than the limit of 10,000 characters")]
    TextTooLong,
}

impl std::fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.cue, self.line) {
            (Some(cue), Some(line)) => write!(f, "Cue {cue} (line {line}): {}", self.problem),
            (Some(cue), None) => write!(f, "Cue {cue}: {}", self.problem),
            (None, Some(line)) => write!(f, "Line {line}: {}", self.problem),
            (None, None) => {
                let message = self.problem.to_string();
                let mut chars = message.chars();
                match chars.next() {
                    Some(first) => write!(f, "{}{}", first.to_uppercase(), chars.as_str()),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for TranscriptError {}

impl From<TranscriptError> for Invalid {
    fn from(error: TranscriptError) -> Self {
        Invalid::one("transcript", error.to_string())
    }
}

fn fail(cue: Option<usize>, line: Option<usize>, problem: TranscriptProblem) -> TranscriptError {
    TranscriptError { cue, line, problem }
}

/// Parses a WebVTT or SRT file; `None` detects the format from the `WEBVTT` signature.
pub fn parse(bytes: &[u8], format: Option<TranscriptFormat>) -> Result<Transcript, TranscriptError> {
    if bytes.len() > MAX_BYTES {
        return Err(fail(None, None, TranscriptProblem::TooLarge));
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let line = bytes[..error.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        fail(None, Some(line), TranscriptProblem::NotUtf8)
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let format = format.unwrap_or_else(|| TranscriptFormat::detect(text.as_bytes()));
    let lines = split_lines(text);
    let cues = match format {
        TranscriptFormat::WebVtt => parse_webvtt(&lines)?,
        TranscriptFormat::Srt => parse_srt(&lines)?,
    };
    if cues.is_empty() {
        return Err(fail(None, None, TranscriptProblem::NoCues));
    }
    Ok(Transcript { cues })
}

/// Lines split at CRLF, LF or CR, as WebVTT defines line terminators.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(end) = rest.find(['\r', '\n']) {
        lines.push(&rest[..end]);
        let terminator = if rest[end..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[end + terminator..];
    }
    if !rest.is_empty() {
        lines.push(rest);
    }
    lines
}

/// `word` alone, or followed by a space or tab (the WebVTT rule for `NOTE`, `STYLE` and `REGION`).
fn starts_block(line: &str, word: &str) -> bool {
    line.strip_prefix(word).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Collects cues while counting them, so every error can say which cue it is.
struct Cues {
    cues: Vec<Cue>,
    format: TranscriptFormat,
}

impl Cues {
    /// The number (1-based) the next cue will have, for messages.
    fn next_number(&self) -> Option<usize> {
        Some(self.cues.len() + 1)
    }

    /// Parses the timing line at `timing` (0-based) and the cue's raw text lines, and keeps the cue.
    fn push(
        &mut self,
        identifier: Option<&str>,
        lines: &[&str],
        timing: usize,
        text: &[&str],
    ) -> Result<(), TranscriptError> {
        let number = self.next_number();
        let line_number = Some(timing + 1);
        if self.cues.len() == MAX_CUES {
            return Err(fail(number, line_number, TranscriptProblem::TooManyCues));
        }
        let Some(((start_ms, start), (end_ms, end))) = parse_timing(lines[timing], self.format) else {
            return Err(fail(number, line_number, TranscriptProblem::ExpectedTiming(self.format.timing_example())));
        };
        if end_ms < start_ms {
            let problem = TranscriptProblem::EndBeforeStart { start: start.to_owned(), end: end.to_owned() };
            return Err(fail(number, line_number, problem));
        }
        if end_ms == start_ms {
            return Err(fail(number, line_number, TranscriptProblem::EndAtStart { end: end.to_owned() }));
        }
        let (text, speaker) = plain_text(&text.join("\n"), self.format);
        if text.chars().count() > MAX_CUE_CHARS {
            return Err(fail(number, line_number, TranscriptProblem::TextTooLong));
        }
        let identifier = identifier.map(str::to_owned);
        self.cues.push(Cue { start_ms, end_ms, text, identifier, speaker });
        Ok(())
    }
}

fn parse_webvtt(lines: &[&str]) -> Result<Vec<Cue>, TranscriptError> {
    let header = lines.first().copied().unwrap_or_default();
    if !(header.starts_with("WEBVTT") && (header.len() == 6 || header[6..].starts_with([' ', '\t']))) {
        return Err(fail(None, Some(1), TranscriptProblem::NoHeader));
    }
    // The rest of the header block (old-style metadata) ends at a blank line or at a timing line.
    let mut i = 1;
    while i < lines.len() && !lines[i].is_empty() && !lines[i].contains("-->") {
        i += 1;
    }
    let mut cues = Cues { cues: Vec::new(), format: TranscriptFormat::WebVtt };
    loop {
        while i < lines.len() && lines[i].is_empty() {
            i += 1;
        }
        let Some(&first) = lines.get(i) else { break };
        let (identifier, timing) = if first.contains("-->") {
            (None, i)
        } else if lines.get(i + 1).is_some_and(|line| line.contains("-->")) {
            (Some(first), i + 1)
        } else if starts_block(first, "NOTE") || starts_block(first, "STYLE") || starts_block(first, "REGION") {
            // Comments, style sheets and region definitions carry nothing for a transcript.
            i += 1;
            while i < lines.len() && !lines[i].is_empty() && !lines[i].contains("-->") {
                i += 1;
            }
            continue;
        } else {
            // No timing line where a cue should have one: point at the line after the identifier.
            let line = if lines.get(i + 1).is_some_and(|line| !line.is_empty()) { i + 2 } else { i + 1 };
            let problem = TranscriptProblem::ExpectedTiming(TranscriptFormat::WebVtt.timing_example());
            return Err(fail(cues.next_number(), Some(line), problem));
        };
        // Cue text runs to a blank line; a line with "-->" starts the next block (§6.1).
        let mut end = timing + 1;
        while end < lines.len() && !lines[end].is_empty() && !lines[end].contains("-->") {
            end += 1;
        }
        cues.push(identifier, lines, timing, &lines[timing + 1..end])?;
        i = end;
    }
    Ok(cues.cues)
}

fn parse_srt(lines: &[&str]) -> Result<Vec<Cue>, TranscriptError> {
    let blank = |line: &str| line.trim().is_empty();
    let mut cues = Cues { cues: Vec::new(), format: TranscriptFormat::Srt };
    let mut i = 0;
    loop {
        while i < lines.len() && blank(lines[i]) {
            i += 1;
        }
        let Some(&first) = lines.get(i) else { break };
        let (identifier, timing) = if first.contains("-->") {
            (None, i)
        } else if lines.get(i + 1).is_some_and(|line| line.contains("-->")) {
            (Some(first.trim()), i + 1)
        } else {
            let line = if lines.get(i + 1).is_some_and(|line| !blank(line)) { i + 2 } else { i + 1 };
            let problem = TranscriptProblem::ExpectedTiming(TranscriptFormat::Srt.timing_example());
            return Err(fail(cues.next_number(), Some(line), problem));
        };
        let mut end = timing + 1;
        while end < lines.len() && !blank(lines[end]) && !lines[end].contains("-->") {
            end += 1;
        }
        // A file that forgot the blank line between blocks: the next block's number is not text.
        if lines.get(end).is_some_and(|line| line.contains("-->"))
            && end > timing + 1
            && is_block_number(lines[end - 1])
        {
            end -= 1;
        }
        cues.push(identifier, lines, timing, &lines[timing + 1..end])?;
        i = end;
    }
    Ok(cues.cues)
}

fn is_block_number(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

/// A time in milliseconds, and as the file wrote it (for messages).
type Time<'a> = (u64, &'a str);

/// Start and end; cue settings after the end are ignored.
fn parse_timing(line: &str, format: TranscriptFormat) -> Option<(Time<'_>, Time<'_>)> {
    let line = line.trim_start_matches([' ', '\t']);
    let (start_ms, rest) = parse_timestamp(line, format)?;
    let start = line[..line.len() - rest.len()].trim_end();
    let rest = rest.trim_start_matches([' ', '\t']).strip_prefix("-->")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let (end_ms, settings) = parse_timestamp(rest, format)?;
    let end = &rest[..rest.len() - settings.len()];
    if !(settings.is_empty() || settings.starts_with([' ', '\t'])) {
        return None;
    }
    Some(((start_ms, start), (end_ms, end)))
}

/// A WebVTT timestamp (`mm:ss.ttt` or `h+:mm:ss.ttt`, §6.2 "collect a WebVTT timestamp"); SRT's
/// `hh:mm:ss,ttt` also takes a full stop, as many files written by hand have one.
fn parse_timestamp(s: &str, format: TranscriptFormat) -> Option<(u64, &str)> {
    fn digits(s: &str) -> (&str, &str) {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        s.split_at(end)
    }
    fn value(digits: &str) -> Option<u64> {
        // More than 12 digits of hours is not a recording; it would also overflow milliseconds.
        if digits.is_empty() || digits.len() > 12 { None } else { digits.parse().ok() }
    }
    let (first, rest) = digits(s);
    let first_value = value(first)?;
    let rest = rest.strip_prefix(':')?;
    let (second, rest) = digits(rest);
    if second.len() != 2 {
        return None;
    }
    let second_value = value(second)?;
    let (hours, minutes, seconds, rest) = if first.len() != 2 || first_value > 59 || rest.starts_with(':') {
        let rest = rest.strip_prefix(':')?;
        let (third, rest) = digits(rest);
        if third.len() != 2 {
            return None;
        }
        (first_value, second_value, value(third)?, rest)
    } else {
        (0, first_value, second_value, rest)
    };
    let rest = match format {
        TranscriptFormat::WebVtt => rest.strip_prefix('.')?,
        TranscriptFormat::Srt => rest.strip_prefix([',', '.'])?,
    };
    let (millis, rest) = digits(rest);
    if millis.len() != 3 || minutes > 59 || seconds > 59 {
        return None;
    }
    let ms = hours.checked_mul(3_600_000)? + minutes * 60_000 + seconds * 1000 + value(millis)?;
    Some((ms, rest))
}

/// Cue text without its markup, and the first voice's name. WebVTT tags (`<v Name>`, `<c.x>`,
/// `<i>`, `<b>`, `<u>`, `<ruby>`, `<lang>`, timestamps) and character references go; SRT's
/// HTML-like tags (`<i>`, `<font ...>`) and `{\an8}` overrides go too. Lines left empty are dropped
/// so that the text can be written back as WebVTT unchanged.
fn plain_text(raw: &str, format: TranscriptFormat) -> (String, Option<String>) {
    let vtt = format == TranscriptFormat::WebVtt;
    let mut text = String::with_capacity(raw.len());
    let mut speaker = None;
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == '<' && (vtt || rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')) {
            let inner_end = rest.find('>');
            if vtt || inner_end.is_some() {
                let inner = &rest[1..inner_end.unwrap_or(rest.len())];
                rest = inner_end.map_or("", |end| &rest[end + 1..]);
                if speaker.is_none() && vtt {
                    speaker = voice(inner);
                }
                continue;
            }
        }
        if !vtt
            && c == '{'
            && rest[1..].starts_with('\\')
            && let Some(end) = rest.find('}')
        {
            rest = &rest[end + 1..];
            continue;
        }
        if vtt
            && c == '&'
            && let Some((decoded, length)) = character_reference(rest)
        {
            text.push(decoded);
            rest = &rest[length..];
            continue;
        }
        text.push(if c == '\0' { '\u{FFFD}' } else { c });
        rest = &rest[c.len_utf8()..];
    }
    let text = text.split('\n').filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n");
    (text, speaker)
}

/// The annotation of a `<v>` start tag: `v Name` or `v.class Name`.
fn voice(tag: &str) -> Option<String> {
    let name_end = tag.find(['.', ' ', '\t', '\n', '\x0C']).unwrap_or(tag.len());
    if &tag[..name_end] != "v" {
        return None;
    }
    let annotation = tag[name_end..].trim_start_matches(|c: char| c != ' ' && c != '\t' && c != '\n');
    let (decoded, _) = plain_text(annotation, TranscriptFormat::WebVtt);
    // ASCII whitespace only: a no-break space inside a name is part of it.
    let name =
        decoded.split(['\t', '\n', '\x0C', '\r', ' ']).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

/// The character references WebVTT files use in practice, and their length in bytes.
fn character_reference(s: &str) -> Option<(char, usize)> {
    const REFERENCES: [(&str, char); 7] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&lrm;", '\u{200E}'),
        ("&rlm;", '\u{200F}'),
        ("&nbsp;", '\u{A0}'),
        ("&quot;", '"'),
    ];
    REFERENCES.iter().find(|(name, _)| s.starts_with(name)).map(|&(name, c)| (c, name.len()))
}

/// Writes a transcript as WebVTT that [`parse`] reads back to the same cues. An identifier that
/// WebVTT cannot carry (empty, or holding `-->` or a line break) is left out.
pub fn to_webvtt(transcript: &Transcript) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in &transcript.cues {
        out.push('\n');
        if let Some(identifier) = &cue.identifier {
            let writable = !identifier.is_empty() && !identifier.contains("-->") && !identifier.contains(['\r', '\n']);
            if writable {
                out.push_str(identifier);
                out.push('\n');
            }
        }
        out.push_str(&format!("{} --> {}\n", timestamp(cue.start_ms), timestamp(cue.end_ms)));
        let mut lines = cue.text.split(['\r', '\n']).filter(|line| !line.is_empty()).peekable();
        if let Some(speaker) = &cue.speaker {
            out.push_str(&format!("<v {}>", escape(speaker)));
            if lines.peek().is_none() {
                out.push('\n');
            }
        }
        for line in lines {
            out.push_str(&escape(line));
            out.push('\n');
        }
    }
    out
}

/// `hh:mm:ss.ttt`, with more hour digits when needed.
fn timestamp(ms: u64) -> String {
    let (hours, rest) = (ms / 3_600_000, ms % 3_600_000);
    format!("{hours:02}:{:02}:{:02}.{:03}", rest / 60_000, rest % 60_000 / 1000, rest % 1000)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vtt(text: &str) -> Result<Transcript, TranscriptError> {
        parse(text.as_bytes(), None)
    }

    fn message(text: &str, format: Option<TranscriptFormat>) -> String {
        parse(text.as_bytes(), format).unwrap_err().to_string()
    }

    fn cue(start_ms: u64, end_ms: u64, text: &str) -> Cue {
        Cue { start_ms, end_ms, text: text.to_owned(), identifier: None, speaker: None }
    }

    #[test]
    fn reads_the_specifications_first_example() {
        // WebVTT §1.1, with a BOM and a header comment.
        let file = "\u{FEFF}WEBVTT - a film about listening\n\n00:11.000 --> 00:13.000\n<v Roger Bingham>We are in New York City\n\n00:13.000 --> 00:16.000\n<v Roger Bingham>We're actually at the Lucern Hotel, just down the street\n";
        let transcript = vtt(file).unwrap();
        assert_eq!(transcript.cues.len(), 2);
        let first = &transcript.cues[0];
        assert_eq!((first.start_ms, first.end_ms), (11_000, 13_000));
        assert_eq!(first.text, "We are in New York City");
        assert_eq!(first.speaker.as_deref(), Some("Roger Bingham"));
        assert_eq!(transcript.cues[1].text, "We're actually at the Lucern Hotel, just down the street");
    }

    #[test]
    fn skips_comments_style_and_regions_and_keeps_identifiers_and_settings() {
        let file = "WEBVTT\nKind: captions\nLanguage: en\n\nSTYLE\n::cue { color: lime }\n\nREGION\nid:fred width:40%\n\nNOTE This is a comment\nover two lines\n\n1\n00:00:00.000 --> 00:00:02.500 align:start position:10% region:fred\n<c.yellow>Hello</c> &amp; <i>welcome</i><00:00:01.000> <b>all</b>\nsecond line\n\nNOTE\nanother\n\nintro-2\n01:02.345 --> 1:01:02.345\n<v.loud Mary&nbsp;Smith>Hi&lt;3\n";
        let transcript = vtt(file).unwrap();
        assert_eq!(
            transcript.cues,
            [
                Cue {
                    start_ms: 0,
                    end_ms: 2500,
                    text: "Hello & welcome all\nsecond line".to_owned(),
                    identifier: Some("1".to_owned()),
                    speaker: None,
                },
                Cue {
                    start_ms: 62_345,
                    end_ms: 3_662_345,
                    text: "Hi<3".to_owned(),
                    identifier: Some("intro-2".to_owned()),
                    speaker: Some("Mary\u{A0}Smith".to_owned()),
                },
            ]
        );
    }

    #[test]
    fn accepts_every_line_terminator_and_a_cue_straight_after_the_header() {
        let file = "WEBVTT\r00:01.000 --> 00:02.000\rone\r\n\r\n00:02.000 --> 00:03.000\ntwo";
        let cues = vtt(file).unwrap().cues;
        assert_eq!(cues, [cue(1000, 2000, "one"), cue(2000, 3000, "two")]);
    }

    #[test]
    fn a_timing_line_ends_the_cue_before_it() {
        let file = "WEBVTT\n\n00:01.000 --> 00:02.000\none\n00:02.000 --> 00:03.000\ntwo\n";
        assert_eq!(vtt(file).unwrap().cues, [cue(1000, 2000, "one"), cue(2000, 3000, "two")]);
    }

    #[test]
    fn reads_srt_with_crlf_bom_and_html_tags() {
        let file = "\u{FEFF}1\r\n00:00:01,000 --> 00:00:04,074\r\n<i>Hello</i> there\r\n{\\an8}top line\r\n\r\n2\r\n00:00:05,500 --> 00:01:00,000 X1:40 X2:600 Y1:20 Y2:50\r\nI <3 it & <font color=\"red\">this</font>\r\n\r\n\r\n";
        let transcript = parse(file.as_bytes(), None).unwrap();
        assert_eq!(
            transcript.cues,
            [
                Cue { identifier: Some("1".to_owned()), ..cue(1000, 4074, "Hello there\ntop line") },
                Cue { identifier: Some("2".to_owned()), ..cue(5500, 60_000, "I <3 it & this") },
            ]
        );
    }

    #[test]
    fn reads_srt_with_missing_blank_lines_and_numbers() {
        let file = "00:00:01,000 --> 00:00:02,000\none\n2\n00:00:03.000 --> 00:00:04,000\ntwo\n";
        let cues = parse(file.as_bytes(), Some(TranscriptFormat::Srt)).unwrap().cues;
        assert_eq!(cues, [cue(1000, 2000, "one"), Cue { identifier: Some("2".to_owned()), ..cue(3000, 4000, "two") }]);
    }

    #[test]
    fn detects_the_format() {
        assert_eq!(TranscriptFormat::detect(b"WEBVTT"), TranscriptFormat::WebVtt);
        assert_eq!(TranscriptFormat::detect(b"\xEF\xBB\xBFWEBVTT\tx\n"), TranscriptFormat::WebVtt);
        assert_eq!(TranscriptFormat::detect(b"WEBVTTX\n"), TranscriptFormat::Srt);
        assert_eq!(TranscriptFormat::detect(b"1\n00:00:01,000 --> 00:00:02,000"), TranscriptFormat::Srt);
        assert_eq!(TranscriptFormat::from_extension("talk.VTT"), Some(TranscriptFormat::WebVtt));
        assert_eq!(TranscriptFormat::from_extension("srt"), Some(TranscriptFormat::Srt));
        assert_eq!(TranscriptFormat::from_extension("talk.txt"), None);
    }

    #[test]
    fn says_where_each_error_is() {
        let webvtt = Some(TranscriptFormat::WebVtt);
        assert_eq!(message("", None), "The file has no cues");
        assert_eq!(message("hello\n", None), "Cue 1 (line 1): expected a timestamp like 00:01:02,000 --> 00:01:04,000");
        assert_eq!(message("", webvtt), "Line 1: the file does not start with WEBVTT");
        assert_eq!(message("WEBVTTX\n", webvtt), "Line 1: the file does not start with WEBVTT");
        assert_eq!(message("WEBVTT\n\nNOTE nothing here\n", None), "The file has no cues");
        assert_eq!(message("WEBVTT\n", None), "The file has no cues");
        let backwards =
            "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n00:02.000 --> 00:03.000\nb\n\n3\n00:02.000 --> 00:01.000\nc\n";
        assert_eq!(
            message(backwards, None),
            "Cue 3 (line 10): the end time 00:01.000 is before the start time 00:02.000"
        );
        let missing = "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n2\n00:01 -> 00:02\nb\n";
        assert_eq!(message(missing, None), "Cue 2 (line 7): expected a timestamp like 00:01:02.000 --> 00:01:04.000");
        let bad = "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n00:61.000 --> 00:62.000\nb\n";
        assert_eq!(message(bad, None), "Cue 2 (line 6): expected a timestamp like 00:01:02.000 --> 00:01:04.000");
        let comma = "WEBVTT\n\n00:01,000 --> 00:02,000\na\n";
        assert_eq!(message(comma, None), "Cue 1 (line 3): expected a timestamp like 00:01:02.000 --> 00:01:04.000");
        let glued = "WEBVTT\n\n00:01.000 --> 00:02.000align:start\na\n";
        assert!(message(glued, None).starts_with("Cue 1 (line 3): expected a timestamp"));
        let same = "1\n00:00:01,000 --> 00:00:01,000\na\n";
        assert_eq!(message(same, None), "Cue 1 (line 2): the end time 00:00:01,000 is the same as the start time");
        let srt = "1\n00:00:01,000 --> 00:00:02,000\na\n\n2\nno timing here\n";
        assert_eq!(message(srt, None), "Cue 2 (line 6): expected a timestamp like 00:01:02,000 --> 00:01:04,000");
        assert_eq!(
            message(&format!("WEBVTT\n\n{}", "\n".repeat(MAX_BYTES)), None),
            "The file is larger than the limit of 5 MB"
        );
        assert_eq!(
            parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\nna\xEFve\n", None).unwrap_err().to_string(),
            "Line 4: the file is not UTF-8 text"
        );
        let long = format!("WEBVTT\n\n00:01.000 --> 00:02.000\n{}\n", "é".repeat(MAX_CUE_CHARS + 1));
        assert_eq!(message(&long, None), "Cue 1 (line 3): the cue text is longer than the limit of 10,000 characters");
        assert!(vtt(&format!("WEBVTT\n\n00:01.000 --> 00:02.000\n{}\n", "é".repeat(MAX_CUE_CHARS))).is_ok());
    }

    #[test]
    fn limits_the_number_of_cues() {
        let mut file = String::from("WEBVTT\n");
        for _ in 0..MAX_CUES {
            file.push_str("\n00:01.000 --> 00:02.000\nx\n");
        }
        assert_eq!(vtt(&file).unwrap().cues.len(), MAX_CUES);
        file.push_str("\n00:01.000 --> 00:02.000\nx\n");
        let error = vtt(&file).unwrap_err();
        assert_eq!((error.cue, error.problem), (Some(MAX_CUES + 1), TranscriptProblem::TooManyCues));
    }

    #[test]
    fn converts_into_an_invalid_transcript_field() {
        let invalid = Invalid::from(parse(b"WEBVTT\n", None).unwrap_err());
        assert_eq!(invalid.message_for("transcript"), Some("The file has no cues"));
    }

    #[test]
    fn writes_webvtt_that_reads_back_the_same() {
        let transcript = Transcript {
            cues: vec![
                Cue {
                    identifier: Some("intro".to_owned()),
                    speaker: Some("Dr <Who> & co".to_owned()),
                    ..cue(0, 1500, "a -> b --> c & <d>\nsecond")
                },
                cue(3_600_000 * 123 + 61_001, 3_600_000 * 123 + 62_000, ""),
                Cue { speaker: Some("Ann".to_owned()), ..cue(5, 6, "") },
                Cue { identifier: Some("bad --> id".to_owned()), ..cue(7, 8, "x") },
            ],
        };
        let written = to_webvtt(&transcript);
        assert!(
            written.starts_with(
                "WEBVTT\n\nintro\n00:00:00.000 --> 00:00:01.500\n<v Dr &lt;Who&gt; &amp; co>a -&gt; b --&gt; c &amp; &lt;d&gt;\nsecond\n"
            )
        );
        let mut expected = transcript.clone();
        expected.cues[3].identifier = None;
        assert_eq!(parse(written.as_bytes(), None), Ok(expected));
    }

    #[test]
    fn srt_reads_back_the_same_through_webvtt() {
        let file = "1\n00:00:01,000 --> 00:00:04,074\n<i>Hello</i> there\n\n2\n00:00:05,500 --> 00:01:00,000\nbye\n";
        let transcript = parse(file.as_bytes(), None).unwrap();
        assert_eq!(parse(to_webvtt(&transcript).as_bytes(), None), Ok(transcript));
    }

    proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for format in [None, Some(TranscriptFormat::WebVtt), Some(TranscriptFormat::Srt)] {
                let _ = parse(&bytes, format);
            }
        }

        #[test]
        fn any_transcript_reads_back_the_same(
            cues in proptest::collection::vec(
                (
                    0u64..10_000_000_000,
                    1u64..1_000_000,
                    proptest::collection::vec("\\PC{1,20}", 0..4),
                    proptest::option::of("[a-z0-9 -]{1,10}"),
                    proptest::option::of("[A-Za-z<>&.]{1,8}( [A-Za-z<>&]{1,8})?"),
                ),
                1..20,
            ),
        ) {
            let cues: Vec<Cue> = cues
                .into_iter()
                .map(|(start_ms, length, lines, identifier, speaker)| Cue {
                    start_ms,
                    end_ms: start_ms + length,
                    text: lines.join("\n"),
                    identifier,
                    speaker,
                })
                .collect();
            let transcript = Transcript { cues };
            prop_assert_eq!(parse(to_webvtt(&transcript).as_bytes(), None), Ok(transcript));
        }

        #[test]
        fn never_panics_on_transcript_like_text(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("WEBVTT".to_owned()),
                    Just(String::new()),
                    Just("NOTE".to_owned()),
                    "[0-9:.,]{0,14} ?-->[ \t]?[0-9:.,]{0,14}( [a-z:%0-9]{0,8})?",
                    "[<>&a-z/. v]{0,20}",
                    "\\PC{0,10}",
                ],
                0..20,
            ),
            crlf in any::<bool>(),
        ) {
            let file = lines.join(if crlf { "\r\n" } else { "\n" });
            for format in [None, Some(TranscriptFormat::Srt)] {
                if let Ok(transcript) = parse(file.as_bytes(), format) {
                    prop_assert!(!transcript.cues.is_empty());
                    for cue in &transcript.cues {
                        prop_assert!(cue.start_ms < cue.end_ms);
                    }
                    let written = to_webvtt(&transcript);
                    let mut again = parse(written.as_bytes(), None).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    // Identifiers WebVTT cannot carry are dropped when written.
                    for (cue, original) in again.cues.iter_mut().zip(&transcript.cues) {
                        if cue.identifier.is_none() {
                            cue.identifier.clone_from(&original.identifier);
                        }
                    }
                    prop_assert_eq!(again, transcript);
                }
            }
        }
    }
}
