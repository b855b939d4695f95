//! Protection against cross-site request forgery for every state-changing form: a random token
//! kept in the session, put in each form as a hidden field, and checked by [`CsrfForm`].

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use rand::Rng;
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use crate::error::PageError;

const KEY: &str = "heard.csrf";

/// The session's token, made on first use.
pub async fn token(session: &Session) -> Result<String, PageError> {
    if let Ok(Some(token)) = session.get::<String>(KEY).await {
        return Ok(token);
    }
    let token = hex::encode(rand::rng().random::<[u8; 32]>());
    session.insert(KEY, &token).await.map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(token)
}

#[derive(serde::Deserialize)]
struct Presented {
    #[serde(default)]
    csrf_token: String,
}

/// A submitted HTML form whose `csrf_token` field matched the session's token.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, PageError> {
        let (mut parts, body) = request.into_parts();
        let session = Session::from_request_parts(&mut parts, state)
            .await
            .map_err(|(_, message)| PageError::Internal(message.to_owned()))?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::BadRequest("The form could not be read.".to_owned()))?;
        let presented: Presented = serde_html_form::from_bytes(&bytes)
            .map_err(|_| PageError::BadRequest("The form could not be read.".to_owned()))?;
        let expected: Option<String> = session.get(KEY).await.ok().flatten();
        // Tokens are 256 random bits bound to one session; a timing side channel cannot guess one.
        if expected.is_none_or(|expected| presented.csrf_token.is_empty() || expected != presented.csrf_token) {
            return Err(PageError::FormExpired);
        }
        serde_html_form::from_bytes(&bytes).map(CsrfForm).map_err(|_| {
            PageError::BadRequest("The form could not be read: go back, reload the page and try again.".to_owned())
        })
    }
}

/// A form whose only field is its CSRF token (sign out, revoke, remove, move).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A form's fields as submitted, for forms whose field names are made at run time (attendance by
/// sector, checkboxes of partners, rows of stages).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct FormFields(std::collections::BTreeMap<String, Vec<String>>);

impl<'de> serde::Deserialize<'de> for FormFields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pairs = Vec::<(String, String)>::deserialize(deserializer)?;
        let mut fields = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (name, value) in pairs {
            fields.entry(name).or_default().push(value);
        }
        Ok(FormFields(fields))
    }
}

impl FormFields {
    /// The value of `name` (the first, if sent more than once), or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).and_then(|values| values.first()).map_or("", String::as_str)
    }

    /// Every value sent for `name` (checkboxes).
    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    /// The fields as templates take them: name to first value, and the lists by name with `[]`.
    pub fn values(&self) -> minijinja::Value {
        let mut map = std::collections::BTreeMap::new();
        for (name, values) in &self.0 {
            if name == "csrf_token" {
                continue;
            }
            map.insert(name.clone(), minijinja::Value::from(values.first().cloned().unwrap_or_default()));
            map.insert(format!("{name}[]"), minijinja::Value::from(values.clone()));
        }
        minijinja::Value::from(map)
    }

    /// The three boxes of the GOV.UK date input called `name` (`name.day`, `name.month`, `name.year`).
    pub fn date_parts(&self, name: &str) -> heard_domain::dates::DateParts {
        heard_domain::dates::DateParts {
            day: self.get(&format!("{name}.day")).to_owned(),
            month: self.get(&format!("{name}.month")).to_owned(),
            year: self.get(&format!("{name}.year")).to_owned(),
        }
    }

    /// A date that must be given; blank boxes are an error naming `name` ("Enter {label}").
    pub fn required_date(
        &self,
        errors: &mut heard_domain::error::Collector,
        name: &str,
        label: &str,
    ) -> Option<time::Date> {
        match errors.take(self.date_parts(name).parse(name, label)) {
            Some(Some(date)) => Some(date),
            Some(None) => {
                errors.push(name, format!("Enter {label}"));
                None
            }
            None => None,
        }
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), vec![value.into()]);
    }

    pub fn set_all(&mut self, name: &str, values: Vec<String>) {
        self.0.insert(name.to_owned(), values);
    }
}
