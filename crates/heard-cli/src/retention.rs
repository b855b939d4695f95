//! `heard retention`: the administrator's retention rules, listed and set, and a run that applies
//! them (`apply`, or `apply --dry-run` to list what would go by source id, kind and date, never
//! content). The server runs the same every day.

use anyhow::{Context, bail};
use heard_domain::governance::{Email, Role};
use heard_domain::protection::{RetentionErase, RetentionRule};
use heard_store::protection::finish_erasures;
use time::Date;

use crate::settings::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum RetentionCommand {
    /// List the rules in force.
    Rules,
    /// Set the rule for a kind of source (replacing the one it had), as an administrator.
    Set(SetArgs),
    /// Erase what the rules say is past its period today: originals or whole sources.
    Apply(ApplyArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The kind of source: story, interview_transcript, field_note, observation,
    /// listening_event_note, survey_response or film.
    #[arg(long)]
    pub kind: String,
    /// Days a source is kept, from the day it was collected (or received).
    #[arg(long)]
    pub keep_days: String,
    /// What goes when the time is up: `original` (the redacted copy stays) or `source`.
    #[arg(long)]
    pub erase: String,
    /// The administrator setting it (their email address), for the audit log.
    #[arg(long = "as", value_name = "EMAIL")]
    pub administrator: String,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// List what would be erased (source id, kind, date, what goes) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The day to apply the rules as of, YYYY-MM-DD; today (UTC) if not given.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

fn parse_day(raw: &str) -> anyhow::Result<Date> {
    heard_domain::dates::parse_iso("today", raw).map_err(|e| anyhow::anyhow!("--today: {}", e.0[0].message))
}

pub async fn run(settings: &Settings, command: RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Rules => {
            let store = settings.ready_store().await?;
            let rules = store.retention_rules().await?;
            if rules.is_empty() {
                println!("No retention rules: every source is kept until it is withdrawn.");
            }
            for rule in rules {
                let erase = match rule.erase {
                    RetentionErase::Original => "its original text",
                    RetentionErase::Source => "the whole source",
                };
                println!("{:<22} kept {:>5} days, then {erase}", rule.kind.code(), rule.keep_days);
            }
            Ok(())
        }
        RetentionCommand::Set(args) => {
            let rule = RetentionRule::parse(&args.kind, &args.keep_days, &args.erase).map_err(|invalid| {
                let problems: Vec<String> =
                    invalid.0.iter().map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message)).collect();
                anyhow::anyhow!(problems.join("\n"))
            })?;
            let email =
                Email::parse("as", &args.administrator).map_err(|e| anyhow::anyhow!("--as: {}", e.0[0].message))?;
            let store = settings.ready_store().await?;
            let user = store.user_by_email(&email).await?.context("--as: there is no user with that email address")?;
            if user.role != Role::Administrator || !user.active {
                bail!("--as: only an active administrator sets retention rules");
            }
            store.set_retention_rule(&rule, user.id).await?;
            println!(
                "Retention rule set: {} kept {} days, then {}.",
                rule.kind.code(),
                rule.keep_days,
                rule.erase.code()
            );
            Ok(())
        }
        RetentionCommand::Apply(args) => {
            let today = match &args.today {
                Some(raw) => parse_day(raw)?,
                None => time::OffsetDateTime::now_utc().date(),
            };
            let store = settings.ready_store().await?;
            if args.dry_run {
                let due = store.retention_due(today).await?;
                println!("source_id,programme_id,kind,dated,erase");
                for source in &due {
                    println!(
                        "{},{},{},{},{}",
                        source.id,
                        source.programme_id,
                        source.kind.code(),
                        source.dated,
                        source.erase.code()
                    );
                }
                eprintln!("Dry run: {} sources would be erased as of {today}; nothing changed.", due.len());
                return Ok(());
            }
            let media = settings.media_store()?;
            let run =
                store.apply_retention(today, None).await.context("the retention run failed; nothing was erased")?;
            let finished = finish_erasures(&store, &media).await.context("could not finish the erasure")?;
            println!(
                "Retention applied as of {today}: {} sources erased whole, {} originals erased, {} excerpts, {} media files removed{}.",
                run.counts.sources,
                run.counts.originals,
                run.counts.excerpts,
                finished.media_files,
                if finished.scrubbed { "" } else { " (the database scrub will be retried)" }
            );
            Ok(())
        }
    }
}
