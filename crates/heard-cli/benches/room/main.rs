//! A room voting on their phones: `cargo bench -p heard-cli --bench room`.
//!
//! Starts the real `heard serve` over a fresh SQLite file on a loopback port, with a deliberation
//! of the demo's Early Years open and `HEARD_BENCH_STATEMENTS` statements (default 120); then
//! `HEARD_BENCH_ATTENDEES` simulated phones (default 300) each join through `/d/{CODE}` and vote
//! through the vote page's form for `HEARD_BENCH_SECONDS` (default 60), a person's 0.5 to 1.5 s
//! between votes. Repeated `HEARD_BENCH_RUNS` times (default 3), each on a fresh database; prints
//! every run and the medians of p50 and p99 vote latency and votes a second (docs/performance.md).

#![allow(clippy::unwrap_used)]

mod load;

use std::time::Duration;

use load::{Outcome, Plan, env_or, median};

#[tokio::main]
async fn main() {
    let plan = Plan {
        attendees: env_or("HEARD_BENCH_ATTENDEES", 300) as usize,
        voting: Duration::from_secs(env_or("HEARD_BENCH_SECONDS", 60)),
        statements: env_or("HEARD_BENCH_STATEMENTS", 120) as usize,
        think: (Duration::from_millis(500), Duration::from_millis(1500)),
    };
    let runs = env_or("HEARD_BENCH_RUNS", 3).max(1);
    println!(
        "{} attendees voting for {} s on {} statements, {} run(s), against {}",
        plan.attendees,
        plan.voting.as_secs(),
        plan.statements,
        runs,
        load::heard_binary().display()
    );
    let (mut p50, mut p99, mut rate, mut errors) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for run in 1..=runs {
        let outcome = load::run(&load::heard_binary(), plan.clone()).await;
        println!("run {run}: {}", outcome.report());
        p50.push(Outcome::percentile(&outcome.votes, 50.0).as_secs_f64() * 1000.0);
        p99.push(Outcome::percentile(&outcome.votes, 99.0).as_secs_f64() * 1000.0);
        rate.push(outcome.votes_per_second());
        errors += outcome.errors;
        if outcome.stored != outcome.votes.len() as u64 {
            println!("  note: {} votes stored, {} answered as counted", outcome.stored, outcome.votes.len());
        }
    }
    println!(
        "median of {runs}: vote p50 {:.1} ms, p99 {:.1} ms, {:.0} votes/s; {errors} errors in all",
        median(p50),
        median(p99),
        median(rate)
    );
}
