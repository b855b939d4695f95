//! `heard import sources`: sources from a CSV, XLSX or JSON Lines file into a programme.
//!
//! The file is read twice: once to check every row (and collect the pseudonyms it brings in, which
//! the redactor must know), then again, streaming, into `Store::import_sources`, which stores all
//! rows or none. A dry run stops after the checks. Problems name their row and column and never
//! quote a cell; only the rejects file of `--skip-invalid` holds the rejected rows' cells.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use heard_domain::voice::import::{ColumnMapping, ImportFormat, Problem, SourceRow, read_each, read_sheet};
use heard_domain::voice::sources::SourceKind;
use heard_store::voice::import::{ImportOptions, ImportOutcome};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::settings::Settings;

/// Import sources from a file into a programme: all rows or none, unless --skip-invalid.
#[derive(Debug, clap::Args)]
pub struct ImportSourcesArgs {
    /// A .csv (UTF-8), .xlsx or .jsonl file with a header row (CSV, XLSX) or one JSON object a line.
    pub file: PathBuf,
    /// The programme the sources belong to, by its slug (as in its web address).
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    /// Check the file and print every problem by row and column; import nothing. Exits non-zero
    /// if there are problems.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows and write the others to --rejects, instead of importing nothing.
    #[arg(long, requires = "rejects", conflicts_with = "dry_run")]
    pub skip_invalid: bool,
    /// Where --skip-invalid writes the rows it leaves out, as CSV: row, column and reason, then
    /// (for a CSV file) the row's own cells so it can be fixed and imported again. This file
    /// holds personal data: keep it as safe as the original, and delete it when done.
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub rejects: Option<PathBuf>,
    /// FIELD=COLUMN: the column that holds a field, for each field whose column is named
    /// otherwise. Fields: text, kind, date, pseudonym, participant_kind, title. Every other column
    /// is kept as an attribute. Repeat for several, e.g. --column text=Story --column date=When.
    #[arg(long = "column", value_name = "FIELD=COLUMN")]
    pub columns: Vec<String>,
    /// The kind of source for rows without one: story, interview_transcript, field_note,
    /// observation, listening_event_note, survey_response or film.
    #[arg(long, default_value = "story")]
    pub kind: String,
    /// The XLSX sheet to read; default the first.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

/// A column mapping from `FIELD=COLUMN` flags.
fn mapping(flags: &[String]) -> anyhow::Result<ColumnMapping> {
    let mut mapping = ColumnMapping::default();
    for flag in flags {
        let Some((field, column)) = flag.split_once('=') else {
            bail!("--column {flag}: write FIELD=COLUMN, e.g. --column text=Story");
        };
        let column = column.trim().to_owned();
        if column.is_empty() {
            bail!("--column {flag}: name the column after the =");
        }
        match field.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "text" => mapping.text = column,
            "kind" => mapping.kind = Some(column),
            "date" => mapping.date = Some(column),
            "pseudonym" | "participant" => mapping.participant_pseudonym = Some(column),
            "participant_kind" => mapping.participant_kind = Some(column),
            "title" => mapping.title = Some(column),
            other => bail!(
                "--column: there is no field {other}; the fields are text, kind, date, pseudonym, participant_kind, title"
            ),
        }
    }
    Ok(mapping)
}

/// Reads the file, handing each row or problem to `each`.
fn read_file(
    path: &Path,
    format: ImportFormat,
    sheet: Option<&str>,
    mapping: &ColumnMapping,
    kind: SourceKind,
    each: impl FnMut(Result<SourceRow, Problem>),
) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let reader = BufReader::with_capacity(1 << 20, file);
    match format {
        ImportFormat::Xlsx => read_sheet(reader, sheet, mapping, kind, each),
        _ => read_each(reader, format, mapping, kind, each),
    }
    Ok(())
}

/// What the first pass finds.
#[derive(Default)]
struct Checked {
    rows: u64,
    problems: Vec<Problem>,
    pseudonyms: BTreeSet<String>,
}

