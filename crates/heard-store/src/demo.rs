//! Demo data: a fictional county council, "Northmoor", with partners, one account per role and the
//! five programmes of the case study part-way along their journeys (2014–2015). Deterministic and
//! obviously synthetic; loading twice changes nothing.

use std::collections::BTreeMap;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::governance::{Email, Password, PasswordHash, Role, Sector};
use heard_domain::journeys::{ActivityKind, Attendance, AttendeeKind, ProgrammeStatus, Slug};
use time::Date;
use time::macros::date;

use heard_domain::voice::participants::{
    AgeBand, ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym,
};
use heard_domain::voice::sources::SourceKind;

use crate::{
    Move, NewActivity, NewConsent, NewParticipant, NewProgramme, NewSource, NewUser, StageChange, Store, StoreError,
};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password-heard";

/// One demo account per role, by email.
pub const DEMO_ACCOUNTS: &[(Role, &str)] = &[
    (Role::Administrator, "administrator@demo.heard.example"),
    (Role::Commissioner, "commissioner@demo.heard.example"),
    (Role::Researcher, "researcher@demo.heard.example"),
    (Role::Facilitator, "facilitator@demo.heard.example"),
    (Role::Viewer, "viewer@demo.heard.example"),
];

/// A second commissioner, so programmes have different leads.
pub const SECOND_COMMISSIONER: &str = "commissioner2@demo.heard.example";
/// A second researcher, so the demo's coding has two coders to compare.
pub const SECOND_RESEARCHER: &str = "researcher2@demo.heard.example";

mod causes;
mod coding;
mod decisions;
mod deliberation;
mod horizon;
mod learning;
mod outcomes;
mod propositions;

/// What [`load`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded,
    /// The demo administrator already exists, so nothing was changed.
    AlreadyPresent,
}

const ORGANISATION: &str = "Northmoor County Council (demo)";
const FACILITATOR: &str = "Demo Facilitation Team";
const COUNTY_HALL: &str = "Northmoor County Hall (demo venue)";

const PARTNERS: &[(&str, Sector)] = &[
    ("Northmoor Integrated Care Board", Sector::Health),
    ("Northmoor Community Health NHS Trust", Sector::Health),
    ("Northmoor Carers' Network", Sector::VoluntarySector),
    ("Northmoor Parent Forum", Sector::Citizen),
    ("Northmoor Schools Partnership", Sector::Education),
    ("Northmoor Police", Sector::Police),
    ("Northmoor Housing Association", Sector::Housing),
    ("Adult Social Care", Sector::SocialCare),
    ("Children's Social Care", Sector::SocialCare),
    ("Northmoor Mind (demo)", Sector::VoluntarySector),
];

