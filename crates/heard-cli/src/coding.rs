//! `heard coding`: assisted coding from spreadsheets. `suggest` learns codes from coded texts and
//! writes suggested codes for uncoded ones; `cross-validate` says how good those suggestions are
//! on a coded file (docs/quality.md); `themes` proposes candidate themes for uncoded texts.
//!
//! Problems name the file, row (as a spreadsheet counts, the header is row 1) and column, and never
//! quote a cell: the texts are what people said, and may hold personal data. The output file is
//! written to a temporary file beside it and renamed, so a failed run leaves no partial output.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use heard_analysis::coding::suggest::{F1Scores, Model, TrainOptions, cross_validate};
use heard_analysis::coding::themes::{ThemeOptions, discover};

#[derive(Debug, clap::Subcommand)]
pub enum CodingCommand {
    /// Learn codes from a coded CSV file and write suggested codes for the texts of another.
    Suggest(SuggestArgs),
    /// Cross-validate assisted coding on a coded CSV file: micro- and macro-F1 over k folds.
    CrossValidate(CrossValidateArgs),
    /// Propose candidate themes for the texts of a CSV file, by clustering.
    Themes(ThemesArgs),
}

/// Flags shared by the commands that read coded texts.
#[derive(Debug, clap::Args)]
pub struct Columns {
    /// The column that holds the text.
    #[arg(long, value_name = "NAME")]
    pub text_column: String,
    /// FIRST..LAST: the first and last code columns, inclusive, in header order. Each holds 1 when
    /// the text has the code, 0 or blank when not. Names may contain commas and slashes.
    #[arg(long, value_name = "FIRST..LAST")]
    pub labels: String,
}

