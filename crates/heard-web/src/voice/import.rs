//! Importing sources through the browser: a CSV, XLSX or JSON Lines file uploaded into a
//! programme, all rows or none (or the valid rows, if the researcher ticks the box). The upload
//! streams into a temporary file, stopping at [`MAX_UPLOAD_BYTES`]; the file is read twice, once to
//! check every row and once, streaming, into `Store::import_sources`. Problems are shown by row
//! and column and never quote a cell.

use std::collections::BTreeSet;
use std::io::{BufReader, Seek};

use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::governance::Action;
use heard_domain::voice::import::{ColumnMapping, ImportFormat, Problem, SourceRow, read_each, read_sheet};
use heard_domain::voice::sources::SourceKind;
use heard_store::Programme;
use heard_store::voice::import::{ImportOptions, ImportOutcome};
use minijinja::{Value, context};
use tokio::io::AsyncWriteExt;

use crate::AppState;
use crate::csrf;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::multipart::{CheckedForm, FormProblem, drain, read_text};
use crate::render::{Page, PageResult};
use crate::routes::Route;

/// The largest file the page takes. The router's own 2 MB limit does not apply to this route
/// (it streams its body); this one does, with a message.
pub const MAX_UPLOAD_BYTES: u64 = 100 * 1024 * 1024;
/// Room for the form's other fields and the multipart framing.
const FORM_ALLOWANCE: u64 = 64 * 1024;
/// The most fields the form may send besides its token.
const MAX_FIELDS: usize = 20;
/// Problems listed on the report page; a file with more says how many more there are.
const SHOWN_PROBLEMS: usize = 500;

pub fn routes() -> Vec<Route> {
    const PATH: &str = "/programmes/{slug}/sources/import";
    vec![
        Route::get(PATH, Action::ManageSources, import_form),
        Route::post(PATH, Action::ManageSources, import).streaming_body(),
    ]
}

fn render_form(page: &Page, programme: &Programme, status: StatusCode, invalid: Option<&Invalid>) -> PageResult {
    let ctx = context! {
        programme => context! { slug => programme.slug, name => programme.name },
        max_size => "100 MB",
        kinds => SourceKind::ALL
            .iter()
            .filter(|k| **k != SourceKind::Film)
            .map(|k| context! { value => k.code(), text => k.label() })
            .collect::<Vec<_>>(),
    };
    let html = match invalid {
        Some(invalid) => page.render_invalid("voice/import/form.html", ctx, invalid)?,
        None => page.render("voice/import/form.html", ctx)?,
    };
    Ok((status, html).into_response())
}

async fn import_form(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_form(&page, &programme, StatusCode::OK, None)
}

/// What the form sent.
#[derive(Default)]
struct Upload {
    file: Option<(String, tempfile::NamedTempFile)>,
    too_large: bool,
    skip_invalid: bool,
    kind: String,
    /// The columns named otherwise than the defaults, by field (`column_text`, `column_date`...).
    columns: Vec<(String, String)>,
    sheet: String,
}

/// The fields whose column the form can name, as the mapping and the form call them.
const MAPPED_FIELDS: [&str; 6] = ["text", "kind", "date", "pseudonym", "participant_kind", "title"];

/// Where each field is read from: the defaults, with any column the form named instead.
#[derive(Clone)]
struct Reading {
    mapping: ColumnMapping,
    sheet: Option<String>,
    kind: SourceKind,
}

impl Upload {
    fn mapping(&self) -> ColumnMapping {
        let mut mapping = ColumnMapping::default();
        for (field, column) in &self.columns {
            let column = column.trim().to_owned();
            if column.is_empty() {
                continue;
            }
            match field.as_str() {
                "text" => mapping.text = column,
                "kind" => mapping.kind = Some(column),
                "date" => mapping.date = Some(column),
                "pseudonym" => mapping.participant_pseudonym = Some(column),
                "participant_kind" => mapping.participant_kind = Some(column),
                "title" => mapping.title = Some(column),
                _ => {}
            }
        }
        mapping
    }
}

enum Stop {
    Expired,
    Unreadable,
    Storage(std::io::Error),
}

impl From<FormProblem> for Stop {
    fn from(problem: FormProblem) -> Self {
        match problem {
            FormProblem::Expired => Stop::Expired,
            FormProblem::Unreadable => Stop::Unreadable,
        }
    }
}

