//! Learning log pages: a programme's reflections, latest first, all or of one kind (`?kind=up`),
//! with the form to write one (kind, words, date, and the stage, activity or decision it is
//! about); a reflection's own page where its writer, and only its writer, changes or deletes it.

use axum::extract::{Query, State};
use heard_domain::Invalid;
use heard_domain::dates::DateParts;
use heard_domain::governance::Action;
use heard_domain::learning::{ReflectionFields, ReflectionInput, ReflectionKind};
use heard_store::Programme;
use heard_store::StoreError;
use heard_store::learning::{Reflection, ReflectionFilter};
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/programmes/{slug}/reflections";
    const ONE: &str = "/programmes/{slug}/reflections/{id}";
    vec![
        Route::get(LIST, Action::ViewLearning, list),
        Route::post(LIST, Action::WriteReflections, create),
        // Only the writer may change or delete a reflection; the handlers check who that is.
        Route::get(ONE, Action::ViewLearning, show),
        Route::post(ONE, Action::WriteReflections, edit),
        Route::post("/programmes/{slug}/reflections/{id}/delete", Action::WriteReflections, delete),
    ]
}

pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn fields(form: &FormFields) -> ReflectionFields {
    ReflectionFields {
        kind: form.get("kind").to_owned(),
        text: form.get("text").to_owned(),
        written_on: form.date_parts("written_on"),
        stage: form.get("stage").to_owned(),
        activity: form.get("activity").to_owned(),
        decision: form.get("decision").to_owned(),
    }
}

/// A form's values as the templates take them, the date as its three parts.
fn values(form: &FormFields) -> Value {
    context! { written_on => form.date_parts("written_on"), ..form.values() }
}

fn values_of(input: &ReflectionInput) -> Value {
    let mut values = FormFields::default();
    values.set("kind", input.kind.code());
    values.set("text", input.text.clone());
    let parts = DateParts::from_date(Some(input.written_on));
    values.set("written_on.day", parts.day);
    values.set("written_on.month", parts.month);
    values.set("written_on.year", parts.year);
    values.set("stage", input.stage_id.map(|id| id.to_string()).unwrap_or_default());
    values.set("activity", input.activity_id.map(|id| id.to_string()).unwrap_or_default());
    values.set("decision", input.decision_id.map(|id| id.to_string()).unwrap_or_default());
    self::values(&values)
}

/// A blank form, dated today.
fn fresh_values() -> Value {
    let mut values = FormFields::default();
    let parts = DateParts::from_date(Some(today()));
    values.set("written_on.day", parts.day);
    values.set("written_on.month", parts.month);
    values.set("written_on.year", parts.year);
    self::values(&values)
}

/// The stages, activities and decisions a reflection may be linked to, as select options.
async fn link_options(state: &AppState, programme: &Programme) -> Result<Value, PageError> {
    let stages: Vec<Value> = state
        .store
        .stages(programme.id)
        .await?
        .iter()
        .map(|s| context! { value => s.id.to_string(), text => format!("{}. {}", s.position, s.name) })
        .collect();
    let activities: Vec<Value> = state
        .store
        .activities(programme.id)
        .await?
        .iter()
        .map(|a| {
            let text = format!("{} ({})", a.title, heard_domain::dates::display(a.held_on));
            context! { value => a.id.to_string(), text }
        })
        .collect();
    let decisions: Vec<Value> = state
        .store
        .decision_refs(programme.id)
        .await?
        .iter()
        .map(|d| {
            let text = format!("{} ({})", d.title, heard_domain::dates::display(d.decided_on));
            context! { value => d.id.to_string(), text }
        })
        .collect();
    Ok(context! { stages, activities, decisions })
}

/// One reflection as the templates show it, with whether the person looking wrote it.
fn row(reflection: &Reflection, me: i64) -> Value {
    context! {
        id => reflection.id,
        kind => reflection.kind.code(),
        kind_label => reflection.kind.label(),
        tag => tag_class(reflection.kind),
        text => reflection.text,
        written_on => reflection.written_on.to_string(),
        written_by => reflection.written_by.as_ref().map(|u| u.display_name.clone()),
        stage => reflection.stage,
        activity => reflection.activity,
        decision => reflection.decision,
        mine => reflection.written_by.as_ref().is_some_and(|u| u.id == me),
    }
}