pub async fn run(settings: &Settings, args: ImportSourcesArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let format = ImportFormat::from_extension(&args.file.to_string_lossy()).with_context(|| {
        format!("{}: use a .csv, .xlsx or .jsonl file (the format is told by the extension)", args.file.display())
    })?;
    let kind: SourceKind = args.kind.parse().map_err(|_| {
        let codes: Vec<&str> = SourceKind::ALL.iter().map(|k| k.code()).collect();
        anyhow::anyhow!("--kind must be one of: {}", codes.join(", "))
    })?;
    let mapping = mapping(&args.columns)?;
    let store = settings.ready_store().await?;
    let programme = store
        .programme(&args.programme)
        .await?
        .with_context(|| format!("there is no programme with the slug {}", args.programme))?;

    // First pass: check every row.
    let spinner = progress_bar(None);
    spinner.set_message("checking");
    let mut checked = Checked::default();
    let mut rows_with_problems = BTreeSet::new();
    read_file(&args.file, format, args.sheet.as_deref(), &mapping, kind, |item| match item {
        Ok(row) => {
            checked.rows += 1;
            spinner.set_position(checked.rows);
            if let Some((pseudonym, _)) = &row.participant {
                checked.pseudonyms.insert(pseudonym.clone());
            }
        }
        Err(problem) => {
            if let Some(row) = problem.row
                && rows_with_problems.insert(row)
            {
                checked.rows += 1;
            }
            checked.problems.push(problem);
        }
    })?;
    spinner.finish_and_clear();
    let file_problems: Vec<&Problem> = checked.problems.iter().filter(|p| p.row.is_none()).collect();
    if !file_problems.is_empty() {
        print_problems(&checked.problems);
        bail!("the file cannot be imported: nothing was imported");
    }

    let options = ImportOptions {
        skip_invalid: args.skip_invalid,
        dry_run: args.dry_run || (!args.skip_invalid && !checked.problems.is_empty()),
        names: checked.pseudonyms.iter().cloned().collect(),
    };
    let bar = progress_bar(Some(checked.rows));
    bar.set_message(if options.dry_run { "checking participants" } else { "importing" });
    let outcome = {
        let bar = bar.clone();
        let rows = stream_rows(&args, format, mapping, kind);
        store.import_sources(programme.id, rows, &options, None, &move |n| bar.set_position(n)).await
    };
    bar.finish_and_clear();
    let outcome = outcome.context("the import failed: nothing was imported")?;
    let mut problems = checked.problems;
    problems.extend(outcome.problems.iter().cloned());
    problems.sort_by_key(|p| p.row);

    if args.dry_run {
        return dry_run_report(&args.file, checked.rows, &problems);
    }
    if !outcome.committed {
        print_problems(&problems);
        bail!(
            "{} problem{} in {}: nothing was imported (fix them, or use --skip-invalid --rejects FILE)",
            problems.len(),
            plural(problems.len()),
            args.file.display()
        );
    }
    let rejected = problems.iter().filter_map(|p| p.row).collect::<BTreeSet<_>>().len();
    if let Some(rejects) = &args.rejects
        && rejected > 0
    {
        write_rejects(rejects, &args.file, format, &problems).with_context(|| {
            format!("the sources were imported, but the rejects could not be written to {}", rejects.display())
        })?;
    }
    print_summary(&args, &programme.slug, &outcome, rejected, started.elapsed());
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A progress bar on standard error with rate and time left, or a hidden one when standard error
/// is not a terminal (a log file should not fill with redraws).
fn progress_bar(length: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match length {
        Some(length) => ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template(
                "{msg:>10} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} rows, {rate}, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", rate),
        ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {msg} {human_pos} rows, {rate}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner())
                .with_key("rate", rate),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Rows a second, whole.
fn rate(state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write) {
    let _ = write!(out, "{:.0} rows/s", state.per_sec());
}

/// The valid rows, read again on a thread of their own and handed over through a bounded
/// channel, so the import consumes them as they are read.
fn stream_rows(
    args: &ImportSourcesArgs,
    format: ImportFormat,
    mapping: ColumnMapping,
    kind: SourceKind,
) -> std::sync::mpsc::IntoIter<SourceRow> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(4096);
    let (path, sheet) = (args.file.clone(), args.sheet.clone());
    std::thread::spawn(move || {
        // The first pass read this file; a failure now (it vanished) shows as fewer rows.
        let _ = read_file(&path, format, sheet.as_deref(), &mapping, kind, |item| {
            if let Ok(row) = item {
                // A closed channel means the import stopped; the rest is not needed.
                let _ = sender.send(row);
            }
        });
    });
    receiver.into_iter()
}

fn print_problems(problems: &[Problem]) {
    for problem in problems {
        println!("  {problem}");
    }
}

fn dry_run_report(file: &Path, rows: u64, problems: &[Problem]) -> anyhow::Result<()> {
    if problems.is_empty() {
        println!(
            "Checked {rows} row{} of {}: no problems. Nothing was imported (dry run).",
            plural(rows as usize),
            file.display()
        );
        return Ok(());
    }
    let rejected = problems.iter().filter_map(|p| p.row).collect::<BTreeSet<_>>().len();
    println!(
        "Checked {rows} row{} of {}: {} problem{} in {rejected} row{}:",
        plural(rows as usize),
        file.display(),
        problems.len(),
        plural(problems.len()),
        plural(rejected)
    );
    print_problems(problems);
    bail!("the file has problems: nothing was imported (dry run)")
}

fn print_summary(args: &ImportSourcesArgs, slug: &str, outcome: &ImportOutcome, rejected: usize, took: Duration) {
    let seconds = took.as_secs_f64();
    let rate = if seconds > 0.0 { outcome.imported as f64 / seconds } else { 0.0 };
    let skipped = match (&args.rejects, rejected) {
        (_, 0) => String::new(),
        (Some(path), n) => format!("; {n} row{} skipped, written with reasons to {}", plural(n), path.display()),
        (None, n) => format!("; {n} row{} skipped", plural(n)),
    };
    println!(
        "Imported {} source{} into {slug} ({} participant{} registered) in {seconds:.1} s ({rate:.0} rows/s){skipped}.",
        outcome.imported,
        plural(outcome.imported as usize),
        outcome.participants_created,
        plural(outcome.participants_created as usize),
    );
}

/// Writes one line per rejected row: its row, the columns at fault, the reasons, and for a CSV
/// file the row's own cells under the file's own header.
fn write_rejects(path: &Path, file: &Path, format: ImportFormat, problems: &[Problem]) -> anyhow::Result<()> {
    let mut by_row: BTreeMap<usize, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for problem in problems {
        if let Some(row) = problem.row {
            let entry = by_row.entry(row).or_default();
            if let Some(column) = &problem.column
                && !entry.0.contains(column)
            {
                entry.0.push(column.clone());
            }
            entry.1.push(match &problem.column {
                Some(column) => format!("{column}: {}", problem.message),
                None => problem.message.clone(),
            });
        }
    }
    let mut out = csv::Writer::from_path(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Personal data: readable by its owner only.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    let fixed = ["row", "column", "reason"];
    if format == ImportFormat::Csv {
        // Records count as the domain's reader counts rows: the header is row 1.
        let mut input = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(file)?;
        let mut records = input.byte_records();
        let header = records.next().transpose()?.unwrap_or_default();
        let mut head: Vec<&[u8]> = fixed.iter().map(|s| s.as_bytes()).collect();
        head.extend(header.iter());
        out.write_record(&head)?;
        for (index, record) in records.enumerate() {
            let row = index + 2;
            let Some((columns, reasons)) = by_row.get(&row) else { continue };
            let record = record?;
            let (row, columns, reasons) = (row.to_string(), columns.join("; "), reasons.join("; "));
            let mut line: Vec<&[u8]> = vec![row.as_bytes(), columns.as_bytes(), reasons.as_bytes()];
            line.extend(record.iter());
            out.write_record(&line)?;
        }
    } else {
        out.write_record(fixed)?;
        for (row, (columns, reasons)) in &by_row {
            out.write_record([row.to_string(), columns.join("; "), reasons.join("; ")])?;
        }
    }
    out.flush()?;
    Ok(())
}
