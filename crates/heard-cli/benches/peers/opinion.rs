//! Opinion groups: a synthetic conversation (`heard_analysis::deliberation::synthetic`) written as
//! votes for the scikit-learn pipeline, with each participant's camp beside them (the truth both
//! groupings are scored against), and Heard's full recompute (the vote matrix from the list
//! of votes, then `analyse`) timed in a fresh process a run, so each run's peak memory is its own.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use heard_analysis::deliberation::synthetic::conversation_with_camps;
use heard_analysis::deliberation::{Choice, Settings, Vote, VoteMatrix, analyse};

use crate::results::{self, Figure};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    out: crate::Output,
    #[arg(long)]
    participants: usize,
    #[arg(long, default_value_t = 783)]
    statements: usize,
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The number of the first run, so that runs interleaved with the peer's keep their numbers.
    #[arg(long, default_value_t = 1)]
    first_run: usize,
}

#[derive(clap::Args)]
pub struct OnceArgs {
    #[arg(long)]
    votes: PathBuf,
    #[arg(long)]
    participants: usize,
    #[arg(long)]
    statements: usize,
    /// Where to write each participant's group (little-endian i32, -1 when not counted in).
    #[arg(long)]
    labels: Option<PathBuf>,
}

pub fn votes_path(dir: &Path, participants: usize) -> PathBuf {
    dir.join(format!("opinion-votes-{participants}.bin"))
}

pub fn truth_path(dir: &Path, participants: usize) -> PathBuf {
    dir.join(format!("opinion-truth-{participants}.bin"))
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out.dir)?;
    let path = votes_path(&args.out.dir, args.participants);
    // Runs interleaved with the peer's (`--first-run` past 1) time the conversation the first
    // run wrote, rather than generating and writing it again each time.
    if args.first_run == 1 || !path.exists() {
        let truth = truth_path(&args.out.dir, args.participants);
        let written = write_conversation(&path, &truth, args.participants, args.statements)?;
        println!("opinion: {} participants, {} statements, {written} votes", args.participants, args.statements);
    }
    let case = args.participants.to_string();
    let last = args.first_run + args.runs.max(1) - 1;
    for run in args.first_run..=last {
        let mut child = Command::new(std::env::current_exe()?);
        child.args(["opinion-once", "--participants", &case, "--statements", &args.statements.to_string()]);
        child.arg("--votes").arg(&path);
        if run == last {
            child.arg("--labels").arg(args.out.dir.join(format!("opinion-heard-{case}.bin")));
        }
        let output = child.output().context("could not start the opinion run")?;
        anyhow::ensure!(output.status.success(), "the opinion run failed: {}", String::from_utf8_lossy(&output.stderr));
        let measured: serde_json::Value = serde_json::from_slice(&output.stdout).context("the opinion run's answer")?;
        let value = |name: &str| measured[name].as_f64().with_context(|| format!("no {name} in {measured}"));
        results::append(
            &args.out.results,
            &[
                Figure {
                    part: "opinion",
                    tool: "heard",
                    metric: "seconds",
                    case: &case,
                    run,
                    value: value("seconds")?,
                    unit: "s",
                },
                Figure {
                    part: "opinion",
                    tool: "heard",
                    metric: "peak_mib",
                    case: &case,
                    run,
                    value: value("peak_mib")?,
                    unit: "MiB",
                },
            ],
        )?;
    }
    Ok(())
}

/// The conversation's votes, the latest per participant and statement, in participant order, as
/// little-endian i32 triples (participant, statement, vote: 1 agree, -1 disagree, 0 pass); and
/// each participant's camp, a little-endian i32 each as in the labels files, at `truth`.
fn write_conversation(path: &Path, truth: &Path, participants: usize, statements: usize) -> anyhow::Result<usize> {
    let conversation = conversation_with_camps(participants, statements, 2024);
    let camps: Vec<u8> = conversation.camps.iter().flat_map(|&camp| (camp as i32).to_le_bytes()).collect();
    std::fs::write(truth, camps).with_context(|| format!("could not write {}", truth.display()))?;
    let mut latest = vec![i8::MIN; participants * statements];
    for vote in conversation.votes {
        latest[vote.participant as usize * statements + vote.statement as usize] = vote.choice.value() as i8;
    }
    let mut bytes = Vec::new();
    for (at, &value) in latest.iter().enumerate() {
        if value != i8::MIN {
            for number in [(at / statements) as i32, (at % statements) as i32, i32::from(value)] {
                bytes.extend_from_slice(&number.to_le_bytes());
            }
        }
    }
    std::fs::write(path, &bytes).with_context(|| format!("could not write {}", path.display()))?;
    Ok(bytes.len() / 12)
}

pub fn once(args: &OnceArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.votes).with_context(|| format!("could not read {}", args.votes.display()))?;
    let number = |at: usize| i32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let votes: Vec<Vote> = (0..bytes.len() / 12)
        .map(|i| Vote {
            participant: number(i * 12) as u32,
            statement: number(i * 12 + 4) as u32,
            choice: match number(i * 12 + 8) {
                1 => Choice::Agree,
                -1 => Choice::Disagree,
                _ => Choice::Pass,
            },
        })
        .collect();

    let started = Instant::now();
    let matrix = VoteMatrix::new(args.participants, args.statements, votes);
    let groups = analyse(&matrix, &Settings::default());
    let seconds = started.elapsed().as_secs_f64();

    if let Some(path) = &args.labels {
        let mut labels = vec![-1_i32; args.participants];
        for (&participant, &group) in groups.counted.iter().zip(&groups.group) {
            labels[participant] = group as i32;
        }
        let bytes: Vec<u8> = labels.iter().flat_map(|l| l.to_le_bytes()).collect();
        std::fs::write(path, bytes).with_context(|| format!("could not write {}", path.display()))?;
    }
    let answer = serde_json::json!({ "seconds": seconds, "peak_mib": results::peak_mib().unwrap_or(f64::NAN), "groups": groups.groups });
    std::io::stdout().write_all(answer.to_string().as_bytes())?;
    Ok(())
}
