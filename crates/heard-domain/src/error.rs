//! Validation failures that name the field they belong to, so a form can show each message beside
//! its input and the API can say which field was wrong.

use serde::Serialize;

/// One problem with one field of some input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as the form or JSON body spells it, e.g. `email` or `attendance.health`.
    pub field: String,
    /// A sentence a person can act on, e.g. "Enter an email address in the correct format".
    pub message: String,
}

/// Everything wrong with one piece of input; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// The message for `field`, if there is one.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

/// Gathers field errors while a whole form is parsed, so a person sees every problem at once.
#[derive(Debug, Default)]
pub struct Collector(Vec<FieldError>);

impl Collector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value if it parsed, or records its errors and returns `None`.
    pub fn take<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Invalid(errors)) => {
                self.0.extend(errors);
                None
            }
        }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded; the recorded errors otherwise.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Invalid> {
        if self.0.is_empty() { Ok(value()) } else { Err(Invalid(self.0)) }
    }
}

/// Trims `raw` and checks it is present and no longer than `max` characters.
pub fn required_text(field: &str, label: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Invalid::one(field, format!("Enter {label}")));
    }
    if text.chars().count() > max {
        return Err(Invalid::one(field, format!("{} must be {max} characters or fewer", capitalise(label))));
    }
    Ok(text.to_owned())
}

/// Trims `raw`; empty means `None`. Longer than `max` characters is an error.
pub fn optional_text(field: &str, label: &str, raw: &str, max: usize) -> Result<Option<String>, Invalid> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(Invalid::one(field, format!("{} must be {max} characters or fewer", capitalise(label))));
    }
    Ok(Some(text.to_owned()))
}

fn capitalise(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_limits() {
        assert_eq!(required_text("name", "a name", "  Early Years ", 20), Ok("Early Years".to_owned()));
        let empty = required_text("name", "a name", "   ", 20).unwrap_err();
        assert_eq!(empty.message_for("name"), Some("Enter a name"));
        let long = required_text("name", "a name", &"x".repeat(21), 20).unwrap_err();
        assert_eq!(long.message_for("name"), Some("A name must be 20 characters or fewer"));
    }

    #[test]
    fn collector_reports_every_field() {
        let mut errors = Collector::new();
        let a = errors.take(required_text("a", "a", "", 5));
        let b = errors.take(required_text("b", "b", "ok", 5));
        errors.push("c", "Choose c");
        assert_eq!(a, None);
        assert_eq!(b.as_deref(), Some("ok"));
        let invalid = errors.finish(|| ()).unwrap_err();
        let fields: Vec<_> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "c"]);
    }
}
