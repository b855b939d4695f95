//! `heard export qdpx`, `heard import qdpx` and `heard import qdc`: a programme's coding as a
//! REFI-QDA project or codebook, for NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette.
//!
//! An export holds redacted text unless `--include-originals` names the researcher who asks,
//! which is audited. An import goes into one programme in one transaction: a file Heard refuses
//! leaves nothing behind, and what could not be taken in as it was is listed by element.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use heard_domain::coding::refi;
use heard_domain::governance::{Action, Email, permits};
use heard_store::coding::exchange::ImportReport;
use heard_store::{Programme, Store, StoreError, User};

use crate::settings::Settings;

/// Export a programme as a REFI-QDA project (.qdpx).
#[derive(Debug, clap::Args)]
pub struct ExportQdpxArgs {
    /// Where to write the project, e.g. early-years.qdpx. An existing file is replaced.
    pub file: PathBuf,
    /// The programme, by its slug (as in its web address).
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// Export original text instead of redacted text, where everyone heard consents to research.
    /// Audited; needs --researcher.
    #[arg(long, requires = "researcher")]
    pub include_originals: bool,
    /// The researcher who asks for original text, by email.
    #[arg(long, value_name = "EMAIL")]
    pub researcher: Option<String>,
}

/// Import a REFI-QDA project (.qdpx) into a programme: all or nothing.
#[derive(Debug, clap::Args)]
pub struct ImportQdpxArgs {
    /// The .qdpx file, from Heard, QualCoder, NVivo, ATLAS.ti, MAXQDA...
    pub file: PathBuf,
    /// The programme, by its slug.
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// The researcher who imports, by email: codings by people Heard does not know become theirs.
    #[arg(long, value_name = "EMAIL")]
    pub researcher: String,
}

/// Import a REFI-QDA codebook (.qdc) into a programme's codebook.
#[derive(Debug, clap::Args)]
pub struct ImportQdcArgs {
    /// The .qdc file, e.g. Taguette's codebook export.
    pub file: PathBuf,
    /// The programme, by its slug.
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// The researcher who imports, by email.
    #[arg(long, value_name = "EMAIL")]
    pub researcher: String,
}

async fn programme(store: &Store, slug: &str) -> anyhow::Result<Programme> {
    store.programme(slug).await?.with_context(|| format!("there is no programme with the slug {slug}"))
}

/// The researcher named by `email`: only researchers exchange projects.
async fn researcher(store: &Store, email: &str) -> anyhow::Result<User> {
    let email = Email::parse("researcher", email).map_err(|e| anyhow::anyhow!("--researcher: {}", e.0[0].message))?;
    let user = store.user_by_email(&email).await?.context("--researcher: there is no user with that email address")?;
    if !user.active || !permits(Some(user.role), Action::ExchangeProjects) {
        bail!("--researcher: only an active researcher may export or import projects");
    }
    Ok(user)
}

/// A store error as the command line says it: a refused file's message whole.
fn explain(error: StoreError, what: &str) -> anyhow::Error {
    match error {
        StoreError::Invalid(invalid) => anyhow::anyhow!("{what}: {invalid}"),
        other => anyhow::Error::new(other).context(what.to_owned()),
    }
}

pub async fn export_qdpx(settings: &Settings, args: ExportQdpxArgs) -> anyhow::Result<()> {
    let store = settings.ready_store().await?;
    let programme = programme(&store, &args.programme).await?;
    let by = match (&args.researcher, args.include_originals) {
        (Some(email), true) => Some(researcher(&store, email).await?.id),
        _ => None,
    };
    let export = store
        .export_project(programme.id, by)
        .await
        .map_err(|e| explain(e, "the project could not be exported; nothing was written"))?;
    // Written beside the target, then renamed: a failed export leaves no half-written file.
    let folder = args.file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp =
        tempfile::NamedTempFile::new_in(folder).with_context(|| format!("could not write in {}", folder.display()))?;
    let writer = refi::write_qdpx(&export.project, BufWriter::new(temp))
        .map_err(|e| anyhow::anyhow!("the project could not be written: {e}"))?;
    let temp =
        writer.into_inner().map_err(|e| anyhow::anyhow!("could not write {}: {}", args.file.display(), e.error()))?;
    temp.as_file().sync_all().ok();
    temp.persist(&args.file).with_context(|| format!("could not write {}", args.file.display()))?;
    let project = &export.project;
    let excerpts: usize = project.sources.iter().map(|s| s.excerpts.len()).sum();
    println!(
        "Exported {} to {}: {} codes, {} cases, {} sources, {} excerpts, {} memos.",
        programme.name,
        args.file.display(),
        project.all_codes().len(),
        project.cases.len(),
        project.sources.len(),
        excerpts,
        project.memos.len()
    );
    if args.include_originals {
        println!(
            "Original text of {} sources (audited); {} kept redacted, as someone heard in them does not consent to research.",
            export.originals, export.kept_redacted
        );
    } else {
        println!("Text is redacted.");
    }
    if export.stale_excerpts > 0 {
        println!(
            "{} excerpts left out: their source's text changed since, and they wait to be placed again.",
            export.stale_excerpts
        );
    }
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<File> {
    File::open(path).with_context(|| format!("could not open {}", path.display()))
}

pub async fn import_qdpx(settings: &Settings, args: ImportQdpxArgs) -> anyhow::Result<()> {
    let file = open(&args.file)?;
    let imported = refi::read_qdpx(BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{} was refused, nothing was imported: {e}", args.file.display()))?;
    let store = settings.ready_store().await?;
    let programme = programme(&store, &args.programme).await?;
    let user = researcher(&store, &args.researcher).await?;
    let report = store
        .import_project(programme.id, &imported.project, user.id)
        .await
        .map_err(|e| explain(e, &format!("{} was refused, nothing was imported", args.file.display())))?;
    print_report(&programme, &report);
    for left in &imported.left_out {
        println!("  left out: {} {} (Heard takes in text sources only)", left.kind, left.guid.as_deref().unwrap_or(""));
    }
    Ok(())
}

pub async fn import_qdc(settings: &Settings, args: ImportQdcArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("could not open {}", args.file.display()))?;
    let codebook = refi::read_qdc(&bytes)
        .map_err(|e| anyhow::anyhow!("{} was refused, nothing was imported: {e}", args.file.display()))?;
    let store = settings.ready_store().await?;
    let programme = programme(&store, &args.programme).await?;
    let user = researcher(&store, &args.researcher).await?;
    let report = store
        .import_codebook(programme.id, &codebook, user.id)
        .await
        .map_err(|e| explain(e, &format!("{} was refused, nothing was imported", args.file.display())))?;
    print_report(&programme, &report);
    Ok(())
}

fn print_report(programme: &Programme, report: &ImportReport) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Imported into {}:", programme.name);
    for (what, tally) in [
        ("codes", report.codes),
        ("participants", report.participants),
        ("sources", report.sources),
        ("excerpts", report.excerpts),
        ("codings", report.codings),
        ("memos", report.memos),
    ] {
        let _ = writeln!(out, "  {what:<13} {} created, {} already there", tally.created, tally.reused);
    }
    if !report.problems.is_empty() {
        let _ = writeln!(out, "{} not imported as in the file:", report.problems.len());
        for problem in &report.problems {
            let _ = writeln!(out, "  {}: {}", problem.element, problem.message);
        }
    }
}
