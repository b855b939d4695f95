//! REFI-QDA exchange on the web, for researchers: a programme's coding downloaded as a `.qdpx`
//! project or its codebook as a `.qdc`, and either uploaded into a programme. A download with
//! original text is a posted form, never a bookmarkable address, and is audited by the store. An
//! upload streams into a temporary file up to [`MAX_UPLOAD_BYTES`], is read whole by the domain's
//! reader (which refuses hostile archives), and is imported in one transaction or not at all.

use std::io::{Cursor, Read, Seek};

use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use heard_domain::Invalid;
use heard_domain::coding::refi::{self, LeftOut};
use heard_domain::governance::Action;
use heard_store::coding::exchange::{ImportReport, Tally};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};
use tokio::io::AsyncWriteExt;

use crate::AppState;
use crate::csrf::{self, CsrfForm};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::multipart::{CheckedForm, FormProblem, drain, read_text};
use crate::render::{Page, PageResult};
use crate::routes::Route;

/// The largest file the import takes; the reader's own limits then bound what it unpacks.
pub const MAX_UPLOAD_BYTES: u64 = 200 * 1024 * 1024;
/// Room for the form's token and the multipart framing.
const FORM_ALLOWANCE: u64 = 64 * 1024;
const MAX_FIELDS: usize = 4;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/exchange", Action::ExchangeProjects, exchange_page),
        Route::post("/programmes/{slug}/exchange", Action::ExchangeProjects, import).streaming_body(),
        Route::get("/programmes/{slug}/export.qdpx", Action::ExchangeProjects, download_redacted),
        Route::post("/programmes/{slug}/export.qdpx", Action::ExchangeProjects, download_chosen),
        Route::get("/programmes/{slug}/codebook.qdc", Action::ExchangeProjects, download_codebook),
    ]
}

fn programme_ctx(programme: &Programme) -> Value {
    context! { slug => programme.slug, name => programme.name }
}

fn render_page(page: &Page, programme: &Programme, status: StatusCode, invalid: Option<&Invalid>) -> PageResult {
    let ctx = context! { programme => programme_ctx(programme), max_size => "200 MB" };
    let html = match invalid {
        Some(invalid) => page.render_invalid("coding/exchange/page.html", ctx, invalid)?,
        None => page.render("coding/exchange/page.html", ctx)?,
    };
    Ok((status, html).into_response())
}

async fn exchange_page(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_page(&page, &programme, StatusCode::OK, None)
}

/// A file to download, named from the programme's slug only, never kept by a cache.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, file_name: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

async fn project_download(state: &AppState, page: &Page, programme: &Programme, include_originals: bool) -> PageResult {
    let by = include_originals.then(|| page.user().map(|u| u.id)).transpose()?;
    let export = match state.store.export_project(programme.id, by).await {
        Ok(export) => export,
        Err(StoreError::Invalid(invalid)) => {
            return render_page(page, programme, StatusCode::UNPROCESSABLE_ENTITY, Some(&invalid));
        }
        Err(other) => return Err(other.into()),
    };
    let bytes = refi::write_qdpx(&export.project, Cursor::new(Vec::new()))
        .map_err(|e| PageError::Internal(format!("writing a project: {e}")))?
        .into_inner();
    Ok(attachment(bytes, "application/zip", format!("{}.qdpx", programme.slug)))
}

async fn download_redacted(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    project_download(&state, &page, &programme, false).await
}

#[derive(serde::Deserialize)]
struct DownloadForm {
    #[serde(default)]
    include_originals: String,
}

async fn download_chosen(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<DownloadForm>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    project_download(&state, &page, &programme, form.include_originals == "yes").await
}

async fn download_codebook(State(state): State<AppState>, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let codebook = state.store.export_codebook(programme.id).await?;
    let xml = refi::codebook_xml(&codebook).map_err(|e| PageError::Internal(format!("writing a codebook: {e}")))?;
    Ok(attachment(xml.into_bytes(), "application/xml", format!("{}.qdc", programme.slug)))
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
            Stop::Storage(error) => PageError::Internal(format!("keeping an uploaded project: {error}")),
        }
    }
}

enum Saved {
    Empty,
    File(tempfile::NamedTempFile),
    TooLarge,
}

/// The file field streamed into a temporary file (removed when dropped), up to the limit.
async fn save(field: &mut Field<'_>) -> Result<Saved, Stop> {
    let temp = tempfile::Builder::new().prefix("heard-refi-").tempfile().map_err(Stop::Storage)?;
    let mut out = tokio::fs::File::from_std(temp.reopen().map_err(Stop::Storage)?);
    let mut written = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|_| Stop::Unreadable)? {
        written += chunk.len() as u64;
        if written > MAX_UPLOAD_BYTES {
            drain(field, MAX_UPLOAD_BYTES).await?;
            return Ok(Saved::TooLarge);
        }
        out.write_all(&chunk).await.map_err(Stop::Storage)?;
    }
    out.flush().await.map_err(Stop::Storage)?;
    Ok(if written == 0 { Saved::Empty } else { Saved::File(temp) })
}

