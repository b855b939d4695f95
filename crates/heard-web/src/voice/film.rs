//! Film sources: a recording (video or audio) with its timed transcript. The upload streams the
//! recording into the media store, never whole in memory, telling its kind from its first bytes
//! and stopping at the size limit; the recording is served with HTTP range requests, and only while
//! everyone heard in it consents to filming.

use axum::body::Body;
use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use futures_util::TryStreamExt;
use heard_domain::Invalid;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::voice::media::{MediaType, SNIFF_LEN, accepted_labels};
use heard_domain::voice::participants::ConsentPurpose;
use heard_domain::voice::sources::{SourceKind, source_title};
use heard_domain::voice::transcript::{self, TranscriptFormat};
use heard_store::media::{MediaError, Stored, discard_unused, film_text};
use heard_store::{Media, NewSource, Programme, Source, StoreError};
use minijinja::{Value, context};
use serde::Serialize;
use tokio::io::AsyncReadExt;

use crate::AppState;
use crate::csrf::{self, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::multipart::{CheckedForm, FormProblem, drain, read_bytes, read_text};
use crate::render::{self, Flash, Page, PageResult, see_other};
use crate::routes::Route;
use crate::voice::screen;

pub fn routes() -> Vec<Route> {
    const NEW: &str = "/programmes/{slug}/sources/new-film";
    vec![
        Route::get(NEW, Action::ManageSources, new_film_form),
        Route::post(NEW, Action::ManageSources, create_film).streaming_body(),
        Route::get("/programmes/{slug}/sources/{id}/media", Action::ViewSources, media),
    ]
}

// The cues of the source page

/// One line of a film's transcript as the player lists it.
// Used by the source page (`sources.rs`); allowed until that page calls `cues_for_page`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CueView {
    /// Where the cue starts, in seconds (milliseconds as a fraction): the media fragment `#t=`.
    pub start_seconds: f64,
    /// Where it ends, in seconds.
    pub end_seconds: f64,
    /// The start as people read it: "m:ss", or "h:mm:ss" from an hour on.
    pub label: String,
    /// The cue's redacted text.
    pub text: String,
}

/// A film's cues with their redacted lines, for the source page's player; empty for other sources.
pub(crate) fn cues_for_page(source: &Source) -> Vec<CueView> {
    let Some(timings) = &source.cue_timings else { return Vec::new() };
    let lines = heard_analysis::voice::screening::redacted_lines(source.text.original(), &source.hidden_spans());
    timings
        .iter()
        .zip(lines)
        .map(|(&(start_ms, end_ms), text)| CueView {
            start_seconds: start_ms as f64 / 1000.0,
            end_seconds: end_ms as f64 / 1000.0,
            label: clock(start_ms),
            text,
        })
        .collect()
}

/// "1:05" for 65 seconds, "1:00:05" for an hour and five seconds.
fn clock(ms: u64) -> String {
    let seconds = ms / 1000;
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 { format!("{hours}:{minutes:02}:{seconds:02}") } else { format!("{minutes}:{seconds:02}") }
}

// Adding a film

/// Room in an upload for everything but the recording: the transcript (at most 5 MB) and the
/// other fields. A body longer than the recording's limit and this is refused before it is read.
const FORM_ALLOWANCE: u64 = transcript::MAX_BYTES as u64 + 1024 * 1024;
/// The most fields a form may send (one per participant ticked, and a few more).
const MAX_FIELDS: usize = 1000;

/// "200 MB", or "97 KB" for a limit under a megabyte (whole units, rounded down).
fn size_label(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB { format!("{} MB", bytes / MB) } else { format!("{} KB", bytes / 1024) }
}

async fn render_film_form(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    problem: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let activities = state.store.activities(programme.id).await?;
    let participants = state.store.participants(programme.id).await?;
    let ctx = context! {
        programme,
        values,
        activities,
        participants,
        max_media_size => size_label(state.settings.max_media_bytes),
        accepted => accepted_labels(),
    };
    match problem {
        Some((status, invalid)) => {
            Ok((status, page.render_invalid("voice/sources/film_form.html", ctx, invalid)?).into_response())
        }
        None => Ok(page.render("voice/sources/film_form.html", ctx)?.into_response()),
    }
}

fn film_values(form: &FormFields) -> Value {
    context! { collected_on => form.date_parts("collected_on"), ..form.values() }
}

async fn new_film_form(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_film_form(&state, &page, &programme, film_values(&FormFields::default()), None).await
}

/// What became of the recording in an upload.
#[derive(Debug, Default)]
enum Recording {
    /// No file was chosen.
    #[default]
    Missing,
    /// Kept in the media store.
    Stored(Stored, MediaType),
    /// Not a kind of recording Heard takes; nothing kept.
    WrongType,
    /// Over the limit; nothing kept.
    TooLarge,
}

