//! `/api/v1` for horizon scanning: signals (filters, create, edit, scoring history, re-score and
//! review, links to programmes and factors, due for review), drivers (create, edit, their
//! signals), the radar and matrix as SVG, and CSV export and import (all or nothing, problems by
//! row and column).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use heard_domain::dates::{DateParts, parse_iso};
use heard_domain::governance::Action;
use heard_domain::horizon::csv::{self, CsvLayout};
use heard_domain::horizon::signals::{DriverFields, DriverInput, Scoring, ScoringFields, SignalFields, SignalInput};
use heard_domain::{FieldError, Invalid};
use heard_store::horizon::{Driver, Signal, SignalScore};
use serde::{Deserialize, Serialize};

use super::FilterQuery;
use super::exchange::{ExportQuery, csv_bytes};
use super::picture::{self, RadarLabels};
use super::signals::parse_new;
use super::{radar_entries, radar_labels};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath, ApiQuery};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/v1/signals", Action::ViewSignals, list_signals),
        Route::post("/api/v1/signals", Action::ManageSignals, create_signal),
        Route::get("/api/v1/signals/review", Action::ViewSignals, signals_due),
        Route::get("/api/v1/signals/radar.svg", Action::ViewSignals, radar_svg),
        Route::get("/api/v1/signals/matrix.svg", Action::ViewSignals, matrix_svg),
        Route::get("/api/v1/signals/export", Action::ViewSignals, export_signals),
        Route::post("/api/v1/signals/import", Action::ManageSignals, import_signals),
        Route::get("/api/v1/signals/{id}", Action::ViewSignals, get_signal),
        Route::put("/api/v1/signals/{id}", Action::ManageSignals, edit_signal),
        Route::delete("/api/v1/signals/{id}", Action::ManageSignals, delete_signal),
        Route::get("/api/v1/signals/{id}/scores", Action::ViewSignals, signal_scores),
        Route::post("/api/v1/signals/{id}/scores", Action::ManageSignals, rescore_signal),
        Route::put("/api/v1/signals/{id}/programmes/{slug}", Action::ManageSignals, link_programme),
        Route::delete("/api/v1/signals/{id}/programmes/{slug}", Action::ManageSignals, unlink_programme),
        Route::put("/api/v1/signals/{id}/factors/{factor_id}", Action::ManageSignals, link_factor),
        Route::delete("/api/v1/signals/{id}/factors/{factor_id}", Action::ManageSignals, unlink_factor),
        Route::get("/api/v1/drivers", Action::ViewSignals, list_drivers),
        Route::post("/api/v1/drivers", Action::ManageSignals, create_driver),
        Route::get("/api/v1/drivers/{id}", Action::ViewSignals, get_driver),
        Route::put("/api/v1/drivers/{id}", Action::ManageSignals, edit_driver),
        Route::delete("/api/v1/drivers/{id}", Action::ManageSignals, delete_driver),
        Route::put("/api/v1/drivers/{id}/signals", Action::ManageSignals, set_driver_signals),
    ]
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignalsBody {
    pub signals: Vec<Signal>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoresBody {
    /// Every scoring, oldest first: the last is current, the one before shows movement.
    pub scores: Vec<SignalScore>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DriversBody {
    pub drivers: Vec<Driver>,
}

/// Filters for lists, pictures and export: codes, and a programme's slug.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SignalQuery {
    /// A programme's slug: its linked signals only.
    pub programme: String,
    /// A category code (`social`, `technological`, ...), primary or not.
    pub category: String,
    /// `h1`, `h2` or `h3`.
    pub horizon: String,
    /// `signal`, `trend`, `driver` or `wild_card`.
    pub kind: String,
}

impl SignalQuery {
    fn filter(self) -> FilterQuery {
        FilterQuery { programme: self.programme, category: self.category, horizon: self.horizon, kind: self.kind }
    }
}

async fn chosen_signals(state: &AppState, query: SignalQuery) -> Result<Vec<Signal>, ApiError> {
    let chosen = query.filter().resolve(state).await?.ok_or_else(ApiError::not_found)?;
    Ok(state.store.signals(chosen.filter).await?)
}

/// Signals, by title, filtered by programme, category, horizon and kind.
#[utoipa::path(get, path = "/api/v1/signals", tag = "horizon", params(SignalQuery),
    responses((status = 200, body = SignalsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn list_signals(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SignalQuery>,
) -> Result<ApiJson<SignalsBody>, ApiError> {
    Ok(ApiJson(SignalsBody { signals: chosen_signals(&state, query).await? }))
}

/// A signal's fields as JSON: dates as `YYYY-MM-DD`, categories as codes with the primary first.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SignalRequest {
    pub title: String,
    pub summary: String,
    pub source_url: Option<String>,
    pub source_publication: Option<String>,
    /// `YYYY-MM-DD`.
    pub spotted_on: String,
    pub spotted_by: Option<String>,
    pub categories: Vec<String>,
    pub kind: String,
    pub so_what: Option<String>,
    /// `YYYY-MM-DD`, or left out for none.
    pub review_on: Option<String>,
}

impl SignalRequest {
    fn fields(self, errors: &mut Vec<FieldError>) -> SignalFields {
        let mut date = |field: &str, raw: &str| {
            if raw.trim().is_empty() {
                return DateParts::default();
            }
            match parse_iso(field, raw) {
                Ok(date) => DateParts::from_date(Some(date)),
                Err(Invalid(mut found)) => {
                    errors.append(&mut found);
                    DateParts::default()
                }
            }
        };
        let spotted_on = date("spotted_on", &self.spotted_on);
        let review_on = date("review_on", self.review_on.as_deref().unwrap_or(""));
        SignalFields {
            title: self.title,
            summary: self.summary,
            source_url: self.source_url.unwrap_or_default(),
            source_publication: self.source_publication.unwrap_or_default(),
            spotted_on,
            spotted_by: self.spotted_by.unwrap_or_default(),
            categories: self.categories,
            primary_category: String::new(),
            kind: self.kind,
            so_what: self.so_what.unwrap_or_default(),
            review_on,
        }
    }
}

/// One scoring as JSON.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScoringRequest {
    /// `h1`, `h2` or `h3`.
    pub horizon: String,
    /// 1 to 5.
    pub impact: Option<i64>,
    /// 1 to 5.
    pub uncertainty: Option<i64>,
    /// `low`, `medium` or `high`.
    pub confidence: String,
    pub note: Option<String>,
}

impl ScoringRequest {
    fn fields(self) -> ScoringFields {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        ScoringFields {
            horizon: self.horizon,
            impact: number(self.impact),
            uncertainty: number(self.uncertainty),
            confidence: self.confidence,
            note: self.note.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewSignalRequest {
    #[serde(flatten)]
    pub signal: SignalRequest,
    /// Its first scores.
    pub scores: ScoringRequest,
    /// Slugs of the programmes it is linked to.
    pub programmes: Vec<String>,
}

fn with_date_errors<T>(parsed: Result<T, Invalid>, mut date_errors: Vec<FieldError>) -> Result<T, Invalid> {
    match parsed {
        Ok(value) if date_errors.is_empty() => Ok(value),
        Ok(_) => Err(Invalid(date_errors)),
        Err(Invalid(found)) => {
            // A date that did not parse is reported once, as not a date.
            let mut all: Vec<FieldError> =
                found.into_iter().filter(|e| !date_errors.iter().any(|d| d.field == e.field)).collect();
            all.append(&mut date_errors);
            Err(Invalid(all))
        }
    }
}

/// Adds a signal with its first scores, linked to the programmes named.
#[utoipa::path(post, path = "/api/v1/signals", tag = "horizon", request_body = NewSignalRequest,
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn create_signal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(request): ApiJson<NewSignalRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let mut date_errors = Vec::new();
    let fields = request.signal.fields(&mut date_errors);
    let (signal, scoring) = with_date_errors(parse_new(&fields, &request.scores.fields()), date_errors)?;
    let mut programme_ids = Vec::new();
    for (i, slug) in request.programmes.iter().enumerate() {
        let programme =
            state.store.programme(slug).await?.ok_or_else(|| {
                ApiError::from(Invalid::one(format!("programmes[{i}]"), "No programme has this slug"))
            })?;
        programme_ids.push(programme.id);
    }
    let id = state.store.create_signal(&signal, &scoring, &programme_ids, user.id).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id })))
}

