//! The demo's propositions, in Early Years (the programme whose insights and factors are
//! evidenced): one recommended after deliberation, with its status history and a second version;
//! one merged from two narrower ones; one open for deliberation; and one that stands on a signal
//! and an unevidenced factor only, so the page flags it as standing on no citizen evidence. All
//! synthetic. A proposition already there is left as it is.

use heard_domain::governance::{Email, Role};
use heard_domain::propositions::{EvidenceRef, PropositionInput, PropositionStatus, ShaperInput, StatusChange};

use super::DEMO_ACCOUNTS;
use crate::horizon::signals::SignalFilter;
use crate::{Store, StoreError};

/// What a demo proposition stands on, by the words of the insights, factors and signals.
struct Links {
    insights: &'static [&'static str],
    factors: &'static [&'static str],
    signals: &'static [&'static str],
}

/// People who shaped it: kind, how many, and the activity's title ("" for none).
type Shapers = &'static [(&'static str, u32, &'static str)];

const LISTENING: &str = "Listening event with parents";
const WORKSHOP: &str = "Multiple cause analysis workshop";

const FIRST_CONTACT: (&str, &str) = (
    "Tell every family about support at the first health visit (demo)",
    "Health visitors give every family a short guide to local support at the first visit.",
);
const FIRST_CONTACT_V2: &str = "Health visitors and midwives give every family a short guide to local support, in the family's language, at the first visit and again at six weeks, and book them onto one stay and play session.";

/// The Store calls of the demo's propositions; `riley` writes them, the demo commissioner decides.
pub(super) async fn load(store: &Store, early_years: i64, riley: i64) -> Result<(), StoreError> {
    if store.proposition_id(early_years, FIRST_CONTACT.0).await?.is_some() {
        return Ok(());
    }
    let by = Some(riley);
    let commissioner = demo_user(store, Role::Commissioner).await?;
    let facilitator = demo_user(store, Role::Facilitator).await?;

    // Recommended after the Deliberation Day, with two versions and its history.
    let first = write(
        store,
        early_years,
        FIRST_CONTACT,
        &Links {
            insights: &["Families hear about support too late, often only after a crisis."],
            factors: &["Families do not hear about support", "Help is offered only after a crisis"],
            signals: &["Health visiting by video (demo)"],
        },
        &[("parent", 9, LISTENING), ("carer", 2, LISTENING), ("practitioner", 4, WORKSHOP)],
        by,
    )
    .await?;
    let input = PropositionInput::parse(
        FIRST_CONTACT.0,
        FIRST_CONTACT_V2,
        "After parents at the listening event asked for it twice and in their language",
    )?;
    store.edit_proposition(early_years, first, 1, &input, facilitator).await?;
    let moves = [
        (
            PropositionStatus::Draft,
            PropositionStatus::OpenForDeliberation,
            "Ready for the Deliberation Day",
            facilitator,
        ),
        (
            PropositionStatus::OpenForDeliberation,
            PropositionStatus::Recommended,
            "Favoured by parents and professionals alike on the day",
            commissioner,
        ),
    ];
    for (from, to, note, who) in moves {
        store
            .change_proposition_status(early_years, first, &StatusChange { from, to, note: Some(note.to_owned()) }, who)
            .await?;
    }

    // Two narrower propositions merged into one.
    let assessment = write(
        store,
        early_years,
        (
            "Share one assessment between health and social care (demo)",
            "Health visiting and early help use one shared assessment, so a family tells its story once.",
        ),
        &Links {
            insights: &["Parents tell the same story again and again to different services."],
            factors: &["Services each assess families separately"],
            signals: &[],
        },
        &[("parent", 5, LISTENING), ("practitioner", 6, WORKSHOP)],
        by,
    )
    .await?;
    let worker = write(
        store,
        early_years,
        (
            "A named worker for each family (demo)",
            "Each family with more than one service has one named worker who coordinates the others.",
        ),
        &Links { insights: &[], factors: &["Parents give up asking"], signals: &[] },
        &[("parent", 4, LISTENING), ("carer", 1, LISTENING)],
        by,
    )
    .await?;
    let merged = PropositionInput::parse(
        "One family plan, one named worker (demo)",
        "Health visiting and early help share one assessment and one plan for each family, held by a named worker who coordinates the other services, so a family tells its story once and knows whom to ask.",
        "Workshop participants saw the two as one change",
    )?;
    store.merge_propositions(early_years, &[assessment, worker], &merged, by).await?;

    // Open for deliberation.
    let grandparents = write(
        store,
        early_years,
        ("Ask grandparents what they need (demo)", "Family hubs invite grandparents who provide childcare to a termly session and add them to the information offer."),
        &Links {
            insights: &["Grandparents carry much of the care and are never asked what they need."],
            factors: &["Grandparents' needs go unasked"],
            signals: &["Grandparents as main childcare (demo)"],
        },
        &[("carer", 7, LISTENING), ("parent", 3, LISTENING)],
        by,
    )
    .await?;
    let open = StatusChange {
        from: PropositionStatus::Draft,
        to: PropositionStatus::OpenForDeliberation,
        note: Some("For the Deliberation Day".to_owned()),
    };
    store.change_proposition_status(early_years, grandparents, &open, facilitator).await?;

    // Standing on a signal and a factor nobody has evidenced: flagged as no citizen evidence.
    write(
        store,
        early_years,
        (
            "Open children's centres into the evening (demo)",
            "Children's centres stay open until 7pm two days a week for working parents.",
        ),
        &Links {
            insights: &[],
            factors: &["Children's centres open short hours"],
            signals: &["Childcare funding hours extended (demo)"],
        },
        &[("commissioner", 2, ""), ("practitioner", 3, WORKSHOP)],
        by,
    )
    .await?;
    Ok(())
}

