//! The coding page of a long, much-coded source: `cargo bench -p heard-web --bench coding_page`.
//!
//! Builds (not timed, but reported) a SQLite database with the demo and, in early-years, one
//! source of `HEARD_BENCH_WORDS` (default 50,000) words made of synthetic sources joined (about
//! 300,000 characters: more than a page may add, so it goes in through `Store::add_source`), 40
//! codes, and `HEARD_BENCH_CODINGS` (default 2,000) codings by the demo's two researchers through
//! `Store::code_span`: the first codes spans of 20 to 1,500 characters, the second codes most of
//! the same passages with boundaries moved and some of their own. Then serves the real router on
//! a loopback port and, signed in as the demo researcher through the sign-in form, times
//! `HEARD_BENCH_REQUESTS` (default 20, after 2 warm-ups) requests one after another of
//! `GET /programmes/early-years/sources/{id}/coding`, and as many of the JSON
//! `GET /api/v1/programmes/early-years/sources/{id}/codings` with an API token; prints p50, p90,
//! max and the body's size. And, in-process, the Store calls the page makes, for where the time
//! goes. `HEARD_BENCH_PAGE=PATH` keeps the page's HTML at PATH. Without `--bench` (under `cargo test`) a source of 5,000 words, 200 codings, 3 requests.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_analysis::voice::synthetic::Generator;
use heard_domain::coding::codebook::CodeInput;
use heard_domain::governance::{ApiToken, Email};
use heard_domain::voice::sources::SourceKind;
use heard_store::{NewSource, Store};
use heard_web::{AppState, WebSettings};

const CODES: usize = 40;

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

/// Synthetic sources joined by paragraph breaks until `words` words.
fn long_text(words: usize) -> String {
    let mut generator = Generator::new(2024);
    let mut text = String::new();
    let mut count = 0;
    while count < words {
        let part = generator.source().text;
        count += part.split_whitespace().count();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&part);
    }
    text
}

/// Adds the source, the codes and the codings; returns the source's id.
async fn build(store: &Store, words: usize, codings: usize) -> i64 {
    let programme = store.programme("early-years").await.unwrap().unwrap().id;
    let researcher = Email::parse("email", heard_store::demo::DEMO_ACCOUNTS[2].1).unwrap();
    let second = Email::parse("email", heard_store::demo::SECOND_RESEARCHER).unwrap();
    let coders = [
        store.user_by_email(&researcher).await.unwrap().unwrap().id,
        store.user_by_email(&second).await.unwrap().unwrap().id,
    ];

    let started = Instant::now();
    let text = long_text(words);
    let new = NewSource {
        kind: SourceKind::InterviewTranscript,
        title: Some("A long interview (bench)".to_owned()),
        text: Screened::new(&Redactor::new(), text),
        collected_on: None,
        activity_id: None,
        participant_ids: Vec::new(),
        attributes: Default::default(),
        media: None,
        cue_timings: None,
    };
    let source = store.add_source(programme, &new, Some(coders[0])).await.unwrap();
    let length = source.redacted_text.chars().count();
    println!(
        "source {}: {} words ({} after redaction), {length} characters of redacted text, added in {:.2} s",
        source.id,
        source.text.original().split_whitespace().count(),
        source.redacted_text.split_whitespace().count(),
        started.elapsed().as_secs_f64()
    );

    let mut codes = Vec::with_capacity(CODES);
    for i in 0..CODES {
        let input = CodeInput { name: format!("Bench code {i:02}"), description: None, colour: None, parent_id: None };
        codes.push(store.add_code(Some(programme), &input, coders[0]).await.unwrap());
    }
    // The first coder's spans; the second codes 80% of them again with boundaries moved by up to
    // 40 characters (sometimes with another code) and 20% of their own.
    let started = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let first = codings / 2;
    let mut spans = Vec::with_capacity(first);
    for _ in 0..first {
        let len = 20 + rng.below(1480);
        let start = rng.below(length - len);
        let code = codes[rng.below(CODES)];
        store.code_span(programme, source.id, (start, start + len), &[code], coders[0]).await.unwrap();
        spans.push((start, start + len, code));
    }
    for i in 0..codings - first {
        let (start, end, code) = if i % 5 == 4 {
            let len = 20 + rng.below(1480);
            let start = rng.below(length - len);
            (start, start + len, codes[rng.below(CODES)])
        } else {
            let (start, end, code) = spans[i % spans.len()];
            let start = (start + rng.below(81)).saturating_sub(40);
            let end = (end + rng.below(81)).saturating_sub(40).clamp(start + 1, length);
            (start, end, if rng.below(10) == 0 { codes[rng.below(CODES)] } else { code })
        };
        store.code_span(programme, source.id, (start, end), &[code], coders[1]).await.unwrap();
    }
    let excerpts = store.source_excerpts(programme, source.id).await.unwrap();
    println!(
        "{} codings on {} excerpts by 2 coders, {CODES} codes: {:.1} s",
        excerpts.iter().map(|e| e.codings.len()).sum::<usize>(),
        excerpts.len(),
        started.elapsed().as_secs_f64()
    );
    source.id
}

