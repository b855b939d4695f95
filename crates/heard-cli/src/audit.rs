//! `heard audit verify`: walks the audit log's hash chain from the first entry and reports the
//! first broken link, with a non-zero exit code; on success prints how many entries hold and the
//! head of the chain (worth noting outside Heard: removing the newest entries breaks no link).

use anyhow::bail;

use crate::settings::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain; exit code 1 and the first broken link if it does not hold.
    Verify,
}

pub async fn run(settings: &Settings, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify => verify(settings).await,
    }
}

async fn verify(settings: &Settings) -> anyhow::Result<()> {
    // Opened, not migrated: checking writes nothing.
    let store = settings.open_store().await?;
    let report = store.verify_audit_log().await?;
    match report.broken {
        None => {
            println!("The audit log holds: {} entries checked, the chain unbroken.", report.checked);
            println!("Head of the chain: {}", report.head);
            Ok(())
        }
        Some(broken) => {
            println!("The audit log is broken at entry {}.", broken.id());
            println!("{broken}");
            println!("{} entries before it hold.", report.checked);
            bail!("the audit log's chain is broken at entry {}", broken.id())
        }
    }
}
