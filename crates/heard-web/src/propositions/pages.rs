//! Proposition pages: the programme's list with each one's status and evidence, a new one, one
//! proposition with its evidence and breadth (flagged when no citizen is heard in it), its shapers,
//! status and history, and the forms that link evidence, count shapers and move its status; its
//! edit page, where an edit carries the version the person saw (409 with the text as it is now and
//! the person's words kept); and its versions with the difference between any two, word by word.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::governance::Action;
use heard_domain::propositions::diff::{self, Change};
use heard_domain::propositions::{EvidenceRef, PropositionInput, ShaperInput, ShaperKind, StatusChange, version};
use heard_store::horizon::signals::SignalFilter;
use heard_store::propositions::Proposition;
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/programmes/{slug}/propositions";
    const ONE: &str = "/programmes/{slug}/propositions/{id}";
    const EDIT: &str = "/programmes/{slug}/propositions/{id}/edit";
    vec![
        Route::get(LIST, Action::ViewPropositions, list),
        Route::post(LIST, Action::EditPropositions, create),
        Route::get("/programmes/{slug}/propositions/new", Action::EditPropositions, new),
        Route::get(ONE, Action::ViewPropositions, show),
        Route::get(EDIT, Action::EditPropositions, edit_page),
        Route::post(EDIT, Action::EditPropositions, edit),
        // Moves that decide need DecidePropositions too; the handler checks which move it is.
        Route::post("/programmes/{slug}/propositions/{id}/status", Action::EditPropositions, status),
        Route::post("/programmes/{slug}/propositions/{id}/evidence", Action::EditPropositions, link),
        Route::post("/programmes/{slug}/propositions/{id}/evidence/remove", Action::EditPropositions, unlink),
        Route::post("/programmes/{slug}/propositions/{id}/shapers", Action::EditPropositions, shapers),
        Route::get("/programmes/{slug}/propositions/{id}/versions", Action::ViewPropositions, versions),
    ]
}

pub(super) async fn find(state: &AppState, programme: &Programme, id: i64) -> Result<Proposition, PageError> {
    state.store.proposition(programme.id, id).await?.ok_or(PageError::NotFound)
}

fn path(programme: &Programme, id: i64) -> String {
    format!("/programmes/{}/propositions/{id}", programme.slug)
}

/// The status tag's colour class for a status code.
fn tag_class(status: heard_domain::propositions::PropositionStatus) -> &'static str {
    use heard_domain::propositions::PropositionStatus::*;
    match status {
        Draft => "govuk-tag--grey",
        OpenForDeliberation => "govuk-tag--blue",
        Recommended => "govuk-tag--turquoise",
        Commissioned => "govuk-tag--green",
        Declined => "govuk-tag--red",
        Withdrawn => "govuk-tag--grey",
    }
}

async fn render_list(state: &AppState, page: &Page, programme: &Programme) -> PageResult {
    let rows: Vec<Value> = state
        .store
        .propositions(programme.id)
        .await?
        .into_iter()
        .map(|p| {
            context! {
                id => p.id,
                title => p.title,
                status => p.status.label(),
                tag => tag_class(p.status),
                insights => p.insights,
                factors => p.factors,
                signals => p.signals,
                shapers => p.shapers,
                citizen_shapers => p.citizen_shapers,
                participants => p.breadth.participants,
                citizens => p.breadth.citizens,
                no_citizen_evidence => p.breadth.no_citizen_evidence,
            }
        })
        .collect();
    page.respond("propositions/list.html", context! { programme, propositions => rows }, None)
}

async fn list(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_list(&state, &page, &programme).await
}

