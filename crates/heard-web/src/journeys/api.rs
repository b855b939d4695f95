//! `/api/v1` for journeys: programmes, their stages and how they move, activities with their
//! attendance, and who was in the room.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::error::{Collector, optional_text};
use heard_domain::governance::{Action, Sector};
use heard_domain::journeys::{
    ActivityKind, Attendance, AttendeeKind, ProgrammeStatus, Room, Slug, StageTemplate, activity_title, notes,
    programme_aim, programme_name, short_text,
};
use heard_domain::{FieldError, Invalid, dates};
use heard_store::{
    Activity, Move, NewActivity, NewProgramme, Programme, ProgrammeChange, ProgrammeSummary, Stage, StageChange,
    StoreError,
};
use serde::{Deserialize, Deserializer, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/v1/programmes", Action::ViewProgrammes, list_programmes),
        Route::post("/api/v1/programmes", Action::CreateProgramme, create_programme),
        Route::get("/api/v1/programmes/{slug}", Action::ViewProgrammes, get_programme),
        Route::patch("/api/v1/programmes/{slug}", Action::EditProgramme, update_programme),
        Route::get("/api/v1/programmes/{slug}/stages", Action::ViewProgrammes, list_stages),
        Route::patch("/api/v1/programmes/{slug}/stages/{position}", Action::UpdateJourney, update_stage),
        Route::post("/api/v1/programmes/{slug}/stages/{position}/move", Action::UpdateJourney, move_stage),
        Route::get("/api/v1/programmes/{slug}/activities", Action::ViewProgrammes, list_activities),
        Route::post("/api/v1/programmes/{slug}/activities", Action::RecordActivity, create_activity),
        Route::get("/api/v1/programmes/{slug}/activities/{id}", Action::ViewProgrammes, get_activity),
        Route::put("/api/v1/programmes/{slug}/activities/{id}", Action::RecordActivity, update_activity),
        Route::delete("/api/v1/programmes/{slug}/activities/{id}", Action::RecordActivity, delete_activity),
        Route::get("/api/v1/programmes/{slug}/room", Action::ViewProgrammes, room),
    ]
}

/// The programme at `slug`, or the API's 404.
/// The programme a slug in an API path names, or the API's 404: every area's API starts here.
pub(crate) async fn programme_at(state: &AppState, slug: &str) -> Result<Programme, ApiError> {
    state.store.programme(slug).await?.ok_or_else(ApiError::not_found)
}

/// The store names some fields as the pages do (`partners`); the API names them as its body does.
fn in_body_terms(error: StoreError, renames: &[(&str, &str)]) -> ApiError {
    match error {
        StoreError::Invalid(Invalid(fields)) => Invalid(
            fields
                .into_iter()
                .map(|FieldError { field, message }| {
                    let field =
                        renames.iter().find(|(from, _)| *from == field).map_or(field, |(_, to)| (*to).to_owned());
                    FieldError { field, message }
                })
                .collect(),
        )
        .into(),
        other => other.into(),
    }
}

const PROGRAMME_FIELDS: &[(&str, &str)] = &[("lead_commissioner", "lead_commissioner_id"), ("partners", "partner_ids")];
const ACTIVITY_FIELDS: &[(&str, &str)] = &[("stage", "stage_position")];

/// Tells a field left out (`None`) from one sent as `null` (`Some(None)`), for PATCH bodies where
/// `null` clears a value.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

// ---- Programmes ----

/// Every programme with how far along its journey it is, by name.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "journeys",
    responses((status = 200, body = Vec<ProgrammeSummary>), (status = 401, body = ApiErrorBody)))]
pub async fn list_programmes(State(state): State<AppState>) -> Result<ApiJson<Vec<ProgrammeSummary>>, ApiError> {
    Ok(ApiJson(state.store.programmes().await?))
}

/// A programme and its journey.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgrammeDetail {
    #[serde(flatten)]
    pub programme: Programme,
    /// The journey, by position.
    pub stages: Vec<Stage>,
}

