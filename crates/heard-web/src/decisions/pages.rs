//! Decision pages: the programme's decisions (with whether its "You said, we did" page is
//! published, and the form that publishes it), recording one (the room's ranking beside the
//! propositions, a reason box for each proposition the room ranked; a departure without its reason
//! refused by field, 422, nothing saved), one decision with its departures and reasons, changing
//! it (the same form filled in, the rule applied again; a form older than the decision's version
//! is 409, nothing saved) and deleting it after a confirmation (refused while its outcomes have
//! measurements).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::dates::display;
use heard_domain::decisions::{DeciderKind, DecisionFields, favoured, ordinal, reason_field};
use heard_domain::governance::Action;
use heard_store::decisions::{Decision, measured_refusal};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};

use super::{Context, Refused, assess, change, money, record};
use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/programmes/{slug}/decisions";
    vec![
        Route::get(LIST, Action::ViewDecisions, list),
        Route::post(LIST, Action::RecordDecisions, create),
        Route::get("/programmes/{slug}/decisions/new", Action::RecordDecisions, new),
        Route::post("/programmes/{slug}/decisions/publish", Action::PublishDecisions, publish),
        Route::get("/programmes/{slug}/decisions/{id}", Action::ViewDecisions, show),
        Route::get("/programmes/{slug}/decisions/{id}/edit", Action::RecordDecisions, edit),
        Route::post("/programmes/{slug}/decisions/{id}/edit", Action::RecordDecisions, update),
        Route::get("/programmes/{slug}/decisions/{id}/delete", Action::RecordDecisions, confirm_delete),
        Route::post("/programmes/{slug}/decisions/{id}/delete", Action::RecordDecisions, delete),
    ]
}

pub(super) async fn find(state: &AppState, programme: &Programme, id: i64) -> Result<Decision, PageError> {
    state.store.decision(programme.id, id).await?.ok_or(PageError::NotFound)
}

async fn list(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decisions: Vec<Value> = state
        .store
        .decisions(programme.id)
        .await?
        .into_iter()
        .map(|d| {
            context! {
                id => d.id,
                title => d.title,
                decided_on => display(d.decided_on),
                decided_by => d.decided_by,
                decided_by_kind => d.decided_by_kind.label(),
                budget => d.budget_pence.map(money),
                propositions => d.propositions,
                departures => d.departures,
            }
        })
        .collect();
    let published = state.store.you_said_we_did_published(programme.id).await?;
    page.respond(
        "decisions/list.html",
        context! {
            programme,
            decisions,
            published => published.map(|at| display(at.date())),
            may_record => page.may(Action::RecordDecisions),
            may_publish => page.may(Action::PublishDecisions),
        },
        None,
    )
}

/// The form for a new decision or for changing `editing`, as it is or again with the values as
/// typed and the errors (422, or `status` when given).
async fn render_form(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    editing: Option<&Decision>,
    form: &FormFields,
    invalid: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let ticked = form.all("propositions");
    let context = Context::load(state, programme, editing).await?;
    let ranks: BTreeMap<i64, (u32, u32)> = context
        .room
        .as_ref()
        .map(|r| r.ranks.iter().map(|x| (x.proposition_id, (x.rank, x.ranked))).collect())
        .unwrap_or_default();
    let propositions: Vec<Value> = context
        .titles
        .iter()
        .map(|(id, title)| {
            let place = ranks.get(id).copied();
            let hint = match place {
                Some((rank, ranked)) if favoured(rank, ranked) => {
                    if context.taken_before.contains(id) {
                        format!("Ranked {} of {ranked} by the room: favoured, and already taken up", ordinal(rank))
                    } else {
                        format!("Ranked {} of {ranked} by the room: favoured", ordinal(rank))
                    }
                }
                Some((rank, ranked)) => format!("Ranked {} of {ranked} by the room: not favoured", ordinal(rank)),
                None => "Not prioritised at a Deliberation Day".to_owned(),
            };
            let reason_hint = match place {
                Some((rank, ranked)) if favoured(rank, ranked) => {
                    "Needed if this decision does not take it up and no earlier decision did".to_owned()
                }
                Some(_) => "Needed if this decision takes it up".to_owned(),
                None => String::new(),
            };
            context! {
                value => id.to_string(),
                text => title,
                hint,
                ranked => place.is_some(),
                reason_field => reason_field(*id),
                reason => form.get(&reason_field(*id)),
                reason_hint,
            }
        })
        .collect();
    let room = context.room.as_ref().map(|r| {
        context! {
            title => r.deliberation.title,
            held_on => display(r.deliberation.held_on),
            id => r.deliberation.id,
            prioritisation => r.prioritisation.label(),
        }
    });
    let kinds: Vec<Value> =
        DeciderKind::ALL.iter().map(|k| context! { value => k.code(), text => k.label() }).collect();
    let ctx = context! {
            programme,
            editing => editing.map(|d| context! { id => d.id, title => d.title }),
            heading => editing.map_or_else(|| "Record a decision".to_owned(), |d| format!("Change “{}”", d.title)),
            values => form.values(),
            dates => context! {
                period_start => form.date_parts("period_start"),
                period_end => form.date_parts("period_end"),
                decided_on => form.date_parts("decided_on"),
            },
            ticked,
            propositions,
            room,
            kinds,
    };
    match invalid {
        None => page.respond("decisions/new.html", ctx, None),
        Some((status, invalid)) => {
            Ok((status, page.render_invalid("decisions/new.html", ctx, invalid)?).into_response())
        }
    }
}

