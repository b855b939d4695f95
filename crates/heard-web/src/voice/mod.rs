//! Voice on the web: a programme's participants under pseudonyms and the consent each gave per
//! purpose, and the sources that hold their words, screened for personal data on arrival. Contact details reach only roles allowed `Action::ViewContactDetails`, and each time
//! they are shown is audited.

pub mod api;
mod film;
mod forms;
mod import;
mod pages;
mod search;
pub(crate) mod sources;

use std::sync::LazyLock;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::governance::Action;
use heard_store::{Participant, Store, StoreError};

use crate::auth::CurrentUser;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(sources::routes());
    routes.extend(film::routes());
    routes.extend(search::routes());
    routes.extend(forms::routes());
    routes.extend(import::routes());
    routes.extend(api::routes());
    routes
}

/// The participant's contact details if `user` may see them, noting in the audit log that they
/// did. `None` for everyone else, and when none are kept (nothing is then seen, so nothing audited).
pub(crate) async fn contact_details_for(
    store: &Store,
    user: &CurrentUser,
    participant: &Participant,
) -> Result<Option<String>, StoreError> {
    if !heard_domain::governance::permits(Some(user.role), Action::ViewContactDetails) {
        return Ok(None);
    }
    let Some(contact) = &participant.contact_details else {
        return Ok(None);
    };
    store.record_audit(Some(user.id), "participant.contact_viewed", &format!("participant {}", participant.id)).await?;
    Ok(Some(contact.expose().to_owned()))
}

/// The detector with its patterns and gazetteer, built once; each source gets a clone that also
/// knows the programme's participants' pseudonyms and the users' names.
static DETECTOR: LazyLock<Redactor> = LazyLock::new(Redactor::new);

/// `text` run through the detector with the programme's known names, ready to store.
pub(crate) async fn screen(state: &crate::AppState, programme_id: i64, text: String) -> Result<Screened, StoreError> {
    let names = state.store.known_names(programme_id).await?;
    let redactor = DETECTOR.clone().with_known_names(names.iter().map(String::as_str));
    Ok(Screened::new(&redactor, text))
}
