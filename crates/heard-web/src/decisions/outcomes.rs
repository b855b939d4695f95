//! Outcomes pages and API: a decision's outcomes with their progress rolled up to the decision,
//! the form to add one (commissioners); an outcome's page with its measurements and reviews and
//! the forms to record a measurement, set a review date and record a review done; changing or
//! deleting an outcome (after a confirmation), correcting or deleting a measurement, moving or
//! deleting a review date; the programme's progress over all its decisions. Reviews due show on
//! the dashboard (journeys). The API lists, adds, changes and deletes outcomes and records,
//! corrects and deletes measurements.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::decisions::outcome::{
    MeasurementFields, MeasurementInput, OutcomeFields, OutcomeInput, parse_review_note, parse_review_on, percent,
    rolled_up,
};
use heard_domain::governance::Action;
use heard_store::decisions::outcomes::{Measurement, Outcome, ProgrammeProgress, Review};
use heard_store::learning::DecisionRef;
use heard_store::{Programme, StoreError};
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
    const API_ONE: &str = "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}";
    const API_MEASUREMENT: &str =
        "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements/{measurement}";
    const MEASUREMENT: &str = "/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements/{measurement}";
    const REVIEW: &str = "/programmes/{slug}/decisions/{id}/outcomes/{outcome}/reviews/{review}";
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
        Route::get("/programmes/{slug}/decisions/{id}/outcomes/{outcome}/edit", Action::RecordDecisions, edit),
        Route::post("/programmes/{slug}/decisions/{id}/outcomes/{outcome}/edit", Action::RecordDecisions, update),
        Route::get(
            "/programmes/{slug}/decisions/{id}/outcomes/{outcome}/delete",
            Action::RecordDecisions,
            confirm_delete,
        ),
        Route::post("/programmes/{slug}/decisions/{id}/outcomes/{outcome}/delete", Action::RecordDecisions, delete),
        Route::get(MEASUREMENT, Action::RecordDecisions, measurement),
        Route::post(MEASUREMENT, Action::RecordDecisions, correct),
        Route::post(
            "/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements/{measurement}/delete",
            Action::RecordDecisions,
            delete_measurement,
        ),
        Route::get(REVIEW, Action::RecordDecisions, review),
        Route::post(REVIEW, Action::RecordDecisions, move_review),
        Route::post(
            "/programmes/{slug}/decisions/{id}/outcomes/{outcome}/reviews/{review}/delete",
            Action::RecordDecisions,
            delete_review,
        ),
        Route::get(API, Action::ViewDecisions, api_list),
        Route::post(API, Action::RecordDecisions, api_create),
        Route::put(API_ONE, Action::RecordDecisions, api_edit),
        Route::delete(API_ONE, Action::RecordDecisions, api_delete),
        Route::post(
            "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements",
            Action::RecordDecisions,
            api_measure,
        ),
        Route::put(API_MEASUREMENT, Action::RecordDecisions, api_correct_measurement),
        Route::delete(API_MEASUREMENT, Action::RecordDecisions, api_delete_measurement),
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
                id => m.id,
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
    let input = measurement_input(&body)?;
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

/// An outcome's form filled in from the outcome as saved.
fn outcome_values(outcome: &Outcome) -> FormFields {
    let mut form = FormFields::default();
    form.set("indicator", outcome.indicator.clone());
    form.set("unit", outcome.unit.clone().unwrap_or_default());
    form.set("baseline", shown(outcome.baseline));
    form.set("target", shown(outcome.target));
    form.set("weight", outcome.weight.to_string());
    form
}

fn outcome_path(programme: &Programme, decision: &DecisionRef, outcome: i64) -> String {
    format!("/programmes/{}/decisions/{}/outcomes/{outcome}", programme.slug, decision.id)
}

/// The outcome found through the path: its programme, decision and the outcome.
async fn found(
    state: &AppState,
    slug: &str,
    id: i64,
    outcome: i64,
) -> Result<(Programme, DecisionRef, Outcome), PageError> {
    let programme = find_programme(state, slug).await?;
    let decision = find_decision(state, &programme, id).await?;
    let outcome = find_outcome(state, &programme, &decision, outcome).await?;
    Ok((programme, decision, outcome))
}

