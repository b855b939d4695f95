//! Importing and searching many sources in SQLite: `cargo bench -p heard-store --bench import_search`.
//!
//! 1. Generates `HEARD_BENCH_SOURCES` (default 1,000,000) synthetic sources of about 500
//!    characters with `heard_analysis::voice::synthetic::Generator` (not timed), each with a kind,
//!    a date, an attribute, and a participant for one in four.
//! 2. Imports them into a fresh SQLite file through `Store::import_sources` (redaction on every
//!    core, batched inserts, the FTS5 index kept by its trigger), `HEARD_BENCH_RUNS` times
//!    (default 1), printing wall time and rows/s. With `HEARD_BENCH_BREAKDOWN=1` it also times the
//!    redaction alone on every core, and an import with the search trigger dropped (so the rest is
//!    the cost of indexing).
//! 3. On the last database, runs one-word, multi-word and phrase queries with a filter through
//!    `Store::search`, `HEARD_BENCH_ROUNDS` rounds (default 10), and prints p50 and p99 per class
//!    and overall.
//!
//! `HEARD_BENCH_KEEP=PATH` keeps the database at PATH for the HTTP benchmark
//! (`cargo bench -p heard-web --bench search_http`). A plain timing loop, like the redaction
//! benchmark: one figure per run is what docs/performance.md reports.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::synthetic::{Generator, SEARCH_QUERIES};
use heard_domain::voice::import::SourceRow;
use heard_domain::voice::participants::ParticipantKind;
use heard_domain::voice::sources::{SearchQuery, SourceKind};
use heard_store::voice::import::ImportOptions;
use heard_store::{SearchFilters, Store};
use time::Date;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// About 500 characters: generated sources joined until 450, cut at a space before 550.
fn text(generator: &mut Generator) -> String {
    let mut text = String::new();
    while text.chars().count() < 450 {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&generator.source().text);
    }
    if text.chars().count() > 550 {
        let cut = text.char_indices().nth(550).map_or(text.len(), |(at, _)| at);
        let cut = text[..cut].rfind(' ').unwrap_or(cut);
        text.truncate(cut);
    }
    text
}

fn rows(n: usize) -> Vec<SourceRow> {
    let mut generator = Generator::new(2024);
    let kinds = [
        SourceKind::Story,
        SourceKind::Story,
        SourceKind::InterviewTranscript,
        SourceKind::FieldNote,
        SourceKind::ListeningEventNote,
        SourceKind::SurveyResponse,
        SourceKind::Observation,
    ];
    let wards = ["North", "South", "East", "West", "Central"];
    let start = Date::from_calendar_date(2023, time::Month::January, 1).unwrap();
    (0..n)
        .map(|i| SourceRow {
            row: i + 2,
            text: text(&mut generator),
            kind: kinds[i % kinds.len()],
            date: Some(start + time::Duration::days((i % 1000) as i64)),
            participant: (i % 4 == 0).then(|| {
                let kind = ParticipantKind::ALL[((i / 4) % 2000) % 3];
                (format!("Participant {:04}", (i / 4) % 2000), Some(kind.code().to_owned()))
            }),
            title: None,
            attributes: BTreeMap::from([("ward".to_owned(), wards[i % wards.len()].to_owned())]),
        })
        .collect()
}

async fn fresh(path: &Path) -> (Store, i64) {
    let store = Store::open_sqlite_file(path).await.unwrap();
    store.migrate().await.unwrap();
    heard_store::demo::load(&store).await.unwrap();
    let programme = store.programme("early-years").await.unwrap().unwrap();
    (store, programme.id)
}

fn names(rows: &[SourceRow]) -> Vec<String> {
    let mut names: Vec<String> = rows.iter().filter_map(|r| r.participant.as_ref().map(|p| p.0.clone())).collect();
    names.sort();
    names.dedup();
    names
}

async fn import(path: &Path, rows: &[SourceRow], drop_index: bool) -> Duration {
    let (store, programme_id) = fresh(path).await;
    if drop_index {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        sqlx::query("DROP TRIGGER sources_search_insert").execute(&pool).await.unwrap();
        pool.close().await;
    }
    let options = ImportOptions { names: names(rows), ..ImportOptions::default() };
    let rows = rows.to_vec();
    let cpu = cpu_seconds();
    let started = Instant::now();
    let outcome = store.import_sources(programme_id, rows.clone(), &options, None, &|_| {}).await.unwrap();
    let took = started.elapsed();
    if let (Some(before), Some(after)) = (cpu, cpu_seconds()) {
        println!(
            "  (CPU time {:.1} s: {:.2} cores busy on average)",
            after - before,
            (after - before) / took.as_secs_f64()
        );
    }
    assert!(outcome.committed && outcome.imported == rows.len() as u64, "{:?}", outcome.problems.first());
    store.close().await;
    took
}