impl From<Stop> for PageError {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Expired => PageError::FormExpired,
            Stop::Unreadable => PageError::BadRequest(
                "The upload did not arrive whole. Go back, check the file and try again.".to_owned(),
            ),
            Stop::Storage(error) => PageError::Internal(format!("keeping an uploaded import file: {error}")),
        }
    }
}

fn too_large() -> Invalid {
    Invalid::one("file", "The file must be smaller than 100 MB: split it into several files")
}

async fn import(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_UPLOAD_BYTES + FORM_ALLOWANCE) {
        return render_form(&page, &programme, StatusCode::PAYLOAD_TOO_LARGE, Some(&too_large()));
    }
    let Ok(mut multipart) = multipart else {
        return Err(PageError::BadRequest(
            "The form could not be read: go back, reload the page and try again.".to_owned(),
        ));
    };
    let expected_token = csrf::token(&page.session).await?;
    let mut upload = Upload::default();
    read_upload(&mut multipart, &expected_token, &mut upload).await.map_err(PageError::from)?;
    if upload.too_large {
        return render_form(&page, &programme, StatusCode::PAYLOAD_TOO_LARGE, Some(&too_large()));
    }
    let mapping = upload.mapping();
    let Some((file_name, file)) = upload.file else {
        let invalid = Invalid::one("file", "Select a file to import: CSV, XLSX or JSON Lines");
        return render_form(&page, &programme, StatusCode::UNPROCESSABLE_ENTITY, Some(&invalid));
    };
    let Some(format) = ImportFormat::from_extension(&file_name) else {
        let invalid = Invalid::one("file", "The file must be a CSV (.csv), Excel (.xlsx) or JSON Lines (.jsonl) file");
        return render_form(&page, &programme, StatusCode::UNPROCESSABLE_ENTITY, Some(&invalid));
    };
    let kind = match upload.kind.trim() {
        "" => SourceKind::Story,
        raw => match raw.parse::<SourceKind>() {
            Ok(kind) if kind != SourceKind::Film => kind,
            _ => {
                let invalid = Invalid::one("kind", "Choose a kind of source");
                return render_form(&page, &programme, StatusCode::UNPROCESSABLE_ENTITY, Some(&invalid));
            }
        },
    };
    let sheet = upload.sheet.trim();
    let reading = Reading { mapping, sheet: (!sheet.is_empty()).then(|| sheet.to_owned()), kind };
    let user = page.user()?.id;
    let file = std::sync::Arc::new(file);

    // First pass: check every row, and note the pseudonyms the redactor must know.
    let checking = std::sync::Arc::clone(&file);
    let check_reading = reading.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let mut problems = Vec::new();
        let mut pseudonyms = BTreeSet::new();
        let mut rows = 0u64;
        let mut bad_rows = BTreeSet::new();
        read_file(&checking, format, &check_reading, |item| match item {
            Ok(row) => {
                rows += 1;
                if let Some((pseudonym, _)) = row.participant {
                    pseudonyms.insert(pseudonym);
                }
            }
            Err(problem) => {
                if let Some(row) = problem.row
                    && bad_rows.insert(row)
                {
                    rows += 1;
                }
                problems.push(problem);
            }
        })
        .map(|()| (rows, problems, pseudonyms))
    })
    .await
    .map_err(|e| PageError::Internal(format!("checking an import: {e}")))?
    .map_err(|e| PageError::Internal(format!("reading an uploaded import file: {e}")))?;
    let (rows, mut problems, pseudonyms) = checked;
    if problems.iter().any(|p| p.row.is_none()) {
        return report(&page, &programme, rows, &problems, None);
    }

    let options = ImportOptions {
        skip_invalid: upload.skip_invalid,
        dry_run: !upload.skip_invalid && !problems.is_empty(),
        names: pseudonyms.into_iter().collect(),
    };
    let outcome = state
        .store
        .import_sources(programme.id, stream_rows(file, format, reading), &options, Some(user), &|_| {})
        .await?;
    problems.extend(outcome.problems.iter().cloned());
    problems.sort_by_key(|p| p.row);
    if !outcome.committed {
        return report(&page, &programme, rows, &problems, None);
    }
    report(&page, &programme, rows, &problems, Some(&outcome))
}

