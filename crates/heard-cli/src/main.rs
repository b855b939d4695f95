//! `heard`: the one binary. `serve` runs the web application, `migrate` applies database
//! migrations, `admin` makes users and API tokens, `demo load` writes the demonstration data,
//! `redact` runs the personal-data redactor over text on standard input, `import sources` brings
//! sources in from a file, `search` searches their redacted text, `coding` suggests codes and
//! themes, and `backup` and `restore` copy an embedded installation and put it back.

mod audit;
mod backup;
mod causes;
mod coding;
mod deliberation;
mod exchange;
mod files;
mod import;
mod participant;
mod redact;
mod report;
mod retention;
mod search;
mod settings;
mod signals;

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use heard_domain::governance::{ApiToken, Email, Password, Role, display_name, token_name};
use heard_store::demo::{self, DemoOutcome};
use heard_store::{NewUser, StoreError};
use settings::{ServeSettings, Settings};
use tracing_subscriber::EnvFilter;

/// Heard: from what citizens say to the commissioning decisions it informs.
#[derive(Debug, Parser)]
#[command(name = "heard", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    settings: Settings,

    /// What to log, as a tracing filter, e.g. `info` or `heard_web=debug`.
    #[arg(long, env = "HEARD_LOG", default_value = "info", global = true)]
    log: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application (pages and API).
    Serve(ServeSettings),
    /// Apply database migrations, then exit.
    Migrate,
    /// Manage accounts from the command line.
    #[command(subcommand)]
    Admin(Admin),
    /// The synthetic demonstration organisation.
    #[command(subcommand)]
    Demo(Demo),
    /// Replace personal data in text with typed placeholders, such as [NAME-1].
    Redact(redact::RedactArgs),
    /// Bring data into Heard from files.
    #[command(subcommand)]
    Import(Import),
    /// Write data from Heard into files.
    #[command(subcommand)]
    Export(Export),
    /// Search sources' redacted text, ranked.
    Search(search::SearchArgs),
    /// Assisted coding: suggest codes learnt from coded texts, cross-validate, propose themes.
    #[command(subcommand)]
    Coding(coding::CodingCommand),
    /// Multiple cause analysis: import, export or analyse a cause map (Kumu JSON, Graphviz DOT).
    #[command(subcommand)]
    Causes(causes::CausesCommand),
    /// Horizon scanning: a programme's signals imported from or exported to CSV (radar or full).
    #[command(subcommand)]
    Signals(signals::SignalsCommand),
    /// Deliberation: opinion groups in a Pol.is export; Pol.is exports imported, deliberations exported.
    #[command(subcommand)]
    Deliberation(deliberation::DeliberationCommand),
    /// A programme's report for a board, as HTML or PDF.
    Report(report::ReportArgs),
    /// The audit log: `verify` checks its hash chain and reports the first broken link.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Retention rules: list or set them, and apply them (with --dry-run to list what would go).
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// A participant's data: `export` gives everything held about them (subject access) as a zip.
    #[command(subcommand)]
    Participant(participant::ParticipantCommand),
    /// Copy the embedded database and media files, while Heard runs, into one zip.
    Backup(backup::BackupArgs),
    /// Put a backup made by `heard backup` back as the installation in the data folder.
    Restore(backup::RestoreArgs),
}

#[derive(Debug, Subcommand)]
enum Import {
    /// Sources from a CSV, XLSX or JSON Lines file, into a programme.
    Sources(import::ImportSourcesArgs),
    /// A REFI-QDA project (.qdpx) into a programme: codes, cases, sources, codings, memos.
    Qdpx(exchange::ImportQdpxArgs),
    /// A REFI-QDA codebook (.qdc) into a programme's codebook.
    Qdc(exchange::ImportQdcArgs),
}

#[derive(Debug, Subcommand)]
enum Export {
    /// A programme as a REFI-QDA project (.qdpx), redacted unless originals are asked for.
    Qdpx(exchange::ExportQdpxArgs),
    /// A programme's open data: what is not personal, as CSV files with a README, in a zip.
    OpenData(report::OpenDataArgs),
}