fn render_edit(
    page: &Page,
    programme: &Programme,
    decision: &DecisionRef,
    outcome: &Outcome,
    form: &FormFields,
    invalid: Option<&Invalid>,
) -> PageResult {
    let ctx = context! { programme, decision, outcome => outcome_view(outcome), values => form.values() };
    page.respond("decisions/outcomes/edit.html", ctx, invalid)
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    render_edit(&page, &programme, &decision, &outcome, &outcome_values(&outcome), None)
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let (programme, decision, found) = found(&state, &slug, id, outcome).await?;
    let input = match OutcomeInput::parse(&outcome_fields(&form)) {
        Ok(input) => input,
        Err(invalid) => return render_edit(&page, &programme, &decision, &found, &form, Some(&invalid)),
    };
    state.store.edit_outcome(programme.id, found.id, &input).await?;
    Flash::set(&page.session, "Outcome changed").await;
    see_other(outcome_path(&programme, &decision, found.id))
}

async fn confirm_delete(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    let ctx = context! { programme, decision, outcome => outcome_view(&outcome) };
    page.respond("decisions/outcomes/delete.html", ctx, None)
}

async fn delete(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome)): PagePath<(String, i64, i64)>,
    CsrfForm(_form): CsrfForm<FormFields>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    state.store.delete_outcome(programme.id, outcome.id).await?;
    Flash::set(&page.session, "Outcome deleted").await;
    see_other(format!("/programmes/{}/decisions/{}/outcomes", programme.slug, decision.id))
}

fn find_measurement(outcome: &Outcome, id: i64) -> Result<&Measurement, PageError> {
    outcome.measurements.iter().find(|m| m.id == id).ok_or(PageError::NotFound)
}

fn find_review(outcome: &Outcome, id: i64) -> Result<&Review, PageError> {
    outcome.reviews.iter().find(|r| r.id == id).ok_or(PageError::NotFound)
}

/// The measurement's page: the form to correct it and the one to delete it.
fn render_measurement(
    page: &Page,
    programme: &Programme,
    decision: &DecisionRef,
    outcome: &Outcome,
    measurement: &Measurement,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let ctx = context! {
        programme,
        decision,
        outcome => outcome_view(outcome),
        measurement => context! {
            id => measurement.id,
            value => shown(measurement.value),
            measured_on => measurement.measured_on.to_string(),
        },
        values,
    };
    page.respond("decisions/outcomes/measurement.html", ctx, invalid)
}

async fn measurement(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome, measurement)): PagePath<(String, i64, i64, i64)>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    let m = find_measurement(&outcome, measurement)?;
    let mut form = FormFields::default();
    form.set("value", shown(m.value));
    let parts = heard_domain::dates::DateParts::from_date(Some(m.measured_on));
    form.set("measured_on.day", parts.day);
    form.set("measured_on.month", parts.month);
    form.set("measured_on.year", parts.year);
    form.set("note", m.note.clone().unwrap_or_default());
    render_measurement(&page, &programme, &decision, &outcome, m, with_dates(&form), None)
}

async fn correct(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome, measurement)): PagePath<(String, i64, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    let m = find_measurement(&outcome, measurement)?;
    let fields = MeasurementFields {
        value: form.get("value").to_owned(),
        measured_on: form.date_parts("measured_on"),
        note: form.get("note").to_owned(),
    };
    let input = match MeasurementInput::parse(&fields, today()) {
        Ok(input) => input,
        Err(invalid) => {
            return render_measurement(&page, &programme, &decision, &outcome, m, with_dates(&form), Some(&invalid));
        }
    };
    state.store.correct_measurement(programme.id, outcome.id, m.id, &input).await?;
    Flash::set(&page.session, "Measurement corrected").await;
    see_other(outcome_path(&programme, &decision, outcome.id))
}

/// Whether a delete form's "Yes, delete" box is ticked; an error naming `confirm` otherwise.
fn confirmed(form: &FormFields, what: &str) -> Result<(), Invalid> {
    if form.all("confirm").iter().any(|v| v == "yes") {
        Ok(())
    } else {
        Err(Invalid::one("confirm", format!("Tick the box to confirm you want to delete this {what}")))
    }
}

