//! Opinion groups of a conversation as large as Pol.is's largest (33,422 participants, 783
//! statements, about 2 million votes): `cargo bench -p heard-analysis --bench opinion`. A plain
//! timing loop, as benches/redaction.rs explains; prints each of `HEARD_BENCH_RUNS` runs (default
//! 5) of a full recompute (the vote matrix built from the votes, then `analyse`), by the wall clock
//! and by the time the thread spent on a core (the analysis runs on one thread; on this shared
//! machine the wall clock also counts waiting for a core), the medians, and the process's peak
//! memory. Without `--bench` (as `cargo test` runs it) one small run.

use std::hint::black_box;
use std::time::Instant;

use heard_analysis::deliberation::synthetic::conversation;
use heard_analysis::deliberation::{Settings, VoteMatrix, analyse};

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs =
        if quick { 1 } else { std::env::var("HEARD_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1) };
    let (participants, statements) = if quick { (2_000, 100) } else { (33_422, 783) };
    let votes = conversation(participants, statements, 2024);
    println!("{participants} participants, {statements} statements, {} votes", votes.len());
    let mut times = Vec::with_capacity(runs);
    let mut on_cpu = Vec::with_capacity(runs);
    for run in 1..=runs {
        let cpu_start = cpu_seconds();
        let start = Instant::now();
        let matrix = VoteMatrix::new(participants, statements, black_box(votes.clone()));
        let result = analyse(&matrix, &Settings::default());
        let seconds = start.elapsed().as_secs_f64();
        let cpu = cpu_start.zip(cpu_seconds()).map(|(from, to)| to - from);
        println!(
            "run {run}: {seconds:.3} s, {} on a core; {} counted in, {} groups of {:?}",
            cpu.map_or("unknown".to_owned(), |c| format!("{c:.3} s")),
            result.counted.len(),
            result.groups,
            result.sizes()
        );
        black_box(result);
        times.push(seconds);
        on_cpu.extend(cpu);
    }
    times.sort_by(f64::total_cmp);
    on_cpu.sort_by(f64::total_cmp);
    if let (Some(low), Some(high)) = (on_cpu.first(), on_cpu.last()) {
        println!("on a core: median {:.3} s (fastest {low:.3}, slowest {high:.3})", on_cpu[on_cpu.len() / 2]);
    }
    println!(
        "full recompute: median {:.3} s (fastest {:.3}, slowest {:.3}; {runs} runs); peak memory {}",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        peak_memory()
    );
}

/// Peak resident memory of this process (Linux's VmHWM), or "unknown".
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l[6..].trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The time this thread has spent running, from Linux's scheduler statistics (as in
/// benches/redaction.rs).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}
