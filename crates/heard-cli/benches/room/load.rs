//! A room of attendees voting on their phones, against a real `heard serve` over a SQLite file on
//! loopback. Each simulated phone keeps its own cookies and connection, opens `/d/{CODE}` (as the
//! QR code does), declares its kind and sector with the form's token, then, until time is up,
//! asks for `/d/{CODE}/vote`, reads the statement and the form token from the page, waits as a
//! person reads, and posts agree, disagree or pass: the same requests a phone's browser makes
//! without JavaScript. Used by `benches/room/main.rs` (300 phones, one minute) and by a smoke test
//! in `tests/room.rs` (a few phones, a few seconds).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use heard_domain::dates::DateParts;
use heard_domain::deliberation::days::{DeliberationFields, DeliberationInput, DeliberationStatus};
use heard_store::Store;
use heard_store::deliberation::NewOrigin;
use tokio::sync::Barrier;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub attendees: usize,
    /// How long the voting lasts once everyone has joined.
    pub voting: Duration,
    pub statements: usize,
    /// A person's time between votes, drawn uniformly from this range.
    pub think: (Duration, Duration),
}

/// What happened.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Each vote's time from sending the form to its redirect.
    pub votes: Vec<Duration>,
    /// Each vote page's time (the next statement chosen and rendered).
    pub pages: Vec<Duration>,
    /// Each join's time (the declaration posted).
    pub joins: Vec<Duration>,
    pub errors: usize,
    /// The first few errors, to say what went wrong.
    pub first_errors: Vec<String>,
    pub voting: Duration,
    /// Votes the database holds afterwards.
    pub stored: u64,
    /// Attendees who ran out of statements before time was up.
    pub finished_early: usize,
}

impl Outcome {
    pub fn percentile(samples: &[Duration], p: f64) -> Duration {
        if samples.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    pub fn votes_per_second(&self) -> f64 {
        self.votes.len() as f64 / self.voting.as_secs_f64().max(f64::EPSILON)
    }

    pub fn report(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "{} votes in {:.1} s ({:.0} votes/s); vote p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
             vote page p50 {:.1} ms, p99 {:.1} ms; join p99 {:.1} ms; {} errors{}; {} stored; {} ran out of statements",
            self.votes.len(),
            self.voting.as_secs_f64(),
            self.votes_per_second(),
            ms(Self::percentile(&self.votes, 50.0)),
            ms(Self::percentile(&self.votes, 99.0)),
            ms(Self::percentile(&self.votes, 100.0)),
            ms(Self::percentile(&self.pages, 50.0)),
            ms(Self::percentile(&self.pages, 99.0)),
            ms(Self::percentile(&self.joins, 99.0)),
            self.errors,
            if self.first_errors.is_empty() { String::new() } else { format!(" ({})", self.first_errors.join("; ")) },
            self.stored,
            self.finished_early,
        )
    }
}

/// The server, stopped when dropped.
pub struct Server(Child);

