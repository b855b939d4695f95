//! Journey pages: the dashboard of programmes, a programme with its journey and who was in the
//! room, each stage, and the activities along the way.

use axum::extract::State;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::dates::DateParts;
use heard_domain::error::{Collector, optional_text};
use heard_domain::governance::{Action, Role, Sector};
use heard_domain::journeys::{
    ActivityKind, Attendance, AttendeeKind, ProgrammeStatus, Slug, activity_title, notes, programme_aim,
    programme_name, short_text,
};
use heard_domain::vocabulary::parse_code;
use heard_store::{Move, NewActivity, NewProgramme, Programme, ProgrammeChange, StageChange, StoreError};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields, NoFields};
use crate::error::{PageError, PagePath};
use crate::render::{Flash, Page, PageResult, see_other, unprocessable};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/", Action::ViewProgrammes, dashboard),
        Route::get("/programmes/new", Action::CreateProgramme, new_programme_form),
        Route::post("/programmes/new", Action::CreateProgramme, create_programme),
        Route::get("/programmes/{slug}", Action::ViewProgrammes, programme),
        Route::get("/programmes/{slug}/edit", Action::EditProgramme, edit_programme_form),
        Route::post("/programmes/{slug}/edit", Action::EditProgramme, update_programme),
        Route::get("/programmes/{slug}/stages/{position}", Action::ViewProgrammes, stage),
        Route::post("/programmes/{slug}/stages/{position}", Action::UpdateJourney, update_stage),
        Route::post("/programmes/{slug}/stages/{position}/move", Action::UpdateJourney, move_stage),
        Route::get("/programmes/{slug}/activities/new", Action::RecordActivity, new_activity_form),
        Route::post("/programmes/{slug}/activities/new", Action::RecordActivity, create_activity),
        Route::get("/programmes/{slug}/activities/{id}", Action::ViewProgrammes, activity),
        Route::get("/programmes/{slug}/activities/{id}/edit", Action::RecordActivity, edit_activity_form),
        Route::post("/programmes/{slug}/activities/{id}/edit", Action::RecordActivity, update_activity),
        Route::post("/programmes/{slug}/activities/{id}/delete", Action::RecordActivity, delete_activity),
    ]
}

/// The programme at `slug`, or the page 404; other areas' pages under `/programmes/{slug}` use it too.
pub(crate) async fn find_programme(state: &AppState, slug: &str) -> Result<Programme, PageError> {
    state.store.programme(slug).await?.ok_or(PageError::NotFound)
}

async fn dashboard(State(state): State<AppState>, page: Page) -> PageResult {
    let programmes = state.store.programmes().await?;
    // Outcome reviews on or before today and not yet done, for those who read decisions.
    let reviews_due = if page.may(Action::ViewDecisions) {
        state.store.reviews_due(time::OffsetDateTime::now_utc().date()).await?
    } else {
        Vec::new()
    };
    Ok(page.render("journeys/dashboard.html", context! { programmes, reviews_due })?.into_response())
}

async fn programme(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let stages = state.store.stages(programme.id).await?;
    let activities = state.store.activities(programme.id).await?;
    let room = state.store.room(programme.id).await?;
    let missing_kinds: Vec<&str> = room.missing_kinds().iter().map(|k| k.code()).collect();
    let ctx = context! { programme, stages, activities, room, missing_kinds };
    Ok(page.render("journeys/programme.html", ctx)?.into_response())
}

// Creating and editing programmes

/// Options for the lead commissioner: active commissioners and administrators.
async fn lead_options(state: &AppState) -> Result<Vec<Value>, PageError> {
    let users = state.store.users().await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && matches!(u.role, Role::Commissioner | Role::Administrator))
        .map(|u| context! { value => u.id.to_string(), text => u.display_name })
        .collect())
}

async fn partner_options(state: &AppState) -> Result<Vec<Value>, PageError> {
    let partners = state.store.partners().await?;
    Ok(partners
        .into_iter()
        .map(|p| context! { value => p.id.to_string(), text => format!("{} ({})", p.name, p.sector.label()) })
        .collect())
}

async fn render_programme_form(state: &AppState, page: &Page, ctx: Value, invalid: Option<&Invalid>) -> PageResult {
    let ctx = context! { leads => lead_options(state).await?, partner_options => partner_options(state).await?, ..ctx };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("journeys/programme_form.html", ctx, invalid_input)),
        None => Ok(page.render("journeys/programme_form.html", ctx)?.into_response()),
    }
}

