//! Redaction throughput on one core: `cargo bench -p heard-analysis --bench redaction`.
//!
//! Generates synthetic sources (the same every run), then times `Redactor::redact` over all of
//! them several times and prints each run's MB/s (1 MB = 10^6 bytes of UTF-8 input) and the
//! median. A plain timing loop rather than criterion: one number per run is what
//! docs/performance.md reports, and it keeps criterion's dependencies out of every cold build.
//! `HEARD_BENCH_MB` sets the corpus size (default 16), `HEARD_BENCH_RUNS` the runs (default 7).

use std::hint::black_box;
use std::time::Instant;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::synthetic::Generator;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then one quick run is
    // enough to show the benchmark still works.
    let quick = !std::env::args().any(|a| a == "--bench");
    let megabytes = if quick { 1 } else { env_or("HEARD_BENCH_MB", 16) };
    let runs = if quick { 1 } else { env_or("HEARD_BENCH_RUNS", 7).max(1) };

    let mut corpus = Vec::new();
    let mut bytes = 0;
    for sample in Generator::new(2024) {
        bytes += sample.text.len();
        corpus.push(sample.text);
        if bytes >= megabytes * 1_000_000 {
            break;
        }
    }
    let redactor = Redactor::new().with_known_names(["Kai Moreno (demo)", "Robin Ashdown (demo)"]);
    let spans: usize = corpus.iter().map(|text| redactor.redact(text).spans.len()).sum();
    println!(
        "corpus: {} sources, {:.1} MB, mean {} bytes, {} spans found",
        corpus.len(),
        bytes as f64 / 1e6,
        bytes / corpus.len().max(1),
        spans
    );

    let mut rates = Vec::with_capacity(runs);
    let mut cpu_rates = Vec::with_capacity(runs);
    for run in 1..=runs {
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        for text in &corpus {
            black_box(redactor.redact(black_box(text)));
        }
        let seconds = started.elapsed().as_secs_f64();
        let rate = bytes as f64 / 1e6 / seconds;
        match cpu_before.zip(cpu_seconds()).map(|(before, after)| after - before) {
            Some(cpu) => {
                let cpu_rate = bytes as f64 / 1e6 / cpu;
                println!("run {run}: {rate:.1} MB/s wall ({seconds:.3} s), {cpu_rate:.1} MB/s on-CPU ({cpu:.3} s)");
                cpu_rates.push(cpu_rate);
            }
            None => println!("run {run}: {rate:.1} MB/s wall ({seconds:.3} s)"),
        }
        rates.push(rate);
    }
    report("wall-clock", &mut rates);
    if !cpu_rates.is_empty() {
        report("on-CPU", &mut cpu_rates);
    }
}

fn report(what: &str, rates: &mut [f64]) {
    rates.sort_by(f64::total_cmp);
    let n = rates.len();
    println!(
        "redact, {what}: median {:.1} MB/s over {n} runs (min {:.1}, max {:.1})",
        rates[n / 2],
        rates[0],
        rates[n - 1]
    );
}

/// The time this thread has spent running, from Linux's scheduler statistics: on a shared, busy
/// machine wall-clock time also counts the time spent waiting for a core.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}