#[derive(Debug, Subcommand)]
enum Admin {
    /// Create a user. The password is read from standard input when it is piped in; otherwise one
    /// is generated and printed once.
    CreateUser {
        #[arg(long)]
        email: String,
        /// administrator, commissioner, researcher, facilitator or viewer.
        #[arg(long)]
        role: String,
        /// The name colleagues see; defaults to the part of the email before the @.
        #[arg(long)]
        name: Option<String>,
    },
    /// Print a new personal API token for a user.
    CreateToken {
        #[arg(long)]
        email: String,
        /// A name to tell the token apart by.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Write the demonstration data into the configured database (left as it is if present).
    Load,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&cli.log).context("--log / HEARD_LOG is not a valid filter")?)
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve(serve) => run_serve(&cli.settings, &serve).await,
        Command::Migrate => {
            let store = cli.settings.ready_store().await?;
            println!("Migrations applied ({}).", store.backend().name());
            Ok(())
        }
        Command::Admin(Admin::CreateUser { email, role, name }) => {
            create_user(&cli.settings, &email, &role, name).await
        }
        Command::Admin(Admin::CreateToken { email, name }) => create_token(&cli.settings, &email, &name).await,
        Command::Redact(args) => redact::run(args),
        Command::Import(Import::Sources(args)) => import::run(&cli.settings, args).await,
        Command::Import(Import::Qdpx(args)) => exchange::import_qdpx(&cli.settings, args).await,
        Command::Import(Import::Qdc(args)) => exchange::import_qdc(&cli.settings, args).await,
        Command::Export(Export::Qdpx(args)) => exchange::export_qdpx(&cli.settings, args).await,
        Command::Export(Export::OpenData(args)) => report::open_data(&cli.settings, args).await,
        Command::Report(args) => report::report(&cli.settings, args).await,
        Command::Audit(command) => audit::run(&cli.settings, command).await,
        Command::Retention(command) => retention::run(&cli.settings, command).await,
        Command::Participant(command) => participant::run(&cli.settings, command).await,
        Command::Backup(args) => backup::backup(&cli.settings, args).await,
        Command::Restore(args) => backup::restore(&cli.settings, args).await,
        Command::Search(args) => search::run(&cli.settings, args).await,
        Command::Coding(command) => coding::run(command),
        Command::Causes(command) => causes::run(&cli.settings, command).await,
        Command::Signals(command) => signals::run(&cli.settings, command).await,
        Command::Deliberation(command) => deliberation::run(&cli.settings, command).await,
        Command::Demo(Demo::Load) => {
            let store = cli.settings.ready_store().await?;
            let outcome = demo::load(&store).await.context("could not load the demonstration data")?;
            let media = cli.settings.media_store()?;
            heard_store::media::load_demo_film(&store, &media)
                .await
                .context("could not load the demonstration film")?;
            report_demo(outcome);
            Ok(())
        }
    }
}

async fn run_serve(settings: &Settings, serve: &ServeSettings) -> anyhow::Result<()> {
    let web = serve.web_with_sso()?;
    let store = settings.ready_store().await?;
    let media = settings.media_store()?;
    if serve.demo {
        let outcome = demo::load(&store).await.context("could not load the demonstration data")?;
        heard_store::media::load_demo_film(&store, &media).await.context("could not load the demonstration film")?;
        report_demo(outcome);
    }
    let listener = tokio::net::TcpListener::bind(serve.listen).await.with_context(|| {
        format!("could not listen on {}: is something else using it? Set --listen or HEARD_LISTEN", serve.listen)
    })?;
    tracing::info!(backend = store.backend().name(), "database ready");
    println!("Heard is listening on http://{}", listener.local_addr()?);
    let media: std::sync::Arc<dyn heard_store::media::MediaStore> = std::sync::Arc::new(media);
    // Finishes any erasure a crash left unfinished, then applies the retention rules, now and daily.
    heard_web::protection::spawn_daily(store.clone(), media.clone());
    heard_web::serve(listener, heard_web::AppState::new(store, media, web)).await.context("the web server stopped")
}

fn report_demo(outcome: DemoOutcome) {
    match outcome {
        DemoOutcome::Loaded => println!("Demonstration data loaded."),
        DemoOutcome::AlreadyPresent => println!("Demonstration data already present; left as it is."),
    }
    println!("Demo accounts (password {}):", demo::DEMO_PASSWORD);
    for (role, email) in demo::DEMO_ACCOUNTS {
        println!("  {:<14} {email}", role.label());
    }
}

async fn create_user(settings: &Settings, email: &str, role: &str, name: Option<String>) -> anyhow::Result<()> {
    let email = Email::parse("email", email).map_err(|e| anyhow::anyhow!("--email: {}", e.0[0].message))?;
    let role: Role = role.parse().map_err(|_| {
        anyhow::anyhow!("--role must be one of: {}", Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))
    })?;
    let name = name.unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_owned());
    let name = display_name("name", &name).map_err(|e| anyhow::anyhow!("--name: {}", e.0[0].message))?;
    let (password, generated) = if std::io::stdin().is_terminal() {
        (Password::generate(), true)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("could not read the password from standard input")?;
        let password = Password::new("password", line.trim_end_matches(['\r', '\n']))
            .map_err(|e| anyhow::anyhow!("the password from standard input: {}", e.0[0].message))?;
        (password, false)
    };
    let store = settings.ready_store().await?;
    let new_user = NewUser { email, display_name: name, role, password_hash: password.hash() };
    let user = match store.create_user(&new_user).await {
        Ok(user) => user,
        Err(StoreError::Duplicate { .. }) => bail!("there is already a user with that email address"),
        Err(other) => return Err(other).context("could not create the user"),
    };
    store.record_audit(None, "user.created", &format!("user:{} role:{} via:cli", user.id, role.code())).await?;
    println!("Created {} ({}).", user.email, role.label());
    if generated {
        println!("Password (shown once): {}", password.expose());
    }
    Ok(())
}

async fn create_token(settings: &Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let email = Email::parse("email", email).map_err(|e| anyhow::anyhow!("--email: {}", e.0[0].message))?;
    let name = token_name("name", name).map_err(|e| anyhow::anyhow!("--name: {}", e.0[0].message))?;
    let store = settings.ready_store().await?;
    let user = store.user_by_email(&email).await?.context("there is no user with that email address")?;
    let token = ApiToken::generate();
    store.create_api_token(user.id, &name, &token.hash()).await?;
    store.record_audit(None, "api_token.created", &format!("user:{} via:cli", user.id)).await?;
    println!("{}", token.expose());
    Ok(())
}
