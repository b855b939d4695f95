//! One factor's page: its words, tags and the evidence behind it (insights and excerpts, quotes
//! as the reader's role and the participants' consent allow), its arrows in and out, and the
//! forms that rename, re-tag, delete it and link or unlink its evidence. Edits carry the version
//! the person saw; a change by someone else meanwhile is refused with 409 and the page as it is now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::causes::map::{FactorInput, version};
use heard_domain::governance::Action;
use heard_store::causes::{CauseMap, EvidenceRef};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};

use super::evidence_strength;
use super::maps::find_map;
use crate::AppState;
use crate::coding::insights::reads_every_quote;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const ONE: &str = "/programmes/{slug}/cause-maps/{id}/factors/{factor}";
    vec![
        Route::get(ONE, Action::ViewCauseMaps, show),
        Route::post(ONE, Action::EditCauseMaps, edit),
        Route::post("/programmes/{slug}/cause-maps/{id}/factors/{factor}/delete", Action::EditCauseMaps, delete),
        Route::post("/programmes/{slug}/cause-maps/{id}/factors/{factor}/evidence", Action::EditCauseMaps, link),
        Route::post(
            "/programmes/{slug}/cause-maps/{id}/factors/{factor}/evidence/remove",
            Action::EditCauseMaps,
            unlink,
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    map: &CauseMap,
    factor_id: i64,
    values: Option<Value>,
    problem: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let Some(factor) = map.factor(factor_id) else {
        return Err(PageError::NotFound);
    };
    let evidence = state.store.factor_evidence(programme.id, map.id, factor_id).await?;
    let every_quote = page.user().is_ok_and(|u| reads_every_quote(u.role));
    let excerpts: Vec<Value> = evidence
        .excerpts
        .iter()
        .map(|e| {
            context! {
                id => e.id,
                quote => (e.quotable || every_quote).then(|| e.quote.clone()),
                source_id => e.source_id,
                source_title => e.source_title,
            }
        })
        .collect();
    let label = |id: i64| map.factor(id).map(|f| f.label.clone()).unwrap_or_default();
    let causes: Vec<Value> = map
        .arrows
        .iter()
        .filter(|a| a.to == factor_id)
        .map(|a| context! { arrow => a.id, factor => a.from, label => label(a.from) })
        .collect();
    let effects: Vec<Value> = map
        .arrows
        .iter()
        .filter(|a| a.from == factor_id)
        .map(|a| context! { arrow => a.id, factor => a.to, label => label(a.to) })
        .collect();
    let linked: Vec<i64> = evidence.insights.iter().map(|i| i.id).collect();
    let insight_options: Vec<Value> = state
        .store
        .insights(programme.id)
        .await?
        .into_iter()
        .filter(|i| !linked.contains(&i.id))
        .map(|i| context! { value => i.id.to_string(), text => i.statement })
        .collect();
    let others: Vec<Value> = map
        .factors
        .iter()
        .filter(|f| f.id != factor_id)
        .map(|f| context! { value => f.id.to_string(), text => f.label.clone() })
        .collect();
    let values = values.unwrap_or_else(|| {
        context! {
            label => factor.label,
            description => factor.description.clone().unwrap_or_default(),
            tags => factor.tags.join(", "),
        }
    });
    let ctx = context! {
        programme,
        map,
        factor,
        strength => evidence_strength(factor.insights, factor.excerpts, factor.participants),
        insights => evidence.insights,
        excerpts,
        causes,
        effects,
        insight_options,
        others,
        values,
    };
    match problem {
        None => page.respond("causes/factor.html", ctx, None),
        Some((status, invalid)) => {
            Ok((status, page.render_invalid("causes/factor.html", ctx, invalid)?).into_response())
        }
    }
}

/// The factor page again after a refused change: the person's values kept, the reason beside the
/// field, and on a conflict the factor as it is now (409).
#[allow(clippy::too_many_arguments)]
async fn refused(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    map_id: i64,
    factor_id: i64,
    form: &FormFields,
    error: StoreError,
    field: &str,
) -> PageResult {
    let (status, invalid, values) = match error {
        StoreError::Invalid(invalid) => (StatusCode::UNPROCESSABLE_ENTITY, invalid, Some(form.values())),
        StoreError::Duplicate { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Invalid::one(field, "This map already has a factor with those words"),
            Some(form.values()),
        ),
        // What they typed is shown in the message; the form shows the factor as it is now.
        StoreError::Conflict { .. } => (
            StatusCode::CONFLICT,
            Invalid::one(
                field,
                format!(
                    "Someone else changed this factor after you opened the page, so your change (“{}”) was not saved. The form now shows their version: check it, then make your change again.",
                    form.get(field)
                ),
            ),
            None,
        ),
        other => return Err(other.into()),
    };
    let map = find_map(state, programme, map_id).await?;
    render(state, page, programme, &map, factor_id, values, Some((status, &invalid))).await
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, factor)): PagePath<(String, i64, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let map = find_map(&state, &programme, id).await?;
    render(&state, &page, &programme, &map, factor, None, None).await
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, factor)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let parsed = FactorInput::parse(form.get("label"), form.get("description"), form.get("tags"))
        .and_then(|input| Ok((input, version("label", form.get("version"))?)));
    let (input, seen) = match parsed {
        Ok(parsed) => parsed,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, factor, &form, StoreError::Invalid(invalid), "label").await;
        }
    };
    match state.store.edit_factor(programme.id, id, factor, seen, &input).await {
        Ok(()) => {
            Flash::set(&page.session, "Factor changed").await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}/factors/{factor}"))
        }
        Err(error) => refused(&state, &page, &programme, id, factor, &form, error, "label").await,
    }
}