/// The tag colour of a reflection's kind.
pub(crate) fn tag_class(kind: ReflectionKind) -> &'static str {
    match kind {
        ReflectionKind::Up => "govuk-tag--green",
        ReflectionKind::Down => "govuk-tag--red",
        ReflectionKind::Surprise => "govuk-tag--purple",
        ReflectionKind::Lesson => "govuk-tag--blue",
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ListQuery {
    kind: String,
}

async fn render_list(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    kind: Option<ReflectionKind>,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let me = page.user()?.id;
    let filter = ReflectionFilter { kind, ..Default::default() };
    let reflections: Vec<Value> =
        state.store.reflections(programme.id, filter).await?.iter().map(|r| row(r, me)).collect();
    let kinds: Vec<Value> = ReflectionKind::ALL
        .iter()
        .map(|k| context! { value => k.code(), text => k.label(), current => Some(*k) == kind })
        .collect();
    let options = link_options(state, programme).await?;
    let ctx = context! {
        programme,
        reflections,
        kinds,
        kind => kind.map(|k| k.code()),
        options,
        values,
        may_write => page.may(Action::WriteReflections),
    };
    page.respond("learning/list.html", ctx, invalid)
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    // An unknown kind shows every reflection, so a stale link still opens.
    let kind = query.kind.trim().parse().ok();
    render_list(&state, &page, &programme, kind, fresh_values(), None).await
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let input = match ReflectionInput::parse(&fields(&form), today()) {
        Ok(input) => input,
        Err(invalid) => return render_list(&state, &page, &programme, None, values(&form), Some(&invalid)).await,
    };
    match state.store.create_reflection(programme.id, &input, page.user()?.id).await {
        Ok(_) => {
            Flash::set(&page.session, "Reflection added to the learning log").await;
            see_other(format!("/programmes/{}/reflections", programme.slug))
        }
        Err(StoreError::Invalid(invalid)) => {
            render_list(&state, &page, &programme, None, values(&form), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn find(state: &AppState, programme: &Programme, id: i64) -> Result<Reflection, PageError> {
    state.store.reflection(programme.id, id).await?.ok_or(PageError::NotFound)
}

/// The reflection, found, if the person asking wrote it; `Forbidden` otherwise.
async fn find_own(state: &AppState, page: &Page, programme: &Programme, id: i64) -> Result<Reflection, PageError> {
    let reflection = find(state, programme, id).await?;
    if reflection.written_by.as_ref().map(|u| u.id) != Some(page.user()?.id) {
        return Err(PageError::Forbidden);
    }
    Ok(reflection)
}

async fn render_one(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    reflection: &Reflection,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let me = page.user()?.id;
    let options = link_options(state, programme).await?;
    let ctx = context! {
        programme,
        reflection => row(reflection, me),
        options,
        values,
        may_write => page.may(Action::WriteReflections),
    };
    page.respond("learning/reflection.html", ctx, invalid)
}

async fn show(State(state): State<AppState>, page: Page, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let reflection = find(&state, &programme, id).await?;
    let values = values_of(&reflection.input());
    render_one(&state, &page, &programme, &reflection, values, None).await
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let reflection = find_own(&state, &page, &programme, id).await?;
    let input = match ReflectionInput::parse(&fields(&form), today()) {
        Ok(input) => input,
        Err(invalid) => return render_one(&state, &page, &programme, &reflection, values(&form), Some(&invalid)).await,
    };
    match state.store.edit_reflection(programme.id, id, &input).await {
        Ok(()) => {
            Flash::set(&page.session, "Reflection changed").await;
            see_other(format!("/programmes/{}/reflections/{id}", programme.slug))
        }
        Err(StoreError::Invalid(invalid)) => {
            render_one(&state, &page, &programme, &reflection, values(&form), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Deletes a reflection once its writer ticks the box confirming it.
async fn delete(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let reflection = find_own(&state, &page, &programme, id).await?;
    if form.get("confirm") != "yes" {
        let invalid = Invalid::one("confirm", "Tick the box to confirm you want to delete this reflection");
        let values = values_of(&reflection.input());
        return render_one(&state, &page, &programme, &reflection, values, Some(&invalid)).await;
    }
    state.store.delete_reflection(programme.id, id).await?;
    Flash::set(&page.session, "Reflection deleted").await;
    see_other(format!("/programmes/{}/reflections", programme.slug))
}
