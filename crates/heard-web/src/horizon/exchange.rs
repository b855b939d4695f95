//! Signals as CSV on the web: a download in the Build Your Own Radar layout or in full (all
//! signals or one programme's), and an upload into a programme. The upload is read as a stream up
//! to [`MAX_UPLOAD_BYTES`], checked whole by the domain's reader, and stored in one transaction:
//! every problem is listed by row and column and nothing is saved unless every row is right.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::governance::Action;
use heard_domain::horizon::csv::{self, CsvLayout, SignalRecord};
use heard_domain::voice::import::Problem;
use heard_store::horizon::Signal;
use minijinja::{Value, context};

use super::FilterQuery;
use crate::AppState;
use crate::csrf;
use crate::error::PageError;
use crate::multipart::{CheckedForm, FormProblem, drain, read_bytes, read_text};
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

/// The largest CSV file taken: far more than [`csv::MAX_ROWS`] rows of signals need.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;
const MAX_FIELDS: usize = 4;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/signals/import", Action::ManageSignals, import_page),
        Route::post("/signals/import", Action::ManageSignals, import).streaming_body(),
        Route::get("/signals/export", Action::ViewSignals, export),
    ]
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub format: String,
    #[serde(flatten)]
    pub filter: FilterQuery,
}

/// The CSV of the chosen signals, `radar` (the default) or `full`.
pub async fn csv_bytes(state: &AppState, query: &ExportQuery) -> Result<Option<(Vec<u8>, String)>, PageError> {
    let layout = if query.format.trim().is_empty() { Ok(CsvLayout::Radar) } else { query.format.parse() };
    let Ok(layout) = layout else { return Ok(None) };
    let Some(chosen) = query.filter.resolve(state).await? else { return Ok(None) };
    let signals = state.store.signals(chosen.filter).await?;
    let records: Vec<SignalRecord> = signals.iter().map(Signal::record).collect();
    let mut bytes = Vec::new();
    csv::write(&mut bytes, layout, &records)
        .map_err(|e| PageError::Internal(format!("writing signals as CSV: {e}")))?;
    let name = match (&chosen.programme, layout) {
        (Some(p), CsvLayout::Radar) => format!("{}-radar.csv", p.slug),
        (Some(p), CsvLayout::Full) => format!("{}-signals.csv", p.slug),
        (None, CsvLayout::Radar) => "radar.csv".to_owned(),
        (None, CsvLayout::Full) => "signals.csv".to_owned(),
    };
    Ok(Some((bytes, name)))
}

async fn export(State(state): State<AppState>, Query(query): Query<ExportQuery>) -> PageResult {
    let (bytes, name) = csv_bytes(&state, &query).await?.ok_or(PageError::NotFound)?;
    Ok(attachment(bytes, name))
}

/// A CSV file to download, named from a programme's slug only.
pub fn attachment(bytes: Vec<u8>, file_name: String) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    let content_type = HeaderValue::from_static("text/csv; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

async fn render_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    values: Value,
    invalid: Option<&Invalid>,
    problems: &[Problem],
) -> PageResult {
    let programmes: Vec<Value> = state
        .store
        .programmes()
        .await?
        .iter()
        .map(|p| context! { value => p.programme.slug, text => p.programme.name })
        .collect();
    let problems: Vec<Value> =
        problems.iter().map(|p| context! { row => p.row, column => p.column, message => p.message }).collect();
    let ctx = context! { programmes, values, problems, max_size => "20 MB", max_rows => csv::MAX_ROWS };
    let html = match invalid {
        Some(invalid) => page.render_invalid("horizon/signals/import.html", ctx, invalid)?,
        None => page.render("horizon/signals/import.html", ctx)?,
    };
    Ok((status, html).into_response())
}

async fn import_page(State(state): State<AppState>, page: Page, Query(query): Query<FilterQuery>) -> PageResult {
    let values = context! { programme => query.programme, layout => "radar" };
    render_page(&state, &page, StatusCode::OK, values, None, &[]).await
}

struct Upload {
    programme: String,
    layout: String,
    /// `None`: larger than the limit.
    file: Option<Vec<u8>>,
}

async fn read_upload(multipart: &mut Multipart, expected_token: &str) -> Result<Upload, FormProblem> {
    let mut form = CheckedForm::open(multipart, expected_token, MAX_FIELDS).await?;
    let mut upload = Upload { programme: String::new(), layout: String::new(), file: Some(Vec::new()) };
    while let Some(mut field) = form.next_field().await? {
        match field.name() {
            Some("programme") => upload.programme = read_text(&mut field).await?,
            Some("layout") => upload.layout = read_text(&mut field).await?,
            Some("file") => {
                upload.file = read_bytes(&mut field, MAX_UPLOAD_BYTES).await?;
                if upload.file.is_none() {
                    drain(&mut field, 4 * MAX_UPLOAD_BYTES as u64).await?;
                }
            }
            _ => drain(&mut field, 64 * 1024).await?,
        }
    }
    Ok(upload)
}

async fn import(
    State(state): State<AppState>,
    page: Page,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let Ok(mut multipart) = multipart else {
        return Err(PageError::BadRequest(
            "The form could not be read: go back, reload the page and try again.".to_owned(),
        ));
    };
    let expected_token = csrf::token(&page.session).await?;
    let upload = read_upload(&mut multipart, &expected_token).await.map_err(|problem| match problem {
        FormProblem::Expired => PageError::FormExpired,
        FormProblem::Unreadable => {
            PageError::BadRequest("The upload did not arrive whole. Go back, check the file and try again.".to_owned())
        }
    })?;
    let values = context! { programme => upload.programme, layout => upload.layout };
    let refuse = |field: &str, message: &str| Invalid::one(field, message);
    let programme = match state.store.programme(upload.programme.trim()).await? {
        Some(programme) if !upload.programme.trim().is_empty() => programme,
        _ => {
            let invalid = refuse("programme", "Select the programme the signals are for");
            return render_page(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, values, Some(&invalid), &[]).await;
        }
    };
    let Ok(layout) = upload.layout.parse::<CsvLayout>() else {
        let invalid = refuse("layout", "Select the file's layout: a radar sheet or Heard's full layout");
        return render_page(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, values, Some(&invalid), &[]).await;
    };
    let bytes = match upload.file {
        None => {
            let invalid = refuse("file", "The file must be smaller than 20 MB");
            return render_page(&state, &page, StatusCode::PAYLOAD_TOO_LARGE, values, Some(&invalid), &[]).await;
        }
        Some(bytes) if bytes.is_empty() => {
            let invalid = refuse("file", "Select a CSV file to import");
            return render_page(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, values, Some(&invalid), &[]).await;
        }
        Some(bytes) => bytes,
    };
    let today = time::OffsetDateTime::now_utc().date();
    let records = match csv::read(bytes.as_slice(), layout, today) {
        Ok(records) => records,
        Err(problems) => {
            let message = format!(
                "The file has {} {} and nothing was imported: see the list below",
                problems.len(),
                if problems.len() == 1 { "problem" } else { "problems" }
            );
            let invalid = refuse("file", &message);
            return render_page(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, values, Some(&invalid), &problems)
                .await;
        }
    };
    let ids = state.store.import_signals(programme.id, &records, Some(page.user()?.id)).await?;
    let noun = if ids.len() == 1 { "signal" } else { "signals" };
    Flash::set(&page.session, &format!("{} {noun} imported into {}", ids.len(), programme.name)).await;
    see_other(format!("/signals?programme={}", programme.slug))
}
