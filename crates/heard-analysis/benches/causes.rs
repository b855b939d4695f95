//! Cause map analysis and layout timings: `cargo bench -p heard-analysis --bench causes`.
//!
//! Times, on `heard_analysis::causes::synthetic_map(500, 2000, 2026)` (500 factors, 2,000
//! arrows, about one in ten going back to make loops, a few factors cut off), `analyse` with the
//! default limits, `layout` in the factors' own order, and `tidy`. Prints every run and, per
//! measurement, the median and the spread (min-max) in milliseconds. `HEARD_BENCH_RUNS` sets the
//! runs (default 21), `HEARD_BENCH_FACTORS` and `HEARD_BENCH_ARROWS` the map's size. Without
//! `--bench` (under `cargo test --benches`) it runs once on a map of 100 factors.

use std::hint::black_box;
use std::time::Instant;

use heard_analysis::causes::layout::{crossings, layout, tidy};
use heard_analysis::causes::{Limits, analyse, synthetic_map};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// Runs `work` `runs` times; prints each run and the median and spread, in milliseconds.
fn time_runs(what: &str, runs: usize, mut work: impl FnMut() -> String) {
    let mut times = Vec::with_capacity(runs);
    let mut note = String::new();
    for _ in 0..runs {
        let started = Instant::now();
        note = work();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let listed: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{what}: median {median:.1} ms, min-max {:.1}-{:.1} ms over {runs} runs; {note}\n  runs: {}",
        times[0],
        times[times.len() - 1],
        listed.join(" ")
    );
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 1 } else { env_or("HEARD_BENCH_RUNS", 21).max(1) };
    let (factors, arrows) =
        if quick { (100, 400) } else { (env_or("HEARD_BENCH_FACTORS", 500), env_or("HEARD_BENCH_ARROWS", 2000)) };
    let map = synthetic_map(factors, arrows, 2026);
    println!("map: {} factors, {} arrows", map.factors.len(), map.arrows.len());

    time_runs("analyse", runs, || {
        let a = black_box(analyse(black_box(&map), Limits::default()));
        format!(
            "{} root causes, {} loops (more: {}), {} clusters (largest {}), {} communities, {} counts capped",
            a.root_causes.len(),
            a.loops.len(),
            a.more_loops,
            a.clusters.len(),
            a.clusters.first().map_or(0, Vec::len),
            a.communities.len(),
            a.reach.iter().filter(|r| r.more_paths).count()
        )
    });
    time_runs("layout", runs, || {
        let laid = black_box(layout(black_box(&map), &[]));
        format!("{:.0} × {:.0} px", laid.width, laid.height)
    });
    let mut order = Vec::new();
    time_runs("tidy", runs.min(5), || {
        order = black_box(tidy(black_box(&map), &[]));
        String::new()
    });
    println!("crossings: {} in index order, {} tidied", crossings(&map, &[]), crossings(&map, &order));
}
