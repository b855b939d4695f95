//! The web: `heard serve` over the demo on SQLite and on PostgreSQL, and wrk (Debian's package)
//! with 64 connections on loopback asking for one thing at a time: the programme page and a source
//! page as a signed-in researcher's browser (session cookie), and the search API with an API token.
//! Requests a second, p99 latency, and the server's resident memory after each run.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, ensure};
use heard_domain::governance::Role;
use heard_store::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use reqwest::cookie::CookieStore;

use crate::results::{self, Figure};
use crate::room;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    out: crate::Output,
    /// The `heard` binary to serve with (default: the one Cargo built beside this benchmark).
    #[arg(long)]
    heard: Option<PathBuf>,
    /// A PostgreSQL server for the second backend: its database `heard_peer_web` is made afresh.
    #[arg(long)]
    postgres: Option<String>,
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Seconds each wrk run lasts.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    #[arg(long, default_value_t = 64)]
    connections: usize,
}

/// wrk's POST of a search, as the API's users send it.
const SEARCH_SCRIPT: &str = r#"wrk.method = "POST"
wrk.body = '{"q": "respite", "programme": "early-years"}'
wrk.headers["Content-Type"] = "application/json"
"#;

#[tokio::main]
pub async fn run(args: &Args) -> anyhow::Result<()> {
    let heard = args.heard.clone().unwrap_or_else(room::heard_binary);
    ensure!(Command::new("wrk").arg("--version").output().is_ok(), "wrk is needed: apt-get install -y wrk");
    std::fs::create_dir_all(&args.out.dir)?;
    let script = args.out.dir.join("web-search.lua");
    std::fs::write(&script, SEARCH_SCRIPT)?;
    let mut backends = vec![("SQLite", None)];
    if let Some(url) = &args.postgres {
        backends.push(("PostgreSQL", Some(fresh_database(url, "heard_peer_web").await?)));
    }
    for (backend, database_url) in backends {
        let data = args.out.dir.join(format!("web-{}", backend.to_lowercase()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data)?;
        let cli = |extra: &[&str]| -> anyhow::Result<String> {
            let mut command = Command::new(&heard);
            command.args(extra).env("HEARD_DATA_DIR", &data).env("HEARD_LOG", "warn").env_remove("HEARD_DATABASE_URL");
            if let Some(url) = &database_url {
                command.env("HEARD_DATABASE_URL", url);
            }
            let output = command.output().with_context(|| format!("could not run {}", heard.display()))?;
            ensure!(output.status.success(), "heard {extra:?}: {}", String::from_utf8_lossy(&output.stderr));
            Ok(String::from_utf8(output.stdout)?)
        };
        cli(&["demo", "load"])?;
        let researcher = DEMO_ACCOUNTS.iter().find(|(role, _)| *role == Role::Researcher).context("no researcher")?.1;
        let token =
            cli(&["admin", "create-token", "--email", researcher, "--name", "peer benchmark"])?.trim().to_owned();

        let port = room::free_port();
        let base = format!("http://127.0.0.1:{port}");
        let server = room::start_with(&heard, &data, port, database_url.as_deref()).await;

        let cookie = sign_in(&base, researcher).await?;
        let source = first_source(&base, &token).await?;
        let targets = [
            ("programme page", "/programmes/early-years".to_owned(), format!("Cookie: {cookie}"), None),
            ("source page", format!("/programmes/early-years/sources/{source}"), format!("Cookie: {cookie}"), None),
            ("search API", "/api/v1/search".to_owned(), format!("Authorization: Bearer {token}"), Some(&script)),
        ];
        for (name, path, header, lua) in &targets {
            let case = format!("{name}, {backend}");
            for run in 1..=args.runs {
                check(&base, path, header, lua.is_some()).await.with_context(|| format!("{case} before run {run}"))?;
                let (rps, p99, errors) = wrk(args, &format!("{base}{path}"), header, lua.map(|p| p.as_path()))?;
                ensure!(errors == 0, "{case}: {errors} requests failed in run {run}");
                let rss = resident_mib(server.pid()).context("the server's memory")?;
                results::append(
                    &args.out.results,
                    &[
                        Figure {
                            part: "web",
                            tool: "heard",
                            metric: "rps",
                            case: &case,
                            run,
                            value: rps,
                            unit: "requests/s",
                        },
                        Figure {
                            part: "web",
                            tool: "heard",
                            metric: "p99_ms",
                            case: &case,
                            run,
                            value: p99,
                            unit: "ms",
                        },
                        Figure {
                            part: "web",
                            tool: "heard",
                            metric: "rss_mib",
                            case: &case,
                            run,
                            value: rss,
                            unit: "MiB",
                        },
                    ],
                )?;
            }
        }
        drop(server);
    }
    Ok(())
}

/// A fresh, empty database `name` on the server of `url`; its URL.
async fn fresh_database(url: &str, name: &str) -> anyhow::Result<String> {
    let pool = sqlx::PgPool::connect(url).await.context("could not connect to PostgreSQL")?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&pool).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await?;
    pool.close().await;
    let (server, _) = url.split('?').next().unwrap_or(url).rsplit_once('/').context("a database URL ends in /NAME")?;
    Ok(format!("{server}/{name}"))
}

