//! Many people using Heard at once, against a real `heard serve` over the demo in a SQLite file on
//! loopback. Half the clients are researchers in a browser (signed in, cookies kept, no JavaScript:
//! the dashboard, the programme page, its sources, one source with its original text, its
//! decisions); half are programs with an API token (sources listed, one source read, a search).
//! Each client asks again as soon as it is answered. Meanwhile the server's resident memory is read
//! from /proc every second. Used by `benches/web/main.rs` (64 clients: a minute of load, or ten
//! minutes of soak) and by `tests/soak.rs` (the same, bounded to fit CI).

#![allow(dead_code, clippy::unwrap_used)]

#[path = "../room/load.rs"]
pub mod room;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use heard_domain::governance::Role;
use heard_store::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use reqwest::cookie::Jar;

pub use room::heard_binary;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub clients: usize,
    pub duration: Duration,
}

/// One kind of request's answers.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub name: &'static str,
    pub took: Vec<Duration>,
}

/// What happened.
#[derive(Debug, Default)]
pub struct Outcome {
    pub timings: Vec<Timings>,
    pub errors: usize,
    pub first_errors: Vec<String>,
    pub elapsed: Duration,
    /// The server's resident memory (KiB) by seconds since the load began.
    pub memory: Vec<(Duration, u64)>,
}

/// The `p`th percentile (0 to 100) of `samples`.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    room::Outcome::percentile(samples, p)
}

impl Outcome {
    pub fn requests(&self) -> usize {
        self.timings.iter().map(|t| t.took.len()).sum()
    }

    pub fn per_second(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64()
    }

    /// Resident memory at `at` after the start (the nearest sample at or after it).
    pub fn memory_at(&self, at: Duration) -> u64 {
        self.memory.iter().find(|(t, _)| *t >= at).or(self.memory.last()).map_or(0, |(_, kib)| *kib)
    }

    /// The least-squares slope of resident memory, in KiB a minute, over the samples from `from`.
    pub fn memory_slope(&self, from: Duration) -> f64 {
        let points: Vec<(f64, f64)> = self
            .memory
            .iter()
            .filter(|(t, _)| *t >= from)
            .map(|(t, kib)| (t.as_secs_f64() / 60.0, *kib as f64))
            .collect();
        let n = points.len() as f64;
        if points.len() < 2 {
            return 0.0;
        }
        let (mean_t, mean_kib) =
            (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
        let covariance: f64 = points.iter().map(|(t, kib)| (t - mean_t) * (kib - mean_kib)).sum();
        let variance: f64 = points.iter().map(|(t, _)| (t - mean_t).powi(2)).sum();
        if variance == 0.0 { 0.0 } else { covariance / variance }
    }

    pub fn report(&self) -> String {
        let mut lines = vec![format!(
            "{} requests in {:.0} s ({:.0}/s), {} errors{}",
            self.requests(),
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.errors,
            if self.first_errors.is_empty() { String::new() } else { format!(" (first: {:?})", self.first_errors) }
        )];
        for t in &self.timings {
            lines.push(format!(
                "  {:<22} {:>6} answers  p50 {:>7.1} ms  p99 {:>7.1} ms",
                t.name,
                t.took.len(),
                percentile(&t.took, 50.0).as_secs_f64() * 1000.0,
                percentile(&t.took, 99.0).as_secs_f64() * 1000.0
            ));
        }
        if let Some(last) = self.memory.last() {
            let peak = self.memory.iter().map(|(_, kib)| *kib).max().unwrap_or(0);
            let mib = |kib: u64| kib as f64 / 1024.0;
            let warm = Duration::from_secs(60);
            lines.push(format!(
                "  resident memory: {:.1} MiB at the start, {:.1} MiB half way, {:.1} MiB at the end, {:.1} MiB at most{}",
                mib(self.memory_at(Duration::ZERO)),
                mib(self.memory_at(self.elapsed / 2)),
                mib(last.1),
                mib(peak),
                if self.elapsed > warm * 2 {
                    format!("; after the first minute {:+.1} KiB a minute", self.memory_slope(warm))
                } else {
                    String::new()
                },
            ));
        }
        lines.join("\n")
    }
}

/// A client's requests, in turn: (name, method and path, body for a POST).
type Request = (&'static str, String, Option<serde_json::Value>);

fn browser_requests(sources: &[i64], n: usize) -> Vec<Request> {
    let source = sources[n % sources.len()];
    vec![
        ("dashboard", "/".into(), None),
        ("programme page", "/programmes/early-years".into(), None),
        ("sources page", "/programmes/early-years/sources".into(), None),
        ("source page", format!("/programmes/early-years/sources/{source}"), None),
        ("decisions page", "/programmes/early-years/decisions".into(), None),
    ]
}

fn api_requests(sources: &[i64], n: usize) -> Vec<Request> {
    let source = sources[(n * 7) % sources.len()];
    let words = ["respite", "waiting", "nursery", "carer", "health visitor"];
    vec![
        ("api sources", "/api/v1/programmes/early-years/sources".into(), None),
        ("api source", format!("/api/v1/programmes/early-years/sources/{source}"), None),
        (
            "api search",
            "/api/v1/search".into(),
            Some(serde_json::json!({ "q": words[n % words.len()], "programme": "early-years" })),
        ),
    ]
}

/// Sessions signed in for the browsing clients to share. The server allows five sign-ins a minute
/// to one account (and thirty from one address), and this load comes from one address and one
/// demo account; a council's users would sign in from many addresses, once each, and then browse.
/// So a few sign-ins happen, as real ones, and each browsing client carries one of their cookies.
const SESSIONS: usize = 4;

/// An HTTP client with its own connections; `jar`, when given, holds a signed-in session's cookie
/// (shared with the other clients of that session, so a renewed cookie reaches them all).
fn client(jar: Option<Arc<Jar>>) -> reqwest::Client {
    let builder =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30));
    match jar {
        Some(jar) => builder.cookie_provider(jar),
        None => builder,
    }
    .build()
    .unwrap()
}

