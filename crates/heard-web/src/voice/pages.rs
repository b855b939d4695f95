//! Participant pages: every programme's participants by kind, a programme's participants with their
//! consents, registering and editing a participant, and recording consent given and withdrawn.

use axum::extract::State;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::dates::DateParts;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::vocabulary::parse_code;
use heard_domain::voice::participants::{
    AgeBand, ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym, area, consent_note,
    current_consent,
};
use heard_store::{NewConsent, NewParticipant, Participant, Programme, StoreError};
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other, unprocessable};
use crate::routes::Route;
use crate::voice::contact_details_for;

pub fn routes() -> Vec<Route> {
    const ONE: &str = "/programmes/{slug}/participants/{id}";
    vec![
        Route::get("/participants", Action::ViewParticipants, overview),
        Route::get("/programmes/{slug}/participants", Action::ViewParticipants, participants),
        Route::get("/programmes/{slug}/participants/new", Action::ManageParticipants, new_participant_form),
        Route::post("/programmes/{slug}/participants/new", Action::ManageParticipants, create_participant),
        Route::get(ONE, Action::ViewParticipants, participant),
        Route::get("/programmes/{slug}/participants/{id}/edit", Action::ManageParticipants, edit_participant_form),
        Route::post("/programmes/{slug}/participants/{id}/edit", Action::ManageParticipants, update_participant),
        Route::post("/programmes/{slug}/participants/{id}/consents", Action::ManageParticipants, record_consent),
        Route::get(
            "/programmes/{slug}/participants/{id}/consents/{purpose}/withdraw",
            Action::ManageParticipants,
            withdraw_form,
        ),
        Route::post(
            "/programmes/{slug}/participants/{id}/consents/{purpose}/withdraw",
            Action::ManageParticipants,
            withdraw_consent,
        ),
    ]
}

async fn find_participant(state: &AppState, programme: &Programme, id: i64) -> Result<Participant, PageError> {
    state.store.participant(programme.id, id).await?.ok_or(PageError::NotFound)
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

// Every programme's participants by kind

async fn overview(State(state): State<AppState>, page: Page) -> PageResult {
    let mut programmes = Vec::new();
    for summary in state.store.programmes().await? {
        let counts = state.store.participant_counts(summary.programme.id).await?;
        let total: u32 = counts.values().sum();
        programmes.push(context! { programme => summary.programme, counts, total });
    }
    Ok(page.render("voice/overview.html", context! { programmes })?.into_response())
}

// A programme's participants

async fn participants(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let participants = state.store.participants(programme.id).await?;
    let counts = state.store.participant_counts(programme.id).await?;
    Ok(page.render("voice/participants.html", context! { programme, participants, counts })?.into_response())
}

/// The participant form's fields, parsed. Contact details are taken only from someone who may see
/// them; for anyone else the participant keeps what they had.
fn parse_participant(
    form: &FormFields,
    may_see_contact: bool,
    kept: Option<ContactDetails>,
) -> Result<NewParticipant, Invalid> {
    let mut errors = Collector::new();
    let pseudonym = errors.take(Pseudonym::parse("pseudonym", form.get("pseudonym")));
    let kind = errors.take(parse_code::<ParticipantKind>("kind", "the kind of participant", form.get("kind")));
    let age_band = match form.get("age_band").trim() {
        "" => Some(None),
        raw => errors.take(parse_code::<AgeBand>("age_band", "an age band", raw).map(Some)),
    };
    let area = errors.take(area("area", form.get("area")));
    let contact_details = if may_see_contact {
        errors.take(ContactDetails::parse("contact_details", form.get("contact_details")))
    } else {
        Some(kept)
    };
    errors.finish(|| ())?;
    match (pseudonym, kind, age_band, area, contact_details) {
        (Some(pseudonym), Some(kind), Some(age_band), Some(area), Some(contact_details)) => {
            Ok(NewParticipant { pseudonym, kind, age_band, area, contact_details })
        }
        _ => Err(Invalid::one("pseudonym", "Enter a pseudonym")),
    }
}

async fn render_participant_form(
    page: &Page,
    programme: &Programme,
    values: Value,
    participant: Option<&Participant>,
    invalid: Option<&Invalid>,
) -> PageResult {
    let action = match participant {
        Some(p) => format!("/programmes/{}/participants/{}/edit", programme.slug, p.id),
        None => format!("/programmes/{}/participants/new", programme.slug),
    };
    let ctx = context! {
        programme,
        participant,
        values,
        action,
        may_view_contact_details => page.may(Action::ViewContactDetails),
    };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("voice/participant_form.html", ctx, invalid_input)),
        None => Ok(page.render("voice/participant_form.html", ctx)?.into_response()),
    }
}

/// A duplicate pseudonym, said at the field.
fn taken() -> Invalid {
    Invalid::one("pseudonym", "There is already a participant with that pseudonym in this programme: choose another")
}

async fn new_participant_form(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_participant_form(&page, &programme, FormFields::default().values(), None, None).await
}

