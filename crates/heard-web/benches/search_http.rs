//! Search through HTTP under concurrent clients: `cargo bench -p heard-web --bench search_http`.
//!
//! Serves the real router (sessions, token check, permission check, JSON) on a loopback port over
//! the SQLite database at `HEARD_BENCH_DB` (made by `HEARD_BENCH_KEEP=PATH cargo bench -p
//! heard-store --bench import_search`; without it, a small one is made here), and has
//! `HEARD_BENCH_CLIENTS` clients (default 32) each send `HEARD_BENCH_REQUESTS` searches (default
//! 50) to `POST /api/v1/search` with a researcher's API token: the same one-word, multi-word and
//! phrase queries with a filter as the in-process benchmark. Prints p50, p99 and throughput. The
//! database is copied first, so the benchmark leaves it as it was.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use heard_analysis::voice::synthetic::Generator;
use heard_domain::governance::{ApiToken, Email};
use heard_domain::voice::import::SourceRow;
use heard_domain::voice::sources::SourceKind;
use heard_store::Store;
use heard_store::voice::import::ImportOptions;
use heard_web::{AppState, WebSettings};

const QUERIES: &[(&str, Option<&str>)] = &[
    ("waiting", None),
    ("respite", Some("interview_transcript")),
    ("paperwork", Some("story")),
    ("clinic", None),
    ("housing", Some("interview_transcript")),
    ("hospital", Some("story")),
    ("social worker", None),
    ("care plan review", Some("interview_transcript")),
    ("buses walk stop", Some("story")),
    ("mental health team", None),
    ("library carers tuesdays", Some("interview_transcript")),
    ("\"waiting list\"", Some("story")),
    ("\"direct payments\"", None),
    ("\"day centre\"", Some("interview_transcript")),
    ("\"green spaces\"", Some("story")),
    ("\"budget changes\" transport", None),
];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// A small database when none is given: the demo and 2,000 generated sources in early-years.
async fn small_database(path: &std::path::Path) {
    let store = Store::open_sqlite_file(path).await.unwrap();
    store.migrate().await.unwrap();
    heard_store::demo::load(&store).await.unwrap();
    let programme = store.programme("early-years").await.unwrap().unwrap();
    let mut generator = Generator::new(2024);
    let rows: Vec<SourceRow> = (0..2000)
        .map(|i| SourceRow {
            row: i + 2,
            text: generator.source().text,
            kind: [SourceKind::Story, SourceKind::InterviewTranscript, SourceKind::FieldNote][i % 3],
            date: None,
            participant: None,
            title: None,
            attributes: Default::default(),
        })
        .collect();
    store.import_sources(programme.id, rows, &ImportOptions::default(), None, &|_| {}).await.unwrap();
    store.close().await;
}

#[tokio::main]
async fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let clients = if quick { 4 } else { env_or("HEARD_BENCH_CLIENTS", 32) };
    let requests = if quick { 4 } else { env_or("HEARD_BENCH_REQUESTS", 50) };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.db");
    match std::env::var("HEARD_BENCH_DB") {
        Ok(given) if !quick => {
            std::fs::copy(&given, &path).unwrap();
        }
        _ => small_database(&path).await,
    }
    let store = Store::open_sqlite_file(&path).await.unwrap();
    store.migrate().await.unwrap();
    let email = Email::parse("email", heard_store::demo::DEMO_ACCOUNTS[2].1).unwrap();
    let user = store.user_by_email(&email).await.unwrap().unwrap();
    let token = ApiToken::generate();
    store.create_api_token(user.id, "bench", &token.hash()).await.unwrap();
    let token = token.expose().to_owned();

    let media = heard_store::media::FsMediaStore::open(dir.path().join("media")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/api/v1/search", listener.local_addr().unwrap());
    let state = AppState::new(store.clone(), Arc::new(media), WebSettings::default());
    tokio::spawn(heard_web::serve(listener, state));
    println!("serving {}; {clients} clients, {requests} searches each, as {}", address, user.role.label());

    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    // Warm-up: every query once, and a check that they answer.
    for (q, kind) in QUERIES {
        let response = client
            .post(&address)
            .bearer_auth(&token)
            .json(&serde_json::json!({ "q": q, "programme": "early-years", "kind": kind }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{q}: {}", response.text().await.unwrap_or_default());
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, address, token) = (client.clone(), address.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(requests);
            for r in 0..requests {
                let (q, kind) = QUERIES[(c * 7 + r) % QUERIES.len()];
                let sent = Instant::now();
                let response = client
                    .post(&address)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "q": q, "programme": "early-years", "kind": kind }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap();
                times.push(sent.elapsed());
            }
            times
        }));
    }
    let mut times: Vec<Duration> = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let took = started.elapsed().as_secs_f64();
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "search over HTTP, {clients} concurrent clients, {} requests in {took:.1} s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} requests/s",
        times.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(times[times.len() - 1]),
        times.len() as f64 / took
    );
}
