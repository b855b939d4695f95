//! The coding matrices and agreement over a large programme: `cargo bench -p heard-store --bench matrices`.
//!
//! Builds (not timed, but reported) a SQLite database with the demo and, in early-years,
//! `HEARD_BENCH_SOURCES` (default 10,000) synthetic sources of about 500 characters imported
//! through `Store::import_sources`, three in four hearing one of 400 participants with a kind, an
//! age band and an area; 60 codes; and about `HEARD_BENCH_CODINGS` (default 100,000) codings by 3
//! coders through `Store::code_span`: on each source, spans that coder 1 codes with two codes,
//! coder 2 codes again with boundaries moved and one code shared, and coder 3 codes with one, so
//! excerpts overlap within and across coders. Then times, `HEARD_BENCH_RUNS` runs each (default
//! 7), and prints the medians: `Store::co_occurrence`, `Store::attribute_matrix` (kind),
//! `Store::co_occurrence_excerpts` for the largest cell of two codes, `Store::agreement`; and,
//! for where the time goes, the queries they start with (`Store::coding_records`,
//! `Store::codebook`) and `heard_analysis::coding`'s arithmetic alone on what those read.
//!
//! `HEARD_BENCH_KEEP=PATH` keeps the database at PATH; `HEARD_BENCH_DB=PATH` times a kept one
//! (copied first) instead of building. Without `--bench` (under `cargo test`) a small programme
//! and one run.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use heard_analysis::coding::agreement;
use heard_analysis::coding::matrices::{self, Placed};
use heard_analysis::voice::synthetic::Generator;
use heard_domain::coding::codebook::CodeInput;
use heard_domain::governance::{Email, Password, Role};
use heard_domain::voice::import::SourceRow;
use heard_domain::voice::participants::{AgeBand, ParticipantKind, Pseudonym};
use heard_domain::voice::sources::SourceKind;
use heard_store::Store;
use heard_store::coding::Attribute;
use heard_store::governance::NewUser;
use heard_store::voice::import::ImportOptions;
use heard_store::voice::participants::NewParticipant;

const PARTICIPANTS: usize = 400;
const CODES: usize = 60;
const AREAS: &[&str] = &["North", "South", "East", "West", "Central", "Riverside", "Hillside", "Old Town"];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// A small deterministic generator (xorshift64*), so the benchmark needs no other crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
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

fn pseudonym(i: usize) -> String {
    format!("Bench participant {i:03}")
}

fn kind(i: usize) -> ParticipantKind {
    ParticipantKind::ALL[i % ParticipantKind::ALL.len()]
}

