//! HTML from templates (minijinja, embedded at build time from `src/templates/`), the [`Page`]
//! extractor that carries what every page's layout needs, and one-off messages ([`Flash`]) shown
//! in a notification banner after a redirect.

use std::sync::LazyLock;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::Html;
use heard_domain::Invalid;
use heard_domain::governance::{Action, Role, Sector};
use heard_domain::journeys::{ActivityKind, AttendeeKind, ProgrammeStatus, StageStatus};
use heard_domain::vocabulary::Vocabulary;
use heard_domain::voice::participants::{AgeBand, ConsentMethod, ConsentPurpose, ParticipantKind};
use heard_domain::voice::sources::SourceKind;
use minijinja::{Environment, UndefinedBehavior, Value, context};
use tower_sessions::Session;

use crate::auth::CurrentUser;
use crate::csrf;
use crate::error::PageError;

pub type RenderError = minijinja::Error;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(environment);

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    minijinja_embed::load_templates!(&mut env);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    vocabulary::<Role>(&mut env, "role", "roles");
    vocabulary::<Sector>(&mut env, "sector", "sectors");
    vocabulary::<ProgrammeStatus>(&mut env, "programme_status", "programme_statuses");
    vocabulary::<StageStatus>(&mut env, "stage_status", "stage_statuses");
    vocabulary::<ActivityKind>(&mut env, "activity_kind", "activity_kinds");
    vocabulary::<AttendeeKind>(&mut env, "attendee_kind", "attendee_kinds");
    vocabulary::<ParticipantKind>(&mut env, "participant_kind", "participant_kinds");
    vocabulary::<AgeBand>(&mut env, "age_band", "age_bands");
    vocabulary::<ConsentPurpose>(&mut env, "consent_purpose", "consent_purposes");
    vocabulary::<ConsentMethod>(&mut env, "consent_method", "consent_methods");
    vocabulary::<SourceKind>(&mut env, "source_kind", "source_kinds");
    vocabulary::<heard_domain::horizon::signals::Category>(&mut env, "category", "categories");
    vocabulary::<heard_domain::horizon::signals::Horizon>(&mut env, "horizon", "horizons");
    vocabulary::<heard_domain::horizon::signals::SignalKind>(&mut env, "signal_kind", "signal_kinds");
    vocabulary::<heard_domain::horizon::signals::Confidence>(&mut env, "confidence", "confidences");
    vocabulary::<heard_domain::learning::ReflectionKind>(&mut env, "reflection_kind", "reflection_kinds");
    env.add_filter("snippet", snippet);
    env.add_filter("date", format_date);
    env.add_filter("field_id", |name: &str| field_id(name));
    env.add_function("field_error", field_error);
    env.add_filter("people", people);
    env
}

/// A filter `{{ code | name }}` giving a code's label, and a global `plural` listing the options.
fn vocabulary<V: Vocabulary>(env: &mut Environment<'static>, name: &'static str, plural: &'static str) {
    env.add_filter(name, |code: &str| V::label_of(code).to_owned());
    let options: Vec<Value> = V::ALL.iter().map(|v| context! { value => v.code(), text => v.label() }).collect();
    env.add_global(plural, Value::from(options));
}