/// Signs the demo researcher in through the form, as a browser does; the session's Cookie header.
async fn sign_in(base: &str, email: &str) -> anyhow::Result<String> {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let browser =
        reqwest::Client::builder().cookie_provider(jar.clone()).redirect(reqwest::redirect::Policy::none()).build()?;
    let form = browser.get(format!("{base}/sign-in")).send().await?.text().await?;
    let csrf = room::hidden(&form, "csrf_token").context("the sign-in form has no csrf_token")?;
    let answer = browser
        .post(format!("{base}/sign-in"))
        .form(&[("csrf_token", csrf.as_str()), ("email", email), ("password", DEMO_PASSWORD)])
        .send()
        .await?;
    ensure!(answer.status() == 303, "the demo researcher could not sign in: {}", answer.status());
    let cookies = jar.cookies(&base.parse()?).context("no session cookie after signing in")?;
    Ok(cookies.to_str()?.to_owned())
}

async fn first_source(base: &str, token: &str) -> anyhow::Result<i64> {
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/programmes/early-years/sources"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    listed["sources"][0]["id"].as_i64().context("the demo programme has no sources")
}

/// One request as wrk will send it must be answered 200, not redirected to the sign-in page.
async fn check(base: &str, path: &str, header: &str, search: bool) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let (name, value) = header.split_once(": ").context("a header")?;
    let request = if search {
        client
            .post(format!("{base}{path}"))
            .header("Content-Type", "application/json")
            .body(r#"{"q": "respite", "programme": "early-years"}"#)
    } else {
        client.get(format!("{base}{path}"))
    };
    let answer = request.header(name, value).send().await?;
    ensure!(answer.status() == 200, "{path} answered {}", answer.status());
    Ok(())
}

/// Runs wrk; its requests a second, p99 in ms, and failed requests (non-2xx/3xx and socket errors).
fn wrk(args: &Args, url: &str, header: &str, script: Option<&Path>) -> anyhow::Result<(f64, f64, u64)> {
    let mut command = Command::new("wrk");
    command.args(["--threads", "2", "--connections", &args.connections.to_string()]);
    command.args(["--duration", &format!("{}s", args.seconds), "--timeout", "10s", "--latency", "--header", header]);
    if let Some(script) = script {
        command.arg("--script").arg(script);
    }
    let output = command.arg(url).output().context("could not run wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    ensure!(output.status.success(), "wrk failed: {text}{}", String::from_utf8_lossy(&output.stderr));
    parse_wrk(&text).with_context(|| format!("could not read wrk's report:\n{text}"))
}

fn parse_wrk(text: &str) -> Option<(f64, f64, u64)> {
    let rps = text.lines().find_map(|l| l.trim().strip_prefix("Requests/sec:"))?.trim().parse().ok()?;
    let p99 = text.lines().find_map(|l| l.trim().strip_prefix("99%")).and_then(|v| millis(v.trim()))?;
    let mut errors = 0;
    for line in text.lines().map(str::trim) {
        if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += n.trim().parse::<u64>().ok()?;
        }
        if let Some(list) = line.strip_prefix("Socket errors:") {
            errors +=
                list.split(',').filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok()).sum::<u64>();
        }
    }
    Some((rps, p99, errors))
}

/// wrk's durations: "812.00us", "12.34ms", "1.20s", "2.00m".
fn millis(value: &str) -> Option<f64> {
    let (number, scale) = if let Some(v) = value.strip_suffix("us") {
        (v, 1e-3)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1e3)
    } else {
        (value.strip_suffix('m')?, 60e3)
    };
    Some(number.parse::<f64>().ok()? * scale)
}

fn resident_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    Some(line[6..].trim().trim_end_matches("kB").trim().parse::<f64>().ok()? / 1024.0)
}
