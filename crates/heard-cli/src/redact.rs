//! `heard redact`: the redaction engine on standard input and output. Plain text by default;
//! `--jsonl` for one `{"id", "text"}` object a line in, one `{"id", "redacted", "spans"}` out.
//!
//! A malformed JSONL line stops the run with an error naming its line number and what was wrong,
//! and the exit status is non-zero; lines before it have already been written. Nothing from the
//! input's text is ever echoed in an error. Blank lines are skipped.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use heard_analysis::voice::redaction::{Redacted, Redactor};
use serde::{Deserialize, Serialize};

/// Replace personal data in text read from standard input with placeholders such as [NAME-1].
#[derive(Debug, clap::Args)]
pub struct RedactArgs {
    /// Read lines of {"id": ..., "text": "..."} and write lines of
    /// {"id": ..., "redacted": "...", "spans": [{"start", "end", "kind"}]}, offsets in Unicode
    /// scalar values of the input text.
    #[arg(long)]
    pub jsonl: bool,
    /// A file of names always to redact (participants' pseudonyms, users' names), one a line.
    /// A file rather than arguments so that names do not show in the process list.
    #[arg(long, value_name = "FILE")]
    pub known_names: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    text: String,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    redacted: &'a str,
    spans: Vec<OutputSpan>,
}

#[derive(Serialize)]
struct OutputSpan {
    start: usize,
    end: usize,
    kind: &'static str,
}

pub fn run(args: RedactArgs) -> anyhow::Result<()> {
    let redactor = match &args.known_names {
        Some(path) => {
            let names = std::fs::read_to_string(path)
                .with_context(|| format!("could not read the known names file {}", path.display()))?;
            Redactor::new().with_known_names(names.lines())
        }
        None => Redactor::new(),
    };
    let stdin = BufReader::new(io::stdin().lock());
    let stdout = BufWriter::new(io::stdout().lock());
    if args.jsonl { redact_jsonl(&redactor, stdin, stdout) } else { redact_text(&redactor, stdin, stdout) }
}

/// The whole input as one text.
pub fn redact_text(redactor: &Redactor, mut input: impl Read, mut output: impl Write) -> anyhow::Result<()> {
    let mut text = String::new();
    input.read_to_string(&mut text).context("standard input is not UTF-8 text")?;
    output.write_all(redactor.redact(&text).text.as_bytes()).context("could not write the redacted text")?;
    output.flush().context("could not write the redacted text")
}

/// One JSON object a line, streamed: only the current line is held in memory.
pub fn redact_jsonl(redactor: &Redactor, mut input: impl BufRead, mut output: impl Write) -> anyhow::Result<()> {
    let mut line = String::new();
    let mut number = 0usize;
    loop {
        line.clear();
        number += 1;
        let read = input.read_line(&mut line).with_context(|| format!("line {number}: not UTF-8 text"))?;
        if read == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Input =
            serde_json::from_str(&line).map_err(|e| anyhow::anyhow!("line {number}: {}", describe(&e)))?;
        let Redacted { text, spans } = redactor.redact(&parsed.text);
        let out = Output {
            id: &parsed.id,
            redacted: &text,
            spans: spans.iter().map(|s| OutputSpan { start: s.start, end: s.end, kind: s.kind.code() }).collect(),
        };
        serde_json::to_writer(&mut output, &out).context("could not write the output")?;
        output.write_all(b"\n").context("could not write the output")?;
    }
    output.flush().context("could not write the output")
}

/// What was wrong with a line, without serde_json's message, which can quote the input.
fn describe(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax => format!("not valid JSON (column {})", error.column()),
        Category::Eof => "the JSON ends early".to_owned(),
        Category::Data => "expected an object with an \"id\" and a string \"text\"".to_owned(),
        Category::Io => "could not be read".to_owned(),
    }
}
