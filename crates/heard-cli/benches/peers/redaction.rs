//! Redaction: a synthetic corpus of UK health and social care stories, labelled with what the
//! generator planted (`heard_analysis::voice::synthetic`), written for Presidio; Heard's redactor
//! timed over it on one thread (Presidio gets one process), its spans written for the one scorer.

use std::time::Instant;

use heard_analysis::voice::redaction::{Redactor, Span};
use heard_analysis::voice::synthetic::Generator;
use serde_json::json;

use crate::results::{self, Figure};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    out: crate::Output,
    /// Texts in the corpus.
    #[arg(long, default_value_t = 2_000)]
    docs: usize,
    /// Timed runs; each passes over the corpus until at least half a second has gone.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

fn spans(spans: &[Span]) -> serde_json::Value {
    spans.iter().map(|s| json!({ "kind": s.kind.code(), "start": s.start, "end": s.end })).collect()
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out.dir)?;
    // A seed of its own, so the corpus is not the one the redactor's own tests and benchmark use;
    // phone numbers that Presidio's phone library takes for real ones.
    let corpus: Vec<_> = Generator::new(20_261_127).with_dialable_phones().take(args.docs).collect();
    results::write_lines(
        &args.out.dir.join("redaction-corpus.jsonl"),
        corpus.iter().map(|s| json!({ "text": s.text, "spans": spans(&s.planted) })),
    )?;
    let bytes: usize = corpus.iter().map(|s| s.text.len()).sum();
    println!("redaction: {} texts, {:.2} MB, {} planted spans", corpus.len(), bytes as f64 / 1e6, {
        corpus.iter().map(|s| s.planted.len()).sum::<usize>()
    });

    // Presidio is given no list of known names either.
    let redactor = Redactor::new();
    for run in 1..=args.runs {
        let started = Instant::now();
        let mut passes = 0;
        while passes == 0 || started.elapsed().as_secs_f64() < 0.5 {
            for sample in &corpus {
                std::hint::black_box(redactor.redact(std::hint::black_box(&sample.text)));
            }
            passes += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        let docs = (passes * corpus.len()) as f64;
        results::append(
            &args.out.results,
            &[
                Figure {
                    part: "redaction",
                    tool: "heard",
                    metric: "docs_per_s",
                    case: "",
                    run,
                    value: docs / seconds,
                    unit: "docs/s",
                },
                Figure {
                    part: "redaction",
                    tool: "heard",
                    metric: "mb_per_s",
                    case: "",
                    run,
                    value: (passes * bytes) as f64 / 1e6 / seconds,
                    unit: "MB/s",
                },
            ],
        )?;
    }
    results::write_lines(
        &args.out.dir.join("redaction-heard.jsonl"),
        corpus.iter().map(|s| json!({ "spans": spans(&redactor.redact(&s.text).spans) })),
    )
}