/// Suggest codes for uncoded texts from coded ones.
#[derive(Debug, clap::Args)]
pub struct SuggestArgs {
    /// The coded texts: a CSV file with a header row, the text column and the code columns.
    #[arg(long, value_name = "TRAIN.csv")]
    pub train: PathBuf,
    /// The texts to suggest codes for: a CSV file with the text and id columns.
    #[arg(long, value_name = "APPLY.csv")]
    pub apply: PathBuf,
    #[command(flatten)]
    pub columns: Columns,
    /// The column of APPLY.csv that identifies each text; copied to OUT.csv.
    #[arg(long, value_name = "NAME")]
    pub id_column: String,
    /// Where to write the id column and one 0/1 column per code, in TRAIN.csv's header order.
    #[arg(long, value_name = "OUT.csv")]
    pub out: PathBuf,
    /// The seed of training's random choices: the same seed and files give the same output.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

/// Cross-validate assisted coding on a coded file.
#[derive(Debug, clap::Args)]
pub struct CrossValidateArgs {
    /// The coded texts: a CSV file with a header row, the text column and the code columns.
    #[arg(long, value_name = "DATA.csv")]
    pub data: PathBuf,
    #[command(flatten)]
    pub columns: Columns,
    /// The number of folds; the text on spreadsheet row r is in fold (r - 2) mod k.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Also write each row's fold as CSV (row,fold), so another system can use the same folds.
    #[arg(long, value_name = "FILE")]
    pub folds_out: Option<PathBuf>,
    /// The seed of training's random choices.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

/// Propose themes for uncoded texts.
#[derive(Debug, clap::Args)]
pub struct ThemesArgs {
    /// The texts: a CSV file with a header row.
    #[arg(long, value_name = "FILE.csv")]
    pub input: PathBuf,
    /// The column that holds the text.
    #[arg(long, value_name = "NAME")]
    pub text_column: String,
    /// The column that identifies each text, printed for the representative texts.
    #[arg(long, value_name = "NAME")]
    pub id_column: String,
    /// How many themes (default: about the square root of half the number of texts, 2 to 20).
    #[arg(long)]
    pub themes: Option<usize>,
    /// The seed of the clustering's starting points.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

pub fn run(command: CodingCommand) -> anyhow::Result<()> {
    match command {
        CodingCommand::Suggest(args) => suggest(&args),
        CodingCommand::CrossValidate(args) => run_cross_validation(&args),
        CodingCommand::Themes(args) => themes(&args),
    }
}

/// Texts with their codes, read from a coded file.
struct Coded {
    codes: Vec<String>,
    texts: Vec<String>,
    labels: Vec<Vec<bool>>,
}

fn suggest(args: &SuggestArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let coded = read_coded(&args.train, &args.columns)?;
    let (ids, texts, id_header) = read_texts(&args.apply, &args.columns.text_column, &args.id_column)?;
    let train_texts: Vec<&str> = coded.texts.iter().map(String::as_str).collect();
    let options = TrainOptions { seed: args.seed, ..TrainOptions::default() };
    let model = Model::train(&train_texts, &coded.labels, &coded.codes, &options)
        .with_context(|| format!("{}: could not train on it", args.train.display()))?;
    let trained = started.elapsed();
    let apply: Vec<&str> = texts.iter().map(String::as_str).collect();
    let suggestions = model.suggest_batch(&apply);

    write_atomically(&args.out, |file| {
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer.write_record(std::iter::once(id_header.as_str()).chain(coded.codes.iter().map(String::as_str)))?;
        let mut row = vec!["0"; coded.codes.len() + 1];
        for (id, suggested) in ids.iter().zip(&suggestions) {
            row.iter_mut().skip(1).for_each(|cell| *cell = "0");
            row[0] = id;
            for s in suggested {
                row[s.code + 1] = "1";
            }
            writer.write_record(&row)?;
        }
        writer.flush()?;
        Ok(())
    })?;
    let suggested: usize = suggestions.iter().map(Vec::len).sum();
    eprintln!(
        "Trained on {} texts and {} codes in {:.1} s; suggested {suggested} codes for {} texts, written to {}.",
        coded.texts.len(),
        coded.codes.len(),
        trained.as_secs_f64(),
        ids.len(),
        args.out.display()
    );
    Ok(())
}

fn run_cross_validation(args: &CrossValidateArgs) -> anyhow::Result<()> {
    if args.folds < 2 {
        bail!("--folds must be at least 2");
    }
    let coded = read_coded(&args.data, &args.columns)?;
    let fold_of: Vec<usize> = (0..coded.texts.len()).map(|i| i % args.folds).collect();
    if let Some(path) = &args.folds_out {
        write_atomically(path, |file| {
            let mut writer = csv::Writer::from_writer(BufWriter::new(file));
            writer.write_record(["row", "fold"])?;
            for (i, fold) in fold_of.iter().enumerate() {
                writer.write_record([(i + 2).to_string(), fold.to_string()])?;
            }
            writer.flush()?;
            Ok(())
        })?;
    }
    let texts: Vec<&str> = coded.texts.iter().map(String::as_str).collect();
    let options = TrainOptions { seed: args.seed, ..TrainOptions::default() };
    let cv = cross_validate(&texts, &coded.labels, &coded.codes, &fold_of, &options)
        .with_context(|| format!("{}: could not cross-validate", args.data.display()))?;
    println!(
        "{}-fold cross-validation of {} texts and {} codes (fold = (row - 2) mod {}):",
        args.folds,
        texts.len(),
        coded.codes.len(),
        args.folds
    );
    println!("pooled: {}", describe(&cv.pooled));
    for (k, (scores, seconds)) in cv.folds.iter().zip(&cv.train_seconds).enumerate() {
        println!("fold {k}: {}; trained in {seconds:.2} s", describe(scores));
    }
    Ok(())
}

fn describe(s: &F1Scores) -> String {
    format!(
        "micro-F1 {:.4} (precision {:.4}, recall {:.4}), macro-F1 {:.4} over {} codes",
        s.micro_f1, s.micro_precision, s.micro_recall, s.macro_f1, s.codes_present
    )
}

fn themes(args: &ThemesArgs) -> anyhow::Result<()> {
    let (ids, texts, _) = read_texts(&args.input, &args.text_column, &args.id_column)?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let found = discover(&refs, &ThemeOptions { themes: args.themes, seed: args.seed, ..ThemeOptions::default() });
    for (n, theme) in found.themes.iter().enumerate() {
        let representatives: Vec<&str> = theme.representatives.iter().map(|&i| ids[i].as_str()).collect();
        println!(
            "theme {}: {} texts; terms: {}; representative ids: {}",
            n + 1,
            theme.size,
            theme.top_terms.join(", "),
            representatives.join(", ")
        );
    }
    if !found.unplaced.is_empty() {
        println!("{} texts have no words to place them by.", found.unplaced.len());
    }
    Ok(())
}

/// A CSV file's reader and header; an empty file is an error.
fn open(path: &Path) -> anyhow::Result<(csv::Reader<File>, Vec<String>)> {
    let file = File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new().from_reader(file);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_problem(path, &e, &[]))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    if header.iter().all(String::is_empty) {
        bail!("{} is empty: expected a header row naming its columns", path.display());
    }
    Ok((reader, header))
}

/// Where a named column is.
fn column(path: &Path, header: &[String], name: &str) -> anyhow::Result<usize> {
    header
        .iter()
        .position(|h| h == name.trim())
        .with_context(|| format!("{}: there is no column “{}” in the header row", path.display(), name.trim()))
}

/// The columns `FIRST..LAST` names, inclusive. Tries each `..` in the flag, since a code's name
/// could hold one.
fn label_range(path: &Path, header: &[String], flag: &str) -> anyhow::Result<std::ops::RangeInclusive<usize>> {
    let splits: Vec<(&str, &str)> = flag
        .match_indices("..")
        .map(|(i, _)| (&flag[..i], &flag[i + 2..]))
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .collect();
    let Some(&(first_name, last_name)) = splits.first() else {
        bail!("--labels {flag}: write FIRST..LAST, the first and last code columns");
    };
    let found = splits.iter().find_map(|(a, b)| Some((column(path, header, a).ok()?, column(path, header, b).ok()?)));
    let (first, last) = match found {
        Some(found) => found,
        None => (column(path, header, first_name)?, column(path, header, last_name)?),
    };
    if first > last {
        bail!(
            "{}: --labels {flag}: the column “{}” comes after “{}” in the header row; name the first code column first",
            path.display(),
            header[first],
            header[last]
        );
    }
    Ok(first..=last)
}

fn read_coded(path: &Path, columns: &Columns) -> anyhow::Result<Coded> {
    let (mut reader, header) = open(path)?;
    let text = column(path, &header, &columns.text_column)?;
    let range = label_range(path, &header, &columns.labels)?;
    let codes: Vec<String> = header[range.clone()].to_vec();
    let mut coded = Coded { codes, texts: Vec::new(), labels: Vec::new() };
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_problem(path, &e, &header))? {
        let row = coded.texts.len() + 2;
        let mut labels = Vec::with_capacity(coded.codes.len());
        for c in range.clone() {
            labels.push(match record.get(c).map(str::trim) {
                Some("1") => true,
                Some("0" | "") | None => false,
                Some(_) => bail!(
                    "{}: row {row}, column “{}”: a code cell must be 1 (has the code), or 0 or blank (has not)",
                    path.display(),
                    header[c]
                ),
            });
        }
        coded.texts.push(record.get(text).unwrap_or_default().to_owned());
        coded.labels.push(labels);
    }
    if coded.texts.len() < 2 {
        bail!("{}: at least two coded texts are needed below the header row", path.display());
    }
    Ok(coded)
}

/// Each row's id and text, and the id column's name as the header writes it.
fn read_texts(path: &Path, text_column: &str, id_column: &str) -> anyhow::Result<(Vec<String>, Vec<String>, String)> {
    let (mut reader, header) = open(path)?;
    let text = column(path, &header, text_column)?;
    let id = column(path, &header, id_column)?;
    let (mut ids, mut texts) = (Vec::new(), Vec::new());
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_problem(path, &e, &header))? {
        ids.push(record.get(id).unwrap_or_default().to_owned());
        texts.push(record.get(text).unwrap_or_default().to_owned());
    }
    Ok((ids, texts, header[id].clone()))
}