async fn demo_user(store: &Store, role: Role) -> Result<Option<i64>, StoreError> {
    let Some((_, email)) = DEMO_ACCOUNTS.iter().find(|(r, _)| *r == role) else { return Ok(None) };
    Ok(store.user_by_email(&Email::parse("email", email)?).await?.map(|u| u.id))
}

/// Writes a proposition with its links and shapers; every link must name something the demo made.
async fn write(
    store: &Store,
    programme: i64,
    (title, change): (&str, &str),
    links: &Links,
    shapers: Shapers,
    by: Option<i64>,
) -> Result<i64, StoreError> {
    let id = store.create_proposition(programme, &PropositionInput::parse(title, change, "")?, by).await?;
    let insights = store.insights(programme).await?;
    for statement in links.insights {
        let insight = insights.iter().find(|i| i.statement == *statement).ok_or(StoreError::NotFound)?;
        store.link_proposition_evidence(programme, id, EvidenceRef::Insight(insight.id), by).await?;
    }
    for label in links.factors {
        let mut found = None;
        for map in store.cause_maps(programme).await? {
            let map = store.cause_map(programme, map.id).await?.ok_or(StoreError::NotFound)?;
            found = found.or_else(|| map.factors.iter().find(|f| f.label == *label).map(|f| f.id));
        }
        store
            .link_proposition_evidence(programme, id, EvidenceRef::Factor(found.ok_or(StoreError::NotFound)?), by)
            .await?;
    }
    let signals = store.signals(SignalFilter { programme_id: Some(programme), ..Default::default() }).await?;
    for title in links.signals {
        let signal = signals.iter().find(|s| s.title == *title).ok_or(StoreError::NotFound)?;
        store.link_proposition_evidence(programme, id, EvidenceRef::Signal(signal.id), by).await?;
    }
    let activities = store.activities(programme).await?;
    for (kind, count, at) in shapers {
        let activity = match *at {
            "" => String::new(),
            title => activities.iter().find(|a| a.title == title).ok_or(StoreError::NotFound)?.id.to_string(),
        };
        let input = ShaperInput::parse(kind, &count.to_string(), &activity)?;
        store.set_proposition_shapers(programme, id, &input, by).await?;
    }
    Ok(id)
}