async fn new_programme_form(State(state): State<AppState>, page: Page) -> PageResult {
    let mut values = FormFields::default();
    values.set("status", ProgrammeStatus::Active.code());
    let ctx = context! { values => values.values(), action => "/programmes/new", creating => true };
    render_programme_form(&state, &page, ctx, None).await
}

/// The fields both creating and editing a programme share.
struct ProgrammeFields {
    name: String,
    aim: String,
    status: ProgrammeStatus,
    lead_commissioner_id: Option<i64>,
    partner_ids: Vec<i64>,
}

fn parse_programme(form: &FormFields, errors: &mut Collector) -> Option<ProgrammeFields> {
    let name = errors.take(programme_name("name", form.get("name")));
    let aim = errors.take(programme_aim("aim", form.get("aim")));
    let status = errors.take(parse_code::<ProgrammeStatus>("status", "a status", form.get("status")));
    let lead_commissioner_id = match form.get("lead_commissioner").trim() {
        "" => Some(None),
        id => errors.take(
            id.parse::<i64>()
                .map(Some)
                .map_err(|_| Invalid::one("lead_commissioner", "Choose a commissioner from the list")),
        ),
    };
    let partner_ids = form
        .all("partners")
        .iter()
        .map(|id| id.parse::<i64>().map_err(|_| Invalid::one("partners", "Choose partners from the list")))
        .collect::<Result<Vec<_>, _>>();
    let partner_ids = errors.take(partner_ids);
    Some(ProgrammeFields {
        name: name?,
        aim: aim?,
        status: status?,
        lead_commissioner_id: lead_commissioner_id?,
        partner_ids: partner_ids?,
    })
}

