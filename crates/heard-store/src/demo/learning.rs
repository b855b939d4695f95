//! The demo's learning log: synthetic reflections for each programme, ups and downs, surprises and
//! lessons, written by the demo commissioner, researcher and facilitator on dates along each
//! programme's journey and linked to its stages and activities, and one on Early Years' first
//! decision. Every one is made up and says so.

use heard_domain::learning::{ReflectionInput, ReflectionKind};
use time::Date;
use time::macros::date;

use crate::{Store, StoreError};

use ReflectionKind::{Down, Lesson, Surprise, Up};

/// Who wrote a demo reflection.
#[derive(Clone, Copy)]
enum Writer {
    Commissioner,
    Researcher,
    Facilitator,
}

/// A demo reflection: kind, date, the stage (by position) and activity (by title) it is about,
/// its writer, its words.
type DemoReflection = (ReflectionKind, Date, Option<i32>, Option<&'static str>, Writer, &'static str);

const EARLY_YEARS: &[DemoReflection] = &[
    (
        Up,
        date!(2014 - 01 - 29),
        Some(1),
        Some("Early years system workshop"),
        Writer::Commissioner,
        "The room went quiet during the parents' stories; health and social care colleagues started talking about one system rather than their own services. (demo)",
    ),
    (
        Down,
        date!(2014 - 03 - 21),
        Some(2),
        Some("Listening event with parents"),
        Writer::Facilitator,
        "Almost no fathers came to the listening event, and the evening slot suited nobody working shifts. (demo)",
    ),
    (
        Surprise,
        date!(2014 - 03 - 28),
        Some(2),
        None,
        Writer::Researcher,
        "Grandparents came up in nearly every home visit as the people who actually spot when something is wrong. (demo)",
    ),
    (
        Lesson,
        date!(2014 - 05 - 02),
        Some(3),
        None,
        Writer::Researcher,
        "Coding with two researchers took longer than planned, but comparing codes caught two insights we would have merged wrongly. (demo)",
    ),
    (
        Down,
        date!(2014 - 06 - 20),
        Some(5),
        None,
        Writer::Commissioner,
        "One proposition was drafted without any parent in the room and had to be flagged and reworked. (demo)",
    ),
    (
        Lesson,
        date!(2014 - 07 - 10),
        Some(6),
        None,
        Writer::Facilitator,
        "Voting on phones worked for almost everyone; paper cards for the few without a phone kept the room together. (demo)",
    ),
];

const ADULTS: &[DemoReflection] = &[
    (
        Up,
        date!(2014 - 04 - 10),
        Some(1),
        None,
        Writer::Commissioner,
        "People with learning disabilities co-chaired the first workshop, and it set the tone for everything after. (demo)",
    ),
    (
        Down,
        date!(2014 - 06 - 02),
        Some(2),
        None,
        Writer::Researcher,
        "Easy-read consent forms arrived late, so a week of interviews had to move. (demo)",
    ),
    (
        Surprise,
        date!(2014 - 07 - 15),
        Some(3),
        None,
        Writer::Researcher,
        "Transport, not care, was the thing most people said stopped them doing what they wanted. (demo)",
    ),
];

const DEMENTIA: &[DemoReflection] = &[
    (
        Up,
        date!(2015 - 01 - 28),
        Some(1),
        None,
        Writer::Facilitator,
        "Carers at the screening asked to keep meeting after it ended. (demo)",
    ),
    (
        Down,
        date!(2015 - 02 - 20),
        Some(1),
        None,
        Writer::Commissioner,
        "Primary care was hard to get into the room; only one practice came. (demo)",
    ),
    (
        Lesson,
        date!(2015 - 03 - 05),
        Some(1),
        None,
        Writer::Researcher,
        "Shorter sessions in familiar places suit people living with dementia far better than a long workshop. (demo)",
    ),
];

const CHILDRENS: &[DemoReflection] = &[
    (
        Surprise,
        date!(2015 - 02 - 12),
        Some(1),
        None,
        Writer::Facilitator,
        "Young people in care asked for fewer professionals at their reviews, not more support. (demo)",
    ),
    (
        Down,
        date!(2015 - 03 - 10),
        Some(2),
        None,
        Writer::Researcher,
        "Schools' exam season meant the story form reached far fewer young people than planned. (demo)",
    ),
];

const MENTAL_HEALTH: &[DemoReflection] = &[
    (
        Down,
        date!(2015 - 02 - 25),
        Some(1),
        None,
        Writer::Researcher,
        "Two community groups pulled out when we could not pay for their time; we lost the voices they would have brought. (demo)",
    ),
    (
        Up,
        date!(2015 - 02 - 18),
        Some(1),
        None,
        Writer::Commissioner,
        "Peer supporters ran half of the case-for-change session themselves. (demo)",
    ),
    (
        Lesson,
        date!(2015 - 03 - 02),
        Some(1),
        None,
        Writer::Facilitator,
        "Offer a quiet room at every event; three people used it and stayed because it was there. (demo)",
    ),
];

/// The demo's writers: the commissioner, researcher and facilitator accounts' ids.
pub(super) struct Writers {
    pub commissioner: i64,
    pub researcher: i64,
    pub facilitator: i64,
}

/// Writes each programme's reflections. `programmes` are the demo's five in the order Early
/// Years, adults with disabilities, dementia, children's commissioning, mental health.
pub(super) async fn load(store: &Store, programmes: [i64; 5], writers: &Writers) -> Result<(), StoreError> {
    let sets = [EARLY_YEARS, ADULTS, DEMENTIA, CHILDRENS, MENTAL_HEALTH];
    for (programme_id, set) in programmes.into_iter().zip(sets) {
        let stages = store.stages(programme_id).await?;
        let activities = store.activities(programme_id).await?;
        for &(kind, written_on, stage, activity, writer, text) in set {
            let stage_id = stage.and_then(|p| stages.iter().find(|s| s.position == p)).map(|s| s.id);
            let activity_id = activity.and_then(|t| activities.iter().find(|a| a.title == t)).map(|a| a.id);
            let input =
                ReflectionInput { kind, text: text.to_owned(), written_on, stage_id, activity_id, decision_id: None };
            let by = match writer {
                Writer::Commissioner => writers.commissioner,
                Writer::Researcher => writers.researcher,
                Writer::Facilitator => writers.facilitator,
            };
            store.create_reflection(programme_id, &input, by).await?;
        }
    }
    // Early Years' first decision, looked back on a month later (demo/decisions.rs makes it).
    if let Some(decision) = store.decision_refs(programmes[0]).await?.into_iter().next() {
        let input = ReflectionInput {
            kind: Lesson,
            text: "Writing down why we departed from the room's ranking made the board conversation easier, not harder. (demo)".into(),
            written_on: decision.decided_on + time::Duration::days(30),
            stage_id: None,
            activity_id: None,
            decision_id: Some(decision.id),
        };
        store.create_reflection(programmes[0], &input, writers.commissioner).await?;
    }
    Ok(())
}