async fn detail(state: &AppState, programme: Programme) -> Result<ProgrammeDetail, ApiError> {
    let stages = state.store.stages(programme.id).await?;
    Ok(ProgrammeDetail { programme, stages })
}

/// A programme to start.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewProgrammeRequest {
    /// Its name in web addresses, e.g. `early-years`; made from `name` when left out.
    #[serde(default)]
    pub slug: Option<String>,
    pub name: String,
    pub aim: String,
    /// `active` when left out.
    #[serde(default)]
    pub status: Option<ProgrammeStatus>,
    /// An active commissioner or administrator.
    #[serde(default)]
    pub lead_commissioner_id: Option<i64>,
    #[serde(default)]
    pub partner_ids: Vec<i64>,
}

/// Starts a programme; its journey is a copy of the organisation's template, every stage not started.
#[utoipa::path(post, path = "/api/v1/programmes", tag = "journeys", request_body = NewProgrammeRequest,
    responses((status = 201, body = ProgrammeDetail), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody, description = "The slug is already in use"),
        (status = 422, body = ApiErrorBody)))]
pub async fn create_programme(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewProgrammeRequest>,
) -> Result<(StatusCode, ApiJson<ProgrammeDetail>), ApiError> {
    let mut errors = Collector::new();
    let name = errors.take(programme_name("name", &body.name));
    let aim = errors.take(programme_aim("aim", &body.aim));
    let slug = match (&body.slug, &name) {
        (Some(raw), _) => errors.take(Slug::parse("slug", raw)),
        (None, Some(name)) => {
            let slug = Slug::from_name(name);
            if slug.is_none() {
                errors.push(
                    "slug",
                    "Enter a short name for web addresses: the name has no letters or numbers to make one from",
                );
            }
            slug
        }
        (None, None) => None,
    };
    let new = errors.finish(|| match (slug, name, aim) {
        (Some(slug), Some(name), Some(aim)) => Some(NewProgramme {
            slug,
            name,
            aim,
            status: body.status.unwrap_or(ProgrammeStatus::Active),
            lead_commissioner_id: body.lead_commissioner_id,
            partner_ids: body.partner_ids,
        }),
        _ => None,
    })?;
    let new = new.ok_or_else(|| ApiError::internal("a parsed programme field was missing"))?;
    let programme = state.store.create_programme(&new).await.map_err(|e| in_body_terms(e, PROGRAMME_FIELDS))?;
    Ok((StatusCode::CREATED, ApiJson(detail(&state, programme).await?)))
}

/// A programme and its journey.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}", tag = "journeys",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = ProgrammeDetail), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_programme(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<ProgrammeDetail>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(detail(&state, programme).await?))
}

/// What to change about a programme; fields left out stay as they are. The slug never changes, so
/// links keep working.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProgrammeChangeRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub aim: Option<String>,
    #[serde(default)]
    pub status: Option<ProgrammeStatus>,
    /// `null` removes the lead commissioner.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub lead_commissioner_id: Option<Option<i64>>,
    /// Replaces the partners.
    #[serde(default)]
    pub partner_ids: Option<Vec<i64>>,
}

/// Changes a programme's name, aim, status, lead commissioner or partners.
#[utoipa::path(patch, path = "/api/v1/programmes/{slug}", tag = "journeys", request_body = ProgrammeChangeRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = ProgrammeDetail), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_programme(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<ProgrammeChangeRequest>,
) -> Result<ApiJson<ProgrammeDetail>, ApiError> {
    let current = programme_at(&state, &slug).await?;
    let mut errors = Collector::new();
    let name = match &body.name {
        Some(raw) => errors.take(programme_name("name", raw)),
        None => Some(current.name.clone()),
    };
    let aim = match &body.aim {
        Some(raw) => errors.take(programme_aim("aim", raw)),
        None => Some(current.aim.clone()),
    };
    let change = errors.finish(|| ProgrammeChange {
        name: name.unwrap_or_default(),
        aim: aim.unwrap_or_default(),
        status: body.status.unwrap_or(current.status),
        lead_commissioner_id: body
            .lead_commissioner_id
            .unwrap_or_else(|| current.lead_commissioner.as_ref().map(|lead| lead.id)),
        partner_ids: body.partner_ids.unwrap_or_else(|| current.partners.iter().map(|p| p.id).collect()),
    })?;
    let programme =
        state.store.update_programme(current.id, &change).await.map_err(|e| in_body_terms(e, PROGRAMME_FIELDS))?;
    Ok(ApiJson(detail(&state, programme).await?))
}