async fn build(path: &Path, sources: usize, codings: usize) {
    let store = Store::open_sqlite_file(path).await.unwrap();
    store.migrate().await.unwrap();
    heard_store::demo::load(&store).await.unwrap();
    let programme = store.programme("early-years").await.unwrap().unwrap().id;

    let started = Instant::now();
    for i in 0..PARTICIPANTS {
        let new = NewParticipant {
            pseudonym: Pseudonym::parse("pseudonym", &pseudonym(i)).unwrap(),
            kind: kind(i),
            age_band: (i % 7 != 0).then(|| AgeBand::ALL[i % AgeBand::ALL.len()]),
            area: (i % 5 != 0).then(|| AREAS[i % AREAS.len()].to_owned()),
            contact_details: None,
        };
        store.create_participant(programme, &new).await.unwrap();
    }
    let mut generator = Generator::new(2024);
    let kinds = [SourceKind::Story, SourceKind::InterviewTranscript, SourceKind::FieldNote];
    let rows: Vec<SourceRow> = (0..sources)
        .map(|i| SourceRow {
            row: i + 2,
            text: text(&mut generator),
            kind: kinds[i % kinds.len()],
            date: None,
            participant: (i % 4 != 0).then(|| {
                let p = (i * 7) % PARTICIPANTS;
                (pseudonym(p), Some(kind(p).code().to_owned()))
            }),
            title: None,
            attributes: BTreeMap::new(),
        })
        .collect();
    let options = ImportOptions { names: (0..PARTICIPANTS).map(pseudonym).collect(), ..ImportOptions::default() };
    let outcome = store.import_sources(programme, rows, &options, None, &|_| {}).await.unwrap();
    assert!(outcome.committed && outcome.imported == sources as u64, "{:?}", outcome.problems.first());
    println!("built {sources} sources and {PARTICIPANTS} participants in {:.1} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    let researcher = Email::parse("email", heard_store::demo::DEMO_ACCOUNTS[2].1).unwrap();
    let second = Email::parse("email", heard_store::demo::SECOND_RESEARCHER).unwrap();
    let third = store
        .create_user(&NewUser {
            email: Email::parse("email", "coder3@bench.heard.example").unwrap(),
            display_name: "Third Coder (bench)".to_owned(),
            role: Role::Researcher,
            password_hash: Password::new("password", heard_store::demo::DEMO_PASSWORD).unwrap().hash(),
        })
        .await
        .unwrap();
    let coders = [
        store.user_by_email(&researcher).await.unwrap().unwrap().id,
        store.user_by_email(&second).await.unwrap().unwrap().id,
        third.id,
    ];
    let mut codes = Vec::with_capacity(CODES);
    for i in 0..CODES {
        let input = CodeInput { name: format!("Bench code {i:02}"), description: None, colour: None, parent_id: None };
        codes.push(store.add_code(Some(programme), &input, coders[0]).await.unwrap());
    }

    // The imported sources, with their lengths in characters of the redacted text.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let sources: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, length(redacted_text) FROM sources WHERE programme_id = $1 ORDER BY id")
            .bind(programme)
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    let sources: Vec<(i64, usize)> =
        sources.into_iter().rev().take(outcome.imported as usize).map(|(id, n)| (id, n as usize)).collect();

    // Each span: coder 1 with two codes, coder 2 moved by up to 30 characters with one of them and
    // another, and coder 3 with one code for one span in two: 4.47 codings a span on average (two
    // codes drawn alike count once), the spans shared evenly between the sources.
    let spans = codings as f64 / 4.47;
    let spans_before = |s: usize| (spans * s as f64 / sources.len() as f64) as usize;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut calls, mut made) = (0usize, 0usize);
    for (s, &(source, length)) in sources.iter().enumerate() {
        for k in 0..spans_before(s + 1) - spans_before(s) {
            let len = 30 + rng.below(length.saturating_sub(30).clamp(1, 250));
            let start = rng.below(length.saturating_sub(len).max(1));
            let end = (start + len).min(length);
            let (a, b, c) = (codes[rng.below(CODES)], codes[rng.below(CODES)], codes[rng.below(CODES)]);
            let pair: Vec<i64> = if a == b { vec![a] } else { vec![a, b] };
            store.code_span(programme, source, (start, end), &pair, coders[0]).await.unwrap();
            made += pair.len();
            let moved_start = (start + rng.below(61)).saturating_sub(30).min(end - 1);
            let moved_end = (end + rng.below(61)).saturating_sub(30).clamp(moved_start + 1, length);
            let second: Vec<i64> = if a == c { vec![a] } else { vec![a, c] };
            store.code_span(programme, source, (moved_start, moved_end), &second, coders[1]).await.unwrap();
            made += second.len();
            calls += 2;
            if (s + k) % 2 == 0 {
                let third = if rng.below(2) == 0 { b } else { codes[rng.below(CODES)] };
                store.code_span(programme, source, (start, end), &[third], coders[2]).await.unwrap();
                made += 1;
                calls += 1;
            }
        }
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "coded: {made} codings in {calls} calls of Store::code_span in {took:.1} s ({:.2} ms a call)",
        took * 1e3 / calls as f64
    );
    store.close().await;
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Runs `f` `runs` times after one warm-up; returns the median, min and max.
async fn time<T, F: AsyncFnMut() -> T>(runs: usize, mut f: F) -> (Duration, Duration, Duration) {
    f().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(f().await);
        times.push(started.elapsed());
    }
    let mid = median(&mut times);
    (mid, times[0], times[times.len() - 1])
}