/// An upload as read: the text fields, the transcript's name and bytes, the recording.
#[derive(Default)]
struct Upload {
    fields: FormFields,
    participants: Vec<String>,
    transcript: Option<(String, Vec<u8>)>,
    transcript_too_large: bool,
    recording: Recording,
}

impl Upload {
    fn stored(&self) -> Option<&Stored> {
        match &self.recording {
            Recording::Stored(stored, _) => Some(stored),
            _ => None,
        }
    }
}

/// Why reading an upload stopped before its end.
enum Stop {
    /// The CSRF token was missing (or not first) or wrong.
    Expired,
    /// The body broke off or is not a form Heard sent.
    Unreadable,
    /// The media store failed.
    Storage(MediaError),
}

impl From<FormProblem> for Stop {
    fn from(problem: FormProblem) -> Self {
        match problem {
            FormProblem::Expired => Stop::Expired,
            FormProblem::Unreadable => Stop::Unreadable,
        }
    }
}

impl From<Stop> for PageError {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Expired => PageError::FormExpired,
            Stop::Unreadable => PageError::BadRequest(
                "The upload did not arrive whole. Go back, check the files and try again.".to_owned(),
            ),
            Stop::Storage(error) => PageError::Internal(format!("storing a recording: {error:?}")),
        }
    }
}

async fn create_film(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let limit = state.settings.max_media_bytes;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit.saturating_add(FORM_ALLOWANCE)) {
        // Refused unread: the browser may show its own error if it is still sending.
        let invalid = Invalid::one("media", too_large_message(limit));
        let values = film_values(&FormFields::default());
        return render_film_form(&state, &page, &programme, values, Some((StatusCode::PAYLOAD_TOO_LARGE, &invalid)))
            .await;
    }
    let Ok(mut multipart) = multipart else {
        return Err(PageError::BadRequest(
            "The form could not be read: go back, reload the page and try again.".to_owned(),
        ));
    };
    let expected_token = csrf::token(&page.session).await?;
    let mut upload = Upload::default();
    let read = read_upload(&state, &mut multipart, &expected_token, limit, &mut upload).await;
    let outcome = match read {
        Ok(()) => save_film(&state, &page, &programme, &upload).await,
        Err(stop) => Err(Failure::Page(stop.into())),
    };
    match outcome {
        Ok(source) => {
            Flash::set(&page.session, "Film added. Check the transcript for anything personal the detector missed")
                .await;
            see_other(format!("/programmes/{slug}/sources/{}", source.id))
        }
        Err(failure) => {
            // Nothing half-saved: a recording kept for a source that was not saved goes.
            if let Some(stored) = upload.stored() {
                discard_unused(&state.store, state.media.as_ref(), &stored.address).await;
            }
            match failure {
                Failure::Page(error) => Err(error),
                Failure::Invalid(status, invalid) => {
                    let mut fields = upload.fields.clone();
                    fields.set_all("participants", upload.participants.clone());
                    render_film_form(&state, &page, &programme, film_values(&fields), Some((status, &invalid))).await
                }
            }
        }
    }
}

/// Why a film was not saved: errors to show beside the fields (with the status to answer), or an
/// error page.
enum Failure {
    Invalid(StatusCode, Invalid),
    Page(PageError),
}

impl From<PageError> for Failure {
    fn from(error: PageError) -> Self {
        Failure::Page(error)
    }
}

/// Reads the form's parts in order into `upload`, the recording straight into the media store.
/// The CSRF token must come first (the form puts it there), so nothing is stored for a forged form.
async fn read_upload(
    state: &AppState,
    multipart: &mut Multipart,
    expected_token: &str,
    limit: u64,
    upload: &mut Upload,
) -> Result<(), Stop> {
    let mut form = CheckedForm::open(multipart, expected_token, MAX_FIELDS).await?;
    while let Some(mut field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "media" if matches!(upload.recording, Recording::Missing) => {
                upload.recording = read_recording(state, field, limit).await?;
            }
            "transcript" if upload.transcript.is_none() && !upload.transcript_too_large => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                match read_bytes(&mut field, transcript::MAX_BYTES).await? {
                    Some(bytes) if bytes.is_empty() => {}
                    Some(bytes) => upload.transcript = Some((file_name, bytes)),
                    None => {
                        upload.transcript_too_large = true;
                        drain(&mut field, FORM_ALLOWANCE).await?;
                    }
                }
            }
            "participants" => upload.participants.push(read_text(&mut field).await?),
            "title" | "activity" | "collected_on.day" | "collected_on.month" | "collected_on.year" => {
                let value = read_text(&mut field).await?;
                upload.fields.set(&name, value);
            }
            _ => drain(&mut field, FORM_ALLOWANCE).await?,
        }
    }
    Ok(())
}

