//! `heard deliberation`: opinion groups on the command line. `analyse` reads a Pol.is open-data
//! export (a folder with comments.csv and votes.csv) without a database, writes each counted
//! participant's group as CSV and prints a summary; where the export holds Pol.is's own groups
//! (participants-votes.csv), it prints how closely Heard's groups match them.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use heard_analysis::deliberation::{
    Choice, Direction, OpinionGroups, Settings, Vote, VoteMatrix, adjusted_rand_index, analyse,
};
use heard_domain::deliberation::polis::{self, Export, PolisVote};

#[derive(Debug, Subcommand)]
pub enum DeliberationCommand {
    /// Find opinion groups in a Pol.is open-data export, as Pol.is does: writes
    /// `participant,group` for every participant counted in, and prints each group's size and
    /// representative statements and what all groups agree on.
    Analyse(AnalyseArgs),
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

pub fn run(command: DeliberationCommand) -> anyhow::Result<()> {
    match command {
        DeliberationCommand::Analyse(args) => analyse_export(&args),
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
