//! The demo's commissioning decisions. Early Years takes up what its Deliberation Day favoured and
//! one proposition the room did not, with the reason the departure rule asks for; each other
//! programme gets one proposition and a decision taking it up; recording a decision commissions
//! the propositions it takes up, so each shows as commissioned. Early Years' and Dementia's "You
//! said, we did" pages are published. Everything is made up and says so.

use std::collections::BTreeMap;

use heard_domain::dates::DateParts;
use heard_domain::decisions::{self, DecisionFields, DecisionInput, DepartureKind, favoured};
use heard_domain::propositions::PropositionInput;
use time::Date;
use time::macros::date;

use crate::{Store, StoreError};

/// A decision of a programme other than Early Years: its proposition (title, change), then the
/// decision's title, change, budget, who decided, when and why.
struct Other {
    proposition: (&'static str, &'static str),
    title: &'static str,
    change: &'static str,
    budget: &'static str,
    by: (&'static str, &'static str),
    on: Date,
    why: &'static str,
}

const OTHERS: [Other; 4] = [
    Other {
        proposition: (
            "Shared support plans across health and care (demo)",
            "One support plan that the person holds and every service reads, written with them.",
        ),
        title: "One support plan the person holds (demo)",
        change: "Commission a single support plan owned by the person, read and updated by health, social care and the voluntary sector.",
        budget: "£180,000",
        by: ("board", "Adults Commissioning Board (demo)"),
        on: date!(2014 - 10 - 14),
        why: "People told us they repeat their story to every service. A plan they hold stops that. (demo)",
    },
    Other {
        proposition: (
            "Dementia-friendly community hubs (demo)",
            "Drop-in hubs in libraries where carers and people living with dementia meet advisers.",
        ),
        title: "Dementia hubs in three libraries (demo)",
        change: "Fund weekly dementia-friendly hubs in three libraries for two years, run with the voluntary sector.",
        budget: "£95,000",
        by: ("committee", "Health and Wellbeing Committee (demo)"),
        on: date!(2014 - 11 - 04),
        why: "Carers said they find help only in a crisis; a regular place near home lets them find it sooner. (demo)",
    },
    Other {
        proposition: (
            "Young people shape their own reviews (demo)",
            "Children in care help set the agenda of their reviews and choose where they happen.",
        ),
        title: "Reviews led by young people (demo)",
        change: "Change the review process so children in care set its agenda and place, with an advocate.",
        budget: "",
        by: ("person", "Director of Children's Services (demo)"),
        on: date!(2014 - 12 - 02),
        why: "Young people said reviews feel like meetings about them, not with them. (demo)",
    },
    Other {
        proposition: (
            "Crisis café open evenings and weekends (demo)",
            "A safe place to go in a mental health crisis when other services are closed.",
        ),
        title: "An evening and weekend crisis café (demo)",
        change: "Commission a crisis café open 6pm to midnight and at weekends, staffed with peer supporters.",
        budget: "£240,000",
        by: ("board", "Mental Health Partnership Board (demo)"),
        on: date!(2015 - 01 - 20),
        why: "People in crisis told us the emergency department was the only place open to them. (demo)",
    },
];

fn fields(
    title: &str,
    change: &str,
    budget: &str,
    by: (&str, &str),
    on: Date,
    why: &str,
    propositions: &[i64],
) -> DecisionFields {
    DecisionFields {
        title: title.to_owned(),
        service_change: change.to_owned(),
        budget: budget.to_owned(),
        period_start: DateParts::from_date(Some(date!(2015 - 04 - 01))),
        period_end: DateParts::from_date(Some(date!(2017 - 03 - 31))),
        decided_by_kind: by.0.to_owned(),
        decided_by: by.1.to_owned(),
        decided_on: DateParts::from_date(Some(on)),
        rationale: why.to_owned(),
        propositions: propositions.iter().map(i64::to_string).collect(),
    }
}

/// Records the demo decisions (programmes in the demo's order: Early Years first); a programme
/// that already has decisions is left as it is.
pub(super) async fn load(store: &Store, programmes: [i64; 5], commissioner: i64) -> Result<(), StoreError> {
    let [early_years, others @ ..] = programmes;
    let by = Some(commissioner);
    if store.decisions(early_years).await?.is_empty() {
        // What the room favoured, and the first proposition it ranked but did not favour.
        let room = store.room_for_decisions(early_years).await?;
        let ranks = room.as_ref().map(|r| r.ranks.clone()).unwrap_or_default();
        let mut taken: Vec<i64> =
            ranks.iter().filter(|r| favoured(r.rank, r.ranked)).map(|r| r.proposition_id).collect();
        taken.extend(ranks.iter().find(|r| !favoured(r.rank, r.ranked)).map(|r| r.proposition_id));
        if taken.is_empty() {
            taken = store.propositions(early_years).await?.into_iter().map(|p| p.id).take(1).collect();
        }
        let input = DecisionInput::parse(&fields(
            "Family hubs with one front door (demo)",
            "Commission family hubs in each district where midwives, health visitors, children's centres and family support work from one place, with one number to call.",
            "£1,250,000",
            ("board", "Early Years Commissioning Board (demo)"),
            date!(2014 - 09 - 16),
            "Parents told us they were passed between services and reached help too late; the Deliberation Day put the hubs first. (demo)",
            &taken,
        ))?;
        let found = decisions::departures(&ranks, &input.propositions, &[]);
        let given: BTreeMap<i64, String> = found
            .iter()
            .map(|d| {
                let reason = match d.kind {
                    DepartureKind::NotFavoured => "The room ranked it lower, but it is a statutory duty from April and cheaper to commission together with the hubs. (demo)",
                    DepartureKind::NotTakenUp => "The health partner is commissioning this from its own budget next year. (demo)",
                };
                (d.proposition_id, reason.to_owned())
            })
            .collect();
        let reasons = decisions::reasons(&found, &given, |id| id.to_string())?;
        store.record_decision(early_years, &input, &reasons, room.map(|r| r.deliberation.id), by).await?;
        store.publish_you_said_we_did(early_years, true, by).await?;
    }
    for (programme, other) in others.into_iter().zip(OTHERS.iter()) {
        if !store.decisions(programme).await?.is_empty() {
            continue;
        }
        let proposition = match store.proposition_id(programme, other.proposition.0).await? {
            Some(id) => id,
            None => {
                let words = PropositionInput::parse(other.proposition.0, other.proposition.1, "")?;
                store.create_proposition(programme, &words, by).await?
            }
        };
        let input = DecisionInput::parse(&fields(
            other.title,
            other.change,
            other.budget,
            other.by,
            other.on,
            other.why,
            &[proposition],
        ))?;
        store.record_decision(programme, &input, &[], None, by).await?;
    }
    store.publish_you_said_we_did(programmes[2], true, by).await?;
    Ok(())
}
