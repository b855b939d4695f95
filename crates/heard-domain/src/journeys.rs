//! Journeys: programmes, the innovation journey each travels as stages from the organisation's
//! template, the activities along the way and who was in the room.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::error::{Collector, optional_text, required_text};
use crate::governance::Sector;

/// A programme's name in URLs and on the command line: `early-years`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let slug = raw.trim();
        if slug.is_empty() {
            return Err(Invalid::one(field, "Enter a short name for web addresses"));
        }
        let well_formed = slug.len() <= Self::MAX_CHARS
            && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--");
        if !well_formed {
            return Err(Invalid::one(
                field,
                format!(
                    "Short name must use only lower-case letters, numbers and single hyphens, and be {} characters or fewer",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(slug.to_owned()))
    }

    /// A slug made from a name: "Children's Commissioning" becomes `childrens-commissioning`.
    pub fn from_name(name: &str) -> Option<Self> {
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if (c.is_whitespace() || c == '-' || c == '/' || c == '&')
                && !slug.ends_with('-')
                && !slug.is_empty()
            {
                slug.push('-');
            }
        }
        let slug: String = slug.trim_end_matches('-').chars().take(Self::MAX_CHARS).collect();
        Self::parse("slug", slug.trim_end_matches('-')).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

vocabulary! {
    /// Where a programme is as a whole.
    pub enum ProgrammeStatus {
        Active = ("active", "Active"),
        Paused = ("paused", "Paused"),
        Closed = ("closed", "Closed"),
    }
}

vocabulary! {
    /// Where one stage of a journey is.
    pub enum StageStatus {
        NotStarted = ("not_started", "Not started"),
        InProgress = ("in_progress", "In progress"),
        Complete = ("complete", "Complete"),
    }
}

/// Why a stage cannot move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("There is no stage {0} in this journey")]
    NoSuchStage(usize),
    #[error("This stage is already complete")]
    AlreadyComplete,
    #[error("Start “{0}” before starting this stage")]
    EarlierNotStarted(String),
    #[error("Complete “{0}” before completing this stage")]
    EarlierNotComplete(String),
    #[error("This stage has not started, so it cannot be reopened")]
    NotStarted,
    #[error("Reopen “{0}” first: it is complete and comes after this stage")]
    LaterComplete(String),
}

/// A stage as the transition rules see it.
pub trait StageState {
    fn name(&self) -> &str;
    fn status(&self) -> StageStatus;
}

/// The status stage `index` (0-based) moves to when moved forward.
///
/// Stages may overlap (listening goes on while sense-making starts) but not skip: a stage starts only
/// once the stage before it has started, and completes only once every stage before it is complete.
pub fn advance<S: StageState>(stages: &[S], index: usize) -> Result<StageStatus, TransitionError> {
    let stage = stages.get(index).ok_or(TransitionError::NoSuchStage(index + 1))?;
    match stage.status() {
        StageStatus::NotStarted => match index.checked_sub(1).map(|i| &stages[i]) {
            Some(previous) if previous.status() == StageStatus::NotStarted => {
                Err(TransitionError::EarlierNotStarted(previous.name().to_owned()))
            }
            _ => Ok(StageStatus::InProgress),
        },
        StageStatus::InProgress => match stages[..index].iter().find(|s| s.status() != StageStatus::Complete) {
            Some(earlier) => Err(TransitionError::EarlierNotComplete(earlier.name().to_owned())),
            None => Ok(StageStatus::Complete),
        },
        StageStatus::Complete => Err(TransitionError::AlreadyComplete),
    }
}

/// The status stage `index` moves to when reopened (moved back one step).
pub fn reopen<S: StageState>(stages: &[S], index: usize) -> Result<StageStatus, TransitionError> {
    let stage = stages.get(index).ok_or(TransitionError::NoSuchStage(index + 1))?;
    match stage.status() {
        StageStatus::NotStarted => Err(TransitionError::NotStarted),
        StageStatus::InProgress => match stages.get(index + 1) {
            Some(next) if next.status() != StageStatus::NotStarted => {
                Err(TransitionError::LaterComplete(next.name().to_owned()))
            }
            _ => Ok(StageStatus::NotStarted),
        },
        StageStatus::Complete => match stages[index + 1..].iter().find(|s| s.status() == StageStatus::Complete) {
            Some(later) => Err(TransitionError::LaterComplete(later.name().to_owned())),
            None => Ok(StageStatus::InProgress),
        },
    }
}

/// One stage of the organisation's journey template; a programme copies these when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageTemplate {
    pub name: String,
    pub description: String,
    pub exit_criteria: String,
}