async fn create_programme(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let ctx = context! { values => form.values(), action => "/programmes/new", creating => true };
    let mut errors = Collector::new();
    let fields = parse_programme(&form, &mut errors);
    let slug = match form.get("slug").trim() {
        "" => match fields.as_ref().and_then(|f| Slug::from_name(&f.name)) {
            Some(slug) => Some(slug),
            None if fields.is_some() => {
                errors.push("slug", "Enter a short name for web addresses, like early-years");
                None
            }
            None => None,
        },
        raw => errors.take(Slug::parse("slug", raw)),
    };
    let (fields, slug) = match errors.finish(|| (fields, slug)) {
        Ok((Some(fields), Some(slug))) => (fields, slug),
        Ok(_) => return Err(PageError::Internal("a parsed field went missing".into())),
        Err(invalid_input) => return render_programme_form(&state, &page, ctx, Some(&invalid_input)).await,
    };
    let new = NewProgramme {
        slug,
        name: fields.name,
        aim: fields.aim,
        status: fields.status,
        lead_commissioner_id: fields.lead_commissioner_id,
        partner_ids: fields.partner_ids,
    };
    match state.store.create_programme(&new).await {
        Ok(programme) => {
            Flash::set(&page.session, "Programme created").await;
            see_other(format!("/programmes/{}", programme.slug))
        }
        Err(StoreError::Duplicate { .. }) => {
            let taken = Invalid::one("slug", "There is already a programme with that short name: choose another");
            render_programme_form(&state, &page, ctx, Some(&taken)).await
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_programme_form(&state, &page, ctx, Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn edit_programme_form(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let mut values = FormFields::default();
    values.set("name", &programme.name);
    values.set("aim", &programme.aim);
    values.set("status", programme.status.code());
    values.set("lead_commissioner", programme.lead_commissioner.as_ref().map(|l| l.id.to_string()).unwrap_or_default());
    values.set_all("partners", programme.partners.iter().map(|p| p.id.to_string()).collect());
    let ctx = context! { values => values.values(), programme, action => format!("/programmes/{slug}/edit"), creating => false };
    render_programme_form(&state, &page, ctx, None).await
}

async fn update_programme(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let ctx = context! { values => form.values(), programme, action => format!("/programmes/{slug}/edit"), creating => false };
    let mut errors = Collector::new();
    let fields = parse_programme(&form, &mut errors);
    let fields = match errors.finish(|| fields) {
        Ok(Some(fields)) => fields,
        Ok(None) => return Err(PageError::Internal("a parsed field went missing".into())),
        Err(invalid_input) => return render_programme_form(&state, &page, ctx, Some(&invalid_input)).await,
    };
    let change = ProgrammeChange {
        name: fields.name,
        aim: fields.aim,
        status: fields.status,
        lead_commissioner_id: fields.lead_commissioner_id,
        partner_ids: fields.partner_ids,
    };
    match state.store.update_programme(programme.id, &change).await {
        Ok(_) => {
            Flash::set(&page.session, "Programme updated").await;
            see_other(format!("/programmes/{slug}"))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_programme_form(&state, &page, ctx, Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}

// Stages

async fn render_stage(
    state: &AppState,
    page: &Page,
    slug: &str,
    position: i32,
    values: Option<Value>,
    invalid: Option<&Invalid>,
) -> PageResult {
    let programme = find_programme(state, slug).await?;
    let stages = state.store.stages(programme.id).await?;
    let stage = stages.iter().find(|s| s.position == position).cloned().ok_or(PageError::NotFound)?;
    let activities: Vec<_> = state
        .store
        .activities(programme.id)
        .await?
        .into_iter()
        .filter(|a| a.stage_position == Some(position))
        .collect();
    let values = values.unwrap_or_else(|| {
        context! {
            starts_on => DateParts::from_date(stage.starts_on),
            ends_on => DateParts::from_date(stage.ends_on),
            exit_criteria => stage.exit_criteria,
            notes => stage.notes,
        }
    });
    let ctx = context! { programme, stage, stages_total => stages.len(), activities, values };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("journeys/stage.html", ctx, invalid_input)),
        None => Ok(page.render("journeys/stage.html", ctx)?.into_response()),
    }
}

async fn stage(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, position)): PagePath<(String, i32)>,
) -> PageResult {
    render_stage(&state, &page, &slug, position, None, None).await
}

async fn update_stage(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, position)): PagePath<(String, i32)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let (starts, ends) = (form.date_parts("starts_on"), form.date_parts("ends_on"));
    let mut errors = Collector::new();
    let starts_on = errors.take(starts.parse("starts_on", "the start date"));
    let ends_on = errors.take(ends.parse("ends_on", "the end date"));
    let exit_criteria =
        errors.take(optional_text("exit_criteria", "the exit criteria", form.get("exit_criteria"), 2000));
    let notes = errors.take(notes("notes", form.get("notes")));
    if let (Some(Some(start)), Some(Some(end))) = (starts_on, ends_on)
        && end < start
    {
        errors.push("ends_on", "The end date must be the same as or after the start date");
    }
    let values = context! { starts_on => starts, ends_on => ends, exit_criteria => form.get("exit_criteria"), notes => form.get("notes") };
    let change = match errors.finish(|| (starts_on, ends_on, exit_criteria, notes)) {
        Ok((Some(starts_on), Some(ends_on), Some(exit_criteria), Some(notes))) => {
            StageChange { starts_on, ends_on, exit_criteria: exit_criteria.unwrap_or_default(), notes }
        }
        Ok(_) => return Err(PageError::Internal("a parsed field went missing".into())),
        Err(invalid_input) => {
            return render_stage(&state, &page, &slug, position, Some(values), Some(&invalid_input)).await;
        }
    };
    match state.store.update_stage(programme.id, position, &change).await {
        Ok(_) => {
            Flash::set(&page.session, "Stage saved").await;
            see_other(format!("/programmes/{slug}/stages/{position}"))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_stage(&state, &page, &slug, position, Some(values), Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    direction: String,
}

async fn move_stage(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, position)): PagePath<(String, i32)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let direction = match form.direction.as_str() {
        "back" => Move::Back,
        _ => Move::Forward,
    };
    let today = time::OffsetDateTime::now_utc().date();
    match state.store.move_stage(programme.id, position, direction, today).await {
        Ok(stage) => {
            Flash::set(&page.session, &format!("“{}” is now {}", stage.name, stage.status.label().to_lowercase()))
                .await;
            see_other(format!("/programmes/{slug}/stages/{position}"))
        }
        Err(StoreError::Transition(reason)) => {
            let refused = Invalid::one("move", reason.to_string());
            render_stage(&state, &page, &slug, position, None, Some(&refused)).await
        }
        Err(other) => Err(other.into()),
    }
}

// Activities

/// The activity form's fields as typed, for showing again.
fn activity_values(form: &FormFields) -> Value {
    context! { held_on => form.date_parts("held_on"), ..form.values() }
}

fn parse_activity(form: &FormFields, stage_count: usize) -> Result<NewActivity, Invalid> {
    let mut errors = Collector::new();
    let kind = errors.take(parse_code::<ActivityKind>("kind", "the kind of activity", form.get("kind")));
    let title = errors.take(activity_title("title", form.get("title")));
    let held_on = form.required_date(&mut errors, "held_on", "the date of the activity");
    let place = errors.take(short_text("place", "the place", form.get("place")));
    let facilitator = errors.take(short_text("facilitator", "the facilitator", form.get("facilitator")));
    let notes = errors.take(notes("notes", form.get("notes")));
    let stage_position = match form.get("stage").trim() {
        "" => Some(None),
        raw => match raw.parse::<i32>() {
            Ok(n) if n >= 1 && usize::try_from(n).is_ok_and(|n| n <= stage_count) => Some(Some(n)),
            _ => {
                errors.push("stage", "Choose a stage from the list");
                None
            }
        },
    };
    let attendance = errors.take(Attendance::parse(
        Sector::ALL.iter().map(|s| (*s, form.get(&format!("attendance.sector.{}", s.code())))),
        AttendeeKind::ALL.iter().map(|k| (*k, form.get(&format!("attendance.kind.{}", k.code())))),
    ));
    errors.finish(|| ())?;
    match (kind, title, held_on, place, facilitator, notes, stage_position, attendance) {
        (
            Some(kind),
            Some(title),
            Some(held_on),
            Some(place),
            Some(facilitator),
            Some(notes),
            Some(stage_position),
            Some(attendance),
        ) => Ok(NewActivity { stage_position, kind, title, held_on, place, facilitator, notes, attendance }),
        _ => Err(Invalid::one("title", "Enter a title")),
    }
}

async fn render_activity_form(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    activity_id: Option<i64>,
    invalid: Option<&Invalid>,
) -> PageResult {
    let stages = state.store.stages(programme.id).await?;
    let stage_options: Vec<Value> = stages
        .iter()
        .map(|s| context! { value => s.position.to_string(), text => format!("{}. {}", s.position, s.name) })
        .collect();
    let action = match activity_id {
        Some(id) => format!("/programmes/{}/activities/{id}/edit", programme.slug),
        None => format!("/programmes/{}/activities/new", programme.slug),
    };
    let ctx = context! { programme, stage_options, values, action, activity_id };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("journeys/activity_form.html", ctx, invalid_input)),
        None => Ok(page.render("journeys/activity_form.html", ctx)?.into_response()),
    }
}