async fn delete_measurement(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome, measurement)): PagePath<(String, i64, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    let m = find_measurement(&outcome, measurement)?;
    if let Err(invalid) = confirmed(&form, "measurement") {
        let values = with_dates(&FormFields::default());
        return render_measurement(&page, &programme, &decision, &outcome, m, values, Some(&invalid));
    }
    state.store.delete_measurement(programme.id, outcome.id, m.id).await?;
    Flash::set(&page.session, "Measurement deleted").await;
    see_other(outcome_path(&programme, &decision, outcome.id))
}

/// A review date's page: the form to move it (while not done) and the one to delete it.
fn render_review(
    page: &Page,
    programme: &Programme,
    decision: &DecisionRef,
    outcome: &Outcome,
    review: &Review,
    values: Value,
    invalid: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let ctx = context! {
        programme,
        decision,
        outcome => outcome_view(outcome),
        review => context! { id => review.id, review_on => review.review_on.to_string(), done => review.reviewed_at.is_some() },
        values,
    };
    match invalid {
        None => page.respond("decisions/outcomes/review.html", ctx, None),
        Some((status, invalid)) => {
            Ok((status, page.render_invalid("decisions/outcomes/review.html", ctx, invalid)?).into_response())
        }
    }
}

async fn review(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome, review)): PagePath<(String, i64, i64, i64)>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    let r = find_review(&outcome, review)?;
    let mut form = FormFields::default();
    let parts = heard_domain::dates::DateParts::from_date(Some(r.review_on));
    form.set("review_on.day", parts.day);
    form.set("review_on.month", parts.month);
    form.set("review_on.year", parts.year);
    render_review(&page, &programme, &decision, &outcome, r, with_dates(&form), None)
}

async fn move_review(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome, review)): PagePath<(String, i64, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    let r = find_review(&outcome, review)?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let review_on = match parse_review_on(&form.date_parts("review_on")) {
        Ok(date) => date,
        Err(invalid) => {
            return render_review(
                &page,
                &programme,
                &decision,
                &outcome,
                r,
                with_dates(&form),
                Some((unprocessable, &invalid)),
            );
        }
    };
    match state.store.move_review(programme.id, outcome.id, r.id, review_on).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => {
            let invalid = Invalid::one("review_on", "This review was recorded as done, so its date stays as it was");
            let values = with_dates(&form);
            return render_review(
                &page,
                &programme,
                &decision,
                &outcome,
                r,
                values,
                Some((StatusCode::CONFLICT, &invalid)),
            );
        }
        Err(other) => return Err(other.into()),
    }
    Flash::set(&page.session, "Review date changed").await;
    see_other(outcome_path(&programme, &decision, outcome.id))
}

async fn delete_review(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, outcome, review)): PagePath<(String, i64, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let (programme, decision, outcome) = found(&state, &slug, id, outcome).await?;
    let r = find_review(&outcome, review)?;
    if let Err(invalid) = confirmed(&form, "review date") {
        let values = with_dates(&FormFields::default());
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        return render_review(&page, &programme, &decision, &outcome, r, values, Some((unprocessable, &invalid)));
    }
    state.store.delete_review(programme.id, outcome.id, r.id).await?;
    Flash::set(&page.session, "Review date deleted").await;
    see_other(outcome_path(&programme, &decision, outcome.id))
}

/// An outcome as the API takes it. A field left out is read as blank, so it is named among the
/// errors; a weight left out is 1.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeRequest {
    /// What is measured.
    pub indicator: String,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    /// Differs from the baseline; below it when the aim is to bring something down.
    pub target: Option<f64>,
    /// From 1 to 100.
    pub weight: Option<u32>,
}