impl StageTemplate {
    pub const MAX_NAME: usize = 80;
    pub const MAX_TEXT: usize = 2000;

    /// Parses one stage; `field` prefixes field names, e.g. `stages[2]`.
    pub fn parse(field: &str, name: &str, description: &str, exit_criteria: &str) -> Result<Self, Invalid> {
        let mut errors = Collector::new();
        let name = errors.take(required_text(&format!("{field}.name"), "the stage's name", name, Self::MAX_NAME));
        let description =
            errors.take(optional_text(&format!("{field}.description"), "the description", description, Self::MAX_TEXT));
        let exit_criteria = errors.take(optional_text(
            &format!("{field}.exit_criteria"),
            "the exit criteria",
            exit_criteria,
            Self::MAX_TEXT,
        ));
        errors.finish(|| Self {
            name: name.unwrap_or_default(),
            description: description.flatten().unwrap_or_default(),
            exit_criteria: exit_criteria.flatten().unwrap_or_default(),
        })
    }

    /// Checks a whole template: at least one stage, at most 20, no two with the same name.
    pub fn check_template(stages: &[StageTemplate]) -> Result<(), Invalid> {
        if stages.is_empty() {
            return Err(Invalid::one("stages", "A journey needs at least one stage"));
        }
        if stages.len() > 20 {
            return Err(Invalid::one("stages", "A journey can have at most 20 stages"));
        }
        for (i, stage) in stages.iter().enumerate() {
            if stages[..i].iter().any(|s| s.name.eq_ignore_ascii_case(&stage.name)) {
                return Err(Invalid::one(
                    format!("stages[{i}].name"),
                    format!("There is already a stage called “{}”", stage.name),
                ));
            }
        }
        Ok(())
    }
}

/// The default innovation journey (DOMAIN.md).
pub fn default_template() -> Vec<StageTemplate> {
    let stage = |name: &str, description: &str, exit_criteria: &str| StageTemplate {
        name: name.to_owned(),
        description: description.to_owned(),
        exit_criteria: exit_criteria.to_owned(),
    };
    vec![
        stage(
            "Case for change",
            "Why change: film and stories shown to build a shared understanding.",
            "Partners share a written case for change and have seen the stories behind it.",
        ),
        stage(
            "Listen",
            "Ethnographic research, listening events and story collection.",
            "Voices heard from every participant group.",
        ),
        stage(
            "Make sense",
            "Coding, insights and multiple cause analysis.",
            "Insights agreed, each with the evidence behind it.",
        ),
        stage(
            "Look ahead",
            "Horizon scanning.",
            "Signals scanned across every STEEP category and their so-whats written.",
        ),
        stage(
            "Shape",
            "Propositions, co-produced with service users and carers.",
            "Every proposition links to the insights, factors or signals that inform it.",
        ),
        stage(
            "Deliberate",
            "A Deliberation Day.",
            "Propositions prioritised by a room that includes service users and carers.",
        ),
        stage(
            "Decide and commission",
            "Commissioning decisions and the services they change.",
            "Decisions recorded with their evidence trail.",
        ),
        stage(
            "Review and learn",
            "Outcomes reviewed and the learning log kept.",
            "Outcomes reviewed on their dates; reflections written.",
        ),
    ]
}