/// The recording: its kind from its first bytes, then the whole of it streamed into the store.
async fn read_recording(state: &AppState, mut field: Field<'_>, limit: u64) -> Result<Recording, Stop> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    while head.len() < SNIFF_LEN {
        match field.chunk().await.map_err(|_| Stop::Unreadable)? {
            Some(chunk) => head.extend_from_slice(&chunk),
            None => break,
        }
    }
    if head.is_empty() {
        return Ok(Recording::Missing);
    }
    let Some(media_type) = MediaType::sniff(&head[..head.len().min(SNIFF_LEN)]) else {
        drain(&mut field, limit.saturating_add(FORM_ALLOWANCE)).await?;
        return Ok(Recording::WrongType);
    };
    let rest = tokio_util::io::StreamReader::new((&mut field).map_err(std::io::Error::other));
    let mut body = head.as_slice().chain(rest);
    match state.media.put(&mut body, limit).await {
        Ok(stored) => Ok(Recording::Stored(stored, media_type)),
        Err(MediaError::TooLarge { .. }) => {
            drain(&mut field, FORM_ALLOWANCE).await?;
            Ok(Recording::TooLarge)
        }
        Err(MediaError::Upload(_)) => Err(Stop::Unreadable),
        Err(other) => Err(Stop::Storage(other)),
    }
}

fn too_large_message(limit: u64) -> String {
    format!("The recording must be smaller than {}", size_label(limit))
}

/// Checks the upload and saves the source.
async fn save_film(state: &AppState, page: &Page, programme: &Programme, upload: &Upload) -> Result<Source, Failure> {
    let mut errors = Collector::new();
    let title = errors.take(source_title("title", upload.fields.get("title")));
    let collected_on =
        errors.take(upload.fields.date_parts("collected_on").parse("collected_on", "the date it was recorded"));
    let activity_id = match upload.fields.get("activity").trim() {
        "" => Some(None),
        raw => errors.take(raw.parse::<i64>().map(Some).map_err(|_| Invalid::one("activity", "Choose an activity"))),
    };
    let participant_ids: Vec<i64> = upload.participants.iter().filter_map(|id| id.parse().ok()).collect();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let cues = match &upload.transcript {
        _ if upload.transcript_too_large => {
            errors.push("transcript", "The transcript must be smaller than 5 MB");
            None
        }
        None => {
            errors.push("transcript", "Select the transcript: a WebVTT (.vtt) or SRT (.srt) file");
            None
        }
        Some((file_name, bytes)) => match transcript::parse(bytes, TranscriptFormat::from_extension(file_name)) {
            Ok(parsed) => Some(parsed.cues),
            Err(error) => {
                errors.push("transcript", format!("The transcript cannot be read. {error}"));
                None
            }
        },
    };
    let media = match &upload.recording {
        Recording::Stored(stored, media_type) => Some(Media {
            address: stored.address.clone(),
            media_type: media_type.mime().to_owned(),
            bytes: i64::try_from(stored.bytes).unwrap_or(i64::MAX),
        }),
        Recording::Missing => {
            errors.push("media", "Select the recording: a video or audio file");
            None
        }
        Recording::WrongType => {
            errors.push("media", format!("The recording must be a video or audio file: {}", accepted_labels()));
            None
        }
        Recording::TooLarge => {
            status = StatusCode::PAYLOAD_TOO_LARGE;
            errors.push("media", too_large_message(state.settings.max_media_bytes));
            None
        }
    };
    if let Err(invalid) = errors.finish(|| ()) {
        return Err(Failure::Invalid(status, invalid));
    }
    let (Some(title), Some(collected_on), Some(activity_id), Some(cues), Some(media)) =
        (title, collected_on, activity_id, cues, media)
    else {
        return Err(Failure::Invalid(status, Invalid::one("media", "Select the recording: a video or audio file")));
    };
    let (text, timings) = film_text(&cues);
    let new = NewSource {
        kind: SourceKind::Film,
        title,
        text: screen(state, programme.id, text).await.map_err(PageError::from)?,
        collected_on,
        activity_id,
        participant_ids,
        attributes: Default::default(),
        media: Some(media),
        cue_timings: Some(timings),
    };
    match state.store.add_source(programme.id, &new, Some(page.user()?.id)).await {
        Ok(source) => Ok(source),
        Err(StoreError::Invalid(invalid)) => Err(Failure::Invalid(StatusCode::UNPROCESSABLE_ENTITY, invalid)),
        Err(other) => Err(Failure::Page(other.into())),
    }
}

// Playing a film