/// A search snippet as HTML: the text escaped, its matches (between the store's markers) in
/// `<mark>`. Markers left unbalanced by a cut are closed.
fn snippet(text: &str) -> Value {
    use heard_store::voice::sources::{MATCH_END, MATCH_START};
    let mut html = String::with_capacity(text.len() + 32);
    let mut open = false;
    for c in text.chars() {
        match c {
            MATCH_START if !open => {
                html.push_str("<mark>");
                open = true;
            }
            MATCH_END if open => {
                html.push_str("</mark>");
                open = false;
            }
            MATCH_START | MATCH_END => {}
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#x27;"),
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    Value::from_safe_string(html)
}

/// "2014-05-19" becomes "19 May 2014"; an RFC 3339 timestamp becomes "19 May 2014 at 14:05".
fn format_date(value: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(value, iso) {
        return heard_domain::dates::display(date);
    }
    if let Ok(at) = time::OffsetDateTime::parse(value, &Rfc3339) {
        return format!("{} at {:02}:{:02}", heard_domain::dates::display(at.date()), at.hour(), at.minute());
    }
    value.to_owned()
}

/// How many people an activity's attendance counts (the larger of its two breakdowns).
fn people(attendance: Value) -> u64 {
    let sum = |breakdown: &str| -> u64 {
        let Ok(map) = attendance.get_attr(breakdown) else { return 0 };
        let Ok(keys) = map.try_iter() else { return 0 };
        keys.filter_map(|key| map.get_item(&key).ok().and_then(|n| u64::try_from(n).ok())).sum()
    };
    sum("by_sector").max(sum("by_kind"))
}

/// The message for `field` among a form's `errors`, if any.
fn field_error(errors: Option<Value>, field: &str) -> Option<String> {
    let errors = errors?;
    errors.try_iter().ok()?.find_map(|error| {
        let matches = error.get_attr("field").ok().is_some_and(|f| f.as_str() == Some(field));
        matches.then(|| error.get_attr("message").ok().map(|m| m.to_string())).flatten()
    })
}

/// Renders `name` with `ctx`; used for pages that need no session (error pages).
pub fn render(name: &str, ctx: Value) -> Result<String, RenderError> {
    TEMPLATES.get_template(name)?.render(ctx)
}

/// A document people take away as one file (the programme report, a subject access export):
/// `name` extends `standalone.html`, which carries Heard's stylesheet inside it.
pub fn render_standalone(name: &str, ctx: Value) -> Result<String, RenderError> {
    render(name, context! { css => crate::assets::stylesheet(), ..ctx })
}

/// The error page; falls back to plain text if even that fails, so an error never hides another.
pub fn error_page(status: u16, title: &str, message: &str) -> String {
    render("error.html", context! { status, title, message, user => Value::UNDEFINED })
        .unwrap_or_else(|_| format!("{status} {title}"))
}

/// What a page handler returns: a page, a redirect, or an error page.
pub type PageResult = Result<axum::response::Response, PageError>;

/// Redirects (303) after a form was handled, so reloading does not send it again.
pub fn see_other(path: impl AsRef<str>) -> PageResult {
    use axum::response::IntoResponse;
    Ok(axum::response::Redirect::to(path.as_ref()).into_response())
}

/// A form page shown again with its errors: 422, so clients and tests can tell it from success.
pub fn unprocessable(page: Result<Html<String>, PageError>) -> PageResult {
    use axum::response::IntoResponse;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page?).into_response())
}

/// A message for the next page a person sees.
pub struct Flash;

impl Flash {
    const KEY: &'static str = "heard.flash";

    pub async fn set(session: &Session, message: &str) {
        if let Err(error) = session.insert(Self::KEY, message).await {
            tracing::warn!(%error, "could not keep a message for the next page");
        }
    }

    async fn take(session: &Session) -> Option<String> {
        session.remove::<String>(Self::KEY).await.ok().flatten()
    }
}

/// What the layout of every page needs: who is signed in, the form token, a waiting message, and
/// where we are (for the navigation).
pub struct Page {
    pub user: Option<CurrentUser>,
    pub session: Session,
    csrf_token: String,
    flash: Option<String>,
    path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| PageError::Internal(message.to_owned()))?;
        let user = parts.extensions.get::<Option<CurrentUser>>().cloned().flatten();
        let path = match parts.extensions.get::<OriginalUri>() {
            Some(OriginalUri(uri)) => uri.path().to_owned(),
            None => parts.uri.path().to_owned(),
        };
        let csrf_token = csrf::token(&session).await?;
        let flash = Flash::take(&session).await;
        Ok(Self { user, session, csrf_token, flash, path })
    }
}

impl Page {
    /// The signed-in user; routes that are not public always have one.
    pub fn user(&self) -> Result<&CurrentUser, PageError> {
        self.user.as_ref().ok_or(PageError::Forbidden)
    }

    pub fn may(&self, action: Action) -> bool {
        heard_domain::governance::permits(self.user.as_ref().map(|u| u.role), action)
    }

