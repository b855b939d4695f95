//! Uploads as multipart forms, read as a stream: the CSRF token must be the first field, so that
//! nothing is kept for a forged form, and every field is bounded, so no body grows without end.

use axum::extract::multipart::{Field, Multipart};

use crate::error::PageError;

/// Why a multipart form could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormProblem {
    /// The CSRF token was missing, not first, or wrong.
    Expired,
    /// The body broke off, has too many fields, or is not a form Heard sent.
    Unreadable,
}

/// The most bytes a short text field (a title, a choice, a token) may have.
pub const MAX_TEXT_BYTES: usize = 4096;

/// A multipart form whose CSRF token has been checked; its other fields follow in order.
pub struct CheckedForm<'m> {
    multipart: &'m mut Multipart,
    fields_left: usize,
}

impl<'m> CheckedForm<'m> {
    /// Reads the first field, which must be the session's CSRF token. At most `max_fields` more
    /// fields may follow.
    pub async fn open(
        multipart: &'m mut Multipart,
        expected_token: &str,
        max_fields: usize,
    ) -> Result<CheckedForm<'m>, FormProblem> {
        let mut first =
            multipart.next_field().await.map_err(|_| FormProblem::Unreadable)?.ok_or(FormProblem::Expired)?;
        // Tokens are 256 random bits bound to one session; a timing side channel cannot guess one.
        if first.name() != Some("csrf_token") || read_text(&mut first).await? != expected_token {
            return Err(FormProblem::Expired);
        }
        drop(first);
        Ok(CheckedForm { multipart, fields_left: max_fields })
    }

    /// The next field, or `None` at the end of the form.
    pub async fn next_field(&mut self) -> Result<Option<Field<'_>>, FormProblem> {
        let field = self.multipart.next_field().await.map_err(|_| FormProblem::Unreadable)?;
        if field.is_some() {
            self.fields_left = self.fields_left.checked_sub(1).ok_or(FormProblem::Unreadable)?;
        }
        Ok(field)
    }
}

/// A short text field, at most [`MAX_TEXT_BYTES`] of UTF-8.
pub async fn read_text(field: &mut Field<'_>) -> Result<String, FormProblem> {
    let bytes = read_bytes(field, MAX_TEXT_BYTES).await?.ok_or(FormProblem::Unreadable)?;
    String::from_utf8(bytes).map_err(|_| FormProblem::Unreadable)
}

/// A field's bytes, or `None` if there are more than `limit` (the rest is then left unread).
pub async fn read_bytes(field: &mut Field<'_>, limit: usize) -> Result<Option<Vec<u8>>, FormProblem> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| FormProblem::Unreadable)? {
        if bytes.len() + chunk.len() > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// Reads a field to its end and drops it (one the form does not use, or the rest of one that was
/// too large, so that a browser still sending sees the answer); past `limit` bytes, unreadable.
pub async fn drain(field: &mut Field<'_>, limit: u64) -> Result<(), FormProblem> {
    let mut drained = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|_| FormProblem::Unreadable)? {
        drained += chunk.len() as u64;
        if drained > limit {
            return Err(FormProblem::Unreadable);
        }
    }
    Ok(())
}

impl From<FormProblem> for PageError {
    fn from(problem: FormProblem) -> Self {
        match problem {
            FormProblem::Expired => PageError::FormExpired,
            FormProblem::Unreadable => PageError::BadRequest(
                "The upload did not arrive whole. Go back, check the file and try again.".to_owned(),
            ),
        }
    }
}
