//! The demo's Deliberation Day, in Early Years, finished with its results: 60 synthetic attendees
//! of declared kinds and sectors, statements seeded from the programme's insights and written for
//! the day (one attendee's accepted, one rejected), votes drawn from a seeded generator so that
//! families, front-line staff and commissioners really form opinion groups, the questionnaire
//! before and after with a shift, and pairwise choices between the programme's propositions where
//! it has any. Everything goes through the Store API an attendee's phone uses; the same every time.

use heard_analysis::deliberation::prioritise::Pick;
use heard_analysis::deliberation::questionnaire::Moment;
use heard_domain::dates::DateParts;
use heard_domain::deliberation::days::{
    AttendeeToken, Declaration, DeclaredKind, DeliberationFields, DeliberationInput, DeliberationStatus, Stance,
    StatementState,
};
use heard_domain::governance::Sector;
use heard_domain::propositions::PropositionStatus;
use time::macros::date;

use super::{COUNTY_HALL, DEMO_ACCOUNTS};
use crate::deliberation::NewOrigin;
use crate::{Store, StoreError};

pub const TITLE: &str = "Early Years Deliberation Day (demo)";

/// How the three camps of the room lean on a statement: families (service users, carers), front-line
/// practitioners, and commissioners with a few others. 1 agree, -1 disagree, 0 split.
type Lean = [i8; 3];

/// Written for the day, each with its lean. Consensus first, then what divides the room.
const WRITTEN: &[(&str, Lean)] = &[
    ("Families should only have to tell their story once.", [1, 1, 1]),
    ("Children's centres should stay open in every town.", [1, 1, 0]),
    ("Grandparents who care for children should be offered support in their own right.", [1, 0, 1]),
    ("Support should start in pregnancy, not after the birth.", [1, 1, 1]),
    ("Parents should be able to see their child's records online.", [1, -1, 0]),
    ("Health visitors have too many families to know any of them well.", [1, 1, -1]),
    ("Online advice can replace some face-to-face visits.", [-1, -1, 1]),
    ("Money should follow the families with the greatest need, even if others get less.", [-1, 1, 1]),
    ("Services should be judged by what parents say about them.", [1, -1, -1]),
    ("Drop-in sessions work better than appointments for most families.", [1, 0, -1]),
    ("Parents are the experts on their own children.", [1, -1, 0]),
    ("One lead professional per family would make help easier to find.", [1, 1, -1]),
    ("Voluntary groups should run more early years services.", [0, -1, 1]),
    ("Waiting lists for speech and language therapy are the biggest problem.", [1, 1, -1]),
    ("Services should be open in the evening and at weekends.", [1, -1, -1]),
    ("Commissioning should pay for outcomes, not for appointments.", [-1, -1, 1]),
    ("Fathers are left out of most early years support.", [1, 0, 0]),
    ("Early years budgets should be pooled across health and the council.", [0, 1, 1]),
    ("Families would rather get help from people they already know than from a new service.", [1, -1, -1]),
];

/// The insights seeded as statements lean with the families and the front line.
const INSIGHT_LEAN: Lean = [1, 1, 0];

/// The attendees' statements: one accepted and voted on, one rejected as off the day's topic.
const ATTENDEE_ACCEPTED: (&str, Lean) = ("Stay and play sessions should be free for every family.", [1, 0, -1]);
const ATTENDEE_REJECTED: &str = "The car park at the county hall needs more spaces (demo).";

const QUESTIONS: [&str; 3] = [
    "I understand why others in the room see early years support differently",
    "Early years services listen to parents",
    "I trust that what we decide today will change what is commissioned",
];

/// Who came: (camp, kind, sector, how many), 60 in all.
const ROOM: &[(usize, DeclaredKind, Option<Sector>, usize)] = &[
    (0, DeclaredKind::ServiceUser, Some(Sector::Citizen), 18),
    (0, DeclaredKind::Carer, Some(Sector::Citizen), 8),
    (0, DeclaredKind::Carer, Some(Sector::VoluntarySector), 2),
    (0, DeclaredKind::Other, None, 2),
    (1, DeclaredKind::Practitioner, Some(Sector::Health), 7),
    (1, DeclaredKind::Practitioner, Some(Sector::Education), 4),
    (1, DeclaredKind::Practitioner, Some(Sector::SocialCare), 3),
    (1, DeclaredKind::Practitioner, Some(Sector::VoluntarySector), 2),
    (1, DeclaredKind::Carer, Some(Sector::Citizen), 2),
    (1, DeclaredKind::Other, Some(Sector::Housing), 2),
    (2, DeclaredKind::Commissioner, Some(Sector::Health), 3),
    (2, DeclaredKind::Commissioner, Some(Sector::SocialCare), 3),
    (2, DeclaredKind::Practitioner, Some(Sector::SocialCare), 2),
    (2, DeclaredKind::Other, Some(Sector::Police), 2),
];

/// SplitMix64 (Steele, Lea and Flood 2014): a seeded generator, so the demo is the same every time.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A vote drawn for a camp's lean: mostly with it, sometimes against, sometimes a pass.
fn stance(lean: i8, draw: &mut Draw) -> Stance {
    let u = draw.unit();
    match lean {
        1 if u < 0.78 => Stance::Agree,
        1 if u < 0.90 => Stance::Disagree,
        -1 if u < 0.78 => Stance::Disagree,
        -1 if u < 0.90 => Stance::Agree,
        0 if u < 0.4 => Stance::Agree,
        0 if u < 0.8 => Stance::Disagree,
        _ => Stance::Pass,
    }
}