async fn delete(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, factor)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let seen = match version("delete", form.get("version")) {
        Ok(seen) => seen,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, factor, &form, StoreError::Invalid(invalid), "delete").await;
        }
    };
    match state.store.delete_factor(programme.id, id, factor, seen).await {
        Ok(()) => {
            Flash::set(&page.session, "Factor deleted, with its arrows").await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}"))
        }
        Err(StoreError::Invalid(_)) => {
            let invalid =
                Invalid::one("delete", "The central event cannot be deleted: change its words on the map page instead");
            refused(&state, &page, &programme, id, factor, &form, StoreError::Invalid(invalid), "delete").await
        }
        Err(error) => refused(&state, &page, &programme, id, factor, &form, error, "delete").await,
    }
}

/// The evidence a form names: an insight chosen from the list, or an excerpt by its number.
fn evidence_from(form: &FormFields) -> Result<EvidenceRef, Invalid> {
    let insight = form.get("insight").trim();
    let excerpt = form.get("excerpt").trim().trim_start_matches('#');
    match (insight.is_empty(), excerpt.is_empty()) {
        (false, _) => insight
            .parse()
            .map(EvidenceRef::Insight)
            .map_err(|_| Invalid::one("insight", "Choose an insight from the list")),
        (true, false) => excerpt
            .parse()
            .map(EvidenceRef::Excerpt)
            .map_err(|_| Invalid::one("excerpt", "Enter the excerpt's number, like 42")),
        (true, true) => Err(Invalid::one("insight", "Choose an insight, or enter an excerpt's number")),
    }
}

async fn link(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, factor)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let evidence = match evidence_from(&form) {
        Ok(evidence) => evidence,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, factor, &form, StoreError::Invalid(invalid), "insight")
                .await;
        }
    };
    match state.store.link_factor_evidence(programme.id, id, factor, evidence, Some(page.user()?.id)).await {
        Ok(()) => {
            Flash::set(&page.session, "Evidence linked").await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}/factors/{factor}#evidence"))
        }
        Err(error) => refused(&state, &page, &programme, id, factor, &form, error, "insight").await,
    }
}

async fn unlink(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, factor)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let evidence = evidence_from(&form).map_err(|invalid| PageError::BadRequest(invalid.to_string()))?;
    state.store.unlink_factor_evidence(programme.id, id, factor, evidence).await?;
    Flash::set(&page.session, "Evidence unlinked").await;
    see_other(format!("/programmes/{slug}/cause-maps/{id}/factors/{factor}#evidence"))
}