async fn new(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_form(&state, &page, &programme, None, &FormFields::default(), None).await
}

/// The form's fields as the domain reads them, and the reasons typed by proposition.
fn fields_of(form: &FormFields) -> (DecisionFields, BTreeMap<i64, String>) {
    let fields = DecisionFields {
        title: form.get("title").to_owned(),
        service_change: form.get("service_change").to_owned(),
        budget: form.get("budget").to_owned(),
        period_start: form.date_parts("period_start"),
        period_end: form.date_parts("period_end"),
        decided_by_kind: form.get("decided_by_kind").to_owned(),
        decided_by: form.get("decided_by").to_owned(),
        decided_on: form.date_parts("decided_on"),
        rationale: form.get("rationale").to_owned(),
        propositions: form.all("propositions").to_vec(),
    };
    (fields, reasons_of(form))
}

/// `reason-{id}` fields by proposition id.
pub(super) fn reasons_of(form: &FormFields) -> BTreeMap<i64, String> {
    let values = form.values();
    let mut reasons = BTreeMap::new();
    if let Ok(keys) = values.try_iter() {
        for key in keys {
            let Some(name) = key.as_str() else { continue };
            if let Some(id) = name.strip_prefix("reason-").and_then(|id| id.parse::<i64>().ok()) {
                reasons.insert(id, form.get(name).to_owned());
            }
        }
    }
    reasons
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let (fields, reasons) = fields_of(&form);
    let by = page.user()?.id;
    let recorded = match assess(&state, &programme, &fields, &reasons, None).await {
        Ok(assessed) => record(&state, &programme, &assessed, by).await,
        Err(refused) => Err(refused),
    };
    match recorded {
        Ok(id) => {
            Flash::set(&page.session, "Decision recorded").await;
            see_other(format!("/programmes/{}/decisions/{id}", programme.slug))
        }
        Err(Refused::Invalid(invalid)) => {
            let problem = Some((StatusCode::UNPROCESSABLE_ENTITY, &invalid));
            render_form(&state, &page, &programme, None, &form, problem).await
        }
        Err(Refused::Store(error)) => Err(error.into()),
    }
}

/// The form's fields filled in from a decision as saved, with its version.
fn filled(d: &Decision) -> FormFields {
    let mut form = FormFields::default();
    form.set("title", d.title.clone());
    form.set("service_change", d.service_change.clone());
    form.set("budget", d.budget_pence.map(money).unwrap_or_default());
    for (name, date) in
        [("period_start", d.period_start), ("period_end", d.period_end), ("decided_on", Some(d.decided_on))]
    {
        let parts = heard_domain::dates::DateParts::from_date(date);
        form.set(&format!("{name}.day"), parts.day);
        form.set(&format!("{name}.month"), parts.month);
        form.set(&format!("{name}.year"), parts.year);
    }
    form.set("decided_by_kind", d.decided_by_kind.code());
    form.set("decided_by", d.decided_by.clone());
    form.set("rationale", d.rationale.clone());
    form.set_all("propositions", d.propositions.iter().map(|p| p.id.to_string()).collect());
    for x in &d.departures {
        form.set(&reason_field(x.proposition_id), x.reason.clone());
    }
    form.set("version", d.version.to_string());
    form
}

