//! `heard deliberation`: opinion groups on the command line. `analyse` reads a Pol.is open-data
//! export (a folder with comments.csv and votes.csv) without a database, writes each counted
//! participant's group as CSV and prints a summary; where the export holds Pol.is's own groups
//! (participants-votes.csv), it prints how closely Heard's groups match them. `import-polis`
//! stores such an export as a finished deliberation of a programme: all of it, or, when the
//! export has a problem (named by file, row and column), nothing.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use heard_analysis::deliberation::{
    Choice, Direction, OpinionGroups, Settings, Vote, VoteMatrix, adjusted_rand_index, analyse,
};
use heard_domain::dates::{DateParts, parse_iso};
use heard_domain::deliberation::days::{DeliberationFields, DeliberationInput, TITLE_MAX};
use heard_domain::deliberation::polis::{self, Export, PolisVote};
use heard_domain::governance::Email;
use time::{Date, OffsetDateTime};

use crate::settings::Settings as HeardSettings;

#[derive(Debug, Subcommand)]
pub enum DeliberationCommand {
    /// Find opinion groups in a Pol.is open-data export, as Pol.is does: writes
    /// `participant,group` for every participant counted in, and prints each group's size and
    /// representative statements and what all groups agree on.
    Analyse(AnalyseArgs),
    /// Import a Pol.is open-data export into a programme as a finished (closed) deliberation: its
    /// comments (those moderated out left out), participants and latest votes; all or nothing.
    ImportPolis(ImportPolisArgs),
    /// Export a deliberation in the Pol.is open-data format (comments.csv, votes.csv,
    /// participants-votes.csv with its opinion groups): attendees as numbers from 0, never their
    /// ids or codes; statements waiting for moderation left out, rejected ones without their text.
    Export(ExportArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// Pol.is's open-data export.
    Polis,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write into (made if missing; files of the same names are replaced).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The deliberation, by its number (as in its web address).
    #[arg(long, value_name = "ID")]
    pub deliberation: i64,
    #[arg(long, value_name = "polis")]
    pub format: ExportFormat,
}

#[derive(Debug, Args)]
pub struct ImportPolisArgs {
    /// The export's folder, holding comments.csv and votes.csv.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The programme, by its slug (as in its web address).
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// The deliberation's title; by default the topic in the export's summary.csv, else the
    /// folder's name.
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// When it was held; by default the day of the export's last vote.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub held_on: Option<String>,
    /// Who imports, by email; the statements are recorded as theirs. Optional.
    #[arg(long, value_name = "EMAIL")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// The export's folder, holding comments.csv and votes.csv (and participants-votes.csv, if
    /// Pol.is's groups are to be compared).
    #[arg(long, value_name = "DIR")]
    pub polis_export: PathBuf,
    /// Where to write `participant,group` (Pol.is's participant ids; groups from 0, largest first).
    #[arg(long, value_name = "FILE.csv")]
    pub out: PathBuf,
}

pub async fn run(settings: &HeardSettings, command: DeliberationCommand) -> anyhow::Result<()> {
    match command {
        DeliberationCommand::Analyse(args) => analyse_export(&args),
        DeliberationCommand::ImportPolis(args) => import_polis(settings, &args).await,
        DeliberationCommand::Export(args) => export(settings, &args).await,
    }
}

fn open(dir: &Path, name: &str) -> anyhow::Result<BufReader<File>> {
    let path = dir.join(name);
    let file = File::open(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

fn analyse_export(args: &AnalyseArgs) -> anyhow::Result<()> {
    let dir = &args.polis_export;
    let export = polis::read_export(open(dir, polis::COMMENTS)?, open(dir, polis::VOTES)?)
        .with_context(|| format!("{} cannot be analysed", dir.display()))?;
    let votes = matrix(&export);
    let started = Instant::now();
    let result = analyse(&votes, &Settings::default());
    let took = started.elapsed();
    write_groups(&args.out, &export, &result)?;
    print_summary(&export, &result, took.as_secs_f64());
    if dir.join(polis::PARTICIPANTS_VOTES).exists() {
        let theirs = polis::read_groups(open(dir, polis::PARTICIPANTS_VOTES)?)
            .with_context(|| format!("{} cannot be compared", dir.display()))?;
        compare(&export, &result, &theirs);
    }
    Ok(())
}

async fn import_polis(settings: &HeardSettings, args: &ImportPolisArgs) -> anyhow::Result<()> {
    let dir = &args.dir;
    let export = polis::read_export(open(dir, polis::COMMENTS)?, open(dir, polis::VOTES)?)
        .with_context(|| format!("{} cannot be imported; nothing was imported", dir.display()))?;
    let title = match &args.title {
        Some(title) => title.clone(),
        None => default_title(dir),
    };
    let held_on = match &args.held_on {
        Some(raw) => parse_iso("held_on", raw).map_err(|e| anyhow::anyhow!("--held-on: {}", e.0[0].message))?,
        None => last_vote_day(dir).unwrap_or_else(|| OffsetDateTime::now_utc().date()),
    };
    let input = DeliberationInput::parse(&DeliberationFields {
        title,
        held_on: DateParts::from_date(Some(held_on)),
        ..DeliberationFields::default()
    })
    .map_err(|e| {
        let problem = &e.0[0];
        anyhow::anyhow!("--{}: {}", problem.field.replace('_', "-"), problem.message)
    })?;

    let store = settings.ready_store().await?;
    let programme = store
        .programme(&args.programme)
        .await?
        .with_context(|| format!("there is no programme with the slug {}", args.programme))?;
    let by = match &args.by {
        Some(raw) => {
            let email = Email::parse("by", raw).map_err(|e| anyhow::anyhow!("--by: {}", e.0[0].message))?;
            Some(store.user_by_email(&email).await?.context("--by: there is no user with that email address")?.id)
        }
        None => None,
    };
    let id = store
        .import_polis(programme.id, &input.title, input.held_on, &export, by)
        .await
        .context("the export could not be imported; nothing was imported")?;
    println!(
        "Imported {} statements ({} moderated out, left out), {} participants and {} votes into {} as deliberation {id}, \
         \"{}\", held on {} (closed).",
        export.statements.len(),
        export.moderated_out,
        export.participants.len(),
        export.votes.len(),
        programme.name,
        input.title,
        input.held_on,
    );
    Ok(())
}

async fn export(settings: &HeardSettings, args: &ExportArgs) -> anyhow::Result<()> {
    let ExportFormat::Polis = args.format;
    let store = settings.ready_store().await?;
    let deliberation = match store.polis_export(args.deliberation).await {
        Err(heard_store::StoreError::NotFound) => bail!("there is no deliberation {}", args.deliberation),
        other => other.context("the deliberation could not be read")?,
    };
    let groups = opinion_groups(&deliberation.statements, &deliberation.votes);
    let outgoing =
        polis::Outgoing { statements: &deliberation.statements, votes: &deliberation.votes, groups: &groups };
    let (mut comments, mut votes, mut participants) = (Vec::new(), Vec::new(), Vec::new());
    polis::write_export(&outgoing, &mut comments, &mut votes, &mut participants)
        .context("the deliberation could not be written as a Pol.is export")?;
    let dir = &args.dir;
    std::fs::create_dir_all(dir).with_context(|| format!("could not make {}", dir.display()))?;
    for (name, bytes) in [(polis::COMMENTS, comments), (polis::VOTES, votes), (polis::PARTICIPANTS_VOTES, participants)]
    {
        // Each file written beside its target, then renamed: none is left half-written.
        let mut temp =
            tempfile::NamedTempFile::new_in(dir).with_context(|| format!("could not write in {}", dir.display()))?;
        temp.write_all(&bytes).with_context(|| format!("could not write {name}"))?;
        temp.persist(dir.join(name)).with_context(|| format!("could not write {name}"))?;
    }
    let participants: std::collections::BTreeSet<u64> = deliberation.votes.iter().map(|v| v.participant).collect();
    println!(
        "Exported {} statements, {} votes by {} participants ({} opinion groups) to {}.",
        deliberation.statements.len(),
        deliberation.votes.len(),
        participants.len(),
        groups.iter().map(|g| g.1).collect::<std::collections::BTreeSet<_>>().len(),
        dir.display()
    );
    Ok(())
}

/// Each participant counted in and their opinion group, found over the statements kept.
fn opinion_groups(statements: &[polis::OutgoingStatement], votes: &[polis::OutgoingVote]) -> Vec<(u64, usize)> {
    let kept: HashMap<u64, u32> = statements
        .iter()
        .filter(|s| s.moderated != polis::Moderated::Out)
        .enumerate()
        .map(|(n, s)| (s.id, n as u32))
        .collect();
    let mut people: Vec<u64> = votes.iter().map(|v| v.participant).collect();
    people.sort_unstable();
    people.dedup();
    let votes: Vec<Vote> = votes
        .iter()
        .filter_map(|v| {
            Some(Vote {
                participant: people.binary_search(&v.participant).ok()? as u32,
                statement: *kept.get(&v.statement)?,
                choice: match v.vote {
                    PolisVote::Agree => Choice::Agree,
                    PolisVote::Disagree => Choice::Disagree,
                    PolisVote::Pass => Choice::Pass,
                },
            })
        })
        .collect();
    if kept.is_empty() || votes.is_empty() {
        return Vec::new();
    }
    let result = analyse(&VoteMatrix::new(people.len(), kept.len(), votes), &Settings::default());
    result.counted.iter().zip(&result.group).map(|(&p, &g)| (people[p], g)).collect()
}

/// The topic in the export's summary.csv (`topic,...`), else the folder's name, on one line and
/// short enough to be a title.
fn default_title(dir: &Path) -> String {
    let topic = File::open(dir.join("summary.csv")).ok().and_then(|file| {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(file);
        reader
            .records()
            .map_while(Result::ok)
            .find(|r| r.get(0) == Some("topic"))
            .and_then(|r| r.get(1).map(str::to_owned))
    });
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "Pol.is".to_owned());
    let title = topic.filter(|t| !t.trim().is_empty()).unwrap_or(name);
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    title.chars().take(TITLE_MAX).collect()
}

/// The day of the export's latest vote (Pol.is's timestamps are milliseconds since 1970).
fn last_vote_day(dir: &Path) -> Option<Date> {
    let mut reader = csv::Reader::from_reader(open(dir, polis::VOTES).ok()?);
    let column = reader.headers().ok()?.iter().position(|h| h.trim() == "timestamp")?;
    let latest =
        reader.records().map_while(Result::ok).filter_map(|r| r.get(column)?.trim().parse::<i64>().ok()).max()?;
    Some(OffsetDateTime::from_unix_timestamp(latest / 1_000).ok()?.date())
}

fn matrix(export: &Export) -> VoteMatrix {
    let votes = export
        .votes
        .iter()
        .map(|v| Vote {
            participant: v.participant as u32,
            statement: v.statement as u32,
            choice: match v.vote {
                PolisVote::Agree => Choice::Agree,
                PolisVote::Disagree => Choice::Disagree,
                PolisVote::Pass => Choice::Pass,
            },
        })
        .collect();
    VoteMatrix::new(export.participants.len(), export.statements.len(), votes)
}

fn write_groups(out: &Path, export: &Export, result: &OpinionGroups) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(out).with_context(|| format!("writing {}", out.display()))?;
    writer.write_record(["participant", "group"])?;
    for (&p, &g) in result.counted.iter().zip(&result.group) {
        writer.write_record([export.participants[p].to_string(), g.to_string()])?;
    }
    writer.flush().with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

fn print_summary(export: &Export, result: &OpinionGroups, seconds: f64) {
    let statement = |s: usize| {
        let c = &export.statements[s];
        let text: String = c.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = text.chars().take(100).collect();
        let more = if short.len() < text.len() { "…" } else { "" };
        format!("#{} {short}{more}", c.id)
    };
    println!(
        "{} statements ({} moderated out), {} participants, {} votes; {} participants counted in (voted on at least {}).",
        export.statements.len(),
        export.moderated_out,
        export.participants.len(),
        export.votes.len(),
        result.counted.len(),
        Settings::default().min_votes.min(export.statements.len()),
    );
    println!("{} opinion groups (silhouette {:.2}), found in {:.2} s.", result.groups, result.silhouette, seconds);
    for (g, size) in result.sizes().iter().enumerate() {
        println!("\nGroup {g}: {size} participants");
        let reps = result.representative.get(g).map(Vec::as_slice).unwrap_or_default();
        if reps.is_empty() {
            println!("  (no statement sets this group apart at 90%)");
        }
        for r in reps {
            let verb = match r.direction {
                Direction::Agree => "agree",
                Direction::Disagree => "disagree",
            };
            println!(
                "  {:.0}% {verb} (others {:.0}%): {}",
                r.probability * 100.0,
                r.probability_rest * 100.0,
                statement(r.statement)
            );
        }
    }
    if result.groups >= 2 {
        println!("\nWhat all groups agree on (group-aware consensus):");
        for a in result.consensus(5) {
            println!("  {:.2}: {}", a.consensus, statement(a.statement));
        }
        println!("\nWhat divides the groups (widest spread of agreement):");
        for a in result.divisive(5) {
            let agree: Vec<String> = a.agree.iter().map(|p| format!("{:.0}%", p * 100.0)).collect();
            println!("  {}: {}", agree.join(" / "), statement(a.statement));
        }
    }
}

fn compare(export: &Export, result: &OpinionGroups, theirs: &[(u64, Option<usize>)]) {
    let theirs: HashMap<u64, usize> = theirs.iter().filter_map(|&(p, g)| g.map(|g| (p, g))).collect();
    let groups = theirs.values().collect::<std::collections::BTreeSet<_>>().len();
    let (mine, polis): (Vec<usize>, Vec<usize>) = result
        .counted
        .iter()
        .zip(&result.group)
        .filter_map(|(&p, &g)| theirs.get(&export.participants[p]).map(|&t| (g, t)))
        .unzip();
    println!(
        "\nPol.is's groups ({}): {groups} groups; adjusted Rand index {:.3} over the {} participants both grouped.",
        polis::PARTICIPANTS_VOTES,
        adjusted_rand_index(&mine, &polis),
        mine.len()
    );
}
