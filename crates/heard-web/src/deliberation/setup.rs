//! The facilitator's pages for a Deliberation Day: a programme's deliberations, setting one up
//! (date, venue, statements by attendees, prioritisation, the propositions to prioritise, the
//! questionnaire), and its page: status with the join code, open and close, statements written or
//! seeded from insights and propositions, the moderation queue, and deleting it.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::HeaderMap;
use heard_domain::Invalid;
use heard_domain::deliberation::days::{
    DeliberationFields, DeliberationInput, DeliberationStatus, Prioritisation, StatementState, parse_questions,
    statement_key, statement_text,
};
use heard_domain::error::FieldError;
use heard_domain::governance::Action;
use heard_store::deliberation::{Deliberation, NewOrigin, Origin, Statement};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/programmes/{slug}/deliberations";
    const ONE: &str = "/programmes/{slug}/deliberations/{id}";
    const EDIT: &str = "/programmes/{slug}/deliberations/{id}/edit";
    vec![
        Route::get(LIST, Action::ViewDeliberations, list),
        Route::post(LIST, Action::RunDeliberations, create),
        Route::get("/programmes/{slug}/deliberations/new", Action::RunDeliberations, new),
        Route::get(ONE, Action::ViewDeliberations, show),
        Route::get(EDIT, Action::RunDeliberations, edit_form),
        Route::post(EDIT, Action::RunDeliberations, edit),
        Route::post("/programmes/{slug}/deliberations/{id}/status", Action::RunDeliberations, move_status),
        Route::post("/programmes/{slug}/deliberations/{id}/statements", Action::RunDeliberations, add_statement),
        Route::post("/programmes/{slug}/deliberations/{id}/seed", Action::RunDeliberations, seed),
        Route::post("/programmes/{slug}/deliberations/{id}/moderate", Action::RunDeliberations, moderate),
        Route::post("/programmes/{slug}/deliberations/{id}/delete", Action::RunDeliberations, delete),
    ]
}

/// The deliberation `id` of this programme; another programme's is not found.
pub(crate) async fn find_deliberation(
    state: &AppState,
    programme: &Programme,
    id: i64,
) -> Result<Deliberation, PageError> {
    match state.store.deliberation(id).await? {
        Some(d) if d.programme_id == programme.id => Ok(d),
        _ => Err(PageError::NotFound),
    }
}

/// Everything the setup form gives, read and checked together so every error shows at once.
pub(crate) struct Setup {
    pub input: DeliberationInput,
    pub questions: Vec<String>,
    pub propositions: Vec<i64>,
}

