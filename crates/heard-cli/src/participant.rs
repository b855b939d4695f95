//! `heard participant export`: everything Heard holds about one participant, for a subject access
//! request, as a zip of JSON and readable HTML (what the researcher's button on the participant's
//! page gives). The export is audited under the account named with `--as`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use heard_domain::governance::{Email, Role};
use heard_domain::voice::participants::Pseudonym;

use crate::files;
use crate::settings::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum ParticipantCommand {
    /// Everything held about one participant (subject access), as a zip of JSON and readable HTML.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The participant's pseudonym (any case).
    pub pseudonym: String,
    /// Where to write the zip. An existing file is replaced.
    pub file: PathBuf,
    /// The programme the participant belongs to, by its slug.
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// The researcher or administrator answering the request (their email), for the audit log.
    #[arg(long = "as", value_name = "EMAIL")]
    pub by: String,
}

pub async fn run(settings: &Settings, command: ParticipantCommand) -> anyhow::Result<()> {
    let ParticipantCommand::Export(args) = command;
    let pseudonym =
        Pseudonym::parse("pseudonym", &args.pseudonym).map_err(|e| anyhow::anyhow!("PSEUDONYM: {}", e.0[0].message))?;
    let email = Email::parse("as", &args.by).map_err(|e| anyhow::anyhow!("--as: {}", e.0[0].message))?;
    let store = settings.ready_store().await?;
    let user = store.user_by_email(&email).await?.context("--as: there is no user with that email address")?;
    if !user.active || !matches!(user.role, Role::Researcher | Role::Administrator) {
        bail!("--as: only an active researcher or administrator answers a subject access request");
    }
    let programme = store
        .programme(&args.programme)
        .await?
        .with_context(|| format!("there is no programme with the slug {}", args.programme))?;
    let participant = store
        .participants(programme.id)
        .await?
        .into_iter()
        .find(|p| p.pseudonym.to_lowercase() == pseudonym.key())
        .context("there is no participant with that pseudonym in the programme")?;
    let access = store.subject_access(programme.id, &programme.name, participant.id, user.id).await?;
    let zip = heard_web::protection::subject_access_zip(&access)?;
    files::write_whole(&args.file, &zip)?;
    println!(
        "Wrote {}: {} sources, {} excerpts, {} places their words were used.",
        args.file.display(),
        access.sources.len(),
        access.excerpts.len(),
        access.uses.len()
    );
    Ok(())
}