async fn edit(State(state): State<AppState>, page: Page, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find(&state, &programme, id).await?;
    render_form(&state, &page, &programme, Some(&decision), &filled(&decision), None).await
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find(&state, &programme, id).await?;
    let (fields, reasons) = fields_of(&form);
    let by = page.user()?.id;
    // A form without the version it was opened at is as stale as one with an older version.
    let seen = form.get("version").trim().parse::<i64>().unwrap_or(0);
    let changed = match assess(&state, &programme, &fields, &reasons, Some(&decision)).await {
        Ok(assessed) => change(&state, &programme, id, seen, &assessed, by).await,
        Err(refused) => Err(refused),
    };
    match changed {
        Ok(_) => {
            Flash::set(&page.session, "Decision changed").await;
            see_other(format!("/programmes/{}/decisions/{id}", programme.slug))
        }
        Err(Refused::Invalid(invalid)) => {
            let problem = Some((StatusCode::UNPROCESSABLE_ENTITY, &invalid));
            let mut form = form;
            form.set("version", seen.to_string());
            render_form(&state, &page, &programme, Some(&decision), &form, problem).await
        }
        Err(Refused::Store(StoreError::Conflict { .. })) => {
            let current = find(&state, &programme, id).await?;
            let invalid = Invalid::one(
                "title",
                format!(
                    "Someone else changed this decision after you opened it, so your change was not saved. The form now shows the decision as they saved it (version {}): check it, then make your change again.",
                    current.version
                ),
            );
            render_form(
                &state,
                &page,
                &programme,
                Some(&current),
                &filled(&current),
                Some((StatusCode::CONFLICT, &invalid)),
            )
            .await
        }
        Err(Refused::Store(error)) => Err(error.into()),
    }
}

/// The confirmation page, refusing when the decision's outcomes have measurements.
async fn render_delete(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    decision: &Decision,
    status: StatusCode,
) -> PageResult {
    let outcomes = state.store.outcomes(programme.id, Some(decision.id)).await?;
    let measured: usize = outcomes.iter().map(|o| o.measurements.len()).sum();
    let ctx = context! {
        programme,
        decision => context! { id => decision.id, title => decision.title },
        outcomes => outcomes.len(),
        reviews => outcomes.iter().map(|o| o.reviews.len()).sum::<usize>(),
        refusal => (measured > 0).then(|| measured_refusal(measured as i64)),
        propositions => decision.propositions.len(),
    };
    Ok((status, page.render("decisions/delete.html", ctx)?).into_response())
}

async fn confirm_delete(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find(&state, &programme, id).await?;
    render_delete(&state, &page, &programme, &decision, StatusCode::OK).await
}

async fn delete(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(_form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find(&state, &programme, id).await?;
    match state.store.delete_decision(programme.id, id, Some(page.user()?.id)).await {
        Ok(()) => {
            Flash::set(&page.session, &format!("Decision “{}” deleted", decision.title)).await;
            see_other(format!("/programmes/{}/decisions", programme.slug))
        }
        Err(StoreError::Invalid(_)) => render_delete(&state, &page, &programme, &decision, StatusCode::CONFLICT).await,
        Err(error) => Err(error.into()),
    }
}

async fn publish(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let published = match form.get("publish") {
        "yes" => true,
        "no" => false,
        _ => return Err(PageError::BadRequest("publish must be yes or no".to_owned())),
    };
    state.store.publish_you_said_we_did(programme.id, published, Some(page.user()?.id)).await?;
    let message = if published { "You said, we did is published" } else { "You said, we did is no longer published" };
    Flash::set(&page.session, message).await;
    see_other(format!("/programmes/{}/decisions", programme.slug))
}

/// A decision as templates show it.
pub(super) fn decision_context(d: &Decision) -> Value {
    let departures: Vec<Value> = d
        .departures
        .iter()
        .map(|x| {
            context! {
                proposition_id => x.proposition_id,
                title => x.proposition_title,
                kind => x.kind.label(),
                not_taken_up => x.kind == heard_domain::decisions::DepartureKind::NotTakenUp,
                place => format!("{} of {}", ordinal(u32::try_from(x.rank).unwrap_or(0)), x.ranked),
                reason => x.reason,
            }
        })
        .collect();
    context! {
        id => d.id,
        title => d.title,
        service_change => d.service_change,
        budget => d.budget_pence.map(money),
        period_start => d.period_start.map(display),
        period_end => d.period_end.map(display),
        decided_by_kind => d.decided_by_kind.label(),
        decided_by => d.decided_by,
        decided_on => display(d.decided_on),
        rationale => d.rationale,
        deliberation => d.deliberation.as_ref().map(|g| context! { id => g.id, title => g.title, held_on => display(g.held_on) }),
        propositions => d.propositions.iter().map(|p| context! { id => p.id, title => p.title, status => p.status.label() }).collect::<Vec<_>>(),
        departures,
    }
}

async fn show(State(state): State<AppState>, page: Page, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let decision = find(&state, &programme, id).await?;
    let ctx = context! {
        programme,
        decision => decision_context(&decision),
        may_change => page.may(Action::RecordDecisions),
    };
    page.respond("decisions/show.html", ctx, None)
}