/// The report: problems by row and column and, if anything was imported, how much.
fn report(
    page: &Page,
    programme: &Programme,
    rows: u64,
    problems: &[Problem],
    imported: Option<&ImportOutcome>,
) -> PageResult {
    let rejected = problems.iter().filter_map(|p| p.row).collect::<BTreeSet<_>>().len();
    let shown: Vec<Value> = problems
        .iter()
        .take(SHOWN_PROBLEMS)
        .map(|p| context! { row => p.row, column => p.column, message => p.message })
        .collect();
    let ctx = context! {
        programme => context! { slug => programme.slug, name => programme.name },
        rows,
        problems => shown,
        problem_count => problems.len(),
        more_problems => problems.len().saturating_sub(SHOWN_PROBLEMS),
        rejected,
        imported => imported.map(|o| o.imported),
        participants_created => imported.map(|o| o.participants_created),
    };
    let status = if imported.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page.render("voice/import/report.html", ctx)?).into_response())
}

/// Reads the form's parts in order; the CSRF token must come first, so that nothing is kept for a
/// forged form.
async fn read_upload(multipart: &mut Multipart, expected_token: &str, upload: &mut Upload) -> Result<(), Stop> {
    let mut form = CheckedForm::open(multipart, expected_token, MAX_FIELDS).await?;
    while let Some(mut field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if upload.file.is_none() && !upload.too_large => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                match save(&mut field).await? {
                    Saved::Empty => {}
                    Saved::File(file) => upload.file = Some((file_name, file)),
                    Saved::TooLarge => upload.too_large = true,
                }
            }
            "skip_invalid" => upload.skip_invalid = read_text(&mut field).await? == "yes",
            "kind" => upload.kind = read_text(&mut field).await?,
            "sheet" => upload.sheet = read_text(&mut field).await?,
            other if other.strip_prefix("column_").is_some_and(|f| MAPPED_FIELDS.contains(&f)) => {
                let field_name = other.trim_start_matches("column_").to_owned();
                let column = read_text(&mut field).await?;
                upload.columns.push((field_name, column));
            }
            _ => drain(&mut field, FORM_ALLOWANCE).await?,
        }
    }
    Ok(())
}

enum Saved {
    Empty,
    File(tempfile::NamedTempFile),
    TooLarge,
}

/// The file field streamed into a temporary file (removed when dropped), up to the limit.
async fn save(field: &mut Field<'_>) -> Result<Saved, Stop> {
    let temp = tempfile::Builder::new().prefix("heard-import-").tempfile().map_err(Stop::Storage)?;
    let mut out = tokio::fs::File::from_std(temp.reopen().map_err(Stop::Storage)?);
    let mut written = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|_| Stop::Unreadable)? {
        written += chunk.len() as u64;
        if written > MAX_UPLOAD_BYTES {
            // Read (and drop) what else the browser sends, so it sees the answer.
            drain(field, MAX_UPLOAD_BYTES).await?;
            return Ok(Saved::TooLarge);
        }
        out.write_all(&chunk).await.map_err(Stop::Storage)?;
    }
    out.flush().await.map_err(Stop::Storage)?;
    Ok(if written == 0 { Saved::Empty } else { Saved::File(temp) })
}

/// Reads the uploaded file from its start, handing each row or problem to `each`. An XLSX
/// workbook's named sheet, or its first.
fn read_file(
    file: &tempfile::NamedTempFile,
    format: ImportFormat,
    reading: &Reading,
    each: impl FnMut(Result<SourceRow, Problem>),
) -> std::io::Result<()> {
    let mut reader = file.reopen()?;
    reader.rewind()?;
    let reader = BufReader::with_capacity(1 << 20, reader);
    match format {
        ImportFormat::Xlsx => read_sheet(reader, reading.sheet.as_deref(), &reading.mapping, reading.kind, each),
        _ => read_each(reader, format, &reading.mapping, reading.kind, each),
    }
    Ok(())
}

/// The valid rows, read again on a thread of their own, as the import consumes them.
fn stream_rows(
    file: std::sync::Arc<tempfile::NamedTempFile>,
    format: ImportFormat,
    reading: Reading,
) -> std::sync::mpsc::IntoIter<SourceRow> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(4096);
    std::thread::spawn(move || {
        // The first pass read this file; nothing new can go wrong but the disk.
        let _ = read_file(&file, format, &reading, |item| {
            if let Ok(row) = item {
                let _ = sender.send(row);
            }
        });
    });
    receiver.into_iter()
}