impl OutcomeRequest {
    fn parse(&self) -> Result<OutcomeInput, Invalid> {
        let number = |n: Option<f64>| n.filter(|n| n.is_finite()).map(|n| n.to_string()).unwrap_or_default();
        OutcomeInput::parse(&OutcomeFields {
            indicator: self.indicator.clone(),
            unit: self.unit.clone().unwrap_or_default(),
            baseline: number(self.baseline),
            target: number(self.target),
            weight: self.weight.map(|w| w.to_string()).unwrap_or_default(),
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeBody {
    pub outcome: Outcome,
}

/// The decision's outcomes, `NotFound` unless the decision is the programme's.
async fn api_outcomes(state: &AppState, programme: &Programme, id: i64) -> Result<Vec<Outcome>, ApiError> {
    if !state.store.decision_refs(programme.id).await?.iter().any(|d| d.id == id) {
        return Err(ApiError::not_found());
    }
    Ok(state.store.outcomes(programme.id, Some(id)).await?)
}

/// One of the decision's outcomes.
async fn api_outcome(state: &AppState, programme: &Programme, id: i64, outcome: i64) -> Result<Outcome, ApiError> {
    api_outcomes(state, programme, id).await?.into_iter().find(|o| o.id == outcome).ok_or_else(ApiError::not_found)
}

/// Adds an outcome to a decision: its indicator, unit, baseline, target and weight.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/decisions/{id}/outcomes", tag = "decisions",
    request_body = OutcomeRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id")),
    responses((status = 201, body = OutcomeBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<(StatusCode, ApiJson<OutcomeBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    api_outcomes(&state, &programme, id).await?;
    let input = body.parse()?;
    let outcome = state.store.add_outcome(programme.id, id, &input, user.id).await?;
    let outcome = api_outcome(&state, &programme, id, outcome).await?;
    Ok((StatusCode::CREATED, ApiJson(OutcomeBody { outcome })))
}

/// Changes an outcome's indicator, unit, baseline, target and weight; its measurements stay and
/// its progress is read against the new figures.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}", tag = "decisions",
    request_body = OutcomeRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id"),
        ("outcome" = i64, Path, description = "The outcome's id")),
    responses((status = 200, body = OutcomeBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn api_edit(
    State(state): State<AppState>,
    ApiPath((slug, id, outcome)): ApiPath<(String, i64, i64)>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<ApiJson<OutcomeBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    api_outcome(&state, &programme, id, outcome).await?;
    let input = body.parse()?;
    state.store.edit_outcome(programme.id, outcome, &input).await?;
    let outcome = api_outcome(&state, &programme, id, outcome).await?;
    Ok(ApiJson(OutcomeBody { outcome }))
}

/// Deletes an outcome with its measurements and review dates.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}", tag = "decisions",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id"),
        ("outcome" = i64, Path, description = "The outcome's id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn api_delete(
    State(state): State<AppState>,
    ApiPath((slug, id, outcome)): ApiPath<(String, i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    api_outcome(&state, &programme, id, outcome).await?;
    state.store.delete_outcome(programme.id, outcome).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A measurement from the API's body, its errors by field.
fn measurement_input(body: &MeasurementRequest) -> Result<MeasurementInput, Invalid> {
    let measured_on = heard_domain::dates::parse_iso("measured_on", &body.measured_on).ok();
    let fields = MeasurementFields {
        value: if body.value.is_finite() { body.value.to_string() } else { String::new() },
        measured_on: heard_domain::dates::DateParts::from_date(measured_on),
        note: body.note.clone().unwrap_or_default(),
    };
    MeasurementInput::parse(&fields, today()).map_err(|invalid| {
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
    })
}

/// Corrects a measurement: its value, date and note.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements/{measurement}",
    tag = "decisions", request_body = MeasurementRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id"),
        ("outcome" = i64, Path, description = "The outcome's id"), ("measurement" = i64, Path, description = "The measurement's id")),
    responses((status = 200, body = MeasuredBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn api_correct_measurement(
    State(state): State<AppState>,
    ApiPath((slug, id, outcome, measurement)): ApiPath<(String, i64, i64, i64)>,
    ApiJson(body): ApiJson<MeasurementRequest>,
) -> Result<ApiJson<MeasuredBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    api_outcome(&state, &programme, id, outcome).await?;
    let input = measurement_input(&body)?;
    state.store.correct_measurement(programme.id, outcome, measurement, &input).await?;
    let progress = api_outcome(&state, &programme, id, outcome).await?.progress;
    Ok(ApiJson(MeasuredBody { id: measurement, progress }))
}

/// Deletes a measurement.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/decisions/{id}/outcomes/{outcome}/measurements/{measurement}",
    tag = "decisions",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id"),
        ("outcome" = i64, Path, description = "The outcome's id"), ("measurement" = i64, Path, description = "The measurement's id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn api_delete_measurement(
    State(state): State<AppState>,
    ApiPath((slug, id, outcome, measurement)): ApiPath<(String, i64, i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    api_outcome(&state, &programme, id, outcome).await?;
    state.store.delete_measurement(programme.id, outcome, measurement).await?;
    Ok(StatusCode::NO_CONTENT)
}
