//! Heard's side of the benchmarks against its peers (`bench/run`, docs/performance.md "Against the
//! peers"): each subcommand prepares the shared inputs for one comparison, measures Heard on them,
//! and appends one JSON line per figure to a results file that `bench/peers/report.py` tables with
//! the peers' figures. Run through `bench/run`; by hand:
//! `cargo bench -p heard-cli --bench peers -- redaction --dir target/bench --results r.jsonl`.

#![allow(clippy::unwrap_used)]

mod coding;
mod opinion;
mod redaction;
mod results;
// Starting `heard serve` and reading its forms, shared with the room and web benchmarks.
#[path = "../room/load.rs"]
mod room;
mod search;
mod web;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a labelled synthetic corpus and times Heard's redactor on one thread.
    Redaction(redaction::Args),
    /// Writes a synthetic conversation's votes and times Heard's opinion groups (a process a run).
    Opinion(opinion::Args),
    /// One run of the opinion groups in this process (used by `opinion` for its peak memory).
    #[command(hide = true)]
    OpinionOnce(opinion::OnceArgs),
    /// Writes the patient-feedback file as the peers read it, and times Heard's assisted coding.
    Coding(coding::Args),
    /// Copies a Heard database's sources into PostgreSQL and times both searches, query by query.
    Search(search::Args),
    /// wrk against `heard serve` on SQLite and PostgreSQL: requests a second, p99, memory.
    Web(web::Args),
}

/// Where every subcommand writes: its inputs and predictions in `dir`, its figures in `results`.
#[derive(clap::Args, Clone)]
pub struct Output {
    /// Folder for the inputs shared with the peers and for Heard's predictions.
    #[arg(long)]
    pub dir: PathBuf,
    /// The JSON Lines file the figures are appended to.
    #[arg(long)]
    pub results: PathBuf,
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench` to every bench target; it means nothing here.
    let args = std::env::args().filter(|a| a != "--bench");
    match Cli::parse_from(args).command {
        Command::Redaction(args) => redaction::run(&args),
        Command::Opinion(args) => opinion::run(&args),
        Command::OpinionOnce(args) => opinion::once(&args),
        Command::Coding(args) => coding::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Web(args) => web::run(&args),
    }
}
