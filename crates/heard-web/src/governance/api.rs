//! `/api/v1` for governance: the caller, users and roles, API tokens, partners, the journey template.

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::error::Collector;
use heard_domain::governance::{
    Action, ApiToken, Email, Password, PasswordHash, Role, Sector, display_name, partner_name, token_name,
};
use heard_domain::journeys::StageTemplate;
use heard_store::{ApiTokenRecord, NewUser, Partner, TemplateStage, User, UserChange};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/api/v1/me", Action::OwnAccount, me),
        Route::get("/api/v1/me/tokens", Action::OwnAccount, my_tokens),
        Route::post("/api/v1/me/tokens", Action::OwnAccount, create_my_token),
        Route::delete("/api/v1/me/tokens/{id}", Action::OwnAccount, revoke_my_token),
        Route::get("/api/v1/users", Action::ManageUsers, list_users),
        Route::post("/api/v1/users", Action::ManageUsers, create_user),
        Route::get("/api/v1/users/{id}", Action::ManageUsers, get_user),
        Route::patch("/api/v1/users/{id}", Action::ManageUsers, update_user),
        Route::get("/api/v1/users/{id}/tokens", Action::ManageUsers, user_tokens),
        Route::post("/api/v1/users/{id}/tokens", Action::ManageUsers, create_user_token),
        Route::delete("/api/v1/users/{id}/tokens/{token_id}", Action::ManageUsers, revoke_user_token),
        Route::get("/api/v1/partners", Action::ViewPartners, list_partners),
        Route::post("/api/v1/partners", Action::ManagePartners, create_partner),
        Route::patch("/api/v1/partners/{id}", Action::ManagePartners, update_partner),
        Route::get("/api/v1/journey-template", Action::ViewProgrammes, journey_template),
        Route::put("/api/v1/journey-template", Action::ManageJourneyTemplate, replace_journey_template),
    ]
}

// ---- The caller ----

/// The account the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "governance",
    responses((status = 200, body = heard_store::User), (status = 401, body = crate::error::ApiErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
) -> Result<ApiJson<heard_store::User>, ApiError> {
    let user = state.store.user(caller.id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(user))
}

/// The caller's API tokens, newest first, revoked ones included.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "governance",
    responses((status = 200, body = Vec<ApiTokenRecord>), (status = 401, body = ApiErrorBody)))]
pub async fn my_tokens(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
) -> Result<ApiJson<Vec<ApiTokenRecord>>, ApiError> {
    Ok(ApiJson(state.store.api_tokens(caller.id).await?))
}

/// A new token's name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// So the owner can tell their tokens apart, e.g. "reporting script".
    pub name: String,
}

/// A token just issued. `token` is shown this once: Heard keeps only its hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    /// `heard_` and 64 hex digits; send as `Authorization: Bearer <token>`.
    pub token: String,
    pub record: ApiTokenRecord,
}

/// Issues a token for the caller.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "governance", request_body = TokenRequest,
    responses((status = 201, body = IssuedToken), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_my_token(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, ApiJson<IssuedToken>), ApiError> {
    issue_token(&state, caller.id, caller.id, &body).await
}

/// Revokes one of the caller's tokens; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "governance",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn revoke_my_token(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiPath(token_id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    revoke_token(&state, caller.id, caller.id, token_id).await
}

async fn issue_token(
    state: &AppState,
    actor_id: i64,
    owner_id: i64,
    body: &TokenRequest,
) -> Result<(StatusCode, ApiJson<IssuedToken>), ApiError> {
    let name = token_name("name", &body.name)?;
    let token = ApiToken::generate();
    let record = state.store.create_api_token(owner_id, &name, &token.hash()).await?;
    state.store.record_audit(Some(actor_id), "api_token.created", &format!("user:{owner_id}")).await?;
    Ok((StatusCode::CREATED, ApiJson(IssuedToken { token: token.expose().to_owned(), record })))
}

