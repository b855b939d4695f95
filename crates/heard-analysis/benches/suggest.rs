//! Assisted coding and theme discovery timings: `cargo bench -p heard-analysis --bench suggest`.
//!
//! Reads the patient-feedback file (`HEARD_FFT_CSV`, default
//! `../shared/data/patient-feedback/fft-framework-v6.dev.csv` beside the workspace; it is not in
//! the repository), then times, several runs each, printing every run and the median:
//! training a model on the whole file; suggesting codes for 100,000 texts resampled from it (with
//! a seeded RNG); and discovering themes in 10,000 of them. Without the file (or under
//! `cargo test --benches`) it runs once on synthetic texts to show the benchmark works.
//! `HEARD_BENCH_RUNS` sets the runs (default 5), `HEARD_BENCH_TEXTS` the texts to suggest for.
//! `HEARD_BENCH_CV=1` also prints 5-fold cross-validated F1 (folds by row index mod 5).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use heard_analysis::coding::suggest::{Model, TrainOptions, cross_validate};
use heard_analysis::coding::themes::{ThemeOptions, discover};
use heard_analysis::voice::synthetic::Generator;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Data {
    texts: Vec<String>,
    labels: Vec<Vec<bool>>,
    codes: Vec<String>,
}

fn load(path: &PathBuf) -> Option<Data> {
    let mut reader = csv::Reader::from_path(path).ok()?;
    let header: Vec<String> = reader.headers().ok()?.iter().map(str::to_owned).collect();
    let text = header.iter().position(|h| h == "FFT answer")?;
    let first = header.iter().position(|h| h == "Organisation & efficiency")?;
    let last = header.iter().position(|h| h == "Positive experience & gratitude")?;
    let mut data = Data { texts: Vec::new(), labels: Vec::new(), codes: header[first..=last].to_vec() };
    for record in reader.records() {
        let record = record.ok()?;
        data.texts.push(record.get(text)?.to_owned());
        data.labels.push((first..=last).map(|c| record.get(c).is_some_and(|v| v.trim() == "1")).collect());
    }
    Some(data)
}

/// Stand-in data when the file is absent: synthetic sources, coded by a word they contain.
fn synthetic(n: usize) -> Data {
    let codes = ["waiting", "council", "care", "staff"];
    let texts: Vec<String> = Generator::new(7).take(n).map(|s| s.text).collect();
    let labels = texts.iter().map(|t| codes.iter().map(|c| t.to_lowercase().contains(c)).collect()).collect();
    Data { texts, labels, codes: codes.iter().map(|c| (*c).to_owned()).collect() }
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 1 } else { env_or("HEARD_BENCH_RUNS", 5).max(1) };
    let path = std::env::var_os("HEARD_FFT_CSV").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/patient-feedback/fft-framework-v6.dev.csv")
    });
    let data = match (quick, load(&path)) {
        (false, Some(data)) => data,
        _ => {
            println!("(quick run on synthetic texts: {} not read, or not `cargo bench`)", path.display());
            synthetic(400)
        }
    };
    let texts: Vec<&str> = data.texts.iter().map(String::as_str).collect();
    let options = TrainOptions::default();
    println!("training data: {} texts, {} codes, {} cores", texts.len(), data.codes.len(), cores());

    if std::env::var("HEARD_BENCH_CV").is_ok_and(|v| v == "1") {
        let folds: Vec<usize> = (0..texts.len()).map(|i| i % 5).collect();
        match cross_validate(&texts, &data.labels, &data.codes, &folds, &options) {
            Ok(cv) => println!("5-fold cross-validation: {:?}", cv.pooled),
            Err(e) => println!("cross-validation failed: {e}"),
        }
    }

    let mut model = None;
    time_runs("train on the whole file", runs, || {
        model = Model::train(&texts, &data.labels, &data.codes, &options).ok();
        String::new()
    });
    let Some(model) = model else {
        println!("training failed");
        return;
    };
    println!("features: {}, decision rule: {:?}", model.vectoriser().len(), model.decision_rule());

    let n = if quick { 2_000 } else { env_or("HEARD_BENCH_TEXTS", 100_000) };
    let mut rng = StdRng::seed_from_u64(2024);
    let many: Vec<&str> = (0..n).map(|_| texts[rng.random_range(0..texts.len())]).collect();
    time_runs(&format!("suggest for {n} texts"), runs, || {
        let suggested = black_box(model.suggest_batch(black_box(&many)));
        format!("{} codes suggested", suggested.iter().map(Vec::len).sum::<usize>())
    });
    time_runs(&format!("of which the features of {n} texts"), runs, || {
        let vectors = black_box(model.vectoriser().transform_batch(black_box(&many)));
        format!("mean {} features a text", vectors.iter().map(|v| v.nnz()).sum::<usize>() / n.max(1))
    });

    let n = if quick { 1_000 } else { 10_000 };
    let pile: Vec<&str> = many.iter().take(n).copied().collect();
    time_runs(&format!("themes in {n} texts"), runs, || {
        let found = black_box(discover(black_box(&pile), &ThemeOptions::default()));
        let sizes: Vec<usize> = found.themes.iter().map(|t| t.size).collect();
        format!("{} themes in {} passes, sizes {sizes:?}", found.themes.len(), found.iterations)
    });
}

/// CPU time of the whole process (every thread), from /proc/self/stat's utime and stime in clock
/// ticks (100 a second on Linux): on a shared machine, wall-clock time also counts waiting for a
/// core.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Runs `work` `runs` times, printing each run's wall-clock and CPU seconds, then the medians.
fn time_runs(what: &str, runs: usize, mut work: impl FnMut() -> String) {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        let note = work();
        let seconds = started.elapsed().as_secs_f64();
        let used = cpu_before.zip(cpu_seconds()).map(|(before, after)| after - before);
        println!(
            "{what}, run {run}: {seconds:.3} s wall, {} CPU; {note}",
            used.map_or("?".into(), |c| format!("{c:.2} s"))
        );
        wall.push(seconds);
        cpu.extend(used);
    }
    report(&format!("{what}, wall-clock"), &mut wall, "s");
    if !cpu.is_empty() {
        report(&format!("{what}, CPU (all threads)"), &mut cpu, "s");
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn report(what: &str, values: &mut [f64], unit: &str) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    println!(
        "{what}: median {:.3} {unit} over {n} runs (min {:.3}, max {:.3})",
        values[n / 2],
        values[0],
        values[n - 1]
    );
}