vocabulary! {
    /// What kind of gathering an activity was.
    pub enum ActivityKind {
        Workshop = ("workshop", "Workshop"),
        ListeningEvent = ("listening_event", "Listening event"),
        FieldworkVisit = ("fieldwork_visit", "Fieldwork visit"),
        DeliberationDay = ("deliberation_day", "Deliberation Day"),
        FilmScreening = ("film_screening", "Film screening"),
        Other = ("other", "Other"),
    }
}

vocabulary! {
    /// The kind of person counted in the room.
    pub enum AttendeeKind {
        Professional = ("professional", "Professionals"),
        ServiceUser = ("service_user", "Service users"),
        Carer = ("carer", "Carers"),
    }
}

/// Head counts for one activity: by sector and by kind of person. Either breakdown may be left
/// empty; when both are given they count the same people and must add up to the same total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attendance {
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_sector: BTreeMap<Sector, u32>,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_kind: BTreeMap<AttendeeKind, u32>,
}

impl Attendance {
    /// More than this in one activity is a typing mistake, not a room.
    pub const MAX_PER_COUNT: u32 = 10_000;

    /// Parses counts as typed into a form, keyed by vocabulary code; blank means none.
    pub fn parse<'a>(
        by_sector: impl IntoIterator<Item = (Sector, &'a str)>,
        by_kind: impl IntoIterator<Item = (AttendeeKind, &'a str)>,
    ) -> Result<Self, Invalid> {
        let mut errors = Collector::new();
        let mut attendance = Attendance::default();
        for (sector, raw) in by_sector {
            let field = format!("attendance.sector.{}", sector.code());
            if let Some(Some(n)) =
                errors.take(count(&field, &format!("the number from {}", sector.label().to_lowercase()), raw))
            {
                attendance.by_sector.insert(sector, n);
            }
        }
        for (kind, raw) in by_kind {
            let field = format!("attendance.kind.{}", kind.code());
            if let Some(Some(n)) =
                errors.take(count(&field, &format!("the number of {}", kind.label().to_lowercase()), raw))
            {
                attendance.by_kind.insert(kind, n);
            }
        }
        if errors.is_empty()
            && let Err(Invalid(mismatch)) = attendance.check()
        {
            for e in mismatch {
                errors.push(e.field, e.message);
            }
        }
        errors.finish(|| attendance)
    }

    /// Checks counts that arrived already as numbers (the JSON API).
    pub fn check(&self) -> Result<(), Invalid> {
        let too_many = self
            .by_sector
            .iter()
            .map(|(s, n)| (format!("attendance.sector.{}", s.code()), *n))
            .chain(self.by_kind.iter().map(|(k, n)| (format!("attendance.kind.{}", k.code()), *n)))
            .find(|(_, n)| *n > Self::MAX_PER_COUNT);
        if let Some((field, _)) = too_many {
            return Err(Invalid::one(field, format!("Enter a number no bigger than {}", Self::MAX_PER_COUNT)));
        }
        let (sectors, kinds) = (self.sector_total(), self.kind_total());
        if sectors > 0 && kinds > 0 && sectors != kinds {
            return Err(Invalid::one(
                "attendance.kind",
                format!(
                    "Attendance by kind of person adds up to {kinds}, but by sector it adds up to {sectors}: they should count the same people"
                ),
            ));
        }
        Ok(())
    }

    pub fn sector_total(&self) -> u32 {
        self.by_sector.values().sum()
    }

    pub fn kind_total(&self) -> u32 {
        self.by_kind.values().sum()
    }

    /// How many people were there, by whichever breakdown was given.
    pub fn total(&self) -> u32 {
        self.sector_total().max(self.kind_total())
    }
}

fn count(field: &str, label: &str, raw: &str) -> Result<Option<u32>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let n: u32 = raw.parse().map_err(|_| Invalid::one(field, format!("Enter {label} as a whole number, like 12")))?;
    if n > Attendance::MAX_PER_COUNT {
        return Err(Invalid::one(field, format!("Enter a number no bigger than {}", Attendance::MAX_PER_COUNT)));
    }
    Ok((n > 0).then_some(n))
}

