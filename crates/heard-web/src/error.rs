//! The error policy: pages answer with a GOV.UK error page, the API with one JSON shape
//! ([`ApiErrorBody`]) and a stable code. Detail of a 5xx is logged, never shown, and no message
//! carries personal data.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use heard_domain::{FieldError, Invalid};
use heard_store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::render;

/// What went wrong while serving a page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("page not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("form expired")]
    FormExpired,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("request too large")]
    TooLarge,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => PageError::NotFound,
            StoreError::Duplicate { field } => PageError::Conflict(format!("That {field} is already in use.")),
            StoreError::Transition(e) => PageError::Conflict(e.to_string()),
            StoreError::Conflict { what } => PageError::Conflict(format!(
                "Someone else changed this {what} after you opened it, so your change was not saved. Go back, open it again to see their change, and make yours again."
            )),
            StoreError::Invalid(invalid) => PageError::BadRequest(invalid.to_string()),
            other => PageError::Internal(causes(&other)),
        }
    }
}

impl From<PathRejection> for PageError {
    fn from(_: PathRejection) -> Self {
        PageError::NotFound
    }
}

impl From<render::RenderError> for PageError {
    fn from(error: render::RenderError) -> Self {
        PageError::Internal(error.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.".to_owned(),
            ),
            PageError::Forbidden => {
                (StatusCode::FORBIDDEN, "You cannot see this page", "Your role does not allow this. Ask an administrator if you need it.".to_owned())
            }
            PageError::FormExpired => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your security the form could not be sent. Go back, reload the page and try again.".to_owned(),
            ),
            PageError::BadRequest(message) => (StatusCode::BAD_REQUEST, "Something in the request was not right", message.clone()),
            PageError::Conflict(message) => (StatusCode::CONFLICT, "That cannot be done now", message.clone()),
            PageError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "What you sent is too large",
                "A form here takes up to 2 MB of text. Go back, shorten what you wrote (or split it into several parts) and send it again.".to_owned(),
            ),
            PageError::Internal(detail) => {
                tracing::error!(%detail, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service", "Try again later.".to_owned())
            }
        };
        let body = render::error_page(status.as_u16(), title, &message);
        (status, Html(body)).into_response()
    }
}

/// An error and its sources' messages, for the log. Messages only: a database error's detail (which
/// can quote a row) is not included.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

/// One error: a stable machine-readable `code`, a sentence for people, and for invalid input the
/// fields at fault.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ApiErrorDetail {
    /// One of `unauthenticated`, `forbidden`, `not_found`, `invalid_request`, `validation_failed`,
    /// `conflict`, `transition_not_allowed`, `edit_conflict`, `rate_limited`, `internal`.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ApiFieldError>,
}

#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ApiFieldError {
    pub field: String,
    pub message: String,
}

/// An API failure; becomes a status and an [`ApiErrorBody`].
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new() }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Nothing exists at this address")
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Send a valid API token as `Authorization: Bearer <token>`",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Your role does not allow this")
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "API request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on the server")
    }
}

impl From<Invalid> for ApiError {
    fn from(Invalid(fields): Invalid) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            message: "Some fields are not valid".to_owned(),
            fields,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Duplicate { field } => ApiError {
                fields: vec![FieldError {
                    field: field.to_owned(),
                    message: format!("That {field} is already in use"),
                }],
                ..ApiError::new(StatusCode::CONFLICT, "conflict", format!("That {field} is already in use"))
            },
            StoreError::Transition(e) => ApiError::new(StatusCode::CONFLICT, "transition_not_allowed", e.to_string()),
            StoreError::Conflict { what } => ApiError::new(
                StatusCode::CONFLICT,
                "edit_conflict",
                format!("This {what} was changed by someone else since the version you sent; read it again and resend"),
            ),
            StoreError::Invalid(invalid) => invalid.into(),
            other => ApiError::internal(causes(&other)),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // serde's message names the field and position but never echoes a value.
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::not_found()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: ApiErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                fields: self.fields.into_iter().map(|f| ApiFieldError { field: f.field, message: f.message }).collect(),
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// `axum::Json` with rejections in the API's error shape. A request body must be a JSON object:
/// serde would otherwise take `[1, "x"]` for a struct, field by position, which the OpenAPI
/// document does not allow.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let Json(JsonObject(value)) = Json::<JsonObject<T>>::from_request(request, state).await?;
        Ok(ApiJson(value))
    }
}

/// `T` read only from a JSON object (never from an array).
struct JsonObject<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for ObjectVisitor<T> {
            type Value = JsonObject<T>;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(JsonObject)
            }
        }

        deserializer.deserialize_map(ObjectVisitor(std::marker::PhantomData))
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// `axum::extract::Query` with rejections in the API's error shape.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `axum::extract::Path` whose rejection is the API's 404.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Path` whose rejection is the page 404.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(PageError))]
pub struct PagePath<T>(pub T);