// ---- Stages ----

/// A programme's journey, by position.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/stages", tag = "journeys",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = Vec<Stage>), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list_stages(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Vec<Stage>>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(state.store.stages(programme.id).await?))
}

/// What to change about a stage; fields left out stay as they are. Its status changes only by
/// moving it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StageChangeRequest {
    /// `YYYY-MM-DD`, or `null` to clear.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<Option<String>>,
    /// `YYYY-MM-DD`, or `null` to clear; not before `starts_on`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<Option<String>>,
    #[serde(default)]
    pub exit_criteria: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Edits a stage's dates, exit criteria and notes.
#[utoipa::path(patch, path = "/api/v1/programmes/{slug}/stages/{position}", tag = "journeys", request_body = StageChangeRequest,
    params(("slug" = String, Path, description = "The programme's slug"),
        ("position" = i32, Path, description = "The stage's position in the journey, 1 for the first")),
    responses((status = 200, body = Stage), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_stage(
    State(state): State<AppState>,
    ApiPath((slug, position)): ApiPath<(String, i32)>,
    ApiJson(body): ApiJson<StageChangeRequest>,
) -> Result<ApiJson<Stage>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let stages = state.store.stages(programme.id).await?;
    let current = stages.into_iter().find(|s| s.position == position).ok_or_else(ApiError::not_found)?;
    let mut errors = Collector::new();
    let mut date = |field: &str, sent: &Option<Option<String>>, current| match sent {
        None => current,
        Some(None) => None,
        Some(Some(raw)) => errors.take(dates::parse_iso(field, raw)),
    };
    let starts_on = date("starts_on", &body.starts_on, current.starts_on);
    let ends_on = date("ends_on", &body.ends_on, current.ends_on);
    let exit_criteria = match &body.exit_criteria {
        Some(raw) => errors.take(optional_text("exit_criteria", "the exit criteria", raw, StageTemplate::MAX_TEXT)),
        None => Some(Some(current.exit_criteria)),
    };
    let notes = match &body.notes {
        Some(raw) => errors.take(notes("notes", raw)),
        None => Some(current.notes),
    };
    let change = errors.finish(|| StageChange {
        starts_on,
        ends_on,
        exit_criteria: exit_criteria.flatten().unwrap_or_default(),
        notes: notes.unwrap_or_default(),
    })?;
    Ok(ApiJson(state.store.update_stage(programme.id, position, &change).await?))
}

/// Which way a stage moves.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Not started → in progress → complete.
    Forward,
    /// Reopen: complete → in progress → not started.
    Back,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MoveRequest {
    pub direction: Direction,
}

/// Moves a stage one step under the journey rules: stages may overlap but not skip, a stage
/// completes only after every earlier one, and a stage reopens only if no later one is ahead of it.
/// Moving forward fills in an unset start date (and, on completion, end date) with today.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/stages/{position}/move", tag = "journeys", request_body = MoveRequest,
    params(("slug" = String, Path, description = "The programme's slug"),
        ("position" = i32, Path, description = "The stage's position in the journey, 1 for the first")),
    responses((status = 200, body = Stage), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "`transition_not_allowed`: the rules forbid this move; the message says why")))]