fn report(what: &str, times: &mut [Duration], bytes: usize) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what}: {} requests, p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms; body {:.0} kB",
        times.len(),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(times[times.len() - 1]),
        bytes as f64 / 1e3
    );
}

/// `requests` GETs of `url` after 2 warm-ups, one after another; the times and the body's size.
async fn time_get(client: &reqwest::Client, url: &str, token: Option<&str>, requests: usize) -> (Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(requests);
    let mut bytes = 0;
    for i in 0..requests + 2 {
        let mut request = client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let sent = Instant::now();
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(response.url().as_str(), url, "not redirected (to sign in)");
        bytes = response.bytes().await.unwrap().len();
        if i >= 2 {
            times.push(sent.elapsed());
        }
    }
    (times, bytes)
}

/// The median of `runs` runs of `f`, in milliseconds.
async fn median_ms<T, F: AsyncFnMut() -> T>(runs: usize, mut f: F) -> f64 {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(f().await);
        times.push(started.elapsed());
    }
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let words = if quick { 5_000 } else { env_or("HEARD_BENCH_WORDS", 50_000) };
    let codings = if quick { 200 } else { env_or("HEARD_BENCH_CODINGS", 2_000) };
    let requests = if quick { 3 } else { env_or("HEARD_BENCH_REQUESTS", 20).max(1) };

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite_file(&dir.path().join("coding.db")).await.unwrap();
    store.migrate().await.unwrap();
    heard_store::demo::load(&store).await.unwrap();
    let source = build(&store, words, codings).await;

    let email = Email::parse("email", heard_store::demo::DEMO_ACCOUNTS[2].1).unwrap();
    let user = store.user_by_email(&email).await.unwrap().unwrap();
    let token = ApiToken::generate();
    store.create_api_token(user.id, "bench", &token.hash()).await.unwrap();
    let token = token.expose().to_owned();

    let media = heard_store::media::FsMediaStore::open(dir.path().join("media")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(store.clone(), Arc::new(media), WebSettings::default());
    tokio::spawn(heard_web::serve(listener, state));

    // Signed in through the form, as a browser would be.
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let form = client.get(format!("{address}/sign-in")).send().await.unwrap().text().await.unwrap();
    let csrf = heard_testkit::csrf_token_in(&form).unwrap();
    let signed_in = client
        .post(format!("{address}/sign-in"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email.as_str()),
            ("password", heard_store::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200, "signing in");

    let page = format!("{address}/programmes/early-years/sources/{source}/coding");
    let (mut times, bytes) = time_get(&client, &page, None, requests).await;
    report("GET the coding page (HTML)", &mut times, bytes);
    // What the page is made of: the marked text, then a card for each excerpt with its forms.
    let html = client.get(&page).send().await.unwrap().text().await.unwrap();
    let text_at = html.find("id=\"source-text\"").unwrap_or(0);
    let excerpts_at = html.find("id=\"excerpts\"").unwrap_or(html.len());
    println!(
        "  the page: {:.0} kB of marked text ({} <mark>s), {:.0} kB of excerpt cards with {} <form>s and {} <option>s",
        (excerpts_at - text_at) as f64 / 1e3,
        html[text_at..excerpts_at].matches("<mark").count(),
        (html.len() - excerpts_at) as f64 / 1e3,
        html[excerpts_at..].matches("<form").count(),
        html[excerpts_at..].matches("<option").count(),
    );
    if let Ok(save) = std::env::var("HEARD_BENCH_PAGE") {
        std::fs::write(&save, &html).unwrap();
        println!("  saved the page at {save}");
    }
    let api = format!("{address}/api/v1/programmes/early-years/sources/{source}/codings");
    let (mut times, bytes) = time_get(&reqwest::Client::new(), &api, Some(&token), requests).await;
    report("GET the codings (JSON API)", &mut times, bytes);

    // The Store calls the page makes, in-process: what is left is rendering and the network.
    let programme = store.programme("early-years").await.unwrap().unwrap().id;
    let runs = requests.max(3);
    println!(
        "in-process medians: source {:.1} ms, source_excerpts {:.1} ms, codebook {:.1} ms, memos {:.1} ms, insights {:.1} ms",
        median_ms(runs, async || store.source(programme, source).await.unwrap()).await,
        median_ms(runs, async || store.source_excerpts(programme, source).await.unwrap()).await,
        median_ms(runs, async || store.codebook(Some(programme)).await.unwrap()).await,
        median_ms(runs, async || store.memos(programme, None).await.unwrap()).await,
        median_ms(runs, async || store.insights(programme).await.unwrap()).await,
    );
}