async fn new(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    page.respond("propositions/new.html", context! { programme, values => FormFields::default().values() }, None)
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let refuse = |invalid: Invalid| {
        page.respond("propositions/new.html", context! { programme, values => form.values() }, Some(&invalid))
    };
    let input = match PropositionInput::parse(form.get("title"), form.get("change"), "") {
        Ok(input) => input,
        Err(invalid) => return refuse(invalid),
    };
    match state.store.create_proposition(programme.id, &input, Some(page.user()?.id)).await {
        Ok(id) => {
            Flash::set(&page.session, "Proposition written as a draft").await;
            see_other(path(&programme, id))
        }
        Err(StoreError::Invalid(invalid)) => refuse(invalid),
        Err(other) => Err(other.into()),
    }
}

/// The proposition page, as it is or again after a refused form (the person's values kept).
async fn render(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    p: &Proposition,
    values: Value,
    problem: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let may_decide = page.may(Action::DecidePropositions);
    let moves: Vec<Value> = p
        .status
        .moves()
        .iter()
        .filter(|to| may_decide || !p.status.move_needs_decision(**to))
        .map(|to| context! { value => to.code(), text => to.label() })
        .collect();
    let linked = p.evidence_refs();
    let mut insight_options = Vec::new();
    let mut factor_options = Vec::new();
    let mut signal_options = Vec::new();
    let mut activity_options = Vec::new();
    if page.may(Action::EditPropositions) {
        for insight in state.store.insights(programme.id).await? {
            if !linked.contains(&EvidenceRef::Insight(insight.id)) {
                insight_options.push(context! { value => insight.id.to_string(), text => insight.statement });
            }
        }
        for map in state.store.cause_maps(programme.id).await? {
            let Some(map) = state.store.cause_map(programme.id, map.id).await? else { continue };
            for factor in &map.factors {
                if !linked.contains(&EvidenceRef::Factor(factor.id)) {
                    let text = format!("{}: {}", map.title, factor.label);
                    factor_options.push(context! { value => factor.id.to_string(), text });
                }
            }
        }
        let filter = SignalFilter { programme_id: Some(programme.id), ..Default::default() };
        for signal in state.store.signals(filter).await? {
            if !linked.contains(&EvidenceRef::Signal(signal.id)) {
                signal_options.push(context! { value => signal.id.to_string(), text => signal.title });
            }
        }
        for activity in state.store.activities(programme.id).await? {
            activity_options.push(context! { value => activity.id.to_string(), text => activity.title });
        }
    }
    let shaped_by: Vec<Value> = p
        .shaped_by()
        .into_iter()
        .map(|(kind, count)| context! { kind => kind.label(), count, citizen => kind.is_citizen() })
        .collect();
    let shaper_total: i64 = p.shapers.iter().map(|s| s.count).sum();
    let citizen_shapers: i64 = p.shapers.iter().filter(|s| s.kind.is_citizen()).map(|s| s.count).sum();
    let shapers: Vec<Value> = p
        .shapers
        .iter()
        .map(|s| {
            context! {
                kind => s.kind.code(),
                label => s.kind.label(),
                count => s.count,
                activity => s.activity.as_ref().map(|a| a.title.clone()),
                activity_id => s.activity.as_ref().map(|a| a.id.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let history: Vec<Value> = p
        .history
        .iter()
        .rev()
        .map(|h| {
            context! {
                from => h.from.map(|s| s.label()),
                to => h.to.label(),
                note => h.note,
                by => h.changed_by.as_ref().map(|u| u.display_name.clone()),
                at => h.changed_at.date().to_string(),
            }
        })
        .collect();
    let kinds: Vec<Value> = ShaperKind::ALL.iter().map(|k| context! { value => k.code(), text => k.label() }).collect();
    let paragraphs: Vec<&str> = p.change.split("\n\n").map(str::trim).filter(|t| !t.is_empty()).collect();
    let ctx = context! {
        programme,
        p,
        paragraphs,
        tag => tag_class(p.status),
        status_label => p.status.label(),
        moves,
        reshape => p.status.may_reshape(),
        insight_options,
        factor_options,
        signal_options,
        activity_options,
        kinds,
        shaped_by,
        shaper_total,
        citizen_shapers,
        shapers,
        history,
        values,
    };
    match problem {
        None => page.respond("propositions/show.html", ctx, None),
        Some((status, invalid)) => {
            Ok((status, page.render_invalid("propositions/show.html", ctx, invalid)?).into_response())
        }
    }
}

/// The proposition page again after a refused form: 422 with the person's values and the reason
/// beside the field, or 409 when the proposition changed meanwhile, showing it as it is now.
async fn refused(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    id: i64,
    form: &FormFields,
    error: StoreError,
    field: &str,
) -> PageResult {
    let p = find(state, programme, id).await?;
    match error {
        StoreError::Invalid(invalid) => {
            render(state, page, programme, &p, form.values(), Some((StatusCode::UNPROCESSABLE_ENTITY, &invalid))).await
        }
        StoreError::Conflict { .. } => {
            let invalid = Invalid::one(
                field,
                format!(
                    "Someone else changed this proposition after you opened the page, so your change was not saved. It is now {}: check it, then make your change again.",
                    p.status.label().to_lowercase()
                ),
            );
            render(state, page, programme, &p, form.values(), Some((StatusCode::CONFLICT, &invalid))).await
        }
        other => Err(other.into()),
    }
}

async fn show(State(state): State<AppState>, page: Page, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let p = find(&state, &programme, id).await?;
    render(&state, &page, &programme, &p, FormFields::default().values(), None).await
}

async fn status(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let change = match StatusChange::parse(form.get("status"), form.get("from"), form.get("note")) {
        Ok(change) => change,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "status").await;
        }
    };
    if change.from.move_needs_decision(change.to) && !page.may(Action::DecidePropositions) {
        return Err(PageError::Forbidden);
    }
    match state.store.change_proposition_status(programme.id, id, &change, Some(page.user()?.id)).await {
        Ok(()) => {
            Flash::set(&page.session, &format!("Status changed to {}", change.to.label().to_lowercase())).await;
            see_other(format!("{}#history", path(&programme, id)))
        }
        Err(error) => refused(&state, &page, &programme, id, &form, error, "status").await,
    }
}

async fn link(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let evidence = match EvidenceRef::parse(form.get("insight"), form.get("factor"), form.get("signal")) {
        Ok(evidence) => evidence,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "insight").await;
        }
    };
    match state.store.link_proposition_evidence(programme.id, id, evidence, Some(page.user()?.id)).await {
        Ok(()) => {
            Flash::set(&page.session, "Evidence linked").await;
            see_other(format!("{}#evidence", path(&programme, id)))
        }
        Err(error) => refused(&state, &page, &programme, id, &form, error, evidence.field()).await,
    }
}