/// What a `Range` header asks for, for a file of a given size (RFC 9110 §14.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Requested {
    /// No range, or one Heard ignores (another unit, several ranges, bad syntax): the whole file.
    Whole,
    /// Bytes `start..=end`, both within the file.
    Part { start: u64, end: u64 },
    /// A range that starts past the end of the file.
    Unsatisfiable,
}

fn requested_range(header: Option<&str>, size: u64) -> Requested {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some(spec) = header.map(str::trim).and_then(|h| h.strip_prefix("bytes=")) else { return Requested::Whole };
    if spec.contains(',') {
        return Requested::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return Requested::Whole };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // The last N bytes.
        let Some(suffix) = last.parse::<u64>().ok().filter(|_| digits(last)) else { return Requested::Whole };
        if suffix == 0 || size == 0 {
            return Requested::Unsatisfiable;
        }
        return Requested::Part { start: size.saturating_sub(suffix), end: size - 1 };
    }
    let Some(start) = first.parse::<u64>().ok().filter(|_| digits(first)) else { return Requested::Whole };
    let end = if last.is_empty() {
        u64::MAX
    } else {
        match last.parse::<u64>() {
            Ok(end) if digits(last) && end >= start => end,
            _ => return Requested::Whole,
        }
    };
    if start >= size {
        return Requested::Unsatisfiable;
    }
    Requested::Part { start, end: end.min(size - 1) }
}

/// The 403 page for a film that someone in it no longer consents to show.
fn not_consented() -> Response {
    let body = render::error_page(
        403,
        "This film cannot be played",
        "Not everyone heard in it consents to filming and showing film now.",
    );
    (StatusCode::FORBIDDEN, Html(body)).into_response()
}

async fn media(
    State(state): State<AppState>,
    PagePath((slug, id)): PagePath<(String, i64)>,
    headers: HeaderMap,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = state.store.source(programme.id, id).await?.ok_or(PageError::NotFound)?;
    let Some(media) = &source.media else { return Err(PageError::NotFound) };
    // Checked on every request, so a withdrawal stops playback at once, mid-film too.
    if !source.consented_to(ConsentPurpose::Filming) {
        return Ok(not_consented());
    }
    let size = match state.media.size(&media.address).await {
        Ok(size) => size,
        Err(MediaError::NotFound) => {
            tracing::warn!(source = source.id, "a film's recording is missing from the media store");
            return Err(PageError::NotFound);
        }
        Err(error) => return Err(PageError::Internal(format!("reading a recording's size: {error:?}"))),
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, start, len) = match requested_range(range, size) {
        Requested::Whole => (StatusCode::OK, 0, size),
        Requested::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Requested::Unsatisfiable => {
            let headers =
                [(header::CONTENT_RANGE, format!("bytes */{size}")), (header::ACCEPT_RANGES, "bytes".to_owned())];
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response());
        }
    };
    let reader = state
        .media
        .open_range(&media.address, start, len)
        .await
        .map_err(|error| PageError::Internal(format!("opening a recording: {error:?}")))?;
    let mut response = Response::new(Body::from_stream(tokio_util::io::ReaderStream::new(reader)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let content_type =
        HeaderValue::from_str(&media.media_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    // The address is the SHA-256 of the content: a strong validator for free.
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", media.address)) {
        headers.insert(header::ETAG, etag);
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + len - 1))
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        use Requested::*;
        let size = 1000;
        let cases = [
            (None, Whole),
            (Some("bytes=0-99"), Part { start: 0, end: 99 }),
            (Some("bytes=100-"), Part { start: 100, end: 999 }),
            (Some("bytes=900-5000"), Part { start: 900, end: 999 }),
            (Some("bytes=-100"), Part { start: 900, end: 999 }),
            (Some("bytes=-5000"), Part { start: 0, end: 999 }),
            (Some("bytes=999-999"), Part { start: 999, end: 999 }),
            (Some("bytes=1000-"), Unsatisfiable),
            (Some("bytes=5000-6000"), Unsatisfiable),
            (Some("bytes=-0"), Unsatisfiable),
            (Some("bytes=0-1,5-6"), Whole),
            (Some("items=0-1"), Whole),
            (Some("bytes=abc"), Whole),
            (Some("bytes=5-1"), Whole),
            (Some("bytes=+5-10"), Whole),
            (Some("bytes=-"), Whole),
        ];
        for (header, expected) in cases {
            assert_eq!(requested_range(header, size), expected, "{header:?}");
        }
        assert_eq!(requested_range(Some("bytes=0-"), 0), Unsatisfiable);
    }

    #[test]
    fn cue_times_read_as_clocks() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(65_400), "1:05");
        assert_eq!(clock(3_605_000), "1:00:05");
    }
}