/// Who was in the room across a programme's activities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Room {
    pub activities: u32,
    /// People counted across all activities (a person at two workshops counts twice).
    pub attendances: u32,
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_sector: BTreeMap<Sector, u32>,
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_kind: BTreeMap<AttendeeKind, u32>,
}

impl Room {
    pub fn sum<'a>(attendances: impl IntoIterator<Item = &'a Attendance>) -> Self {
        let mut room = Room::default();
        for attendance in attendances {
            room.activities += 1;
            room.attendances += attendance.total();
            for (sector, n) in &attendance.by_sector {
                *room.by_sector.entry(*sector).or_default() += n;
            }
            for (kind, n) in &attendance.by_kind {
                *room.by_kind.entry(*kind).or_default() += n;
            }
        }
        room
    }

    /// The kinds of person no activity counted, so a programme can see whose voice is missing.
    pub fn missing_kinds(&self) -> Vec<AttendeeKind> {
        AttendeeKind::ALL.iter().copied().filter(|k| !self.by_kind.contains_key(k)).collect()
    }
}

/// An activity's title.
pub fn activity_title(field: &str, raw: &str) -> Result<String, Invalid> {
    required_text(field, "a title", raw, 150)
}

/// A programme's aim: what it is for, in a sentence or a paragraph.
pub fn programme_aim(field: &str, raw: &str) -> Result<String, Invalid> {
    required_text(field, "the programme's aim", raw, 2000)
}

/// Free-text notes on a stage or an activity; blank is none.
pub fn notes(field: &str, raw: &str) -> Result<String, Invalid> {
    optional_text(field, "the notes", raw, 10_000).map(Option::unwrap_or_default)
}

/// Where an activity was held, or who facilitated it; blank is not recorded.
pub fn short_text(field: &str, label: &str, raw: &str) -> Result<String, Invalid> {
    optional_text(field, label, raw, 200).map(Option::unwrap_or_default)
}

/// A programme's name.
pub fn programme_name(field: &str, raw: &str) -> Result<String, Invalid> {
    required_text(field, "the programme's name", raw, 120)
}

#[cfg(test)]
mod tests {
    use super::*;
    use StageStatus::*;