#[tokio::main]
async fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let sources = if quick { 300 } else { env_or("HEARD_BENCH_SOURCES", 10_000) };
    let codings = if quick { 3_000 } else { env_or("HEARD_BENCH_CODINGS", 100_000) };
    let runs = if quick { 1 } else { env_or("HEARD_BENCH_RUNS", 7).max(1) };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrices.db");
    match std::env::var("HEARD_BENCH_DB") {
        Ok(given) if !quick => {
            std::fs::copy(&given, &path).unwrap();
            println!("timing the database at {given}");
        }
        _ => build(&path, sources, codings).await,
    }

    let store = Store::open_sqlite_file(&path).await.unwrap();
    store.migrate().await.unwrap();
    let programme = store.programme("early-years").await.unwrap().unwrap().id;
    let records = store.coding_records(programme).await.unwrap();
    let mut excerpts: Vec<i64> = records.iter().map(|r| r.excerpt_id).collect();
    excerpts.sort_unstable();
    excerpts.dedup();
    let coded: BTreeSet<i64> = records.iter().map(|r| r.source_id).collect();
    let matrix = store.co_occurrence(programme).await.unwrap();
    let &(a, b, cell) = matrix.cells.iter().filter(|(a, b, _)| a != b).max_by_key(|(_, _, n)| *n).unwrap();
    println!(
        "early-years: {} codings on {} excerpts of {} sources, {} codes, {} cells of the co-occurrence matrix; \
         largest cell of two codes: {cell} excerpts",
        records.len(),
        excerpts.len(),
        coded.len(),
        matrix.codes.len(),
        matrix.cells.len()
    );

    let mut rows = Vec::new();
    rows.push(("co_occurrence", time(runs, async || store.co_occurrence(programme).await.unwrap()).await));
    rows.push((
        "attribute_matrix (kind)",
        time(runs, async || store.attribute_matrix(programme, Attribute::Kind).await.unwrap()).await,
    ));
    rows.push((
        "co_occurrence_excerpts (one cell)",
        time(runs, async || store.co_occurrence_excerpts(programme, a, b).await.unwrap()).await,
    ));
    rows.push(("agreement", time(runs, async || store.agreement(programme).await.unwrap()).await));

    // The arithmetic alone, on what the queries read (as `heard_store::coding::analysis` passes it).
    let placed: Vec<Placed> = records
        .iter()
        .map(|r| Placed {
            excerpt: r.excerpt_id,
            source: r.source_id,
            code: r.code_id,
            start: r.start as usize,
            end: r.end as usize,
        })
        .collect();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let mut values: HashMap<i64, BTreeSet<String>> = HashMap::new();
    let kinds: Vec<(i64, String)> = sqlx::query_as(
        "SELECT sp.source_id, p.kind FROM source_participants sp JOIN participants p ON p.id = sp.participant_id
         WHERE p.programme_id = $1",
    )
    .bind(programme)
    .fetch_all(&pool)
    .await
    .unwrap();
    for (source, kind) in kinds {
        values.entry(source).or_default().insert(kind);
    }
    let lengths: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT s.id, length(s.redacted_text) FROM sources s WHERE s.programme_id = $1
         AND EXISTS (SELECT 1 FROM excerpts e WHERE e.source_id = s.id)",
    )
    .bind(programme)
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    let lengths: Vec<(i64, usize)> = lengths.into_iter().map(|(id, n)| (id, n as usize)).collect();
    let codings: Vec<agreement::Coding> = records
        .iter()
        .map(|r| agreement::Coding {
            source: r.source_id,
            coder: r.coder,
            code: r.code_id,
            start: r.start as usize,
            end: r.end as usize,
        })
        .collect();
    // Where the time goes: the two queries the matrices start with, and the arithmetic alone.
    rows.push((
        "  coding_records (the query)",
        time(runs, async || store.coding_records(programme).await.unwrap()).await,
    ));
    rows.push(("  codes (the query)", time(runs, async || store.codes(Some(programme)).await.unwrap()).await));
    rows.push((
        "  codebook with counts (its page)",
        time(runs, async || store.codebook(Some(programme)).await.unwrap()).await,
    ));
    rows.push((
        "  matrices::co_occurrence_counts alone",
        time(runs, async || matrices::co_occurrence_counts(&placed)).await,
    ));
    rows.push((
        "  matrices::co_occurrence (with ids) alone",
        time(runs, async || matrices::co_occurrence(&placed)).await,
    ));
    rows.push(("  matrices::by_attribute alone", time(runs, async || matrices::by_attribute(&placed, &values)).await));
    rows.push(("  agreement::agreement alone", time(runs, async || agreement::agreement(&codings, &lengths)).await));

    println!("{:<40} {:>10} {:>10} {:>10}   ({runs} runs)", "", "median", "min", "max");
    for (name, (mid, min, max)) in rows {
        println!("{name:<40} {:>10} {:>10} {:>10}", ms(mid), ms(min), ms(max));
    }
    store.close().await;
    if let Ok(keep) = std::env::var("HEARD_BENCH_KEEP") {
        std::fs::copy(&path, &keep).unwrap();
        println!("kept the database at {keep}");
    }
}