impl Server {
    /// The server's process id, to read its memory.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// SIGKILL: the server gets no chance to finish a request, roll back or flush.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A deliberation open for votes in the demo's Early Years, in a fresh SQLite file under `dir`.
pub async fn prepare(dir: &Path, statements: usize) -> (i64, String) {
    let store = Store::open_sqlite_file(&dir.join("heard.db")).await.unwrap();
    store.migrate().await.unwrap();
    heard_store::demo::load(&store).await.unwrap();
    let programme = store.programme("early-years").await.unwrap().unwrap();
    let input = DeliberationInput::parse(&DeliberationFields {
        title: "Load test (synthetic)".into(),
        held_on: DateParts::from_date(Some(time::macros::date!(2026 - 11 - 27))),
        ..DeliberationFields::default()
    })
    .unwrap();
    let id = store.create_deliberation(programme.id, &input, &[], None).await.unwrap();
    for n in 1..=statements {
        store
            .add_statement(id, &format!("Synthetic statement number {n} for the load test"), NewOrigin::Written, None)
            .await
            .unwrap();
    }
    store.move_deliberation(id, DeliberationStatus::Open).await.unwrap();
    let code = store.deliberation(id).await.unwrap().unwrap().join_code;
    store.close().await;
    (id, code)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(heard: &Path, dir: &Path) -> (Server, String) {
    let port = free_port();
    (start_on(heard, dir, port).await, format!("http://127.0.0.1:{port}"))
}

/// Starts `heard serve` over the data folder `dir` on `port`, and waits until it answers.
pub async fn start_on(heard: &Path, dir: &Path, port: u16) -> Server {
    start_with(heard, dir, port, None).await
}

/// As [`start_on`], on the PostgreSQL database `database_url` when given (else SQLite in `dir`).
pub async fn start_with(heard: &Path, dir: &Path, port: u16, database_url: Option<&str>) -> Server {
    let mut command = Command::new(heard);
    command.env_remove("HEARD_DATABASE_URL");
    if let Some(url) = database_url {
        command.env("HEARD_DATABASE_URL", url);
    }
    let child = command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("HEARD_DATA_DIR", dir)
        .env("HEARD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("heard serve starts");
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("heard serve did not answer on {base}");
}

/// A benchmark setting from the environment, or its default.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The middle value (the upper of the two middle ones for an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The value of the hidden input `name` in a page.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// SplitMix64, so each phone's choices differ but every run is alike.
pub struct Draw(pub u64);

impl Draw {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn between(&mut self, (low, high): (Duration, Duration)) -> Duration {
        let span = high.saturating_sub(low).as_micros() as u64;
        low + Duration::from_micros(if span == 0 { 0 } else { self.next() % span })
    }
}

#[derive(Default)]
struct Phone {
    votes: Vec<Duration>,
    pages: Vec<Duration>,
    join: Option<Duration>,
    errors: Vec<String>,
    finished_early: bool,
}

const KINDS: [(&str, &str); 5] = [
    ("service_user", "citizen"),
    ("carer", ""),
    ("practitioner", "health"),
    ("commissioner", "social_care"),
    ("other", "voluntary_sector"),
];

async fn phone(n: usize, base: Arc<String>, code: Arc<String>, plan: Arc<Plan>, start: Arc<Barrier>) -> Phone {
    let mut me = Phone::default();
    let mut draw = Draw(0x5EED_0000 + n as u64);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let day = format!("{base}/d/{code}");

    // Joining: the QR code's address, then who they are.
    let joined = async {
        let page = client.get(&day).send().await.map_err(|e| format!("open: {e}"))?;
        if page.status() != 200 {
            return Err(format!("open: {}", page.status()));
        }
        let html = page.text().await.map_err(|e| format!("open: {e}"))?;
        let token = hidden(&html, "csrf_token").ok_or("open: no form token")?;
        let (kind, sector) = KINDS[n % KINDS.len()];
        let sent = Instant::now();
        let response = client
            .post(&day)
            .form(&[("csrf_token", token.as_str()), ("kind", kind), ("sector", sector)])
            .send()
            .await
            .map_err(|e| format!("join: {e}"))?;
        if response.status() != 303 {
            return Err(format!("join: {}", response.status()));
        }
        Ok(sent.elapsed())
    }
    .await;
    match joined {
        Ok(took) => me.join = Some(took),
        Err(e) => me.errors.push(e),
    }
    start.wait().await;
    if me.join.is_none() {
        return me;
    }

    let until = Instant::now() + plan.voting;
    // Phones do not all tap at the same instant.
    tokio::time::sleep(draw.between((Duration::ZERO, plan.think.1))).await;
    while Instant::now() < until {
        let asked = Instant::now();
        let page = match client.get(format!("{day}/vote")).send().await {
            Ok(page) if page.status() == 200 => page.text().await.unwrap_or_default(),
            Ok(page) => {
                me.errors.push(format!("vote page: {}", page.status()));
                break;
            }
            Err(e) => {
                me.errors.push(format!("vote page: {e}"));
                break;
            }
        };
        me.pages.push(asked.elapsed());
        let (Some(token), Some(statement)) = (hidden(&page, "csrf_token"), hidden(&page, "statement")) else {
            me.finished_early = true;
            break;
        };
        tokio::time::sleep(draw.between(plan.think)).await;
        if Instant::now() >= until {
            break;
        }
        let stance = ["agree", "disagree", "pass"][(draw.next() % 3) as usize];
        let sent = Instant::now();
        match client
            .post(format!("{day}/vote"))
            .form(&[("csrf_token", token.as_str()), ("statement", statement.as_str()), ("stance", stance)])
            .send()
            .await
        {
            Ok(response) if response.status() == 303 => me.votes.push(sent.elapsed()),
            Ok(response) => me.errors.push(format!("vote: {}", response.status())),
            Err(e) => me.errors.push(format!("vote: {e}")),
        }
    }
    me
}

/// Prepares the database, starts `heard` (the binary at `heard`), and runs the room.
pub async fn run(heard: &Path, plan: Plan) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let (id, code) = prepare(dir.path(), plan.statements).await;
    let (server, base) = start(heard, dir.path()).await;

    let plan = Arc::new(plan);
    let (base, code) = (Arc::new(base), Arc::new(code));
    let barrier = Arc::new(Barrier::new(plan.attendees + 1));
    let phones: Vec<_> = (0..plan.attendees)
        .map(|n| tokio::spawn(phone(n, base.clone(), code.clone(), plan.clone(), barrier.clone())))
        .collect();
    barrier.wait().await;
    let voting = Instant::now();
    let mut outcome = Outcome::default();
    for phone in phones {
        let phone = phone.await.unwrap();
        outcome.votes.extend(phone.votes);
        outcome.pages.extend(phone.pages);
        outcome.joins.extend(phone.join);
        outcome.errors += phone.errors.len();
        outcome.finished_early += usize::from(phone.finished_early);
        for e in phone.errors {
            if outcome.first_errors.len() < 3 {
                outcome.first_errors.push(e);
            }
        }
    }
    outcome.voting = voting.elapsed().min(plan.voting + plan.think.1);
    drop(server);

    let store = Store::open_sqlite_file(&dir.path().join("heard.db")).await.unwrap();
    outcome.stored = store.participation(id).await.unwrap().votes;
    store.close().await;
    outcome
}

/// The heard binary beside this benchmark or test.
pub fn heard_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_heard"))
}
