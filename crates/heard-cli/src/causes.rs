//! `heard causes`: multiple cause analysis on the command line. `analyse` reads a Kumu JSON
//! blueprint and prints its analysis as JSON, without a database.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use heard_analysis::causes::{CauseMap, Limits, analyse};
use heard_domain::causes::kumu::Blueprint;
use serde::Serialize;

#[derive(Debug, Subcommand)]
pub enum CausesCommand {
    /// Analyse a cause map drawn in Kumu (a JSON blueprint): root causes, loops, clusters,
    /// leverage and factors cut off from the central event, printed as JSON.
    Analyse(AnalyseArgs),
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

pub fn run(command: CausesCommand) -> anyhow::Result<()> {
    match command {
        CausesCommand::Analyse(args) => analyse_file(&args),
    }
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
