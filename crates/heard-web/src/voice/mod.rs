//! Voice on the web: a programme's participants under pseudonyms and the consent each gave per
//! purpose. Contact details reach only roles allowed `Action::ViewContactDetails`, and each time
//! they are shown is audited.

pub mod api;
mod pages;

use heard_domain::governance::Action;
use heard_store::{Participant, Store, StoreError};

use crate::auth::CurrentUser;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
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
