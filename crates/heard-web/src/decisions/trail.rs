//! A decision's evidence trail: the page (decision → propositions → insights, factors, signals →
//! excerpts and sources, each a link, with people by kind, activities, the room's ranking and the
//! gaps) and its JSON export. A quote shows only where everyone heard in its source consents to
//! anonymous quotation (and someone is heard), unless the reader's role reads every coded excerpt;
//! the export, which leaves Heard, keeps only the consented quotes whoever asks. Neither names or
//! pseudonymises anyone: people are counted by kind.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use heard_domain::governance::Action;
use heard_store::decisions::{Trail, TrailExcerpt};
use minijinja::{Value, context};

use super::pages::decision_context;
use crate::AppState;
use crate::coding::insights::reads_every_quote;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Page, PageResult};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/decisions/{id}/trail", Action::ViewDecisions, page),
        Route::get("/programmes/{slug}/decisions/{id}/trail.json", Action::ViewDecisions, export),
    ]
}

/// Whether an excerpt's words may be shown to someone who does not read every coded excerpt:
/// someone is heard in its source and all of them consent to anonymous quotation now.
pub(crate) fn consented(excerpt: &TrailExcerpt) -> bool {
    excerpt.quotable && !excerpt.heard.is_empty()
}

/// The trail with the words of every excerpt not to be shown blanked.
pub(crate) fn with_quotes(mut trail: Trail, every_quote: bool) -> Trail {
    let keep = |e: &mut TrailExcerpt| {
        if !(every_quote || consented(e)) {
            e.quote = String::new();
        }
    };
    for p in &mut trail.propositions {
        for i in &mut p.insights {
            i.excerpts.iter_mut().for_each(keep);
        }
        for f in &mut p.factors {
            f.excerpts.iter_mut().for_each(keep);
            for i in &mut f.insights {
                i.excerpts.iter_mut().for_each(keep);
            }
        }
    }
    trail
}

async fn page(State(state): State<AppState>, page: Page, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let trail = state.store.decision_trail(programme.id, id).await?.ok_or(PageError::NotFound)?;
    let every_quote = page.user.as_ref().is_some_and(|u| reads_every_quote(u.role));
    let decision = decision_context(&trail.decision);
    let trail = with_quotes(trail, every_quote);
    page.respond(
        "decisions/trail.html",
        context! { programme, decision, trail => Value::from_serialize(&trail), every_quote },
        None,
    )
}

async fn export(
    State(state): State<AppState>,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> Result<axum::response::Response, PageError> {
    let programme = find_programme(&state, &slug).await?;
    let trail = state.store.decision_trail(programme.id, id).await?.ok_or(PageError::NotFound)?;
    let body = serde_json::to_vec_pretty(&with_quotes(trail, false)).map_err(|e| PageError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"decision-{id}-trail.json\"")),
        ],
        body,
    )
        .into_response())
}