pub async fn move_stage(
    State(state): State<AppState>,
    ApiPath((slug, position)): ApiPath<(String, i32)>,
    ApiJson(body): ApiJson<MoveRequest>,
) -> Result<ApiJson<Stage>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let direction = match body.direction {
        Direction::Forward => Move::Forward,
        Direction::Back => Move::Back,
    };
    let today = time::OffsetDateTime::now_utc().date();
    Ok(ApiJson(state.store.move_stage(programme.id, position, direction, today).await?))
}

// ---- Activities ----

/// A programme's activities, most recently held first.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/activities", tag = "journeys",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = Vec<Activity>), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list_activities(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Vec<Activity>>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(state.store.activities(programme.id).await?))
}

/// An activity as recorded or replaced.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActivityRequest {
    pub kind: ActivityKind,
    pub title: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub facilitator: String,
    #[serde(default)]
    pub notes: Option<String>,
    /// The stage of the journey it belongs to, if any.
    #[serde(default)]
    pub stage_position: Option<i32>,
    #[serde(default)]
    pub attendance: AttendanceRequest,
}

/// Head counts by sector and by kind of person. Either may be left out; when both are given they
/// count the same people and must add up to the same total.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AttendanceRequest {
    /// By sector code, e.g. `{"health": 30, "citizen": 12}`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_sector: BTreeMap<Sector, u32>,
    /// By kind of person: `professional`, `service_user`, `carer`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_kind: BTreeMap<AttendeeKind, u32>,
}

impl ActivityRequest {
    fn parse(self) -> Result<NewActivity, Invalid> {
        let mut errors = Collector::new();
        let title = errors.take(activity_title("title", &self.title));
        let held_on = errors.take(dates::parse_iso("held_on", &self.held_on));
        let place = errors.take(short_text("place", "the place", &self.place));
        let facilitator = errors.take(short_text("facilitator", "the facilitator", &self.facilitator));
        let notes = errors.take(notes("notes", self.notes.as_deref().unwrap_or_default()));
        let attendance = Attendance { by_sector: self.attendance.by_sector, by_kind: self.attendance.by_kind };
        errors.take(attendance.check());
        let activity = errors.finish(|| {
            held_on.map(|held_on| NewActivity {
                stage_position: self.stage_position,
                kind: self.kind,
                title: title.unwrap_or_default(),
                held_on,
                place: place.unwrap_or_default(),
                facilitator: facilitator.unwrap_or_default(),
                notes: notes.unwrap_or_default(),
                attendance,
            })
        })?;
        activity.ok_or_else(|| Invalid::one("held_on", "Enter a date in the form YYYY-MM-DD"))
    }
}

/// Records an activity and who was in the room.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/activities", tag = "journeys", request_body = ActivityRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = Activity), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_activity(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<ActivityRequest>,
) -> Result<(StatusCode, ApiJson<Activity>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let new = body.parse()?;
    let activity =
        state.store.create_activity(programme.id, &new).await.map_err(|e| in_body_terms(e, ACTIVITY_FIELDS))?;
    Ok((StatusCode::CREATED, ApiJson(activity)))
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/activities/{id}", tag = "journeys",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The activity's id")),
    responses((status = 200, body = Activity), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_activity(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<Activity>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let activity = state.store.activity(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(activity))
}

/// Replaces an activity's content and attendance.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/activities/{id}", tag = "journeys", request_body = ActivityRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The activity's id")),
    responses((status = 200, body = Activity), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_activity(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ActivityRequest>,
) -> Result<ApiJson<Activity>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let change = body.parse()?;
    let activity =
        state.store.update_activity(programme.id, id, &change).await.map_err(|e| in_body_terms(e, ACTIVITY_FIELDS))?;
    Ok(ApiJson(activity))
}

/// Removes an activity and its attendance.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/activities/{id}", tag = "journeys",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The activity's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn delete_activity(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    state.store.delete_activity(programme.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Who was in the room ----

/// Who was in the room across the programme's activities, by sector and by kind of person.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/room", tag = "journeys",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = Room), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn room(State(state): State<AppState>, ApiPath(slug): ApiPath<String>) -> Result<ApiJson<Room>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(state.store.room(programme.id).await?))
}