/// Loads the demo unless its administrator already exists.
pub async fn load(store: &Store) -> Result<DemoOutcome, StoreError> {
    let admin_email = email(DEMO_ACCOUNTS[0].1)?;
    if store.user_by_email(&admin_email).await?.is_some() {
        return Ok(DemoOutcome::AlreadyPresent);
    }

    store.set_organisation_name(ORGANISATION).await?;
    let mut partner_ids = Vec::new();
    for (name, sector) in PARTNERS {
        partner_ids.push((*name, store.create_partner(name, *sector).await?.id));
    }
    let partners = |names: &[&str]| -> Vec<i64> {
        partner_ids.iter().filter(|(name, _)| names.contains(name)).map(|(_, id)| *id).collect()
    };

    // argon2 is deliberately slow: hash once and share the hash.
    let hash = Password::new("password", DEMO_PASSWORD)?.hash();
    let user = |email_address: &str, name: &str, role: Role, hash: &PasswordHash| -> Result<NewUser, StoreError> {
        Ok(NewUser { email: email(email_address)?, display_name: name.to_owned(), role, password_hash: hash.clone() })
    };
    let casey =
        store.create_user(&user(DEMO_ACCOUNTS[1].1, "Casey Commissioner (demo)", Role::Commissioner, &hash)?).await?;
    let morgan =
        store.create_user(&user(SECOND_COMMISSIONER, "Morgan Commissioner (demo)", Role::Commissioner, &hash)?).await?;
    let riley =
        store.create_user(&user(DEMO_ACCOUNTS[2].1, "Riley Researcher (demo)", Role::Researcher, &hash)?).await?;
    let sam = store.create_user(&user(SECOND_RESEARCHER, "Sam Researcher (demo)", Role::Researcher, &hash)?).await?;
    let frankie =
        store.create_user(&user(DEMO_ACCOUNTS[3].1, "Frankie Facilitator (demo)", Role::Facilitator, &hash)?).await?;
    store.create_user(&user(DEMO_ACCOUNTS[4].1, "Vic Viewer (demo)", Role::Viewer, &hash)?).await?;

    // Early Years: the furthest along, deliberating on its propositions.
    let early_years = programme(
        store,
        "early-years",
        "Early Years",
        "Give every child in Northmoor a good start by commissioning early years support around what parents say they need.",
        casey.id,
        partners(&[
            "Northmoor Integrated Care Board",
            "Northmoor Community Health NHS Trust",
            "Northmoor Parent Forum",
            "Northmoor Schools Partnership",
            "Children's Social Care",
        ]),
    )
    .await?;
    journey(
        store,
        early_years,
        &[
            (date!(2014 - 01 - 13), Some(date!(2014 - 02 - 07))),
            (date!(2014 - 02 - 10), Some(date!(2014 - 04 - 04))),
            (date!(2014 - 03 - 17), Some(date!(2014 - 05 - 02))),
            (date!(2014 - 04 - 07), Some(date!(2014 - 05 - 16))),
            (date!(2014 - 05 - 19), Some(date!(2014 - 06 - 27))),
            (date!(2014 - 07 - 01), None),
        ],
    )
    .await?;
    note(
        store,
        early_years,
        2,
        "Ethnographic research with parents across the county, alongside two listening events.",
    )
    .await?;
    note(store, early_years, 6, "Deliberation Day held; the priorities it set go to the commissioning board.").await?;
    activity(
        store,
        early_years,
        1,
        ActivityKind::Workshop,
        "Early years system workshop",
        date!(2014 - 01 - 28),
        "Over a hundred professionals heard parents' stories and built a shared case for change.",
        &[
            (Sector::Health, 38),
            (Sector::SocialCare, 27),
            (Sector::VoluntarySector, 18),
            (Sector::Education, 14),
            (Sector::Police, 4),
            (Sector::Housing, 3),
        ],
        &[(AttendeeKind::Professional, 104)],
    )
    .await?;
    activity(
        store,
        early_years,
        1,
        ActivityKind::FilmScreening,
        "Parents' stories: film screening",
        date!(2014 - 02 - 05),
        "A short film of parents describing their first years with a new child.",
        &[(Sector::Health, 20), (Sector::SocialCare, 15), (Sector::Education, 10), (Sector::Citizen, 5)],
        &[(AttendeeKind::Professional, 45), (AttendeeKind::ServiceUser, 5)],
    )
    .await?;
    activity(
        store,
        early_years,
        2,
        ActivityKind::FieldworkVisit,
        "Ethnographic fieldwork with parents",
        date!(2014 - 03 - 04),
        "Home visits and days spent alongside families using children's centres.",
        &[(Sector::Citizen, 12)],
        &[(AttendeeKind::ServiceUser, 12)],
    )
    .await?;
    activity(
        store,
        early_years,
        2,
        ActivityKind::ListeningEvent,
        "Listening event with parents",
        date!(2014 - 03 - 20),
        "Parents and grandparents told us when help came too late, and what would have made a difference.",
        &[(Sector::Citizen, 22), (Sector::VoluntarySector, 3)],
        &[(AttendeeKind::ServiceUser, 18), (AttendeeKind::Carer, 4), (AttendeeKind::Professional, 3)],
    )
    .await?;
    activity(
        store,
        early_years,
        3,
        ActivityKind::Workshop,
        "Multiple cause analysis workshop",
        date!(2014 - 04 - 15),
        "Mapped what contributes to families reaching help too late.",
        &[(Sector::Health, 12), (Sector::SocialCare, 10), (Sector::Education, 6), (Sector::VoluntarySector, 4)],
        &[(AttendeeKind::Professional, 32)],
    )
    .await?;
    activity(
        store,
        early_years,
        6,
        ActivityKind::DeliberationDay,
        "Early Years Deliberation Day",
        date!(2014 - 07 - 09),
        "Colleagues from across the county, with parents, weighed the propositions.",
        &[
            (Sector::Health, 30),
            (Sector::SocialCare, 25),
            (Sector::Education, 20),
            (Sector::VoluntarySector, 12),
            (Sector::Citizen, 18),
            (Sector::Police, 3),
            (Sector::Housing, 2),
        ],
        &[(AttendeeKind::Professional, 92), (AttendeeKind::ServiceUser, 12), (AttendeeKind::Carer, 6)],
    )
    .await?;

    // Working Age Adults with Disabilities: listening, and starting to make sense of it.
    let adults = programme(
        store,
        "adults-with-disabilities",
        "Working Age Adults with Disabilities",
        "Help working age adults with disabilities live as independently as they choose, with support shaped by them and their families.",
        morgan.id,
        partners(&["Adult Social Care", "Northmoor Carers' Network", "Northmoor Integrated Care Board", "Northmoor Housing Association"]),
    )
    .await?;
    journey(
        store,
        adults,
        &[
            (date!(2014 - 04 - 01), Some(date!(2014 - 05 - 16))),
            (date!(2014 - 05 - 19), None),
            (date!(2014 - 07 - 07), None),
        ],
    )
    .await?;
    note(store, adults, 2, "Three days of workshops in May, then listening events with carers and family members.")
        .await?;
    for (day, sectors, kinds) in [
        (
            date!(2014 - 05 - 19),
            &[(Sector::Health, 14), (Sector::SocialCare, 16), (Sector::VoluntarySector, 6), (Sector::Citizen, 4)][..],
            &[(AttendeeKind::Professional, 36), (AttendeeKind::ServiceUser, 3), (AttendeeKind::Carer, 1)][..],
        ),
        (
            date!(2014 - 05 - 20),
            &[
                (Sector::Health, 12),
                (Sector::SocialCare, 15),
                (Sector::VoluntarySector, 5),
                (Sector::Housing, 3),
                (Sector::Citizen, 3),
            ][..],
            &[(AttendeeKind::Professional, 35), (AttendeeKind::ServiceUser, 2), (AttendeeKind::Carer, 1)][..],
        ),
        (
            date!(2014 - 05 - 21),
            &[
                (Sector::Health, 10),
                (Sector::SocialCare, 14),
                (Sector::VoluntarySector, 7),
                (Sector::Education, 2),
                (Sector::Citizen, 5),
            ][..],
            &[(AttendeeKind::Professional, 33), (AttendeeKind::ServiceUser, 3), (AttendeeKind::Carer, 2)][..],
        ),
    ] {
        activity(
            store,
            adults,
            2,
            ActivityKind::Workshop,
            &format!("Immersive workshop, {}", heard_domain::dates::display(day)),
            day,
            "Senior leaders, managers, frontline practitioners, service users and carers' representatives.",
            sectors,
            kinds,
        )
        .await?;
    }
    activity(
        store,
        adults,
        2,
        ActivityKind::ListeningEvent,
        "Listening event with carers",
        date!(2014 - 06 - 11),
        "What co-production should mean, from the people who care.",
        &[(Sector::Citizen, 16), (Sector::VoluntarySector, 2)],
        &[(AttendeeKind::Carer, 14), (AttendeeKind::ServiceUser, 2), (AttendeeKind::Professional, 2)],
    )
    .await?;
    activity(
        store,
        adults,
        2,
        ActivityKind::ListeningEvent,
        "Listening event with family members",
        date!(2014 - 06 - 25),
        "Families described the networks that keep people independent.",
        &[(Sector::Citizen, 12)],
        &[(AttendeeKind::Carer, 12)],
    )
    .await?;
    activity(
        store,
        adults,
        2,
        ActivityKind::FieldworkVisit,
        "Day opportunities fieldwork",
        date!(2014 - 07 - 15),
        "Days spent alongside people using day opportunities.",
        &[(Sector::Citizen, 8), (Sector::SocialCare, 2)],
        &[(AttendeeKind::ServiceUser, 8), (AttendeeKind::Professional, 2)],
    )
    .await?;

    // 2015: three programmes begin.
    let dementia = programme(
        store,
        "dementia",
        "Dementia",
        "Re-think support for people living with dementia and those who care for them.",
        casey.id,
        partners(&["Northmoor Integrated Care Board", "Adult Social Care", "Northmoor Carers' Network"]),
    )
    .await?;
    journey(store, dementia, &[(date!(2015 - 01 - 12), None)]).await?;
    activity(
        store,
        dementia,
        1,
        ActivityKind::FilmScreening,
        "Case for change: film screening",
        date!(2015 - 01 - 27),
        "Stories of living with dementia, shown to partners.",
        &[(Sector::Health, 22), (Sector::SocialCare, 18), (Sector::VoluntarySector, 8)],
        &[(AttendeeKind::Professional, 48)],
    )
    .await?;

    let childrens = programme(
        store,
        "childrens-commissioning",
        "Children's Commissioning",
        "Commission children's services around what children, young people and their families tell us.",
        morgan.id,
        partners(&[
            "Children's Social Care",
            "Northmoor Schools Partnership",
            "Northmoor Police",
            "Northmoor Parent Forum",
        ]),
    )
    .await?;
    journey(store, childrens, &[(date!(2015 - 01 - 19), Some(date!(2015 - 02 - 27))), (date!(2015 - 03 - 02), None)])
        .await?;
    activity(
        store,
        childrens,
        1,
        ActivityKind::Workshop,
        "Children's commissioning case for change workshop",
        date!(2015 - 02 - 10),
        "Partners agreed why children's commissioning needs to change.",
        &[(Sector::SocialCare, 20), (Sector::Education, 18), (Sector::Health, 12), (Sector::Police, 5)],
        &[(AttendeeKind::Professional, 55)],
    )
    .await?;
    activity(
        store,
        childrens,
        2,
        ActivityKind::ListeningEvent,
        "Listening event with young people",
        date!(2015 - 03 - 18),
        "Young people on what helped and what got in the way.",
        &[(Sector::Citizen, 14)],
        &[(AttendeeKind::ServiceUser, 14)],
    )
    .await?;

    let mental_health = programme(
        store,
        "mental-health",
        "Mental Health",
        "Shape mental health support with the people who use it, so help comes early and close to home.",
        casey.id,
        partners(&[
            "Northmoor Integrated Care Board",
            "Northmoor Community Health NHS Trust",
            "Northmoor Mind (demo)",
            "Northmoor Police",
        ]),
    )
    .await?;
    journey(store, mental_health, &[(date!(2015 - 02 - 02), None)]).await?;
    activity(
        store,
        mental_health,
        1,
        ActivityKind::Workshop,
        "Mental health case for change workshop",
        date!(2015 - 02 - 17),
        "Partners and people with lived experience began the case for change.",
        &[
            (Sector::Health, 26),
            (Sector::SocialCare, 12),
            (Sector::VoluntarySector, 10),
            (Sector::Police, 4),
            (Sector::Housing, 4),
            (Sector::Citizen, 4),
        ],
        &[(AttendeeKind::Professional, 56), (AttendeeKind::ServiceUser, 4)],
    )
    .await?;

    participants(store, early_years, riley.id, EARLY_YEARS_PARTICIPANTS).await?;
    participants(store, adults, riley.id, ADULTS_PARTICIPANTS).await?;
    sources(store, early_years, riley.id, EARLY_YEARS_SOURCES).await?;
    sources(store, adults, riley.id, ADULTS_SOURCES).await?;

    crate::voice::forms::demo_story_form(store, early_years, riley.id).await?;
    coding::load(store, early_years, riley.id, sam.id).await?;
    causes::load(store, riley.id).await?;
    horizon::load(store, [early_years, adults, dementia, childrens, mental_health], riley.id).await?;
    propositions::load(store, early_years, riley.id).await?;
    deliberation::load(store, early_years).await?;
    decisions::load(store, [early_years, adults, dementia, childrens, mental_health], casey.id).await?;
    outcomes::load(store, [early_years, adults, dementia, childrens, mental_health], early_years, casey.id).await?;
    let writers = learning::Writers { commissioner: casey.id, researcher: riley.id, facilitator: frankie.id };
    learning::load(store, [early_years, adults, dementia, childrens, mental_health], &writers).await?;

    // The administrator last: its presence is what marks the demo as loaded.
    let admin = store.create_user(&user(DEMO_ACCOUNTS[0].1, "Demo Administrator", Role::Administrator, &hash)?).await?;
    store.record_audit(Some(admin.id), "demo.load", "demo data").await?;
    Ok(DemoOutcome::Loaded)
}

