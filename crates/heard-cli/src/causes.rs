//! `heard causes`: multiple cause analysis on the command line. `import` makes a programme's cause
//! map from a Kumu JSON blueprint (all of it or nothing); `export` writes one as Kumu JSON or
//! Graphviz DOT; `analyse` reads a blueprint and prints its analysis as JSON, without a database.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use heard_analysis::causes::{CauseMap, Limits, analyse};
use heard_domain::causes::dot;
use heard_domain::causes::kumu::Blueprint;
use heard_store::StoreError;
use serde::Serialize;

use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum CausesCommand {
    /// Analyse a cause map drawn in Kumu (a JSON blueprint): root causes, loops, clusters,
    /// leverage and factors cut off from the central event, printed as JSON.
    Analyse(AnalyseArgs),
    /// Import a Kumu JSON blueprint as a programme's new cause map: every factor, arrow and tag,
    /// or, on any problem, nothing.
    Import(ImportArgs),
    /// Export a programme's cause map as a Kumu JSON blueprint or Graphviz DOT.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Kumu JSON blueprint.
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,
    /// The programme, by its slug (as in its web address).
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// The map's title. Without it, the map is titled after its central event.
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// The central event's label. Without it: the element whose type is "Central event", else the
    /// one element with no outgoing connection.
    #[arg(long, value_name = "LABEL")]
    pub central: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// A Kumu JSON blueprint.
    Kumu,
    /// Graphviz DOT.
    Dot,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The programme, by its slug.
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// The map, by its title (case and spacing ignored).
    #[arg(long, value_name = "TITLE")]
    pub map: String,
    #[arg(long, value_name = "kumu|dot")]
    pub format: ExportFormat,
    /// Where to write it; without it, standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// The Kumu JSON blueprint.
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,
    /// The central event's label. Without it: the element whose type is "Central event", else the
    /// one element with no outgoing connection.
    #[arg(long, value_name = "LABEL")]
    pub central: Option<String>,
}

/// One factor's leverage, as printed.
#[derive(Debug, Serialize)]
struct Leverage<'a> {
    factor: &'a str,
    score: f64,
}

/// The analysis, by label.
#[derive(Debug, Serialize)]
struct Printed<'a> {
    central: &'a str,
    root_causes: Vec<&'a str>,
    loops: Vec<Vec<&'a str>>,
    /// True when the search for loops stopped at its limit: there are more.
    more_loops: bool,
    clusters: Vec<Vec<&'a str>>,
    leverage: Vec<Leverage<'a>>,
    disconnected: Vec<&'a str>,
}

pub async fn run(settings: &Settings, command: CausesCommand) -> anyhow::Result<()> {
    match command {
        CausesCommand::Analyse(args) => analyse_file(&args),
        CausesCommand::Import(args) => import(settings, &args).await,
        CausesCommand::Export(args) => export(settings, &args).await,
    }
}

async fn import(settings: &Settings, args: &ImportArgs) -> anyhow::Result<()> {
    let json = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let parts = Blueprint::parse(&json)
        .and_then(|blueprint| blueprint.map_parts(args.central.as_deref()))
        .with_context(|| format!("{} was not imported", args.file.display()))?;
    let store = settings.ready_store().await?;
    let programme = store
        .programme(&args.programme)
        .await?
        .with_context(|| format!("there is no programme with the slug {}", args.programme))?;
    let id = match store.import_cause_map(programme.id, args.title.as_deref(), &parts, None).await {
        Ok(id) => id,
        Err(StoreError::Invalid(invalid)) => {
            let problems: Vec<String> = invalid.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            bail!("{} was not imported: {}", args.file.display(), problems.join("; "))
        }
        Err(StoreError::Duplicate { .. }) => {
            bail!("{} has a cause map with that title already: choose another with --title", args.programme)
        }
        Err(other) => return Err(other).context("could not import the map"),
    };
    let map = store.cause_map(programme.id, id).await?.context("the imported map")?;
    println!(
        "Imported “{}” into {}: {} factors, {} arrows.",
        map.title,
        programme.slug,
        map.factors.len(),
        map.arrows.len()
    );
    Ok(())
}

async fn export(settings: &Settings, args: &ExportArgs) -> anyhow::Result<()> {
    let store = settings.ready_store().await?;
    let programme = store
        .programme(&args.programme)
        .await?
        .with_context(|| format!("there is no programme with the slug {}", args.programme))?;
    let id = store
        .cause_map_id(programme.id, &args.map)
        .await?
        .with_context(|| format!("{} has no cause map titled “{}”", args.programme, args.map))?;
    let map = store.cause_map(programme.id, id).await?.context("the map")?;
    let parts = map.parts();
    let text = match args.format {
        ExportFormat::Kumu => Blueprint::from_parts(&parts).to_json(),
        ExportFormat::Dot => dot::write(&map.title, &parts),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(())
}

fn analyse_file(args: &AnalyseArgs) -> anyhow::Result<()> {
    let json = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let parts = Blueprint::parse(&json)
        .and_then(|blueprint| blueprint.map_parts(args.central.as_deref()))
        .with_context(|| format!("{} cannot be analysed", args.file.display()))?;
    let map = CauseMap { factors: parts.labels, arrows: parts.arrows, central: parts.central };
    let analysis = analyse(&map, Limits::default());
    let label = |i: usize| map.factors[i].as_str();
    let labels = |ids: &[usize]| ids.iter().map(|&i| label(i)).collect::<Vec<_>>();
    let printed = Printed {
        central: label(map.central),
        root_causes: labels(&analysis.root_causes),
        loops: analysis.loops.iter().map(|l| labels(l)).collect(),
        more_loops: analysis.more_loops,
        clusters: analysis.clusters.iter().map(|c| labels(c)).collect(),
        leverage: analysis.leverage.iter().map(|l| Leverage { factor: label(l.factor), score: l.score }).collect(),
        disconnected: labels(&analysis.disconnected),
    };
    println!("{}", serde_json::to_string_pretty(&printed)?);
    Ok(())
}