async fn revoke_token(state: &AppState, actor_id: i64, owner_id: i64, token_id: i64) -> Result<StatusCode, ApiError> {
    state.store.revoke_api_token(owner_id, token_id).await?;
    state.store.record_audit(Some(actor_id), "api_token.revoked", &format!("user:{owner_id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Users ----

/// Every account, by display name.
#[utoipa::path(get, path = "/api/v1/users", tag = "governance",
    responses((status = 200, body = Vec<User>), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn list_users(State(state): State<AppState>) -> Result<ApiJson<Vec<User>>, ApiError> {
    Ok(ApiJson(state.store.users().await?))
}

/// An account to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUserRequest {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// At least 12 characters. Leave out to have Heard generate one, returned once in the response.
    #[serde(default)]
    pub password: Option<String>,
}

/// The account created, and the password Heard generated for it if none was sent (shown this once).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: User,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Adds an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "governance", request_body = NewUserRequest,
    responses((status = 201, body = CreatedUser), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody, description = "The email is already in use"),
        (status = 422, body = ApiErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, ApiJson<CreatedUser>), ApiError> {
    let mut errors = Collector::new();
    let email = errors.take(Email::parse("email", &body.email));
    let name = errors.take(display_name("display_name", &body.display_name));
    let password = match &body.password {
        Some(raw) => errors.take(Password::new("password", raw)),
        None => Some(Password::generate()),
    };
    let (email, name, password) = errors.finish(|| (email, name, password))?;
    let (Some(email), Some(display_name), Some(password)) = (email, name, password) else {
        return Err(ApiError::internal("a parsed field was missing"));
    };
    let password_hash = hash(password.clone()).await?;
    let user = state.store.create_user(&NewUser { email, display_name, role: body.role, password_hash }).await?;
    state.store.record_audit(Some(caller.id), "user.created", &format!("user:{}", user.id)).await?;
    let password = body.password.is_none().then(|| password.expose().to_owned());
    Ok((StatusCode::CREATED, ApiJson(CreatedUser { user, password })))
}

/// argon2 takes tens of milliseconds of CPU: off the async threads.
async fn hash(password: Password) -> Result<PasswordHash, ApiError> {
    tokio::task::spawn_blocking(move || password.hash()).await.map_err(ApiError::internal)
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "governance",
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, body = User), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get_user(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<ApiJson<User>, ApiError> {
    Ok(ApiJson(existing_user(&state, id).await?))
}

async fn existing_user(state: &AppState, id: i64) -> Result<User, ApiError> {
    state.store.user(id).await?.ok_or_else(ApiError::not_found)
}

/// What to change about an account; fields left out stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserChangeRequest {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    /// `false` deactivates the account: its sessions and tokens stop working.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Renames an account, changes its role, or deactivates or reactivates it. Administrators cannot
/// demote or deactivate themselves, so an installation always keeps one who can undo a mistake.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "governance", request_body = UserChangeRequest,
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, body = User), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UserChangeRequest>,
) -> Result<ApiJson<User>, ApiError> {
    let current = existing_user(&state, id).await?;
    let mut errors = Collector::new();
    let name = match &body.display_name {
        Some(raw) => errors.take(display_name("display_name", raw)),
        None => Some(current.display_name.clone()),
    };
    let role = body.role.unwrap_or(current.role);
    let active = body.active.unwrap_or(current.active);
    if id == caller.id && role != Role::Administrator {
        errors.push("role", "You cannot remove your own administrator role; ask another administrator");
    }
    if id == caller.id && !active {
        errors.push("active", "You cannot deactivate your own account; ask another administrator");
    }
    let display_name = errors.finish(|| name.unwrap_or_default())?;
    let user = state.store.update_user(id, &UserChange { display_name, role, active }).await?;
    if user.role != current.role {
        state.store.record_audit(Some(caller.id), "user.role_changed", &format!("user:{id}")).await?;
    }
    Ok(ApiJson(user))
}

/// Someone's API tokens, newest first, revoked ones included.
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "governance",
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 200, body = Vec<ApiTokenRecord>), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn user_tokens(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Vec<ApiTokenRecord>>, ApiError> {
    existing_user(&state, id).await?;
    Ok(ApiJson(state.store.api_tokens(id).await?))
}

/// Issues a token for someone, e.g. for a service account.
#[utoipa::path(post, path = "/api/v1/users/{id}/tokens", tag = "governance", request_body = TokenRequest,
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 201, body = IssuedToken), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_user_token(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, ApiJson<IssuedToken>), ApiError> {
    existing_user(&state, id).await?;
    issue_token(&state, caller.id, id, &body).await
}

/// Revokes one of someone's tokens.
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", tag = "governance",
    params(("id" = i64, Path, description = "The user's id"), ("token_id" = i64, Path, description = "The token's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn revoke_user_token(
    State(state): State<AppState>,
    ApiUser(caller): ApiUser,
    ApiPath((id, token_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    revoke_token(&state, caller.id, id, token_id).await
}

// ---- Partners ----

/// Every partner organisation, by name.
#[utoipa::path(get, path = "/api/v1/partners", tag = "governance",
    responses((status = 200, body = Vec<Partner>), (status = 401, body = ApiErrorBody)))]
pub async fn list_partners(State(state): State<AppState>) -> Result<ApiJson<Vec<Partner>>, ApiError> {
    Ok(ApiJson(state.store.partners().await?))
}

/// A partner organisation to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewPartnerRequest {
    pub name: String,
    pub sector: Sector,
}

/// Adds a partner organisation.
#[utoipa::path(post, path = "/api/v1/partners", tag = "governance", request_body = NewPartnerRequest,
    responses((status = 201, body = Partner), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody, description = "The name is already in use"),
        (status = 422, body = ApiErrorBody)))]