async fn signal_at(state: &AppState, id: i64) -> Result<Signal, ApiError> {
    state.store.signal(id).await?.ok_or_else(ApiError::not_found)
}

/// A signal whole: current and previous scores, programmes, factors.
#[utoipa::path(get, path = "/api/v1/signals/{id}", tag = "horizon", params(("id" = i64, Path)),
    responses((status = 200, body = Signal), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get_signal(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<ApiJson<Signal>, ApiError> {
    Ok(ApiJson(signal_at(&state, id).await?))
}

/// Changes a signal's descriptive fields; its scores change only by re-scoring.
#[utoipa::path(put, path = "/api/v1/signals/{id}", tag = "horizon", params(("id" = i64, Path)), request_body = SignalRequest,
    responses((status = 200, body = Signal), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn edit_signal(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<SignalRequest>,
) -> Result<ApiJson<Signal>, ApiError> {
    signal_at(&state, id).await?;
    let mut date_errors = Vec::new();
    let fields = request.fields(&mut date_errors);
    let input = with_date_errors(SignalInput::parse(&fields), date_errors)?;
    state.store.edit_signal(id, &input).await?;
    Ok(ApiJson(signal_at(&state, id).await?))
}

/// Deletes a signal with its scores and links.
#[utoipa::path(delete, path = "/api/v1/signals/{id}", tag = "horizon", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn delete_signal(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    signal_at(&state, id).await?;
    state.store.delete_signal(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every scoring of a signal, oldest first.
#[utoipa::path(get, path = "/api/v1/signals/{id}/scores", tag = "horizon", params(("id" = i64, Path)),
    responses((status = 200, body = ScoresBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn signal_scores(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<ScoresBody>, ApiError> {
    Ok(ApiJson(ScoresBody { scores: state.store.signal_history(id).await? }))
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RescoreRequest {
    #[serde(flatten)]
    pub scores: ScoringRequest,
    /// True: this is a review, which sets the next review date (`review_on`, or none).
    pub reviewed: bool,
    /// `YYYY-MM-DD`: the next review date, for a review.
    pub review_on: Option<String>,
}

/// Scores a signal again (every earlier scoring is kept); as a review, sets the next review date.
#[utoipa::path(post, path = "/api/v1/signals/{id}/scores", tag = "horizon", params(("id" = i64, Path)),
    request_body = RescoreRequest,
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn rescore_signal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RescoreRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    signal_at(&state, id).await?;
    let next = match request.review_on.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Some(parse_iso("review_on", raw)),
        _ => None,
    };
    let scoring = Scoring::parse(&request.scores.fields());
    let scoring = with_date_errors(scoring, next.clone().and_then(Result::err).map(|i| i.0).unwrap_or_default())?;
    let next = next.and_then(Result::ok);
    let score_id = if request.reviewed || next.is_some() {
        state.store.review_signal(id, &scoring, next, user.id).await?
    } else {
        state.store.rescore_signal(id, &scoring, user.id).await?
    };
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id: score_id })))
}

async fn programme_id(state: &AppState, slug: &str) -> Result<i64, ApiError> {
    Ok(state.store.programme(slug).await?.ok_or_else(ApiError::not_found)?.id)
}

/// Links a signal to a programme.
#[utoipa::path(put, path = "/api/v1/signals/{id}/programmes/{slug}", tag = "horizon",
    params(("id" = i64, Path), ("slug" = String, Path)),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn link_programme(
    State(state): State<AppState>,
    ApiPath((id, slug)): ApiPath<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_id(&state, &slug).await?;
    state.store.link_signal_programme(id, programme).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlinks a signal from a programme.
#[utoipa::path(delete, path = "/api/v1/signals/{id}/programmes/{slug}", tag = "horizon",
    params(("id" = i64, Path), ("slug" = String, Path)),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn unlink_programme(
    State(state): State<AppState>,
    ApiPath((id, slug)): ApiPath<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_id(&state, &slug).await?;
    state.store.unlink_signal_programme(id, programme).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Links a signal to a cause-map factor, by the factor's id.
#[utoipa::path(put, path = "/api/v1/signals/{id}/factors/{factor_id}", tag = "horizon",
    params(("id" = i64, Path), ("factor_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn link_factor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, factor)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state.store.link_signal_factor(id, factor, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlinks a signal from a cause-map factor.
#[utoipa::path(delete, path = "/api/v1/signals/{id}/factors/{factor_id}", tag = "horizon",
    params(("id" = i64, Path), ("factor_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn unlink_factor(
    State(state): State<AppState>,
    ApiPath((id, factor)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state.store.unlink_signal_factor(id, factor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signals due for review today or before, earliest first; `programme` narrows them.
#[utoipa::path(get, path = "/api/v1/signals/review", tag = "horizon", params(SignalQuery),
    responses((status = 200, body = SignalsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn signals_due(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SignalQuery>,
) -> Result<ApiJson<SignalsBody>, ApiError> {
    let chosen = query.filter().resolve(&state).await?.ok_or_else(ApiError::not_found)?;
    let today = time::OffsetDateTime::now_utc().date();
    let signals = state.store.signals_due_for_review(today, chosen.programme.map(|p| p.id)).await?;
    Ok(ApiJson(SignalsBody { signals }))
}

fn svg(body: String) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"))], body).into_response()
}

/// The radar as SVG: rings are horizons, sectors categories, each signal a numbered link.
#[utoipa::path(get, path = "/api/v1/signals/radar.svg", tag = "horizon", params(SignalQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn radar_svg(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SignalQuery>,
) -> Result<Response, ApiError> {
    let signals = chosen_signals(&state, query).await?;
    let (sectors, rings) = radar_labels();
    let labels = RadarLabels { title: "Radar of signals", sectors: &sectors, rings: &rings };
    let drawn = picture::radar(&labels, &radar_entries(&signals)).map_err(ApiError::internal)?;
    Ok(svg(drawn.svg))
}

/// The signals' impact-by-uncertainty matrix as SVG, with the candidates' corner marked.
#[utoipa::path(get, path = "/api/v1/signals/matrix.svg", tag = "horizon", params(SignalQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn matrix_svg(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SignalQuery>,
) -> Result<Response, ApiError> {
    let programme = query.programme.clone();
    let signals = chosen_signals(&state, query).await?;
    let programme_id = match programme.trim() {
        "" => None,
        slug => Some(programme_id(&state, slug).await?),
    };
    let drivers = state.store.drivers(programme_id).await?;
    let round = |score: Option<f64>| score.map(|s| s.round().clamp(1.0, 5.0) as u8);
    let mut entries: Vec<picture::MatrixEntry> = drivers
        .iter()
        .filter_map(|d| {
            Some(picture::MatrixEntry {
                title: d.name.clone(),
                href: format!("/drivers/{}", d.id),
                item: heard_analysis::horizon::matrix::Item {
                    impact: round(d.impact)?,
                    uncertainty: round(d.uncertainty)?,
                },
                driver: true,
            })
        })
        .collect();
    entries.extend(signals.iter().map(|s| picture::MatrixEntry {
        title: s.title.clone(),
        href: format!("/signals/{}", s.id),
        item: heard_analysis::horizon::matrix::Item {
            impact: s.current.impact.get(),
            uncertainty: s.current.uncertainty.get(),
        },
        driver: false,
    }));
    let drawn =
        picture::matrix("Drivers and signals by impact and uncertainty", &entries).map_err(ApiError::internal)?;
    Ok(svg(drawn.svg))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `radar` (Build Your Own Radar's columns; the default) or `full`.
    pub format: String,
    /// A programme's slug; left out, every signal.
    pub programme: String,
}

/// Signals as CSV, in Build Your Own Radar's layout or in full.
#[utoipa::path(get, path = "/api/v1/signals/export", tag = "horizon", params(ExportParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn export_signals(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let query = ExportQuery {
        format: params.format,
        filter: FilterQuery { programme: params.programme, ..FilterQuery::default() },
    };
    let (bytes, name) = csv_bytes(&state, &query)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .ok_or_else(ApiError::not_found)?;
    Ok(super::exchange::attachment(bytes, name))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The programme the signals are for.
    pub programme: String,
    /// `radar` or `full`.
    pub format: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportedBody {
    pub ids: Vec<i64>,
}

/// Imports a CSV file (the request body) into a programme: every row or none. A problem names its
/// row (the header is row 1) and column as its `field`, e.g. `row 3, column impact`.
#[utoipa::path(post, path = "/api/v1/signals/import", tag = "horizon", params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn import_signals(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, ApiJson<ImportedBody>), ApiError> {
    let programme = programme_id(&state, &params.programme).await?;
    let layout: CsvLayout = params.format.parse().map_err(|_| Invalid::one("format", "The format is radar or full"))?;
    let today = time::OffsetDateTime::now_utc().date();
    let records = csv::read(body.as_ref(), layout, today).map_err(|problems| {
        Invalid(
            problems
                .iter()
                .map(|p| FieldError {
                    field: match (p.row, &p.column) {
                        (Some(row), Some(column)) => format!("row {row}, column {column}"),
                        (Some(row), None) => format!("row {row}"),
                        (None, Some(column)) => format!("column {column}"),
                        (None, None) => "file".to_owned(),
                    },
                    message: p.message.clone(),
                })
                .collect(),
        )
    })?;
    let ids = state.store.import_signals(programme, &records, Some(user.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(ImportedBody { ids })))
}

// Drivers

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DriverRequest {
    pub name: String,
    pub description: Option<String>,
    /// 1 to 5 set by hand; left out, the mean of its signals' current impact.
    pub impact: Option<i64>,
    /// 1 to 5 set by hand; left out, the mean of its signals' current uncertainty.
    pub uncertainty: Option<i64>,
}

impl DriverRequest {
    fn parse(self) -> Result<DriverInput, Invalid> {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        DriverInput::parse(&DriverFields {
            name: self.name,
            description: self.description.unwrap_or_default(),
            impact: number(self.impact),
            uncertainty: number(self.uncertainty),
        })
    }
}

/// Every driver, by name, with its summary scores.
#[utoipa::path(get, path = "/api/v1/drivers", tag = "horizon",
    responses((status = 200, body = DriversBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn list_drivers(State(state): State<AppState>) -> Result<ApiJson<DriversBody>, ApiError> {
    Ok(ApiJson(DriversBody { drivers: state.store.drivers(None).await? }))
}

/// Adds a driver (the organisation's).
#[utoipa::path(post, path = "/api/v1/drivers", tag = "horizon", request_body = DriverRequest,
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_driver(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(request): ApiJson<DriverRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let input = request.parse()?;
    let id = state.store.create_driver(None, &input, user.id).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id })))
}

async fn driver_at(state: &AppState, id: i64) -> Result<Driver, ApiError> {
    state.store.driver(id).await?.ok_or_else(ApiError::not_found)
}

/// A driver with its signals' ids and summary scores.
#[utoipa::path(get, path = "/api/v1/drivers/{id}", tag = "horizon", params(("id" = i64, Path)),
    responses((status = 200, body = Driver), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get_driver(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<ApiJson<Driver>, ApiError> {
    Ok(ApiJson(driver_at(&state, id).await?))
}

/// Changes a driver; scores left out go back to its signals' means.
#[utoipa::path(put, path = "/api/v1/drivers/{id}", tag = "horizon", params(("id" = i64, Path)), request_body = DriverRequest,
    responses((status = 200, body = Driver), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn edit_driver(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<DriverRequest>,
) -> Result<ApiJson<Driver>, ApiError> {
    driver_at(&state, id).await?;
    let input = request.parse()?;
    state.store.edit_driver(id, &input).await?;
    Ok(ApiJson(driver_at(&state, id).await?))
}

/// Deletes a driver; its signals stay.
#[utoipa::path(delete, path = "/api/v1/drivers/{id}", tag = "horizon", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete_driver(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    driver_at(&state, id).await?;
    state.store.delete_driver(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DriverSignalsRequest {
    pub signal_ids: Vec<i64>,
}

/// Makes these signals the driver's, in place of those it had.
#[utoipa::path(put, path = "/api/v1/drivers/{id}/signals", tag = "horizon", params(("id" = i64, Path)),
    request_body = DriverSignalsRequest,
    responses((status = 200, body = Driver), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_driver_signals(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<DriverSignalsRequest>,
) -> Result<ApiJson<Driver>, ApiError> {
    driver_at(&state, id).await?;
    state.store.set_driver_signals(id, &request.signal_ids).await?;
    Ok(ApiJson(driver_at(&state, id).await?))
}