async fn unlink(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let evidence = EvidenceRef::parse(form.get("insight"), form.get("factor"), form.get("signal"))
        .map_err(|invalid| PageError::BadRequest(invalid.to_string()))?;
    state.store.unlink_proposition_evidence(programme.id, id, evidence).await?;
    Flash::set(&page.session, "Evidence unlinked").await;
    see_other(format!("{}#evidence", path(&programme, id)))
}

async fn shapers(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let input = match ShaperInput::parse(form.get("kind"), form.get("count"), form.get("activity")) {
        Ok(input) => input,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "kind").await;
        }
    };
    match state.store.set_proposition_shapers(programme.id, id, &input, Some(page.user()?.id)).await {
        Ok(()) => {
            Flash::set(&page.session, "Who shaped it updated").await;
            see_other(format!("{}#shapers", path(&programme, id)))
        }
        Err(error) => refused(&state, &page, &programme, id, &form, error, "kind").await,
    }
}

/// The edit page: as it is, again after a refused edit (422, the person's values), or after a
/// conflict (409): the form holds the text as it is now, with the person's words shown beside it.
fn render_edit(
    page: &Page,
    programme: &Programme,
    p: &Proposition,
    values: Value,
    theirs: Option<Value>,
    problem: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let ctx = context! { programme, p, values, theirs };
    match problem {
        None => page.respond("propositions/edit.html", ctx, None),
        Some((status, invalid)) => {
            Ok((status, page.render_invalid("propositions/edit.html", ctx, invalid)?).into_response())
        }
    }
}

