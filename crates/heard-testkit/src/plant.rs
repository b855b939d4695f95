//! Test data put straight into the store, for tests about what happens to people's words later
//! (erasure, reports, evidence trails): a participant who consents, and a story of theirs screened
//! and coded whole.

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::voice::participants::{ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym};
use heard_domain::voice::sources::SourceKind;
use heard_store::{NewConsent, NewParticipant, NewSource, Store};

/// A participant of `programme` who consents today, recorded by `by`, to research and, when
/// `quotable`, to anonymous quotation. `contact` may be empty.
pub async fn participant(
    store: &Store,
    programme: i64,
    by: i64,
    pseudonym: &str,
    kind: ParticipantKind,
    contact: &str,
    quotable: bool,
) -> i64 {
    let new = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", pseudonym).expect("a valid pseudonym"),
        kind,
        age_band: None,
        area: None,
        contact_details: ContactDetails::parse("contact_details", contact).expect("valid contact details"),
    };
    let id = store.create_participant(programme, &new).await.expect("the participant is made").id;
    let today = time::OffsetDateTime::now_utc().date();
    let purposes: &[ConsentPurpose] = if quotable {
        &[ConsentPurpose::Research, ConsentPurpose::AnonymousQuotation]
    } else {
        &[ConsentPurpose::Research]
    };
    for &purpose in purposes {
        let consent = NewConsent { purpose, given_on: today, how: ConsentMethod::Written, note: String::new() };
        store.record_consent(programme, id, &consent, by, today).await.expect("the consent is recorded");
    }
    id
}

/// A story of `words` heard from `participants` (at `activity`), collected 3 March 2025, screened
/// by the redactor and coded whole with `code` by `by`: the excerpt's id.
pub async fn coded_story(
    store: &Store,
    programme: i64,
    by: i64,
    words: &str,
    participants: Vec<i64>,
    code: i64,
    activity: Option<i64>,
) -> i64 {
    let text = Screened::new(&Redactor::new(), words.to_owned());
    let length = text.redacted().chars().count();
    let source = NewSource {
        kind: SourceKind::Story,
        title: None,
        text,
        collected_on: time::Date::from_calendar_date(2025, time::Month::March, 3).ok(),
        activity_id: activity,
        participant_ids: participants,
        attributes: Default::default(),
        media: None,
        cue_timings: None,
    };
    let source = store.add_source(programme, &source, Some(by)).await.expect("the story is added").id;
    store.code_span(programme, source, (0, length), &[code], by).await.expect("the story is coded")
}
