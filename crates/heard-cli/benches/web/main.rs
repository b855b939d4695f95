//! Many people using Heard at once: `cargo bench -p heard-cli --bench web`.
//!
//! Starts the real `heard serve` over the demo in a fresh SQLite file on a loopback port, then
//! `HEARD_BENCH_CLIENTS` clients (default 64; half researchers' browsers on the main pages, half
//! API programs listing, reading and searching sources) ask again as soon as they are answered for
//! `HEARD_BENCH_SECONDS` (default 60). Repeated `HEARD_BENCH_RUNS` times (default 3), each on a fresh
//! database; prints every run and the medians (docs/performance.md), and fails if any request did.
//! The soak is one long run: `HEARD_BENCH_SECONDS=600 HEARD_BENCH_RUNS=1`, which also prints the
//! server's resident memory each minute; `HEARD_BENCH_MEMORY_CSV=FILE` writes every sample (one a
//! second) of the last run to FILE.

#![allow(clippy::unwrap_used)]

mod load;

use std::fmt::Write as _;
use std::time::Duration;

use load::room::{env_or, median};
use load::{Plan, percentile};

fn spread(values: &[f64]) -> (f64, f64) {
    (values.iter().copied().fold(f64::INFINITY, f64::min), values.iter().copied().fold(f64::NEG_INFINITY, f64::max))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let plan = Plan {
        clients: env_or("HEARD_BENCH_CLIENTS", 64) as usize,
        duration: Duration::from_secs(env_or("HEARD_BENCH_SECONDS", 60)),
    };
    let runs = env_or("HEARD_BENCH_RUNS", 3).max(1);
    println!(
        "{} clients for {} s, {} run(s), against {}",
        plan.clients,
        plan.duration.as_secs(),
        runs,
        load::heard_binary().display()
    );
    let (mut rate, mut p50, mut p99, mut errors) = (Vec::new(), Vec::new(), Vec::new(), 0);
    // Per kind of request, each run's (p50, p99) in ms.
    let mut kinds: Vec<(&'static str, Vec<(f64, f64)>)> = Vec::new();
    for run in 1..=runs {
        let outcome = load::run(&load::heard_binary(), plan.clone()).await;
        println!("run {run}: {}", outcome.report());
        let minutes = outcome.elapsed.as_secs() / 60;
        if minutes >= 2 {
            let marks: Vec<String> = (0..=minutes)
                .map(|m| format!("{m} min {:.1} MiB", outcome.memory_at(Duration::from_secs(m * 60)) as f64 / 1024.0))
                .collect();
            println!("  memory by minute: {}", marks.join(", "));
        }
        if let Ok(file) = std::env::var("HEARD_BENCH_MEMORY_CSV") {
            let mut csv = String::from("seconds,rss_kib\n");
            for (at, kib) in &outcome.memory {
                writeln!(csv, "{:.1},{kib}", at.as_secs_f64()).unwrap();
            }
            std::fs::write(&file, csv).unwrap();
        }
        for t in &outcome.timings {
            let seen = (ms(percentile(&t.took, 50.0)), ms(percentile(&t.took, 99.0)));
            match kinds.iter_mut().find(|(name, _)| *name == t.name) {
                Some((_, runs)) => runs.push(seen),
                None => kinds.push((t.name, vec![seen])),
            }
        }
        let all: Vec<Duration> = outcome.timings.iter().flat_map(|t| t.took.iter().copied()).collect();
        rate.push(outcome.per_second());
        p50.push(ms(percentile(&all, 50.0)));
        p99.push(ms(percentile(&all, 99.0)));
        errors += outcome.errors;
    }
    let (low, high) = spread(&rate);
    println!(
        "median of {runs}: {:.0} requests/s ({low:.0} to {high:.0}), p50 {:.1} ms, p99 {:.1} ms over every request; {errors} errors in all",
        median(rate.clone()),
        median(p50),
        median(p99)
    );
    for (name, seen) in kinds {
        let p50: Vec<f64> = seen.iter().map(|s| s.0).collect();
        let p99: Vec<f64> = seen.iter().map(|s| s.1).collect();
        let ((p50_low, p50_high), (p99_low, p99_high)) = (spread(&p50), spread(&p99));
        println!(
            "  {name:<22} p50 {:>7.1} ms ({p50_low:.1} to {p50_high:.1})  p99 {:>7.1} ms ({p99_low:.1} to {p99_high:.1})",
            median(p50.clone()),
            median(p99.clone())
        );
    }
    assert_eq!(errors, 0, "every request must be answered with success");
}