fn current_values(p: &Proposition) -> Value {
    context! { title => p.title, change => p.change, note => "", version => p.version.to_string() }
}

async fn edit_page(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let p = find(&state, &programme, id).await?;
    render_edit(&page, &programme, &p, current_values(&p), None, None)
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let parsed = PropositionInput::parse(form.get("title"), form.get("change"), form.get("note"))
        .and_then(|input| Ok((input, version("title", form.get("version"))?)));
    let result = match &parsed {
        Ok((input, seen)) => state.store.edit_proposition(programme.id, id, *seen, input, Some(page.user()?.id)).await,
        Err(invalid) => Err(StoreError::Invalid(invalid.clone())),
    };
    match result {
        Ok(version) => {
            Flash::set(&page.session, &format!("Saved as version {version}")).await;
            see_other(path(&programme, id))
        }
        Err(StoreError::Invalid(invalid)) => {
            let p = find(&state, &programme, id).await?;
            let problem = Some((StatusCode::UNPROCESSABLE_ENTITY, &invalid));
            render_edit(&page, &programme, &p, form.values(), None, problem)
        }
        Err(StoreError::Conflict { .. }) => {
            let p = find(&state, &programme, id).await?;
            let invalid = Invalid::one(
                "title",
                format!(
                    "Someone else saved version {} of this proposition after you opened it, so your edit was not saved. The form now shows their version; your words are below it to copy back.",
                    p.version
                ),
            );
            let theirs = context! { title => form.get("title"), change => form.get("change") };
            render_edit(&page, &programme, &p, current_values(&p), Some(theirs), Some((StatusCode::CONFLICT, &invalid)))
        }
        Err(other) => Err(other.into()),
    }
}

/// Which two versions to compare: `from` and `to`, by default the one before the latest and the
/// latest.
#[derive(Debug, Default, Deserialize)]
struct Compare {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

async fn versions(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(compare): Query<Compare>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let p = find(&state, &programme, id).await?;
    let latest = p.version;
    let pick = |raw: &Option<String>, default: i64| {
        raw.as_deref()
            .and_then(|r| r.trim().parse::<i64>().ok())
            .filter(|v| (1..=latest).contains(v))
            .unwrap_or(default)
    };
    let to = pick(&compare.to, latest);
    let from = pick(&compare.from, (to - 1).max(1));
    let text = |v: i64| p.versions.iter().find(|x| x.version == v);
    let (Some(old), Some(new)) = (text(from), text(to)) else {
        return Err(PageError::NotFound);
    };
    let pieces = |old: &str, new: &str| -> Vec<Value> {
        diff::words(old, new)
            .into_iter()
            .map(|piece| {
                let change = match piece.change {
                    Change::Same => "same",
                    Change::Removed => "removed",
                    Change::Added => "added",
                };
                context! { change, text => piece.text }
            })
            .collect()
    };
    let options: Vec<Value> = p
        .versions
        .iter()
        .map(|v| context! { value => v.version.to_string(), text => format!("Version {}", v.version) })
        .collect();
    let listed: Vec<Value> = p
        .versions
        .iter()
        .rev()
        .map(|v| {
            context! {
                version => v.version,
                title => v.title,
                note => v.note,
                by => v.edited_by.as_ref().map(|u| u.display_name.clone()),
                at => v.edited_at.date().to_string(),
            }
        })
        .collect();
    let ctx = context! {
        programme,
        p,
        from,
        to,
        options,
        versions => listed,
        title_diff => pieces(&old.title, &new.title),
        change_diff => pieces(&old.change, &new.change),
    };
    page.respond("propositions/versions.html", ctx, None)
}