/// An answer on the five-point scale around `centre`.
fn answer(centre: f64, draw: &mut Draw) -> i32 {
    let spread = draw.unit() * 2.0 - 1.0;
    (centre + spread).round().clamp(1.0, 5.0) as i32
}

/// Writes the finished Deliberation Day into Early Years, run by the demo facilitator.
pub(super) async fn load(store: &Store, early_years: i64) -> Result<(), StoreError> {
    if store.deliberations(early_years).await?.iter().any(|d| d.title == TITLE) {
        return Ok(());
    }
    let facilitator = store.user_by_email(&super::email(DEMO_ACCOUNTS[3].1)?).await?.ok_or(StoreError::NotFound)?;
    let by = Some(facilitator.id);
    let propositions: Vec<i64> = store
        .propositions(early_years)
        .await?
        .into_iter()
        .filter(|p| !matches!(p.status, PropositionStatus::Withdrawn | PropositionStatus::Declined))
        .map(|p| p.id)
        .collect();
    let pairwise = propositions.len() >= 2;
    let input = DeliberationInput::parse(&DeliberationFields {
        title: TITLE.to_owned(),
        held_on: DateParts::from_date(Some(date!(2014 - 07 - 08))),
        venue: COUNTY_HALL.to_owned(),
        attendee_statements: true,
        prioritisation: if pairwise { "pairwise" } else { "none" }.to_owned(),
        dots: String::new(),
    })?;
    let questions: Vec<String> = QUESTIONS.iter().map(|q| (*q).to_owned()).collect();
    let id = store.create_deliberation(early_years, &input, &questions, by).await?;
    if pairwise {
        store.set_deliberation_propositions(id, &propositions).await?;
    }

    let mut statements: Vec<(i64, Lean)> = Vec::new();
    for insight in store.insights(early_years).await? {
        statements.push((
            store.add_statement(id, &insight.statement, NewOrigin::Insight(insight.id), by).await?,
            INSIGHT_LEAN,
        ));
    }
    for (text, lean) in WRITTEN {
        statements.push((store.add_statement(id, text, NewOrigin::Written, by).await?, *lean));
    }

    store.move_deliberation(id, DeliberationStatus::Open).await?;
    let mut room: Vec<(i64, usize)> = Vec::new();
    for &(camp, kind, sector, count) in ROOM {
        for _ in 0..count {
            let token = AttendeeToken::generate();
            room.push((store.join_deliberation(id, &token.hash(), &Declaration { kind, sector }).await?, camp));
        }
    }
    let questions = store.deliberation(id).await?.ok_or(StoreError::NotFound)?.questions;
    let mut draw = Draw(0x00DE_1BE8_A7E5_2014);

    // Before: families doubt they are listened to, and few expect change.
    for &(attendee, camp) in &room {
        let centres = [[2.2, 2.0, 2.0], [2.6, 3.4, 2.8], [2.8, 3.6, 3.2]][camp];
        let answers: Vec<(i64, i32)> =
            questions.iter().zip(centres).map(|(q, centre)| (q.id, answer(centre, &mut draw))).collect();
        store.answer_questions(attendee, Moment::Before, &answers).await?;
    }

    let suggested = store.suggest_statement(room[3].0, ATTENDEE_ACCEPTED.0).await?;
    store.moderate_statement(id, suggested, StatementState::Accepted, by).await?;
    statements.push((suggested, ATTENDEE_ACCEPTED.1));
    let rejected = store.suggest_statement(room[40].0, ATTENDEE_REJECTED).await?;
    store.moderate_statement(id, rejected, StatementState::Rejected, by).await?;

    // Each attendee votes on most statements, with their camp's lean.
    for &(attendee, camp) in &room {
        for &(statement, lean) in &statements {
            if draw.unit() < 0.85 {
                store.vote(attendee, statement, stance(lean[camp], &mut draw)).await?;
            }
        }
    }

    // Pairwise: families favour the propositions listed first, commissioners the last.
    if pairwise {
        let n = propositions.len();
        for &(attendee, camp) in &room {
            for _ in 0..6 {
                let left = (draw.next() % n as u64) as usize;
                let right = (left + 1 + (draw.next() % (n as u64 - 1)) as usize) % n;
                let favoured = |p: usize| match camp {
                    0 => n - p,
                    2 => p + 1,
                    _ => 1 + (p % 2) * n,
                };
                let pick = if draw.unit() < 0.1 {
                    Pick::CantDecide
                } else if (favoured(left) > favoured(right)) == (draw.unit() < 0.8) {
                    Pick::Left
                } else {
                    Pick::Right
                };
                store.choose_pair(attendee, propositions[left], propositions[right], pick).await?;
            }
        }
    }

    // After: everyone understands the others better; families a little more hopeful.
    for &(attendee, camp) in &room {
        let centres = [[3.8, 2.4, 3.0], [3.9, 3.3, 3.2], [4.0, 3.2, 3.6]][camp];
        let answers: Vec<(i64, i32)> =
            questions.iter().zip(centres).map(|(q, centre)| (q.id, answer(centre, &mut draw))).collect();
        store.answer_questions(attendee, Moment::After, &answers).await?;
    }

    store.move_deliberation(id, DeliberationStatus::Closed).await?;
    Ok(())
}