/// A CSV reading error by file, row and column, without the csv crate's wording (kept short and
/// free of cell content).
fn csv_problem(path: &Path, error: &csv::Error, header: &[String]) -> anyhow::Error {
    let at = |position: Option<&csv::Position>| position.map_or(String::new(), |p| format!("row {}, ", p.record() + 1));
    match error.kind() {
        csv::ErrorKind::Utf8 { pos, err } => {
            let name = header.get(err.field()).map_or_else(|| format!("{}", err.field() + 1), |h| format!("“{h}”"));
            anyhow::anyhow!(
                "{}: {}column {name}: not UTF-8 text (save the file as CSV UTF-8)",
                path.display(),
                at(pos.as_ref())
            )
        }
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => anyhow::anyhow!(
            "{}: {}has {len} cells where the header row has {expected_len}",
            path.display(),
            at(pos.as_ref())
        ),
        csv::ErrorKind::Io(e) => anyhow::anyhow!("{}: could not be read: {e}", path.display()),
        _ => anyhow::anyhow!("{}: not a readable CSV file", path.display()),
    }
}

/// Writes `path` through a temporary file beside it, renamed into place only when `write`
/// succeeds: a failed run leaves no partial file.
fn write_atomically(path: &Path, write: impl FnOnce(&File) -> Result<(), csv::Error>) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temporary = tempfile::NamedTempFile::new_in(directory)
        .with_context(|| format!("could not write in the folder of {}", path.display()))?;
    write(temporary.as_file()).with_context(|| format!("could not write {}", path.display()))?;
    temporary.persist(path).with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}
