//! `heard signals import` and `heard signals export`: a programme's horizon-scanning signals as
//! CSV, in Build Your Own Radar's layout (`--format radar`) or with every field (`--format full`).
//!
//! An import checks the whole file first and stores every row in one transaction, or prints each
//! problem by row and column and stores nothing.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use heard_domain::governance::Email;
use heard_domain::horizon::csv::{self, CsvLayout};
use heard_store::{Programme, Store};

use crate::settings::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum SignalsCommand {
    /// Import signals from a CSV file into a programme: every row, or none.
    Import(SignalsArgs),
    /// Export a programme's signals to a CSV file, with their current scores.
    Export(SignalsArgs),
}

#[derive(Debug, clap::Args)]
pub struct SignalsArgs {
    /// The CSV file. An export replaces an existing file.
    pub file: PathBuf,
    /// The programme, by its slug (as in its web address).
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// `radar`: Build Your Own Radar's columns (name, ring, quadrant, isNew, description), rings
    /// H1, H2, H3 and quadrants the categories; `full`: every field of a signal.
    #[arg(long, value_name = "radar|full")]
    pub format: CsvLayout,
    /// Who imports, by email; the signals are recorded as theirs. Optional.
    #[arg(long, value_name = "EMAIL")]
    pub by: Option<String>,
}

pub async fn run(settings: &Settings, command: SignalsCommand) -> anyhow::Result<()> {
    match command {
        SignalsCommand::Import(args) => import(settings, args).await,
        SignalsCommand::Export(args) => export(settings, args).await,
    }
}

async fn programme(store: &Store, slug: &str) -> anyhow::Result<Programme> {
    store.programme(slug).await?.with_context(|| format!("there is no programme with the slug {slug}"))
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

async fn import(settings: &Settings, args: SignalsArgs) -> anyhow::Result<()> {
    let file = File::open(&args.file).with_context(|| format!("could not open {}", args.file.display()))?;
    let records = match csv::read(BufReader::new(file), args.format, today()) {
        Ok(records) => records,
        Err(problems) => {
            println!("{} has {} problem{}:", args.file.display(), problems.len(), plural(problems.len()));
            for problem in &problems {
                println!("  {problem}");
            }
            bail!("the file has problems: nothing was imported");
        }
    };
    let store = settings.ready_store().await?;
    let programme = programme(&store, &args.programme).await?;
    let by = match &args.by {
        Some(raw) => {
            let email = Email::parse("by", raw).map_err(|e| anyhow::anyhow!("--by: {}", e.0[0].message))?;
            Some(store.user_by_email(&email).await?.context("--by: there is no user with that email address")?.id)
        }
        None => None,
    };
    let ids = store
        .import_signals(programme.id, &records, by)
        .await
        .context("the signals could not be imported; nothing was imported")?;
    println!("Imported {} signal{} into {}.", ids.len(), plural(ids.len()), programme.name);
    Ok(())
}

async fn export(settings: &Settings, args: SignalsArgs) -> anyhow::Result<()> {
    let store = settings.ready_store().await?;
    let programme = programme(&store, &args.programme).await?;
    let records = store.export_signals(programme.id).await.context("the signals could not be read")?;
    // Written beside the target, then renamed: a failed export leaves no half-written file.
    let folder = args.file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp =
        tempfile::NamedTempFile::new_in(folder).with_context(|| format!("could not write in {}", folder.display()))?;
    let mut writer = BufWriter::new(temp);
    csv::write(&mut writer, args.format, &records)
        .with_context(|| format!("could not write {}", args.file.display()))?;
    writer.flush().with_context(|| format!("could not write {}", args.file.display()))?;
    let temp =
        writer.into_inner().map_err(|e| anyhow::anyhow!("could not write {}: {}", args.file.display(), e.error()))?;
    temp.persist(&args.file).with_context(|| format!("could not write {}", args.file.display()))?;
    println!(
        "Exported {} signal{} of {} to {}.",
        records.len(),
        plural(records.len()),
        programme.name,
        args.file.display()
    );
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