/// This process's CPU time so far (user and system, all threads), from /proc/self/stat in clock
/// ticks of 1/100 s; `None` where there is no /proc.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[tokio::main]
async fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let n = if quick { 2_000 } else { env_or("HEARD_BENCH_SOURCES", 1_000_000) };
    let runs = if quick { 1 } else { env_or("HEARD_BENCH_RUNS", 1).max(1) };
    let rounds = if quick { 1 } else { env_or("HEARD_BENCH_ROUNDS", 10).max(1) };
    let breakdown = std::env::var("HEARD_BENCH_BREAKDOWN").is_ok_and(|v| v == "1");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    // Only the search, over a database kept by an earlier run.
    if let Ok(path) = std::env::var("HEARD_BENCH_SEARCH_ONLY") {
        search(Path::new(&path), rounds).await;
        return;
    }
    let started = Instant::now();
    let rows = rows(n);
    let chars: usize = rows.iter().map(|r| r.text.chars().count()).sum();
    let bytes: usize = rows.iter().map(|r| r.text.len()).sum();
    println!(
        "generated {n} sources in {:.1} s: mean {} characters ({:.0} MB of text); {cores} cores",
        started.elapsed().as_secs_f64(),
        chars / n.max(1),
        bytes as f64 / 1e6
    );

    let dir = tempfile::tempdir().unwrap();
    if breakdown {
        let redactor = Redactor::new().with_known_names(names(&rows).iter().map(String::as_str));
        let started = Instant::now();
        std::thread::scope(|scope| {
            for part in rows.chunks(rows.len().div_ceil(cores)) {
                let redactor = &redactor;
                scope.spawn(move || part.iter().map(|r| redactor.redact(&r.text).spans.len()).sum::<usize>());
            }
        });
        let took = started.elapsed().as_secs_f64();
        println!("redaction alone on {cores} threads: {took:.1} s ({:.0} rows/s)", n as f64 / took);
        let took = import(&dir.path().join("no-index.db"), &rows, true).await.as_secs_f64();
        println!("import without the search index: {took:.1} s ({:.0} rows/s)", n as f64 / took);
        std::fs::remove_file(dir.path().join("no-index.db")).ok();
    }

    let path = dir.path().join("bench.db");
    let mut times = Vec::new();
    for run in 1..=runs {
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
        }
        let took = import(&path, &rows, false).await;
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!(
            "import run {run}: {n} sources in {:.1} s ({:.0} rows/s, {:.1} MB/s of text); database {:.0} MB",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            bytes as f64 / 1e6 / took.as_secs_f64(),
            size as f64 / 1e6
        );
        times.push(took);
    }
    times.sort();
    println!(
        "import: median {:.1} s over {runs} runs (min {:.1}, max {:.1})",
        times[times.len() / 2].as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64()
    );

    search(&path, rounds).await;
    if let Ok(keep) = std::env::var("HEARD_BENCH_KEEP") {
        std::fs::copy(&path, &keep).unwrap();
        println!("kept the database at {keep}");
    }
}

async fn search(path: &Path, rounds: usize) {
    let store = Store::open_sqlite_file(path).await.unwrap();
    let programme_id = store.programme("early-years").await.unwrap().unwrap().id;
    let filters = [
        ("programme", SearchFilters { programme_id: Some(programme_id), ..SearchFilters::default() }),
        ("kind", SearchFilters { kind: Some(SourceKind::InterviewTranscript), ..SearchFilters::default() }),
        (
            "programme and kind",
            SearchFilters {
                programme_id: Some(programme_id),
                kind: Some(SourceKind::Story),
                ..SearchFilters::default()
            },
        ),
    ];
    let mut by_class: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut by_query: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for round in 0..=rounds {
        for (i, (class, raw)) in SEARCH_QUERIES.iter().enumerate() {
            let (filter_name, filter) = &filters[(i + round) % filters.len()];
            let query = SearchQuery::parse("q", raw).unwrap();
            let started = Instant::now();
            let results = store.search(&query, filter, 0).await.unwrap();
            let took = started.elapsed();
            if round == 0 {
                // A warm-up round, and a look at what each query finds.
                println!(
                    "  {raw} [{filter_name}]: {}{} matches",
                    if results.more { "more than " } else { "" },
                    results.total
                );
                continue;
            }
            by_class.entry(class).or_default().push(took);
            by_query.entry((*raw).to_owned()).or_default().push(took);
        }
    }
    let mut all: Vec<Duration> = by_class.values().flatten().copied().collect();
    all.sort();
    for (class, times) in &mut by_class {
        times.sort();
        println!(
            "search {class}: p50 {}, p99 {}, max {}",
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.99)),
            ms(times[times.len() - 1])
        );
    }
    let mut slowest: Vec<(Duration, &String)> = by_query.iter().map(|(q, t)| (*t.iter().max().unwrap(), q)).collect();
    slowest.sort();
    slowest.reverse();
    for (took, query) in slowest.iter().take(4) {
        println!("  slowest: {query}: {}", ms(*took));
    }
    println!(
        "search in-process ({} queries, {rounds} rounds): p50 {}, p99 {}, max {}",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(all[all.len() - 1])
    );
    store.close().await;
}