async fn create_participant(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let new = match parse_participant(&form, page.may(Action::ViewContactDetails), None) {
        Ok(new) => new,
        Err(invalid_input) => {
            return render_participant_form(&page, &programme, form.values(), None, Some(&invalid_input)).await;
        }
    };
    match state.store.create_participant(programme.id, &new).await {
        Ok(participant) => {
            Flash::set(&page.session, "Participant registered").await;
            see_other(format!("/programmes/{slug}/participants/{}", participant.id))
        }
        Err(StoreError::Duplicate { .. }) => {
            render_participant_form(&page, &programme, form.values(), None, Some(&taken())).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn edit_participant_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let participant = find_participant(&state, &programme, id).await?;
    let mut values = FormFields::default();
    values.set("pseudonym", &participant.pseudonym);
    values.set("kind", participant.kind.code());
    values.set("age_band", participant.age_band.map(AgeBand::code).unwrap_or_default());
    values.set("area", participant.area.clone().unwrap_or_default());
    if let Some(contact) = contact_details_for(&state.store, page.user()?, &participant).await? {
        values.set("contact_details", contact);
    }
    render_participant_form(&page, &programme, values.values(), Some(&participant), None).await
}

async fn update_participant(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let participant = find_participant(&state, &programme, id).await?;
    let kept = participant.contact_details.clone();
    let change = match parse_participant(&form, page.may(Action::ViewContactDetails), kept) {
        Ok(change) => change,
        Err(invalid_input) => {
            return render_participant_form(&page, &programme, form.values(), Some(&participant), Some(&invalid_input))
                .await;
        }
    };
    match state.store.update_participant(programme.id, id, &change).await {
        Ok(_) => {
            Flash::set(&page.session, "Participant updated").await;
            see_other(format!("/programmes/{slug}/participants/{id}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            render_participant_form(&page, &programme, form.values(), Some(&participant), Some(&taken())).await
        }
        Err(other) => Err(other.into()),
    }
}

// One participant, with their consent history and the form to record consent

async fn render_participant(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    participant: &Participant,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let contact_details = contact_details_for(&state.store, page.user()?, participant).await?;
    let erasures = state.store.erasures(programme.id, Some(participant.id)).await?;
    let ctx = context! {
        programme,
        participant,
        contact_details,
        erasures,
        may_view_contact_details => page.may(Action::ViewContactDetails),
        may_manage_participants => page.may(Action::ManageParticipants),
        values,
    };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("voice/participant.html", ctx, invalid_input)),
        None => Ok(page.render("voice/participant.html", ctx)?.into_response()),
    }
}

fn consent_values(form: &FormFields) -> Value {
    context! { given_on => form.date_parts("given_on"), ..form.values() }
}

async fn participant(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let participant = find_participant(&state, &programme, id).await?;
    render_participant(&state, &page, &programme, &participant, consent_values(&FormFields::default()), None).await
}

async fn record_consent(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let participant = find_participant(&state, &programme, id).await?;
    let mut errors = Collector::new();
    let purpose =
        errors.take(parse_code::<ConsentPurpose>("purpose", "what consent was given for", form.get("purpose")));
    let given_on = form.required_date(&mut errors, "given_on", "the date consent was given");
    let how = errors.take(parse_code::<ConsentMethod>("how", "how consent was given", form.get("how")));
    let note = errors.take(consent_note("note", form.get("note")));
    let consent = match errors.finish(|| (purpose, given_on, how, note)) {
        Ok((Some(purpose), Some(given_on), Some(how), Some(note))) => NewConsent { purpose, given_on, how, note },
        Ok(_) => return Err(PageError::Internal("a parsed field went missing".into())),
        Err(invalid_input) => {
            return render_participant(
                &state,
                &page,
                &programme,
                &participant,
                consent_values(&form),
                Some(&invalid_input),
            )
            .await;
        }
    };
    let user = page.user()?.id;
    match state.store.record_consent(programme.id, id, &consent, user, today()).await {
        Ok(_) => {
            Flash::set(&page.session, &format!("Consent recorded: {}", consent.purpose.label())).await;
            see_other(format!("/programmes/{slug}/participants/{id}"))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_participant(&state, &page, &programme, &participant, consent_values(&form), Some(&invalid_input))
                .await
        }
        Err(other) => Err(other.into()),
    }
}

// Withdrawing consent, after a confirmation

async fn render_withdraw(
    page: &Page,
    programme: &Programme,
    participant: &Participant,
    purpose: ConsentPurpose,
    withdrawn_on: DateParts,
    invalid: Option<&Invalid>,
) -> PageResult {
    let consent = current_consent(&participant.consents, purpose).ok_or(PageError::NotFound)?;
    let ctx = context! { programme, participant, purpose => purpose.code(), consent, withdrawn_on };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("voice/withdraw.html", ctx, invalid_input)),
        None => Ok(page.render("voice/withdraw.html", ctx)?.into_response()),
    }
}

fn purpose_in_path(raw: &str) -> Result<ConsentPurpose, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

async fn withdraw_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, purpose)): PagePath<(String, i64, String)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let participant = find_participant(&state, &programme, id).await?;
    let purpose = purpose_in_path(&purpose)?;
    render_withdraw(&page, &programme, &participant, purpose, DateParts::from_date(Some(today())), None).await
}

async fn withdraw_consent(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, purpose)): PagePath<(String, i64, String)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let participant = find_participant(&state, &programme, id).await?;
    let purpose = purpose_in_path(&purpose)?;
    current_consent(&participant.consents, purpose).ok_or(PageError::NotFound)?;
    let mut errors = Collector::new();
    let withdrawn_on = form.required_date(&mut errors, "withdrawn_on", "the date consent was withdrawn");
    let parts = form.date_parts("withdrawn_on");
    let withdrawn_on = match errors.finish(|| withdrawn_on) {
        Ok(Some(date)) => date,
        Ok(None) => return Err(PageError::Internal("a parsed field went missing".into())),
        Err(invalid_input) => {
            return render_withdraw(&page, &programme, &participant, purpose, parts, Some(&invalid_input)).await;
        }
    };
    let user = page.user()?.id;
    match state.store.withdraw_consent(programme.id, id, purpose, withdrawn_on, user, today()).await {
        Ok(_) => {
            crate::protection::finish(&state).await;
            Flash::set(&page.session, &format!("Consent withdrawn: {}", purpose.label())).await;
            see_other(format!("/programmes/{slug}/participants/{id}"))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_withdraw(&page, &programme, &participant, purpose, parts, Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}