fn email(raw: &str) -> Result<Email, StoreError> {
    Ok(Email::parse("email", raw)?)
}

async fn programme(
    store: &Store,
    slug: &str,
    name: &str,
    aim: &str,
    lead: i64,
    partner_ids: Vec<i64>,
) -> Result<i64, StoreError> {
    let new = NewProgramme {
        slug: Slug::parse("slug", slug)?,
        name: name.to_owned(),
        aim: aim.to_owned(),
        status: ProgrammeStatus::Active,
        lead_commissioner_id: Some(lead),
        partner_ids,
    };
    Ok(store.create_programme(&new).await?.id)
}

/// Starts the first stages on their dates, then completes those given an end date, by the rules.
async fn journey(store: &Store, programme_id: i64, stages: &[(Date, Option<Date>)]) -> Result<(), StoreError> {
    for (position, (starts_on, _)) in (1..).zip(stages) {
        store.move_stage(programme_id, position, Move::Forward, *starts_on).await?;
    }
    for (position, (_, ends_on)) in (1..).zip(stages) {
        if let Some(ends_on) = ends_on {
            store.move_stage(programme_id, position, Move::Forward, *ends_on).await?;
        }
    }
    Ok(())
}

async fn note(store: &Store, programme_id: i64, position: i32, notes: &str) -> Result<(), StoreError> {
    let stages = store.stages(programme_id).await?;
    let stage = stages.iter().find(|s| s.position == position).ok_or(StoreError::NotFound)?;
    let change = StageChange {
        starts_on: stage.starts_on,
        ends_on: stage.ends_on,
        exit_criteria: stage.exit_criteria.clone(),
        notes: notes.to_owned(),
    };
    store.update_stage(programme_id, position, &change).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn activity(
    store: &Store,
    programme_id: i64,
    stage: i32,
    kind: ActivityKind,
    title: &str,
    held_on: Date,
    notes: &str,
    by_sector: &[(Sector, u32)],
    by_kind: &[(AttendeeKind, u32)],
) -> Result<(), StoreError> {
    let attendance =
        Attendance { by_sector: by_sector.iter().copied().collect(), by_kind: by_kind.iter().copied().collect() };
    attendance.check()?;
    let new = NewActivity {
        stage_position: Some(stage),
        kind,
        title: title.to_owned(),
        held_on,
        place: match kind {
            ActivityKind::FieldworkVisit => "Homes and day centres across Northmoor (demo)",
            ActivityKind::ListeningEvent => "Northmoor Community Centre (demo venue)",
            _ => COUNTY_HALL,
        }
        .to_owned(),
        facilitator: FACILITATOR.to_owned(),
        notes: notes.to_owned(),
        attendance,
    };
    store.create_activity(programme_id, &new).await?;
    Ok(())
}

/// One demo participant: pseudonym, kind, age band, area, whether a (placeholder) contact note is
/// kept, consents given as (purpose, date, how), and withdrawals as (purpose, date).
type DemoParticipant = (
    &'static str,
    ParticipantKind,
    Option<AgeBand>,
    &'static str,
    bool,
    &'static [(ConsentPurpose, Date, ConsentMethod)],
    &'static [(ConsentPurpose, Date)],
);

const EARLY_YEARS_PARTICIPANTS: &[DemoParticipant] = {
    use ConsentMethod::*;
    use ConsentPurpose::*;
    &[
        (
            "Parent A (demo)",
            ParticipantKind::Parent,
            Some(AgeBand::From25To34),
            "North Northmoor (demo)",
            true,
            &[(Research, date!(2014 - 03 - 04), Written), (AnonymousQuotation, date!(2014 - 03 - 04), Written)],
            &[],
        ),
        (
            "Parent B (demo)",
            ParticipantKind::Parent,
            Some(AgeBand::From18To24),
            "Northmoor town (demo)",
            false,
            &[
                (Research, date!(2014 - 03 - 04), Verbal),
                (AnonymousQuotation, date!(2014 - 03 - 04), Verbal),
                (Filming, date!(2014 - 03 - 06), Written),
            ],
            // Changed their mind about the film before it was shown.
            &[(Filming, date!(2014 - 04 - 02))],
        ),
        (
            "Grandparent C (demo)",
            ParticipantKind::Carer,
            Some(AgeBand::From65To79),
            "South Northmoor (demo)",
            false,
            &[(Research, date!(2014 - 03 - 20), Written)],
            &[],
        ),
        (
            "Health visitor D (demo)",
            ParticipantKind::Practitioner,
            Some(AgeBand::From35To49),
            "",
            false,
            &[(Research, date!(2014 - 03 - 11), OnlineForm), (SharingWithPartners, date!(2014 - 03 - 11), OnlineForm)],
            &[],
        ),
        (
            "Young parent E (demo)",
            ParticipantKind::YoungPerson,
            Some(AgeBand::Under18),
            "East Northmoor (demo)",
            false,
            &[(Research, date!(2014 - 03 - 20), Written)],
            &[],
        ),
    ]
};

const ADULTS_PARTICIPANTS: &[DemoParticipant] = {
    use ConsentMethod::*;
    use ConsentPurpose::*;
    &[
        (
            "Carer F (demo)",
            ParticipantKind::Carer,
            Some(AgeBand::From50To64),
            "West Northmoor (demo)",
            true,
            &[
                (Research, date!(2014 - 06 - 11), Written),
                (AnonymousQuotation, date!(2014 - 06 - 11), Written),
                (SharingWithPartners, date!(2014 - 06 - 11), Written),
            ],
            &[],
        ),
        (
            "Service user G (demo)",
            ParticipantKind::ServiceUser,
            Some(AgeBand::From25To34),
            "Northmoor town (demo)",
            false,
            &[(Research, date!(2014 - 05 - 19), Verbal), (Filming, date!(2014 - 05 - 19), Written)],
            &[],
        ),
        (
            "Service user H (demo)",
            ParticipantKind::ServiceUser,
            Some(AgeBand::From35To49),
            "",
            false,
            &[(Research, date!(2014 - 07 - 15), Verbal)],
            &[],
        ),
        (
            "Day centre manager J (demo)",
            ParticipantKind::Leader,
            None,
            "",
            false,
            &[(Research, date!(2014 - 05 - 20), OnlineForm)],
            &[],
        ),
    ]
};

/// The demo has no real contact details to keep: the note says so.
const DEMO_CONTACT: &str = "(demo) no contact kept";

/// A day after every demo date, so the consent rules (nothing in the future) hold on any clock.
const DEMO_TODAY: Date = date!(2015 - 12 - 31);

async fn participants(
    store: &Store,
    programme_id: i64,
    researcher_id: i64,
    people: &[DemoParticipant],
) -> Result<(), StoreError> {
    for (pseudonym, kind, age_band, area, contact, given, withdrawn) in people {
        let new = NewParticipant {
            pseudonym: Pseudonym::parse("pseudonym", pseudonym)?,
            kind: *kind,
            age_band: *age_band,
            area: (!area.is_empty()).then(|| (*area).to_owned()),
            contact_details: if *contact { ContactDetails::parse("contact_details", DEMO_CONTACT)? } else { None },
        };
        let participant = store.create_participant(programme_id, &new).await?;
        for (purpose, given_on, how) in *given {
            let consent = NewConsent { purpose: *purpose, given_on: *given_on, how: *how, note: String::new() };
            store.record_consent(programme_id, participant.id, &consent, researcher_id, DEMO_TODAY).await?;
        }
        for (purpose, withdrawn_on) in *withdrawn {
            store
                .withdraw_consent(programme_id, participant.id, *purpose, *withdrawn_on, researcher_id, DEMO_TODAY)
                .await?;
        }
    }
    Ok(())
}

/// A demo source: kind, title, date, the pseudonyms heard in it, and its text. The texts carry
/// made-up personal data of every kind the detector finds (test-range NHS numbers beginning 999,
/// Ofcom's drama phone numbers, `.example` addresses), so the demo shows redaction at work.
type DemoSource = (SourceKind, &'static str, Date, &'static [&'static str], &'static str);

const EARLY_YEARS_SOURCES: &[DemoSource] = &[
    (
        SourceKind::Story,
        "The first weeks at home",
        date!(2014 - 03 - 12),
        &["Parent A (demo)"],
        "When my second was born the health visitor came once and then we were on our own. I rang the number \
         on the leaflet, 07700 900461, and nobody called back for three weeks. What made the difference was \
         Grandparent C (demo) coming to stay. Write to me at parent.a@demo.heard.example if you want to know more. \
         (Synthetic demo story.)",
    ),
    (
        SourceKind::InterviewTranscript,
        "Interview with a health visitor",
        date!(2014 - 03 - 11),
        &["Health visitor D (demo)"],
        "Q: What gets in the way of seeing families early?\n\
         A: Caseloads, mostly. Last week a mum, Amelia Hartley, NHS number 999 000 0018, had been referred twice \
         before anyone saw her. She lives at 14 Mill Lane, Northby, NM4 7QT, two buses from the clinic.\n\
         Q: What would help?\n\
         A: One place to go. Families tell the same story five times. (Synthetic demo transcript.)",
    ),
    (
        SourceKind::FieldNote,
        "Stay and play at the children's centre",
        date!(2014 - 03 - 18),
        &[],
        "Millbrook children's centre (demo): 14 families came, two of them dads. Several parents said the bus fare, \
         four pounds twenty return, stops them coming every week. The short break scheme was mentioned three times, \
         always as something people had heard of but could not get onto. (Synthetic demo field note.)",
    ),
    (
        SourceKind::SurveyResponse,
        "Survey: being a young parent",
        date!(2014 - 03 - 20),
        &["Young parent E (demo)"],
        "I was born on 3 April 1997 so I was 16 when I had her. The midwife was kind but every form asked the same \
         questions and nobody told me about the children's centre until she was one. Respite for an afternoon a \
         week would have saved me. (Synthetic demo survey response.)",
    ),
    (
        SourceKind::ListeningEventNote,
        "Listening event: parents' evening",
        date!(2014 - 03 - 25),
        &["Parent B (demo)", "Grandparent C (demo)"],
        "Parent B (demo) said the waiting list for speech and language therapy was longer than her son had been \
         alive. Grandparent C (demo) said grandparents do much of the childcare and are never asked what they need. \
         The room agreed that help arrives only after a crisis. (Synthetic demo note.)",
    ),
];

const ADULTS_SOURCES: &[DemoSource] = &[
    (
        SourceKind::Story,
        "Twenty years of caring",
        date!(2014 - 06 - 11),
        &["Carer F (demo)"],
        "I have cared for my brother for twenty years. The day centre is the only break I get, and when it closed \
         for refurbishment nobody asked us what we would do instead. His social worker, Daniel Okafor, tried his \
         best. Ring me on 01632 960 482 any time. (Synthetic demo story.)",
    ),
    (
        SourceKind::Observation,
        "Observation at the day centre",
        date!(2014 - 05 - 20),
        &["Day centre manager J (demo)"],
        "Lunchtime at the day centre (demo): staff spent most of the hour on paperwork for funding reviews. People \
         who use the centre ran the tea rota themselves and said it was the best part of the week. \
         (Synthetic demo observation.)",
    ),
    (
        SourceKind::SurveyResponse,
        "Survey: getting out and about",
        date!(2014 - 07 - 15),
        &["Service user H (demo)"],
        "I want a job, not a day centre. The transport only runs at times that suit the centre. My national \
         insurance number is QQ 12 34 56 C if you need it for the form. (Synthetic demo survey response.)",
    ),
];

async fn sources(
    store: &Store,
    programme_id: i64,
    researcher_id: i64,
    sources: &[DemoSource],
) -> Result<(), StoreError> {
    let people = store.participants(programme_id).await?;
    let names = store.known_names(programme_id).await?;
    let redactor = Redactor::new().with_known_names(names.iter().map(String::as_str));
    for (kind, title, collected_on, heard, text) in sources {
        let participant_ids = people.iter().filter(|p| heard.contains(&p.pseudonym.as_str())).map(|p| p.id).collect();
        let new = NewSource {
            kind: *kind,
            title: Some((*title).to_owned()),
            text: Screened::new(&redactor, (*text).to_owned()),
            collected_on: Some(*collected_on),
            activity_id: None,
            participant_ids,
            attributes: BTreeMap::new(),
            media: None,
            cue_timings: None,
        };
        store.add_source(programme_id, &new, Some(researcher_id)).await?;
    }
    Ok(())
}
