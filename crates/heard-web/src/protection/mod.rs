//! Data protection in the web app: finishing erasures after a withdrawal (media files, scrub), the
//! administrator's retention rules page with what a run would erase today, the server's daily
//! retention run, and a participant's subject access export (a zip of JSON and readable HTML).

use std::sync::Arc;
use std::time::Duration;

use std::io::{Cursor, Write};

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::governance::Action;
use heard_domain::protection::{RetentionErase, RetentionRule};
use heard_domain::voice::sources::SourceKind;
use heard_store::Store;
use heard_store::media::MediaStore;
use heard_store::protection::access::SubjectAccess;
use heard_store::protection::finish_erasures;
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields, NoFields};
use crate::error::{PageError, PagePath};
use crate::render::{Flash, Page, PageResult, see_other, unprocessable};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/retention", Action::ManageRetention, rules),
        Route::post("/admin/retention", Action::ManageRetention, set_rule),
        Route::post("/admin/retention/{kind}/remove", Action::ManageRetention, remove_rule),
        // It holds original text, so only those who may read it; posted, so it carries a CSRF token.
        Route::post("/programmes/{slug}/participants/{id}/export", Action::ViewOriginalText, export_participant),
    ]
}

/// Finishes the erasures a request has just committed: removes the media files they queued and
/// scrubs the database if it is not yet. Never fails the request: the erasure itself stands, and
/// anything unfinished is listed in the database and finished by the next run.
pub async fn finish(state: &AppState) {
    if let Err(error) = finish_erasures(&state.store, state.media.as_ref()).await {
        tracing::warn!(%error, "could not finish an erasure; the next run will");
    }
}

/// Today, in the server's calendar (UTC).
fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The server's background task: at once, then every day, finishes any unfinished erasure and
/// applies the retention rules. Logs counts only.
pub fn spawn_daily(store: Store, media: Arc<dyn MediaStore>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_day = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            every_day.tick().await;
            match store.apply_retention(today(), None).await {
                Ok(run) if run.erased.is_empty() => {}
                Ok(run) => tracing::info!(
                    sources = run.counts.sources,
                    originals = run.counts.originals,
                    "retention run erased what its rules say"
                ),
                Err(error) => tracing::error!(%error, "the daily retention run failed; nothing was erased"),
            }
            if let Err(error) = finish_erasures(&store, media.as_ref()).await {
                tracing::warn!(%error, "could not finish erasures; the next run will");
            }
        }
    })
}

fn erase_options() -> Value {
    let options: Vec<Value> =
        RetentionErase::ALL.iter().map(|e| context! { value => e.code(), text => e.label() }).collect();
    Value::from(options)
}

async fn render_rules(state: &AppState, page: &Page, values: Value, invalid: Option<&Invalid>) -> PageResult {
    let rules = state.store.retention_rules().await?;
    let due = state.store.retention_due(today()).await?;
    let ctx = context! { rules, due, values, erase_options => erase_options() };
    match invalid {
        Some(invalid) => unprocessable(page.render_invalid("protection/retention.html", ctx, invalid)),
        None => Ok(page.render("protection/retention.html", ctx)?.into_response()),
    }
}

async fn rules(State(state): State<AppState>, page: Page) -> PageResult {
    render_rules(&state, &page, context! { kind => "", keep_days => "", erase => "original" }, None).await
}

async fn set_rule(State(state): State<AppState>, page: Page, CsrfForm(form): CsrfForm<FormFields>) -> PageResult {
    let (kind, keep_days, erase) = (form.get("kind"), form.get("keep_days"), form.get("erase"));
    match RetentionRule::parse(kind, keep_days, erase) {
        Ok(rule) => {
            state.store.set_retention_rule(&rule, page.user()?.id).await?;
            Flash::set(&page.session, &format!("Retention rule saved: {}", rule.kind.label())).await;
            see_other("/admin/retention")
        }
        Err(invalid) => render_rules(&state, &page, context! { kind, keep_days, erase }, Some(&invalid)).await,
    }
}

async fn remove_rule(
    State(state): State<AppState>,
    page: Page,
    PagePath(kind): PagePath<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let kind: SourceKind = kind.parse().map_err(|_| PageError::NotFound)?;
    state.store.remove_retention_rule(kind, page.user()?.id).await?;
    Flash::set(&page.session, &format!("Retention rule removed: {}", kind.label())).await;
    see_other("/admin/retention")
}

/// Why a subject access export could not be written (the detail is for logs).
#[derive(Debug, thiserror::Error)]
#[error("could not write the subject access export: {0}")]
pub struct ExportError(String);

impl From<ExportError> for PageError {
    fn from(error: ExportError) -> Self {
        PageError::Internal(error.0)
    }
}

/// A subject access export as a zip: `subject-access.json` (everything, as data) and
/// `subject-access.html` (the same, readable, with Heard's styles inside it).
pub fn subject_access_zip(access: &SubjectAccess) -> Result<Vec<u8>, ExportError> {
    let json = serde_json::to_vec_pretty(access).map_err(|e| ExportError(e.to_string()))?;
    let html = crate::render::render_standalone("protection/subject_access.html", context! { access })
        .map_err(|e| ExportError(e.to_string()))?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    let write = || -> Result<Vec<u8>, zip::result::ZipError> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("subject-access.json", options)?;
        zip.write_all(&json)?;
        zip.start_file("subject-access.html", options)?;
        zip.write_all(html.as_bytes())?;
        Ok(zip.finish()?.into_inner())
    };
    write().map_err(|e| ExportError(e.to_string()))
}

async fn export_participant(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let programme = crate::journeys::find_programme(&state, &slug).await?;
    let access = state.store.subject_access(programme.id, &programme.name, id, page.user()?.id).await?;
    let bytes = subject_access_zip(&access)?;
    Ok((
        [
            (CONTENT_TYPE, "application/zip".to_owned()),
            // The participant's id, never their pseudonym: file names end up in logs and folders.
            (CONTENT_DISPOSITION, format!("attachment; filename=\"subject-access-participant-{id}.zip\"")),
        ],
        bytes,
    )
        .into_response())
}