async fn new_activity_form(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_activity_form(&state, &page, &programme, activity_values(&FormFields::default()), None, None).await
}

async fn create_activity(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let stage_count = state.store.stages(programme.id).await?.len();
    let new = match parse_activity(&form, stage_count) {
        Ok(new) => new,
        Err(invalid_input) => {
            return render_activity_form(&state, &page, &programme, activity_values(&form), None, Some(&invalid_input))
                .await;
        }
    };
    let activity = state.store.create_activity(programme.id, &new).await?;
    Flash::set(&page.session, "Activity recorded").await;
    see_other(format!("/programmes/{slug}/activities/{}", activity.id))
}

async fn activity(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let activity = state.store.activity(programme.id, id).await?.ok_or(PageError::NotFound)?;
    let stage = match activity.stage_position {
        Some(position) => state.store.stages(programme.id).await?.into_iter().find(|s| s.position == position),
        None => None,
    };
    Ok(page.render("journeys/activity.html", context! { programme, activity, stage })?.into_response())
}

async fn edit_activity_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let activity = state.store.activity(programme.id, id).await?.ok_or(PageError::NotFound)?;
    let mut values = FormFields::default();
    values.set("kind", activity.kind.code());
    values.set("title", &activity.title);
    let held_on = DateParts::from_date(Some(activity.held_on));
    values.set("held_on.day", held_on.day);
    values.set("held_on.month", held_on.month);
    values.set("held_on.year", held_on.year);
    values.set("place", &activity.place);
    values.set("facilitator", &activity.facilitator);
    values.set("notes", &activity.notes);
    values.set("stage", activity.stage_position.map(|p| p.to_string()).unwrap_or_default());
    for (sector, n) in &activity.attendance.by_sector {
        values.set(&format!("attendance.sector.{}", sector.code()), n.to_string());
    }
    for (kind, n) in &activity.attendance.by_kind {
        values.set(&format!("attendance.kind.{}", kind.code()), n.to_string());
    }
    render_activity_form(&state, &page, &programme, activity_values(&values), Some(id), None).await
}

async fn update_activity(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    state.store.activity(programme.id, id).await?.ok_or(PageError::NotFound)?;
    let stage_count = state.store.stages(programme.id).await?.len();
    let change = match parse_activity(&form, stage_count) {
        Ok(change) => change,
        Err(invalid_input) => {
            return render_activity_form(
                &state,
                &page,
                &programme,
                activity_values(&form),
                Some(id),
                Some(&invalid_input),
            )
            .await;
        }
    };
    state.store.update_activity(programme.id, id, &change).await?;
    Flash::set(&page.session, "Activity updated").await;
    see_other(format!("/programmes/{slug}/activities/{id}"))
}

async fn delete_activity(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    state.store.delete_activity(programme.id, id).await?;
    Flash::set(&page.session, "Activity removed").await;
    see_other(format!("/programmes/{slug}"))
}