    struct S(&'static str, StageStatus);
    impl StageState for S {
        fn name(&self) -> &str {
            self.0
        }
        fn status(&self) -> StageStatus {
            self.1
        }
    }

    #[test]
    fn stages_start_in_order_and_may_overlap() {
        let journey = [
            S("Case for change", Complete),
            S("Listen", InProgress),
            S("Make sense", NotStarted),
            S("Look ahead", NotStarted),
        ];
        assert_eq!(advance(&journey, 2), Ok(InProgress));
        assert_eq!(advance(&journey, 3), Err(TransitionError::EarlierNotStarted("Make sense".into())));
        assert_eq!(advance(&journey, 1), Ok(Complete));
        assert_eq!(advance(&journey, 0), Err(TransitionError::AlreadyComplete));
        assert_eq!(advance(&journey, 4), Err(TransitionError::NoSuchStage(5)));
    }

    #[test]
    fn a_stage_completes_only_after_every_earlier_stage() {
        let journey = [S("Case for change", InProgress), S("Listen", InProgress)];
        assert_eq!(advance(&journey, 1), Err(TransitionError::EarlierNotComplete("Case for change".into())));
        assert_eq!(advance(&journey, 0), Ok(Complete));
    }

    #[test]
    fn reopening_never_leaves_a_later_stage_ahead() {
        let journey = [S("Case for change", Complete), S("Listen", Complete), S("Make sense", InProgress)];
        assert_eq!(reopen(&journey, 0), Err(TransitionError::LaterComplete("Listen".into())));
        assert_eq!(reopen(&journey, 1), Ok(InProgress));
        assert_eq!(reopen(&journey, 2), Ok(NotStarted));
        let started_after = [S("Listen", InProgress), S("Make sense", InProgress)];
        assert_eq!(reopen(&started_after, 0), Err(TransitionError::LaterComplete("Make sense".into())));
        assert_eq!(reopen(&[S("Listen", NotStarted)], 0), Err(TransitionError::NotStarted));
    }

    #[test]
    fn the_default_template_is_the_eight_stages() {
        let names: Vec<_> = default_template().into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "Case for change",
                "Listen",
                "Make sense",
                "Look ahead",
                "Shape",
                "Deliberate",
                "Decide and commission",
                "Review and learn"
            ]
        );
        assert_eq!(StageTemplate::check_template(&default_template()), Ok(()));
    }

    #[test]
    fn templates_need_distinct_named_stages() {
        assert!(StageTemplate::check_template(&[]).is_err());
        let mut stages = default_template();
        stages[3].name = "listen".into();
        assert_eq!(StageTemplate::check_template(&stages).unwrap_err().0[0].field, "stages[3].name");
        let blank = StageTemplate::parse("stages[0]", " ", "", "").unwrap_err();
        assert_eq!(blank.message_for("stages[0].name"), Some("Enter the stage's name"));
    }

    #[test]
    fn slugs_are_checked_and_made_from_names() {
        assert_eq!(
            Slug::from_name("Children's Commissioning").map(|s| s.to_string()),
            Some("childrens-commissioning".into())
        );
        assert_eq!(
            Slug::from_name("Working Age Adults with Disabilities").map(|s| s.to_string()),
            Some("working-age-adults-with-disabilities".into())
        );
        for bad in ["", "Early Years", "early--years", "-early", "early/years"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad:?}");
        }
        assert!(Slug::parse("slug", "mental-health").is_ok());
    }

    #[test]
    fn attendance_breakdowns_must_agree() {
        let ok = Attendance::parse(
            [(Sector::Health, "30"), (Sector::SocialCare, "20"), (Sector::Citizen, "")],
            [(AttendeeKind::Professional, "40"), (AttendeeKind::Carer, "10")],
        )
        .expect("agreeing totals");
        assert_eq!(ok.total(), 50);
        assert!(!ok.by_sector.contains_key(&Sector::Citizen));

        let mismatch = Attendance::parse([(Sector::Health, "30")], [(AttendeeKind::Professional, "31")]).unwrap_err();
        assert!(mismatch.message_for("attendance.kind").is_some_and(|m| m.contains("31") && m.contains("30")));

        let only_kinds = Attendance::parse([], [(AttendeeKind::ServiceUser, "12")]).expect("one breakdown is enough");
        assert_eq!(only_kinds.total(), 12);
    }

    #[test]
    fn attendance_names_the_bad_box() {
        let bad =
            Attendance::parse([(Sector::Health, "lots"), (Sector::Police, "-2")], [(AttendeeKind::Carer, "20000")])
                .unwrap_err();
        assert!(bad.message_for("attendance.sector.health").is_some());
        assert!(bad.message_for("attendance.sector.police").is_some());
        assert!(bad.message_for("attendance.kind.carer").is_some());
    }

    #[test]
    fn the_room_sums_activities() {
        let workshop = Attendance::parse([(Sector::Health, "60"), (Sector::VoluntarySector, "40")], []).expect("valid");
        let listening = Attendance::parse(
            [(Sector::Citizen, "15")],
            [(AttendeeKind::Carer, "9"), (AttendeeKind::ServiceUser, "6")],
        )
        .expect("valid");
        let room = Room::sum([&workshop, &listening]);
        assert_eq!(room.activities, 2);
        assert_eq!(room.attendances, 115);
        assert_eq!(room.by_sector[&Sector::Health], 60);
        assert_eq!(room.by_sector[&Sector::Citizen], 15);
        assert_eq!(room.by_kind[&AttendeeKind::Carer], 9);
        assert_eq!(room.missing_kinds(), [AttendeeKind::Professional]);
    }
}
