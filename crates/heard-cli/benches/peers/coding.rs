//! Assisted coding: the NHS patient-feedback file (`../shared/data/patient-feedback`, not in the
//! repository) written as the peers read it, with the folds `heard coding cross-validate` uses
//! (row i in fold i mod 5); Heard's training on the whole file and suggestions for the whole file
//! timed; its out-of-fold suggestions written for the one scorer.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use heard_analysis::coding::suggest::{Model, TrainOptions, cross_validate};
use heard_analysis::voice::synthetic::Generator;
use serde_json::json;

use crate::results::{self, Figure};

const FOLDS: usize = 5;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    out: crate::Output,
    /// The patient-feedback CSV (`fft-framework-v6.dev.csv`).
    #[arg(long, required_unless_present = "synthetic")]
    csv: Option<PathBuf>,
    /// Instead of the file, this many synthetic texts coded by the words they contain (smoke runs).
    #[arg(long)]
    synthetic: Option<usize>,
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The number of the first run, so that runs interleaved with the peer's keep their numbers.
    /// Past 1, only the timed runs: the file for the peers and the out-of-fold suggestions were
    /// written by run 1.
    #[arg(long, default_value_t = 1)]
    first_run: usize,
}

struct Data {
    texts: Vec<String>,
    labels: Vec<Vec<bool>>,
    codes: Vec<String>,
}

/// The text is "FFT answer"; the 49 codes are the columns from "Organisation & efficiency" to
/// "Positive experience & gratitude", a 1 where the code applies.
fn read(path: &PathBuf) -> anyhow::Result<Data> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("could not read {}", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let column = |name: &str| header.iter().position(|h| h == name).with_context(|| format!("no column {name:?}"));
    let (text, first, last) =
        (column("FFT answer")?, column("Organisation & efficiency")?, column("Positive experience & gratitude")?);
    let mut data = Data { texts: Vec::new(), labels: Vec::new(), codes: header[first..=last].to_vec() };
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: row {}", path.display(), i + 2))?;
        data.texts.push(record.get(text).unwrap_or_default().to_owned());
        data.labels.push((first..=last).map(|c| record.get(c).is_some_and(|v| v.trim() == "1")).collect());
    }
    Ok(data)
}

fn synthetic(n: usize) -> Data {
    let codes = ["waiting", "council", "care", "staff"];
    let texts: Vec<String> = Generator::new(7).take(n).map(|s| s.text).collect();
    let labels = texts.iter().map(|t| codes.iter().map(|c| t.to_lowercase().contains(c)).collect()).collect();
    Data { texts, labels, codes: codes.iter().map(|c| (*c).to_owned()).collect() }
}

fn code_list(codes: &[String], applies: impl Iterator<Item = bool>) -> Vec<&str> {
    codes.iter().zip(applies).filter(|(_, on)| *on).map(|(c, _)| c.as_str()).collect()
}

/// The file the peers read: the code names, then each comment with its codes and fold.
fn write_for_peers(path: &std::path::Path, data: &Data, fold_of: &[usize]) -> anyhow::Result<()> {
    let comments = data.texts.iter().zip(&data.labels).zip(fold_of).map(|((text, labels), fold)| {
        json!({ "text": text, "codes": code_list(&data.codes, labels.iter().copied()), "fold": fold })
    });
    results::write_lines(path, std::iter::once(json!({ "codes": data.codes })).chain(comments))
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out.dir)?;
    let data = match (&args.synthetic, &args.csv) {
        (Some(n), _) => synthetic(*n),
        (None, Some(path)) => read(path)?,
        (None, None) => anyhow::bail!("give --csv or --synthetic"),
    };
    let fold_of: Vec<usize> = (0..data.texts.len()).map(|i| i % FOLDS).collect();
    let first = args.first_run == 1;
    if first {
        write_for_peers(&args.out.dir.join("coding.jsonl"), &data, &fold_of)?;
        println!("coding: {} texts, {} codes, {FOLDS} folds", data.texts.len(), data.codes.len());
    }

    let texts: Vec<&str> = data.texts.iter().map(String::as_str).collect();
    let options = TrainOptions::default();
    for run in args.first_run..args.first_run + args.runs {
        let started = Instant::now();
        let model = Model::train(&texts, &data.labels, &data.codes, &options)?;
        let train = started.elapsed().as_secs_f64();
        let started = Instant::now();
        std::hint::black_box(model.suggest_batch(&texts));
        let predict = started.elapsed().as_secs_f64();
        results::append(
            &args.out.results,
            &[
                Figure {
                    part: "coding",
                    tool: "heard",
                    metric: "train_seconds",
                    case: "",
                    run,
                    value: train,
                    unit: "s",
                },
                Figure {
                    part: "coding",
                    tool: "heard",
                    metric: "predict_seconds",
                    case: "",
                    run,
                    value: predict,
                    unit: "s",
                },
            ],
        )?;
    }

    if !first {
        return Ok(());
    }
    let validation = cross_validate(&texts, &data.labels, &data.codes, &fold_of, &options)?;
    results::write_lines(
        &args.out.dir.join("coding-heard.jsonl"),
        validation.predicted.iter().map(|row| json!({ "codes": code_list(&data.codes, row.iter().copied()) })),
    )
}