    /// Renders `name` with `ctx` and the layout's values.
    pub fn render(&self, name: &str, ctx: Value) -> Result<Html<String>, PageError> {
        let user = self.user.as_ref().map(|user| {
            context! {
                display_name => user.display_name,
                role => user.role.code(),
                administrator => user.role == Role::Administrator,
            }
        });
        let layout = context! {
            user,
            csrf_token => self.csrf_token,
            flash => self.flash,
            path => self.path,
            may_create_programme => self.may(Action::CreateProgramme),
            may_edit_programme => self.may(Action::EditProgramme),
            may_update_journey => self.may(Action::UpdateJourney),
            may_record_activity => self.may(Action::RecordActivity),
            may_view_participants => self.may(Action::ViewParticipants),
            may_manage_participants => self.may(Action::ManageParticipants),
            may_view_sources => self.may(Action::ViewSources),
            may_manage_sources => self.may(Action::ManageSources),
            may_view_original_text => self.may(Action::ViewOriginalText),
            may_manage_story_forms => self.may(Action::ManageStoryForms),
            may_view_coding => self.may(Action::ViewCoding),
            may_code => self.may(Action::Code),
            may_view_insights => self.may(Action::ViewInsights),
            may_manage_insights => self.may(Action::ManageInsights),
            may_exchange_projects => self.may(Action::ExchangeProjects),
            may_view_cause_maps => self.may(Action::ViewCauseMaps),
            may_edit_cause_maps => self.may(Action::EditCauseMaps),
            may_view_signals => self.may(Action::ViewSignals),
            may_manage_signals => self.may(Action::ManageSignals),
            may_view_propositions => self.may(Action::ViewPropositions),
            may_edit_propositions => self.may(Action::EditPropositions),
            may_decide_propositions => self.may(Action::DecidePropositions),
            may_view_deliberations => self.may(Action::ViewDeliberations),
            may_run_deliberations => self.may(Action::RunDeliberations),
            may_view_learning => self.may(Action::ViewLearning),
            may_view_reports => self.may(Action::ViewReports),
        };
        Ok(Html(render(name, context! { ..ctx, ..layout })?))
    }

    /// A form page: as it is (200), or, with `invalid`, again with the errors beside their fields
    /// and the values as typed (422).
    pub fn respond(&self, name: &str, ctx: Value, invalid: Option<&Invalid>) -> PageResult {
        use axum::response::IntoResponse;
        match invalid {
            Some(invalid_input) => unprocessable(self.render_invalid(name, ctx, invalid_input)),
            None => Ok(self.render(name, ctx)?.into_response()),
        }
    }

    /// Renders a form page again with the errors beside their fields and the values as typed.
    pub fn render_invalid(&self, name: &str, ctx: Value, invalid: &Invalid) -> Result<Html<String>, PageError> {
        self.render(name, context! { errors => form_errors(invalid), ..ctx })
    }
}

/// Errors as the templates' form macros take them: a list for the error summary, in field order.
pub fn form_errors(invalid: &Invalid) -> Value {
    Value::from(
        invalid
            .0
            .iter()
            .map(|e| context! { field => e.field, id => field_id(&e.field), message => e.message })
            .collect::<Vec<_>>(),
    )
}

/// The HTML id for a field name: `held_on.day` becomes `held_on-day`, `stages[2].name` `stages-2-name`.
pub fn field_id(field: &str) -> String {
    let mut id = String::with_capacity(field.len());
    for c in field.chars() {
        match c {
            '.' | '[' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_embedded_and_compiles() {
        fn html_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("the templates folder") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    html_files(&path, found);
                } else if path.extension().is_some_and(|e| e == "html") {
                    found.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/templates");
        let mut files = Vec::new();
        html_files(&root, &mut files);
        let env = environment();
        for file in &files {
            let name = file.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
            if let Err(error) = env.get_template(&name) {
                panic!("{name} does not compile: {error:#}");
            }
        }
        assert_eq!(env.templates().count(), files.len());
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(format_date("2014-05-19"), "19 May 2014");
        assert_eq!(format_date("2015-01-07T09:30:00Z"), "7 January 2015 at 09:30");
        assert_eq!(format_date("not a date"), "not a date");
    }

    #[test]
    fn field_ids_are_valid_fragments() {
        assert_eq!(field_id("held_on.day"), "held_on-day");
        assert_eq!(field_id("stages[2].name"), "stages-2-name");
    }
}
