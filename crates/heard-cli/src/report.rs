//! `heard report`: a programme's report for a board, as one HTML file or a PDF; and `heard export
//! open-data`: what is not personal, as CSV files with a README in a zip. Both are the web layer's
//! (`heard_web::reports`), so the file is what the download button gives. Each says how long it took.

use std::path::PathBuf;
use std::time::Instant;

use heard_web::deliberation::live::Live;
use heard_web::reports::{self, Report};

use crate::files;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// One HTML file with its styles inside it.
    Html,
    /// A PDF with bookmarks, page numbers and a contents list.
    Pdf,
}

/// Write a programme's report, e.g. `heard report --programme early-years --format pdf report.pdf`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Where to write the report. An existing file is replaced.
    pub file: PathBuf,
    /// The programme, by its slug (as in its web address).
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
    #[arg(long, value_enum, default_value = "pdf")]
    pub format: Format,
}

/// Write a programme's open data as a zip of CSV files with a README.
#[derive(Debug, clap::Args)]
pub struct OpenDataArgs {
    /// Where to write the zip, e.g. early-years-open-data.zip. An existing file is replaced.
    pub file: PathBuf,
    /// The programme, by its slug.
    #[arg(long, value_name = "SLUG")]
    pub programme: String,
}

fn explain(error: reports::ReportError, slug: &str) -> anyhow::Error {
    match error {
        reports::ReportError::NoProgramme => anyhow::anyhow!("there is no programme with the slug {slug}"),
        other => anyhow::Error::new(other),
    }
}

pub async fn report(settings: &Settings, args: ReportArgs) -> anyhow::Result<()> {
    let store = settings.ready_store().await?;
    let started = Instant::now();
    let live = Live::default();
    let report = Report::gather(&store, &live, &args.programme).await.map_err(|e| explain(e, &args.programme))?;
    let gathered = started.elapsed();
    let bytes = match args.format {
        Format::Html => reports::html(&report)?.into_bytes(),
        Format::Pdf => tokio::task::spawn_blocking(move || reports::pdf(&report)).await??,
    };
    let took = started.elapsed();
    files::write_whole(&args.file, &bytes)?;
    println!(
        "Wrote {} ({} KB) in {:.2} s ({:.2} s reading and drawing, {:.2} s laying out).",
        args.file.display(),
        bytes.len().div_ceil(1024),
        took.as_secs_f64(),
        gathered.as_secs_f64(),
        (took - gathered).as_secs_f64()
    );
    Ok(())
}

pub async fn open_data(settings: &Settings, args: OpenDataArgs) -> anyhow::Result<()> {
    let store = settings.ready_store().await?;
    let started = Instant::now();
    let live = Live::default();
    let bytes =
        reports::open_data::write(&store, &live, &args.programme).await.map_err(|e| explain(e, &args.programme))?;
    files::write_whole(&args.file, &bytes)?;
    println!(
        "Wrote {} ({} KB) in {:.2} s.",
        args.file.display(),
        bytes.len().div_ceil(1024),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