/// Signs `email` in through the sign-in form, as a browser does; the session's cookie is in the jar.
async fn sign_in(base: &str, email: &str) -> Arc<Jar> {
    let jar = Arc::new(Jar::default());
    let browser = client(Some(jar.clone()));
    let form = browser.get(format!("{base}/sign-in")).send().await.unwrap().text().await.unwrap();
    let token = room::hidden(&form, "csrf_token").expect("the sign-in form has a token");
    let answer = browser
        .post(format!("{base}/sign-in"))
        .form(&[("csrf_token", token.as_str()), ("email", email), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "the demo researcher signs in");
    jar
}

struct Seen {
    took: Vec<Vec<Duration>>,
    errors: Vec<String>,
}

async fn use_heard(
    http: reqwest::Client,
    base: Arc<String>,
    token: Option<Arc<String>>,
    requests: Vec<Request>,
    until: Instant,
) -> Seen {
    let mut seen = Seen { took: vec![Vec::new(); requests.len()], errors: Vec::new() };
    let mut turn = 0;
    while Instant::now() < until {
        let which = turn % requests.len();
        turn += 1;
        let (name, path, body) = &requests[which];
        let mut request = match body {
            Some(body) => http.post(format!("{base}{path}")).json(body),
            None => http.get(format!("{base}{path}")),
        };
        if let Some(token) = &token {
            request = request.bearer_auth(token.as_str());
        }
        let sent = Instant::now();
        match request.send().await {
            Ok(answer) if answer.status().is_success() => match answer.bytes().await {
                Ok(_) => seen.took[which].push(sent.elapsed()),
                Err(e) => seen.errors.push(format!("{name}: {e}")),
            },
            Ok(answer) => seen.errors.push(format!("{name}: {}", answer.status())),
            Err(e) => seen.errors.push(format!("{name}: {e}")),
        }
    }
    seen
}

fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Loads the demo into a fresh data folder, starts `heard` (the binary at `heard`) over it, and
/// runs the clients.
pub async fn run(heard: &Path, plan: Plan) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        let output = Command::new(heard)
            .args(args)
            .env("HEARD_DATA_DIR", dir.path())
            .env_remove("HEARD_DATABASE_URL")
            .env("HEARD_LOG", "warn")
            .output()
            .unwrap();
        assert!(output.status.success(), "heard {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    cli(&["demo", "load"]);
    let researcher = DEMO_ACCOUNTS.iter().find(|(role, _)| *role == Role::Researcher).unwrap().1;
    let token =
        Arc::new(cli(&["admin", "create-token", "--email", researcher, "--name", "load test"]).trim().to_owned());
    let port = room::free_port();
    let server = room::start_on(heard, dir.path(), port).await;
    let base = Arc::new(format!("http://127.0.0.1:{port}"));

    let listed: serde_json::Value = client(None)
        .get(format!("{base}/api/v1/programmes/early-years/sources"))
        .bearer_auth(token.as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sources: Vec<i64> = listed["sources"].as_array().unwrap().iter().filter_map(|s| s["id"].as_i64()).collect();
    assert!(!sources.is_empty(), "the demo programme has sources");

    let mut sessions = Vec::new();
    for _ in 0..SESSIONS.min(plan.clients.div_ceil(2)) {
        sessions.push(sign_in(&base, researcher).await);
    }
    let mut clients = Vec::new();
    for n in 0..plan.clients {
        if n % 2 == 0 {
            let jar = sessions[(n / 2) % sessions.len()].clone();
            clients.push((client(Some(jar)), None, browser_requests(&sources, n)));
        } else {
            clients.push((client(None), Some(token.clone()), api_requests(&sources, n)));
        }
    }
    let names: Vec<Vec<&'static str>> =
        clients.iter().map(|(_, _, r)| r.iter().map(|(n, _, _)| *n).collect()).collect();

    let started = Instant::now();
    let until = started + plan.duration;
    let done = Arc::new(AtomicBool::new(false));
    let pid = server.pid();
    let sampler = tokio::spawn({
        let done = done.clone();
        async move {
            let mut memory = Vec::new();
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = resident_kib(pid) {
                    memory.push((started.elapsed(), kib));
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            memory
        }
    });
    let running: Vec<_> = clients
        .into_iter()
        .map(|(http, token, requests)| tokio::spawn(use_heard(http, base.clone(), token, requests, until)))
        .collect();
    let mut outcome = Outcome::default();
    for (client, names) in running.into_iter().zip(names) {
        let seen = client.await.unwrap();
        for (name, took) in names.into_iter().zip(seen.took) {
            match outcome.timings.iter_mut().find(|t| t.name == name) {
                Some(timings) => timings.took.extend(took),
                None => outcome.timings.push(Timings { name, took }),
            }
        }
        outcome.errors += seen.errors.len();
        for e in seen.errors {
            if outcome.first_errors.len() < 3 {
                outcome.first_errors.push(e);
            }
        }
    }
    outcome.elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    outcome.memory = sampler.await.unwrap();
    drop(server);
    outcome
}