/// The form's file, if one came whole; the token must come first.
async fn read_upload(multipart: &mut Multipart, expected_token: &str) -> Result<(Option<Saved>, String), Stop> {
    let mut form = CheckedForm::open(multipart, expected_token, MAX_FIELDS).await?;
    let mut saved = None;
    let mut file_name = String::new();
    while let Some(mut field) = form.next_field().await? {
        if field.name() == Some("file") && saved.is_none() {
            file_name = field.file_name().unwrap_or_default().to_owned();
            saved = Some(save(&mut field).await?);
        } else if field.name() == Some("kind") {
            let _ = read_text(&mut field).await?;
        } else {
            drain(&mut field, FORM_ALLOWANCE).await?;
        }
    }
    Ok((saved, file_name))
}

/// What was in the file, read off the request's thread.
enum Upload {
    Project(Box<refi::Imported>),
    Codebook(refi::Codebook),
}

fn read_file(file: &tempfile::NamedTempFile) -> Result<Result<Upload, refi::RefiError>, std::io::Error> {
    let mut reader = file.reopen()?;
    let mut magic = [0u8; 4];
    let n = reader.read(&mut magic)?;
    reader.rewind()?;
    // A .qdpx is a zip (it starts "PK"); anything else is read as a .qdc's XML.
    if n >= 2 && magic.starts_with(b"PK") {
        return Ok(refi::read_qdpx(std::io::BufReader::new(reader)).map(|p| Upload::Project(Box::new(p))));
    }
    let mut bytes = Vec::new();
    reader.take(refi::Limits::default().max_project_bytes + 1).read_to_end(&mut bytes)?;
    Ok(refi::read_qdc(&bytes).map(Upload::Codebook))
}

async fn import(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let too_large = || Invalid::one("file", "The file must be smaller than 200 MB");
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_UPLOAD_BYTES + FORM_ALLOWANCE) {
        return render_page(&page, &programme, StatusCode::PAYLOAD_TOO_LARGE, Some(&too_large()));
    }
    let Ok(mut multipart) = multipart else {
        return Err(PageError::BadRequest(
            "The form could not be read: go back, reload the page and try again.".to_owned(),
        ));
    };
    let expected_token = csrf::token(&page.session).await?;
    let (saved, _file_name) = read_upload(&mut multipart, &expected_token).await.map_err(PageError::from)?;
    let file = match saved {
        Some(Saved::File(file)) => file,
        Some(Saved::TooLarge) => {
            return render_page(&page, &programme, StatusCode::PAYLOAD_TOO_LARGE, Some(&too_large()));
        }
        Some(Saved::Empty) | None => {
            let invalid = Invalid::one("file", "Select a .qdpx project or a .qdc codebook to import");
            return render_page(&page, &programme, StatusCode::UNPROCESSABLE_ENTITY, Some(&invalid));
        }
    };
    let read = tokio::task::spawn_blocking(move || read_file(&file))
        .await
        .map_err(|e| PageError::Internal(format!("reading an uploaded project: {e}")))?
        .map_err(|e| PageError::Internal(format!("reading an uploaded project: {e}")))?;
    let read = match read {
        Ok(read) => read,
        Err(refused) => {
            let invalid = Invalid::one("file", format!("The file was refused and nothing was imported: {refused}"));
            return render_page(&page, &programme, StatusCode::UNPROCESSABLE_ENTITY, Some(&invalid));
        }
    };
    let user = page.user()?.id;
    let (outcome, left_out, kind) = match &read {
        Upload::Project(imported) => (
            state.store.import_project(programme.id, &imported.project, user).await,
            imported.left_out.as_slice(),
            "project",
        ),
        Upload::Codebook(codebook) => {
            (state.store.import_codebook(programme.id, codebook, user).await, &[][..], "codebook")
        }
    };
    let report = match outcome {
        Ok(report) => report,
        Err(StoreError::Invalid(invalid)) => {
            let message = invalid.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
            let invalid = Invalid::one("file", format!("The file was refused and nothing was imported: {message}"));
            return render_page(&page, &programme, StatusCode::UNPROCESSABLE_ENTITY, Some(&invalid));
        }
        Err(other) => return Err(other.into()),
    };
    render_report(&page, &programme, kind, &report, left_out)
}

fn render_report(
    page: &Page,
    programme: &Programme,
    kind: &str,
    report: &ImportReport,
    left_out: &[LeftOut],
) -> PageResult {
    let row = |what: &str, tally: Tally| context! { what, created => tally.created, reused => tally.reused };
    let counts = vec![
        row("Codes", report.codes),
        row("Participants", report.participants),
        row("Sources", report.sources),
        row("Excerpts", report.excerpts),
        row("Codings", report.codings),
        row("Memos", report.memos),
    ];
    let problems: Vec<Value> = report
        .problems
        .iter()
        .map(|p| context! { element => p.element, message => p.message })
        .chain(left_out.iter().map(|l| {
            context! {
                element => format!("{} {}", l.kind, l.guid.as_deref().unwrap_or("")),
                message => "Heard takes in text sources only: left out, with what was coded in it",
            }
        }))
        .collect();
    let ctx = context! { programme => programme_ctx(programme), kind, counts, problems };
    Ok(page.render("coding/exchange/report.html", ctx)?.into_response())
}