pub async fn create_partner(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewPartnerRequest>,
) -> Result<(StatusCode, ApiJson<Partner>), ApiError> {
    let name = partner_name("name", &body.name)?;
    let partner = state.store.create_partner(&name, body.sector).await?;
    Ok((StatusCode::CREATED, ApiJson(partner)))
}

/// What to change about a partner; fields left out stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PartnerChangeRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub sector: Option<Sector>,
}

/// Renames a partner organisation or moves it to another sector.
#[utoipa::path(patch, path = "/api/v1/partners/{id}", tag = "governance", request_body = PartnerChangeRequest,
    params(("id" = i64, Path, description = "The partner's id")),
    responses((status = 200, body = Partner), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "The name is already in use"), (status = 422, body = ApiErrorBody)))]
pub async fn update_partner(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PartnerChangeRequest>,
) -> Result<ApiJson<Partner>, ApiError> {
    let current = state.store.partner(id).await?.ok_or_else(ApiError::not_found)?;
    let name = match &body.name {
        Some(raw) => partner_name("name", raw)?,
        None => current.name,
    };
    let partner = state.store.update_partner(id, &name, body.sector.unwrap_or(current.sector)).await?;
    Ok(ApiJson(partner))
}

// ---- The journey template ----

/// The stages a new programme's journey starts with, in order.
#[utoipa::path(get, path = "/api/v1/journey-template", tag = "governance",
    responses((status = 200, body = Vec<TemplateStage>), (status = 401, body = ApiErrorBody)))]
pub async fn journey_template(State(state): State<AppState>) -> Result<ApiJson<Vec<TemplateStage>>, ApiError> {
    Ok(ApiJson(state.store.journey_template().await?))
}

/// The whole template, in order.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TemplateRequest {
    pub stages: Vec<TemplateStageRequest>,
}

/// One stage of the template.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TemplateStageRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub exit_criteria: String,
}

/// Replaces the template. Programmes already under way keep the stages they started with.
#[utoipa::path(put, path = "/api/v1/journey-template", tag = "governance", request_body = TemplateRequest,
    responses((status = 200, body = Vec<TemplateStage>), (status = 400, body = ApiErrorBody),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody, description = "Fields are named like `stages[2].name`")))]
pub async fn replace_journey_template(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TemplateRequest>,
) -> Result<ApiJson<Vec<TemplateStage>>, ApiError> {
    let mut errors = Collector::new();
    let stages: Vec<Option<StageTemplate>> = body
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            errors.take(StageTemplate::parse(&format!("stages[{i}]"), &s.name, &s.description, &s.exit_criteria))
        })
        .collect();
    let stages: Vec<StageTemplate> = errors.finish(|| stages.into_iter().flatten().collect())?;
    StageTemplate::check_template(&stages)?;
    state.store.replace_journey_template(&stages).await?;
    Ok(ApiJson(state.store.journey_template().await?))
}
