//! `heard search`: full-text search over sources' redacted text from the command line, ranked as
//! on the search page. Matched words are marked `**like this**`; `--json` writes one JSON object
//! per hit, for scripts.

use std::io::Write;

use anyhow::Context;
use heard_domain::voice::sources::{SearchQuery, SourceKind};
use heard_store::SearchFilters;
use heard_store::voice::sources::{MATCH_END, MATCH_START, SearchHit};
use serde::Serialize;

use crate::settings::Settings;

/// Search sources' redacted text. Words must all appear; "quoted words" as a phrase.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// What to search for, e.g. waiting "day centre".
    pub query: String,
    /// Only this programme's sources, by its slug.
    #[arg(long, value_name = "SLUG")]
    pub programme: Option<String>,
    /// Only sources of this kind: story, interview_transcript, field_note, observation,
    /// listening_event_note, survey_response or film.
    #[arg(long)]
    pub kind: Option<String>,
    /// Which page of 20 hits, from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub page: i64,
    /// One JSON object a line: id, programme, programme_name, kind, title, date, snippet.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: i64,
    programme: &'a str,
    programme_name: &'a str,
    kind: &'a str,
    title: &'a str,
    date: Option<String>,
    snippet: String,
}

/// The snippet with matches marked `**`, on one line.
fn marked(snippet: &str) -> String {
    snippet.replace([MATCH_START, MATCH_END], "**").split_whitespace().collect::<Vec<_>>().join(" ")
}

pub async fn run(settings: &Settings, args: SearchArgs) -> anyhow::Result<()> {
    let query = SearchQuery::parse("query", &args.query)
        .map_err(|e| anyhow::anyhow!("{}", e.0.first().map_or("bad query", |e| e.message.as_str())))?;
    let kind = match &args.kind {
        None => None,
        Some(raw) => Some(raw.parse::<SourceKind>().map_err(|_| {
            let codes: Vec<&str> = SourceKind::ALL.iter().map(|k| k.code()).collect();
            anyhow::anyhow!("--kind must be one of: {}", codes.join(", "))
        })?),
    };
    let store = settings.ready_store().await?;
    let programme_id = match &args.programme {
        None => None,
        Some(slug) => Some(
            store.programme(slug).await?.with_context(|| format!("there is no programme with the slug {slug}"))?.id,
        ),
    };
    let filters = SearchFilters { programme_id, kind, ..SearchFilters::default() };
    let results = store.search(&query, &filters, args.page - 1).await.context("the search failed")?;
    match print(&args, &results) {
        // Piped into `head`, say: the reader has all it wanted.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn print(args: &SearchArgs, results: &heard_store::SearchResults) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if args.json {
        for hit in &results.hits {
            serde_json::to_writer(&mut out, &json_hit(hit)).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    let total = if results.more { format!("more than {}", results.total) } else { results.total.to_string() };
    if results.hits.is_empty() {
        writeln!(out, "No sources match ({total} in all).")?;
        return Ok(());
    }
    let order =
        if results.by_relevance { "best first" } else { "newest first: add words or filters to rank by relevance" };
    writeln!(out, "{total} source{} match, {order}:", if results.total == 1 && !results.more { "" } else { "s" })?;
    let first = (args.page - 1) * heard_store::voice::sources::PAGE_SIZE;
    for (n, hit) in results.hits.iter().enumerate() {
        let source = &hit.source;
        let date = source.collected_on.map(heard_domain::dates::display).unwrap_or_else(|| "no date".to_owned());
        writeln!(out)?;
        writeln!(out, "{}. {} ({}, {date}) #{}", first + n as i64 + 1, source.title, source.programme_name, source.id)?;
        writeln!(out, "   {}", marked(&hit.snippet))?;
    }
    Ok(())
}

fn json_hit(hit: &SearchHit) -> JsonHit<'_> {
    let source = &hit.source;
    JsonHit {
        id: source.id,
        programme: &source.programme_slug,
        programme_name: &source.programme_name,
        kind: source.kind.code(),
        title: &source.title,
        date: source.collected_on.map(|d| d.to_string()),
        snippet: marked(&hit.snippet),
    }
}