/// Reads a setup: the domain's checks, the questions, and the propositions chosen (each one of
/// the programme's, given as `known`).
pub(crate) fn read_setup(
    fields: &DeliberationFields,
    questions: &str,
    propositions: &[String],
    known: &BTreeSet<i64>,
) -> Result<Setup, Invalid> {
    let mut errors: Vec<FieldError> = Vec::new();
    let input = DeliberationInput::parse(fields).map_err(|Invalid(mut e)| errors.append(&mut e)).ok();
    let questions = parse_questions("questions", questions).map_err(|Invalid(mut e)| errors.append(&mut e)).ok();
    let mut chosen = Vec::new();
    for raw in propositions {
        match raw.trim().parse::<i64>() {
            Ok(id) if known.contains(&id) => {
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            _ => {
                errors.push(FieldError {
                    field: "propositions".into(),
                    message: "Choose propositions of this programme".into(),
                });
                break;
            }
        }
    }
    match (input, questions) {
        (Some(input), Some(questions)) if errors.is_empty() => Ok(Setup { input, questions, propositions: chosen }),
        _ => Err(Invalid(errors)),
    }
}

fn fields_of(form: &FormFields) -> DeliberationFields {
    DeliberationFields {
        title: form.get("title").to_owned(),
        held_on: form.date_parts("held_on"),
        venue: form.get("venue").to_owned(),
        attendee_statements: form.get("attendee_statements") == "yes",
        prioritisation: form.get("prioritisation").to_owned(),
        dots: form.get("dots").to_owned(),
    }
}

/// The form's values for a deliberation as it is.
fn values_of(d: &Deliberation) -> FormFields {
    let mut values = FormFields::default();
    values.set("title", d.title.clone());
    values.set("held_on.day", d.held_on.day().to_string());
    values.set("held_on.month", u8::from(d.held_on.month()).to_string());
    values.set("held_on.year", d.held_on.year().to_string());
    values.set("venue", d.venue.clone().unwrap_or_default());
    if d.attendee_statements {
        values.set("attendee_statements", "yes");
    }
    values.set("prioritisation", d.prioritisation.code());
    values.set("dots", d.dots.map(|n| n.to_string()).unwrap_or_default());
    values.set_all("propositions", d.proposition_ids.iter().map(i64::to_string).collect());
    values.set("questions", d.questions.iter().map(|q| q.text.as_str()).collect::<Vec<_>>().join("\n"));
    values
}

async fn proposition_options(state: &AppState, programme: &Programme) -> Result<Vec<(i64, String)>, PageError> {
    Ok(state.store.propositions(programme.id).await?.into_iter().map(|p| (p.id, p.title)).collect())
}

fn options(propositions: &[(i64, String)]) -> Vec<Value> {
    propositions.iter().map(|(id, title)| context! { value => id.to_string(), text => title }).collect()
}

fn prioritisations() -> Vec<Value> {
    Prioritisation::ALL.iter().map(|p| context! { value => p.code(), text => p.label() }).collect()
}

async fn render_form(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    deliberation: Option<&Deliberation>,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let propositions = options(&proposition_options(state, programme).await?);
    let ctx = context! {
        programme,
        deliberation,
        values,
        propositions,
        prioritisations => prioritisations(),
        locked => deliberation.is_some_and(|d| d.status != DeliberationStatus::Draft),
    };
    page.respond("deliberation/new.html", ctx, invalid)
}

async fn list(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let deliberations: Vec<Value> = state
        .store
        .deliberations(programme.id)
        .await?
        .into_iter()
        .map(|d| {
            context! {
                id => d.id,
                title => d.title,
                held_on => heard_domain::dates::display(d.held_on),
                status => d.status.code(),
                status_label => d.status.label(),
                attendees => d.attendees,
                votes => d.votes,
            }
        })
        .collect();
    page.respond("deliberation/list.html", context! { programme, deliberations }, None)
}

async fn new(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let mut values = FormFields::default();
    values.set("prioritisation", Prioritisation::None.code());
    render_form(&state, &page, &programme, None, values.values(), None).await
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let known: BTreeSet<i64> = proposition_options(&state, &programme).await?.into_iter().map(|(id, _)| id).collect();
    let setup = match read_setup(&fields_of(&form), form.get("questions"), form.all("propositions"), &known) {
        Ok(setup) => setup,
        Err(invalid) => return render_form(&state, &page, &programme, None, form.values(), Some(&invalid)).await,
    };
    let id = create_with_propositions(&state, programme.id, &setup, Some(page.user()?.id)).await?;
    Flash::set(&page.session, &format!("Deliberation Day “{}” set up", setup.input.title)).await;
    see_other(format!("/programmes/{slug}/deliberations/{id}"))
}

/// Creates a deliberation with its propositions: both, or (should the second fail) neither.
pub(crate) async fn create_with_propositions(
    state: &AppState,
    programme_id: i64,
    setup: &Setup,
    by: Option<i64>,
) -> Result<i64, StoreError> {
    let id = state.store.create_deliberation(programme_id, &setup.input, &setup.questions, by).await?;
    if let Err(error) = state.store.set_deliberation_propositions(id, &setup.propositions).await {
        state.store.delete_deliberation(id).await?;
        return Err(error);
    }
    Ok(id)
}

/// Changes a deliberation's setup. The propositions are checked first (they change only while it
/// is being set up), so a refusal saves nothing.
pub(crate) async fn edit_with_propositions(
    state: &AppState,
    deliberation: &Deliberation,
    setup: &Setup,
) -> Result<(), StoreError> {
    if deliberation.status != DeliberationStatus::Draft && deliberation.proposition_ids != setup.propositions {
        return Err(StoreError::Invalid(Invalid::one(
            "propositions",
            "The propositions to prioritise can change only while the Deliberation Day is being set up",
        )));
    }
    state.store.edit_deliberation(deliberation.id, &setup.input, &setup.questions).await?;
    state.store.set_deliberation_propositions(deliberation.id, &setup.propositions).await
}

async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let deliberation = find_deliberation(&state, &programme, id).await?;
    let values = values_of(&deliberation).values();
    render_form(&state, &page, &programme, Some(&deliberation), values, None).await
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let deliberation = find_deliberation(&state, &programme, id).await?;
    let known: BTreeSet<i64> = proposition_options(&state, &programme).await?.into_iter().map(|(id, _)| id).collect();
    let setup = match read_setup(&fields_of(&form), form.get("questions"), form.all("propositions"), &known) {
        Ok(setup) => setup,
        Err(invalid) => {
            return render_form(&state, &page, &programme, Some(&deliberation), form.values(), Some(&invalid)).await;
        }
    };
    match edit_with_propositions(&state, &deliberation, &setup).await {
        Ok(()) => {
            Flash::set(&page.session, "Set-up saved").await;
            see_other(format!("/programmes/{slug}/deliberations/{id}"))
        }
        Err(StoreError::Invalid(invalid)) => {
            render_form(&state, &page, &programme, Some(&deliberation), form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Where a statement came from, in words.
fn origin_label(origin: Origin) -> &'static str {
    match origin {
        Origin::Written => "Written by a facilitator",
        Origin::Insight(_) => "From an insight",
        Origin::Proposition(_) => "From a proposition",
        Origin::Attendee => "Added by an attendee",
        Origin::Imported => "Imported",
    }
}

fn statement_row(s: &Statement) -> Value {
    context! {
        id => s.id,
        text => s.text,
        state => s.state.code(),
        state_label => s.state.label(),
        origin => origin_label(s.origin),
        agree => s.agree,
        disagree => s.disagree,
        pass => s.pass,
        votes => s.votes(),
    }
}

/// The address attendees type, from the address this page was asked for.
fn site(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if state.settings.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// The moves open to a deliberation, as the buttons name them.
fn moves(status: DeliberationStatus, attendees: u32) -> Vec<Value> {
    use DeliberationStatus::*;
    let mut moves = Vec::new();
    match status {
        Draft => moves.push(context! { to => Open.code(), text => "Open for attendees", secondary => false }),
        Open => {
            moves.push(context! { to => Closed.code(), text => "Close", secondary => false });
            if attendees == 0 {
                moves.push(context! { to => Draft.code(), text => "Back to set-up", secondary => true });
            }
        }
        Closed => moves.push(context! { to => Open.code(), text => "Reopen", secondary => true }),
    }
    moves
}

#[allow(clippy::too_many_arguments)]
async fn render_show(
    state: &AppState,
    page: &Page,
    headers: &HeaderMap,
    programme: &Programme,
    deliberation: &Deliberation,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let statements = state.store.statements(deliberation.id).await?;
    let participation = state.store.participation(deliberation.id).await?;
    let propositions = proposition_options(state, programme).await?;
    let present: BTreeSet<String> = statements.iter().map(|s| statement_key(&s.text)).collect();
    let seeded_insights: BTreeSet<i64> =
        statements.iter().filter_map(|s| if let Origin::Insight(id) = s.origin { Some(id) } else { None }).collect();
    let seeded_propositions: BTreeSet<i64> = statements
        .iter()
        .filter_map(|s| if let Origin::Proposition(id) = s.origin { Some(id) } else { None })
        .collect();
    let insights: Vec<Value> = state
        .store
        .insights(programme.id)
        .await?
        .into_iter()
        .filter(|i| !seeded_insights.contains(&i.id) && !present.contains(&statement_key(&i.statement)))
        .map(|i| context! { value => i.id.to_string(), text => i.statement })
        .collect();
    let seedable_propositions: Vec<Value> = propositions
        .iter()
        .filter(|(id, title)| !seeded_propositions.contains(id) && !present.contains(&statement_key(title)))
        .map(|(id, title)| context! { value => id.to_string(), text => title })
        .collect();
    let prioritised: Vec<&str> = deliberation
        .proposition_ids
        .iter()
        .filter_map(|id| propositions.iter().find(|(p, _)| p == id).map(|(_, t)| t.as_str()))
        .collect();
    let waiting: Vec<Value> =
        statements.iter().filter(|s| s.state == StatementState::Pending).map(statement_row).collect();
    let shown: Vec<Value> =
        statements.iter().filter(|s| s.state != StatementState::Pending).map(statement_row).collect();
    let site = site(state, headers);
    let ctx = context! {
        programme,
        deliberation,
        values,
        held_on => heard_domain::dates::display(deliberation.held_on),
        status => deliberation.status.code(),
        status_label => deliberation.status.label(),
        prioritisation_label => deliberation.prioritisation.label(),
        code => deliberation.join_code_shown(),
        join_address => format!("{site}/join"),
        attend_address => format!("{site}/d/{}", deliberation.join_code),
        moves => moves(deliberation.status, participation.attendees),
        participation,
        statements => shown,
        accepted => statements.iter().filter(|s| s.state == StatementState::Accepted).count(),
        waiting,
        insights,
        seedable_propositions,
        prioritised,
    };
    page.respond("deliberation/show.html", ctx, invalid)
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let deliberation = find_deliberation(&state, &programme, id).await?;
    render_show(&state, &page, &headers, &programme, &deliberation, FormFields::default().values(), None).await
}

/// A form on the deliberation's page was refused: the page again, 422, with the message beside
/// the field and the values as typed.
async fn refused(
    state: &AppState,
    page: &Page,
    headers: &HeaderMap,
    programme: &Programme,
    id: i64,
    form: &FormFields,
    invalid: Invalid,
) -> PageResult {
    let deliberation = find_deliberation(state, programme, id).await?;
    render_show(state, page, headers, programme, &deliberation, form.values(), Some(&invalid)).await
}

async fn move_status(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    find_deliberation(&state, &programme, id).await?;
    let Ok(to) = form.get("to").parse::<DeliberationStatus>() else {
        let invalid = Invalid::one("status", "Choose what to do with the Deliberation Day");
        return refused(&state, &page, &headers, &programme, id, &form, invalid).await;
    };
    match state.store.move_deliberation(id, to).await {
        Ok(()) => {
            state.live.changed(id);
            let message = match to {
                DeliberationStatus::Open => "Open: attendees can join with the code",
                DeliberationStatus::Closed => "Closed: nothing more can be given to it",
                DeliberationStatus::Draft => "Back to being set up",
            };
            Flash::set(&page.session, message).await;
            see_other(format!("/programmes/{slug}/deliberations/{id}"))
        }
        Err(StoreError::Invalid(invalid)) => refused(&state, &page, &headers, &programme, id, &form, invalid).await,
        Err(other) => Err(other.into()),
    }
}

async fn add_statement(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    find_deliberation(&state, &programme, id).await?;
    let text = match statement_text("text", form.get("text")) {
        Ok(text) => text,
        Err(invalid) => return refused(&state, &page, &headers, &programme, id, &form, invalid).await,
    };
    match state.store.add_statement(id, &text, NewOrigin::Written, Some(page.user()?.id)).await {
        Ok(_) => {
            state.live.changed(id);
            Flash::set(&page.session, "Statement added").await;
            see_other(format!("/programmes/{slug}/deliberations/{id}#statements"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = Invalid::one("text", "This Deliberation Day already has a statement with those words");
            refused(&state, &page, &headers, &programme, id, &form, invalid).await
        }
        Err(StoreError::Invalid(invalid)) => refused(&state, &page, &headers, &programme, id, &form, invalid).await,
        Err(other) => Err(other.into()),
    }
}

/// What seeding did: statements added, and those left out (already there, or too long).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Seeded {
    pub added: Vec<i64>,
    pub already: u32,
    pub too_long: u32,
}

/// Adds statements seeded from the programme's insights and propositions chosen by id. Ids not
/// of this programme are an error naming `insights` or `propositions`, checked before anything is
/// added; a statement already there is left out and counted.
pub(crate) async fn seed_statements(
    state: &AppState,
    programme: &Programme,
    deliberation_id: i64,
    insight_ids: &[i64],
    proposition_ids: &[i64],
    by: Option<i64>,
) -> Result<Seeded, StoreError> {
    let insights = state.store.insights(programme.id).await?;
    let propositions = state.store.propositions(programme.id).await?;
    let mut chosen: Vec<(String, NewOrigin)> = Vec::new();
    for id in insight_ids {
        let Some(insight) = insights.iter().find(|i| i.id == *id) else {
            return Err(StoreError::Invalid(Invalid::one("insights", "Choose insights of this programme")));
        };
        chosen.push((insight.statement.clone(), NewOrigin::Insight(*id)));
    }
    for id in proposition_ids {
        let Some(proposition) = propositions.iter().find(|p| p.id == *id) else {
            return Err(StoreError::Invalid(Invalid::one("propositions", "Choose propositions of this programme")));
        };
        chosen.push((proposition.title.clone(), NewOrigin::Proposition(*id)));
    }
    let mut seeded = Seeded::default();
    for (words, origin) in chosen {
        let Ok(text) = statement_text("text", &words) else {
            seeded.too_long += 1;
            continue;
        };
        match state.store.add_statement(deliberation_id, &text, origin, by).await {
            Ok(id) => seeded.added.push(id),
            Err(StoreError::Duplicate { .. }) => seeded.already += 1,
            Err(other) => return Err(other),
        }
    }
    if !seeded.added.is_empty() {
        state.live.changed(deliberation_id);
    }
    Ok(seeded)
}

fn ids(values: &[String], field: &str, message: &str) -> Result<Vec<i64>, Invalid> {
    values.iter().map(|v| v.trim().parse::<i64>().map_err(|_| Invalid::one(field, message))).collect()
}

async fn seed(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    find_deliberation(&state, &programme, id).await?;
    let chosen = ids(form.all("insights"), "insights", "Choose insights of this programme").and_then(|insights| {
        Ok((insights, ids(form.all("propositions"), "propositions", "Choose propositions of this programme")?))
    });
    let (insights, propositions) = match chosen {
        Ok((i, p)) if i.is_empty() && p.is_empty() => {
            let invalid = Invalid::one("insights", "Choose at least one insight or proposition to add as a statement");
            return refused(&state, &page, &headers, &programme, id, &form, invalid).await;
        }
        Ok(chosen) => chosen,
        Err(invalid) => return refused(&state, &page, &headers, &programme, id, &form, invalid).await,
    };
    match seed_statements(&state, &programme, id, &insights, &propositions, Some(page.user()?.id)).await {
        Ok(seeded) => {
            let added = seeded.added.len();
            let mut message = format!("{added} {} added", if added == 1 { "statement" } else { "statements" });
            if seeded.already > 0 {
                message.push_str(&format!("; {} already there, left out", seeded.already));
            }
            if seeded.too_long > 0 {
                message.push_str(&format!(
                    "; {} longer than a statement may be, left out (write a shorter one instead)",
                    seeded.too_long
                ));
            }
            Flash::set(&page.session, &message).await;
            see_other(format!("/programmes/{slug}/deliberations/{id}#statements"))
        }
        Err(StoreError::Invalid(invalid)) => refused(&state, &page, &headers, &programme, id, &form, invalid).await,
        Err(other) => Err(other.into()),
    }
}

async fn moderate(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    find_deliberation(&state, &programme, id).await?;
    let decision = match form.get("decision") {
        "accept" => Some(StatementState::Accepted),
        "reject" => Some(StatementState::Rejected),
        _ => None,
    };
    let (Some(decision), Ok(statement)) = (decision, form.get("statement").parse::<i64>()) else {
        let invalid = Invalid::one("moderation", "Choose to accept or reject a statement");
        return refused(&state, &page, &headers, &programme, id, &form, invalid).await;
    };
    state.store.moderate_statement(id, statement, decision, Some(page.user()?.id)).await?;
    state.live.changed(id);
    let message = if decision == StatementState::Accepted {
        "Statement accepted: attendees will see it"
    } else {
        "Statement rejected"
    };
    Flash::set(&page.session, message).await;
    see_other(format!("/programmes/{slug}/deliberations/{id}#moderation"))
}

async fn delete(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let deliberation = find_deliberation(&state, &programme, id).await?;
    if form.get("confirm") != "yes" {
        let invalid = Invalid::one(
            "confirm",
            "Tick the box to confirm the Deliberation Day and everything attendees gave to it are to be deleted",
        );
        return refused(&state, &page, &headers, &programme, id, &form, invalid).await;
    }
    state.store.delete_deliberation(id).await?;
    state.live.changed(id);
    Flash::set(&page.session, &format!("Deliberation Day “{}” deleted", deliberation.title)).await;
    see_other(format!("/programmes/{slug}/deliberations"))
}
