//! Outcomes pages and API: a decision's outcomes with their progress rolled up to the decision,
//! the form to add one (commissioners); an outcome's page with its measurements and reviews and
//! the forms to record a measurement, set a review date and record a review done; the programme's
//! progress over all its decisions. Reviews due show on the dashboard (journeys).

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::Invalid;
use heard_domain::decisions::outcome::{
    MeasurementFields, MeasurementInput, OutcomeFields, OutcomeInput, parse_review_note, parse_review_on, percent,
    rolled_up,
};
use heard_domain::governance::Action;
use heard_store::Programme;
use heard_store::decisions::outcomes::{Outcome, ProgrammeProgress};
use heard_store::learning::DecisionRef;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::ApiUser;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath, PageError, PagePath};
use crate::journeys::api::programme_at;
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/programmes/{slug}/decisions/{id}/outcomes";
    const ONE: &str = "/programmes/{slug}/decisions/{id}/outcomes/{outcome}";
    const API: &str = "/api/v1/programmes/{slug}/decisions/{id}/outcomes";
    vec![
        Route::get("/programmes/{slug}/outcomes", Action::ViewDecisions, programme_page),
        Route::get(LIST, Action::ViewDecisions, list),
        Route::post(LIST, Action::RecordDecisions, create),
        Route::get(ONE, Action::ViewDecisions, show),
        Route::post(
            "/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements",
            Action::RecordDecisions,
            measure,
        ),
        Route::post("/programmes/{slug}/decisions/{id}/outcomes/{outcome}/reviews", Action::RecordDecisions, schedule),
        Route::post("/programmes/{slug}/decisions/{id}/outcomes/{outcome}/reviewed", Action::RecordDecisions, reviewed),
        Route::get(API, Action::ViewDecisions, api_list),
        Route::post(
            "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements",
            Action::RecordDecisions,
            api_measure,
        ),
    ]
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// A number as pages show it: whole numbers without a point, others to two places at most.
fn shown(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn progress_view(progress: Option<f64>) -> Value {
    match progress {
        Some(share) => context! { measured => true, percent => percent(share) },
        None => context! { measured => false, percent => 0 },
    }
}

fn outcome_view(outcome: &Outcome) -> Value {
    let unit = outcome.unit.clone().unwrap_or_default();
    let measurements: Vec<Value> = outcome
        .measurements
        .iter()
        .rev()
        .map(|m| {
            context! {
                value => shown(m.value),
                measured_on => m.measured_on.to_string(),
                note => m.note,
                by => m.recorded_by.as_ref().map(|u| u.display_name.clone()),
            }
        })
        .collect();
    let today = today();
    let reviews: Vec<Value> = outcome
        .reviews
        .iter()
        .map(|r| {
            context! {
                id => r.id,
                review_on => r.review_on.to_string(),
                done => r.reviewed_at.is_some(),
                due => r.reviewed_at.is_none() && r.review_on <= today,
                by => r.reviewed_by.as_ref().map(|u| u.display_name.clone()),
                note => r.note,
            }
        })
        .collect();
    context! {
        id => outcome.id,
        indicator => outcome.indicator,
        unit,
        baseline => shown(outcome.baseline),
        target => shown(outcome.target),
        down => outcome.target < outcome.baseline,
        weight => outcome.weight,
        latest => outcome.latest().map(|m| context! { value => shown(m.value), measured_on => m.measured_on.to_string() }),
        progress => progress_view(outcome.progress),
        measurements,
        reviews,
        open_reviews => outcome
            .reviews
            .iter()
            .filter(|r| r.reviewed_at.is_none())
            .map(|r| context! { value => r.id.to_string(), text => heard_domain::dates::display(r.review_on) })
            .collect::<Vec<_>>(),
        reviews_due => outcome.reviews.iter().filter(|r| r.reviewed_at.is_none() && r.review_on <= today).count(),
    }
}

async fn find_decision(state: &AppState, programme: &Programme, id: i64) -> Result<DecisionRef, PageError> {
    state.store.decision_refs(programme.id).await?.into_iter().find(|d| d.id == id).ok_or(PageError::NotFound)
}

async fn render_list(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    decision: &DecisionRef,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let outcomes = state.store.outcomes(programme.id, Some(decision.id)).await?;
    let progress = rolled_up(outcomes.iter().map(|o| (o.progress, o.weight)));
    let measured = outcomes.iter().filter(|o| o.progress.is_some()).count();
    let ctx = context! {
        programme,
        decision,
        outcomes => outcomes.iter().map(outcome_view).collect::<Vec<_>>(),
        progress => progress_view(progress),
        measured,
        values,
        may_record => page.may(Action::RecordDecisions),
    };
    page.respond("decisions/outcomes/list.html", ctx, invalid)
}

async fn list(State(state): State<AppState>, page: Page, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find_decision(&state, &programme, id).await?;
    render_list(&state, &page, &programme, &decision, FormFields::default().values(), None).await
}

fn outcome_fields(form: &FormFields) -> OutcomeFields {
    OutcomeFields {
        indicator: form.get("indicator").to_owned(),
        unit: form.get("unit").to_owned(),
        baseline: form.get("baseline").to_owned(),
        target: form.get("target").to_owned(),
        weight: form.get("weight").to_owned(),
    }
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find_decision(&state, &programme, id).await?;
    let input = match OutcomeInput::parse(&outcome_fields(&form)) {
        Ok(input) => input,
        Err(invalid) => return render_list(&state, &page, &programme, &decision, form.values(), Some(&invalid)).await,
    };
    let outcome = state.store.add_outcome(programme.id, decision.id, &input, page.user()?.id).await?;
    Flash::set(&page.session, "Outcome added").await;
    see_other(format!("/programmes/{}/decisions/{}/outcomes/{outcome}", programme.slug, decision.id))
}

async fn find_outcome(
    state: &AppState,
    programme: &Programme,
    decision: &DecisionRef,
    id: i64,
) -> Result<Outcome, PageError> {
    let outcomes = state.store.outcomes(programme.id, Some(decision.id)).await?;
    outcomes.into_iter().find(|o| o.id == id).ok_or(PageError::NotFound)
}

/// A form's values with its dates as three parts each.
fn with_dates(form: &FormFields) -> Value {
    context! { measured_on => form.date_parts("measured_on"), review_on => form.date_parts("review_on"), ..form.values() }
}

async fn render_one(
    page: &Page,
    programme: &Programme,
    decision: &DecisionRef,
    outcome: &Outcome,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let ctx = context! {
        programme,
        decision,
        outcome => outcome_view(outcome),
        values,
        may_record => page.may(Action::RecordDecisions),
    };
    page.respond("decisions/outcomes/outcome.html", ctx, invalid)
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find_decision(&state, &programme, id).await?;
    let outcome = find_outcome(&state, &programme, &decision, outcome).await?;
    let mut values = FormFields::default();
    let parts = heard_domain::dates::DateParts::from_date(Some(today()));
    values.set("measured_on.day", parts.day);
    values.set("measured_on.month", parts.month);
    values.set("measured_on.year", parts.year);
    render_one(&page, &programme, &decision, &outcome, with_dates(&values), None).await
}

async fn measure(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find_decision(&state, &programme, id).await?;
    let found = find_outcome(&state, &programme, &decision, outcome).await?;
    let fields = MeasurementFields {
        value: form.get("value").to_owned(),
        measured_on: form.date_parts("measured_on"),
        note: form.get("note").to_owned(),
    };
    let input = match MeasurementInput::parse(&fields, today()) {
        Ok(input) => input,
        Err(invalid) => {
            return render_one(&page, &programme, &decision, &found, with_dates(&form), Some(&invalid)).await;
        }
    };
    state.store.record_measurement(programme.id, outcome, &input, page.user()?.id).await?;
    Flash::set(&page.session, "Measurement recorded").await;
    see_other(format!("/programmes/{}/decisions/{}/outcomes/{outcome}", programme.slug, decision.id))
}

async fn schedule(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find_decision(&state, &programme, id).await?;
    let found = find_outcome(&state, &programme, &decision, outcome).await?;
    let review_on = match parse_review_on(&form.date_parts("review_on")) {
        Ok(date) => date,
        Err(invalid) => {
            return render_one(&page, &programme, &decision, &found, with_dates(&form), Some(&invalid)).await;
        }
    };
    state.store.schedule_review(programme.id, outcome, review_on).await?;
    Flash::set(&page.session, "Review date set").await;
    see_other(format!("/programmes/{}/decisions/{}/outcomes/{outcome}", programme.slug, decision.id))
}

async fn reviewed(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find_decision(&state, &programme, id).await?;
    let found = find_outcome(&state, &programme, &decision, outcome).await?;
    let review = form.get("review").trim().parse::<i64>().ok().filter(|r| found.reviews.iter().any(|x| x.id == *r));
    let note = parse_review_note(form.get("note"));
    let (review, note) = match (review, note) {
        (Some(review), Ok(note)) => (review, note),
        (review, note) => {
            let mut invalid = Vec::new();
            if review.is_none() {
                invalid.push(heard_domain::FieldError {
                    field: "review".into(),
                    message: "Choose the review you did".into(),
                });
            }
            if let Err(Invalid(errors)) = note {
                invalid.extend(errors);
            }
            let invalid = Invalid(invalid);
            return render_one(&page, &programme, &decision, &found, with_dates(&form), Some(&invalid)).await;
        }
    };
    match state.store.mark_reviewed(programme.id, review, note.as_deref(), page.user()?.id).await {
        Ok(()) => {}
        Err(heard_store::StoreError::NotFound) => {
            let invalid = Invalid::one("review", "That review was already recorded as done");
            return render_one(&page, &programme, &decision, &found, with_dates(&form), Some(&invalid)).await;
        }
        Err(other) => return Err(other.into()),
    }
    Flash::set(&page.session, "Review recorded").await;
    see_other(format!("/programmes/{}/decisions/{}/outcomes/{outcome}", programme.slug, decision.id))
}

async fn programme_page(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let ProgrammeProgress { decisions, progress } = state.store.programme_progress(programme.id).await?;
    let decisions: Vec<Value> = decisions
        .iter()
        .map(|d| {
            context! {
                id => d.decision_id,
                title => d.title,
                outcomes => d.outcomes,
                measured => d.measured,
                weight => d.weight,
                progress => progress_view(d.progress),
            }
        })
        .collect();
    let ctx = context! { programme, decisions, progress => progress_view(progress) };
    page.respond("decisions/outcomes/programme.html", ctx, None)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomesBody {
    pub outcomes: Vec<Outcome>,
    /// The decision's outcomes rolled up by weight (unmeasured ones as 0); `None` without outcomes.
    pub progress: Option<f64>,
}

/// A decision's outcomes with their measurements, reviews and progress, and the decision's.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/decisions/{id}/outcomes", tag = "decisions",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id")),
    responses((status = 200, body = OutcomesBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<OutcomesBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    if !state.store.decision_refs(programme.id).await?.iter().any(|d| d.id == id) {
        return Err(ApiError::not_found());
    }
    let outcomes = state.store.outcomes(programme.id, Some(id)).await?;
    let progress = rolled_up(outcomes.iter().map(|o| (o.progress, o.weight)));
    Ok(ApiJson(OutcomesBody { outcomes, progress }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MeasurementRequest {
    pub value: f64,
    /// `YYYY-MM-DD`, today or earlier.
    pub measured_on: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeasuredBody {
    pub id: i64,
    /// The outcome's progress with this measurement.
    pub progress: Option<f64>,
}

/// Records a measurement of one of the decision's outcomes.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements", tag = "decisions",
    request_body = MeasurementRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id"),
        ("outcome" = i64, Path, description = "The outcome's id")),
    responses((status = 201, body = MeasuredBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn api_measure(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id, outcome)): ApiPath<(String, i64, i64)>,
    ApiJson(body): ApiJson<MeasurementRequest>,
) -> Result<(StatusCode, ApiJson<MeasuredBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let outcomes = state.store.outcomes(programme.id, Some(id)).await?;
    if !outcomes.iter().any(|o| o.id == outcome) {
        return Err(ApiError::not_found());
    }
    let measured_on = heard_domain::dates::parse_iso("measured_on", &body.measured_on).ok();
    let fields = MeasurementFields {
        value: if body.value.is_finite() { body.value.to_string() } else { String::new() },
        measured_on: heard_domain::dates::DateParts::from_date(measured_on),
        note: body.note.clone().unwrap_or_default(),
    };
    let input = MeasurementInput::parse(&fields, today()).map_err(|invalid| {
        if measured_on.is_none() {
            let mut fields: Vec<_> = invalid.0.into_iter().filter(|e| e.field != "measured_on").collect();
            fields.push(heard_domain::FieldError {
                field: "measured_on".into(),
                message: "Enter a date in the form YYYY-MM-DD".into(),
            });
            Invalid(fields)
        } else {
            invalid
        }
    })?;
    let measurement = state.store.record_measurement(programme.id, outcome, &input, user.id).await?;
    let progress = state
        .store
        .outcomes(programme.id, Some(id))
        .await?
        .into_iter()
        .find(|o| o.id == outcome)
        .and_then(|o| o.progress);
    Ok((StatusCode::CREATED, ApiJson(MeasuredBody { id: measurement, progress })))
}
