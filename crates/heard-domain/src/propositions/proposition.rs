//! What a proposition may be: a title and the change it proposes, a status that moves only in the
//! ways a commissioning process allows (and that only a commissioner may decide), the head counts
//! of the people who shaped it by kind, and the insight, factor or signal a person links to it.

use crate::Invalid;
use crate::error::{Collector, optional_text, required_text};
use crate::vocabulary::parse_code;
use crate::voice::participants::ParticipantKind;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest proposed change, in characters.
pub const MAX_CHANGE_CHARS: usize = 8_000;
/// The longest note on a status change, an edit, a merge or a split, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// The most people of one kind counted as shaping a proposition at one activity.
pub const MAX_SHAPERS: u32 = 10_000;

vocabulary! {
    /// Where a proposition stands, from its first draft to a commissioning decision.
    pub enum PropositionStatus {
        Draft = ("draft", "Draft"),
        OpenForDeliberation = ("open_for_deliberation", "Open for deliberation"),
        Recommended = ("recommended", "Recommended"),
        Commissioned = ("commissioned", "Commissioned"),
        Declined = ("declined", "Declined"),
        Withdrawn = ("withdrawn", "Withdrawn"),
    }
}

impl PropositionStatus {
    /// The statuses a proposition may move to from this one. Commissioned is final: what follows
    /// is a decision's outcomes, not the proposition's. A declined proposition may be reopened for
    /// deliberation, and a withdrawn one taken up again as a draft.
    pub fn moves(self) -> &'static [PropositionStatus] {
        use PropositionStatus::*;
        match self {
            Draft => &[OpenForDeliberation, Withdrawn],
            OpenForDeliberation => &[Draft, Recommended, Declined, Withdrawn],
            Recommended => &[Commissioned, Declined, OpenForDeliberation, Withdrawn],
            Commissioned => &[],
            Declined => &[OpenForDeliberation],
            Withdrawn => &[Draft],
        }
    }

    pub fn may_move_to(self, to: PropositionStatus) -> bool {
        self.moves().contains(&to)
    }

    /// Whether this status is a decision: moving to it or away from it needs the right to decide
    /// on propositions (`Action::DecidePropositions`), not only to edit them.
    pub fn is_decision(self) -> bool {
        matches!(self, PropositionStatus::Recommended | PropositionStatus::Commissioned | PropositionStatus::Declined)
    }

    /// Whether a move from this status to `to` needs the right to decide.
    pub fn move_needs_decision(self, to: PropositionStatus) -> bool {
        self.is_decision() || to.is_decision()
    }

    /// Whether the proposition may still be merged with others or split: only while it is being
    /// shaped, before anyone has decided on it.
    pub fn may_reshape(self) -> bool {
        matches!(self, PropositionStatus::Draft | PropositionStatus::OpenForDeliberation)
    }
}

vocabulary! {
    /// The kind of person who shaped a proposition (DOMAIN.md: "co-produced with service users and
    /// carers"), counted by the facilitator, not named.
    pub enum ShaperKind {
        ServiceUser = ("service_user", "Service users"),
        Carer = ("carer", "Carers"),
        Parent = ("parent", "Parents"),
        YoungPerson = ("young_person", "Young people"),
        Practitioner = ("practitioner", "Practitioners"),
        Commissioner = ("commissioner", "Commissioners"),
        Other = ("other", "Others"),
    }
}

impl ShaperKind {
    /// Service users, carers, parents and young people: the citizens a proposition is co-produced
    /// with, as against the professionals around them.
    pub fn is_citizen(self) -> bool {
        matches!(self, ShaperKind::ServiceUser | ShaperKind::Carer | ShaperKind::Parent | ShaperKind::YoungPerson)
    }
}

/// Whether a participant heard in the evidence is a citizen (a parent, carer, service user or
/// young person) rather than a professional (a practitioner or leader). "Other" is not counted as
/// a citizen: nothing says who they are.
pub fn is_citizen(kind: ParticipantKind) -> bool {
    matches!(
        kind,
        ParticipantKind::Parent | ParticipantKind::Carer | ParticipantKind::ServiceUser | ParticipantKind::YoungPerson
    )
}

/// A proposition's words: its title and the change it proposes, with a note on the edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropositionInput {
    pub title: String,
    pub change: String,
    pub note: Option<String>,
}

impl PropositionInput {
    /// From the fields `title`, `change` and `note`.
    pub fn parse(title: &str, change: &str, note: &str) -> Result<PropositionInput, Invalid> {
        let mut errors = Collector::new();
        let title = errors.take(required_text("title", "a title", title, MAX_TITLE_CHARS).map(|t| one_line(&t)));
        let change = errors.take(required_text("change", "the change it proposes", change, MAX_CHANGE_CHARS));
        let note = errors.take(optional_text("note", "the note", note, MAX_NOTE_CHARS));
        errors.finish(|| PropositionInput {
            title: title.unwrap_or_default(),
            change: change.unwrap_or_default(),
            note: note.flatten(),
        })
    }
}

/// A change of status as a person asks for it: to what, from what they saw, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from: PropositionStatus,
    pub to: PropositionStatus,
    pub note: Option<String>,
}

impl StatusChange {
    /// From the fields `status`, `from` (the status the person saw) and `note`. A move the rules
    /// do not allow names `status`.
    pub fn parse(status: &str, from: &str, note: &str) -> Result<StatusChange, Invalid> {
        let mut errors = Collector::new();
        let to: Option<PropositionStatus> = errors.take(parse_code("status", "a status", status));
        let from: Option<PropositionStatus> = errors.take(
            parse_code("from", "the status you saw", from)
                .map_err(|_| Invalid::one("from", "The form is out of date: open the proposition again")),
        );
        let note = errors.take(optional_text("note", "the note", note, MAX_NOTE_CHARS));
        if let (Some(from), Some(to)) = (from, to)
            && !from.may_move_to(to)
        {
            errors.push("status", move_refused(from, to));
        }
        errors.finish(|| StatusChange {
            from: from.unwrap_or(PropositionStatus::Draft),
            to: to.unwrap_or(PropositionStatus::Draft),
            note: note.flatten(),
        })
    }
}

/// Why a move is refused, in words a person can act on.
pub fn move_refused(from: PropositionStatus, to: PropositionStatus) -> String {
    if from == to {
        return format!("The proposition is already {}", from.label().to_lowercase());
    }
    let allowed: Vec<String> = from.moves().iter().map(|s| s.label().to_lowercase()).collect();
    if allowed.is_empty() {
        format!("A {} proposition's status cannot change", from.label().to_lowercase())
    } else {
        format!(
            "A {} proposition can become {}, not {}",
            from.label().to_lowercase(),
            allowed.join(" or "),
            to.label().to_lowercase()
        )
    }
}

/// People of one kind who shaped a proposition, optionally at one of the programme's activities.
/// A count of 0 removes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShaperInput {
    pub kind: ShaperKind,
    pub count: u32,
    pub activity: Option<i64>,
}

impl ShaperInput {
    /// From the fields `kind`, `count` and `activity` (an activity's id, or blank).
    pub fn parse(kind: &str, count: &str, activity: &str) -> Result<ShaperInput, Invalid> {
        let mut errors = Collector::new();
        let kind = errors.take(parse_code("kind", "the kind of people", kind));
        let count = errors.take(count.trim().parse::<u32>().ok().filter(|c| *c <= MAX_SHAPERS).ok_or_else(|| {
            Invalid::one("count", format!("Enter how many people, a whole number from 0 to {MAX_SHAPERS}"))
        }));
        let activity = errors.take(match activity.trim() {
            "" => Ok(None),
            raw => raw
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Some)
                .ok_or_else(|| Invalid::one("activity", "Choose an activity from the list")),
        });
        errors.finish(|| ShaperInput {
            kind: kind.unwrap_or(ShaperKind::Other),
            count: count.unwrap_or_default(),
            activity: activity.flatten(),
        })
    }
}

/// What a proposition stands on: one of the programme's insights, one of its cause maps' factors,
/// or a signal linked to the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EvidenceRef {
    Insight(i64),
    Factor(i64),
    Signal(i64),
}

impl EvidenceRef {
    /// The field a form or JSON body names this kind of evidence by.
    pub fn field(self) -> &'static str {
        match self {
            EvidenceRef::Insight(_) => "insight",
            EvidenceRef::Factor(_) => "factor",
            EvidenceRef::Signal(_) => "signal",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            EvidenceRef::Insight(id) | EvidenceRef::Factor(id) | EvidenceRef::Signal(id) => id,
        }
    }

    /// From the fields `insight`, `factor` and `signal`: exactly one of them, an id chosen from a list.
    pub fn parse(insight: &str, factor: &str, signal: &str) -> Result<EvidenceRef, Invalid> {
        let given: Vec<(&str, &str)> = [("insight", insight), ("factor", factor), ("signal", signal)]
            .into_iter()
            .map(|(field, raw)| (field, raw.trim()))
            .filter(|(_, raw)| !raw.is_empty())
            .collect();
        match given.as_slice() {
            [] => Err(Invalid::one("insight", "Choose an insight, a factor or a signal")),
            [(field, raw)] => {
                let id = raw
                    .parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| Invalid::one(*field, format!("Choose {} from the list", a(field))))?;
                Ok(match *field {
                    "insight" => EvidenceRef::Insight(id),
                    "factor" => EvidenceRef::Factor(id),
                    _ => EvidenceRef::Signal(id),
                })
            }
            [_, (field, _), ..] => Err(Invalid::one(*field, "Link one piece of evidence at a time")),
        }
    }
}

fn a(field: &str) -> &'static str {
    match field {
        "insight" => "an insight",
        "factor" => "a factor",
        _ => "a signal",
    }
}

/// An optimistic-versioning token from a form: the version of the proposition the person saw.
pub fn version(field: &str, raw: &str) -> Result<i64, Invalid> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| Invalid::one(field, "The form is out of date: open the proposition again"))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use PropositionStatus::*;

    #[test]
    fn statuses_move_only_as_the_rules_allow() {
        assert!(Draft.may_move_to(OpenForDeliberation));
        assert!(!Draft.may_move_to(Commissioned));
        assert!(!Draft.may_move_to(Draft));
        assert!(OpenForDeliberation.may_move_to(Recommended));
        assert!(Recommended.may_move_to(Commissioned));
        assert!(Commissioned.moves().is_empty());
        assert!(Withdrawn.may_move_to(Draft));
        // Every status can be reached from a draft by some path, and none moves to itself.
        for &status in PropositionStatus::ALL {
            assert!(!status.may_move_to(status), "{status:?}");
            let mut seen = vec![Draft];
            let mut i = 0;
            while i < seen.len() {
                for &next in seen[i].moves() {
                    if !seen.contains(&next) {
                        seen.push(next);
                    }
                }
                i += 1;
            }
            assert!(seen.contains(&status), "{status:?}");
        }
    }

    #[test]
    fn decisions_need_the_right_to_decide() {
        assert!(OpenForDeliberation.move_needs_decision(Recommended));
        assert!(Recommended.move_needs_decision(OpenForDeliberation));
        assert!(Declined.move_needs_decision(OpenForDeliberation));
        assert!(!Draft.move_needs_decision(OpenForDeliberation));
        assert!(!OpenForDeliberation.move_needs_decision(Withdrawn));
        assert!(Draft.may_reshape() && OpenForDeliberation.may_reshape());
        assert!(!Recommended.may_reshape() && !Withdrawn.may_reshape());
    }

    #[test]
    fn a_status_change_names_its_fields() {
        let change = StatusChange::parse("open_for_deliberation", "draft", " Ready ").unwrap();
        assert_eq!((change.from, change.to, change.note.as_deref()), (Draft, OpenForDeliberation, Some("Ready")));
        let refused = StatusChange::parse("commissioned", "draft", "").unwrap_err();
        assert_eq!(
            refused.message_for("status"),
            Some("A draft proposition can become open for deliberation or withdrawn, not commissioned")
        );
        assert!(StatusChange::parse("", "draft", "").unwrap_err().message_for("status").is_some());
        assert!(StatusChange::parse("draft", "nonsense", "").unwrap_err().message_for("from").is_some());
        assert!(
            StatusChange::parse("draft", "withdrawn", &"x".repeat(2_001)).unwrap_err().message_for("note").is_some()
        );
    }

    #[test]
    fn a_proposition_has_a_title_and_a_change() {
        let input =
            PropositionInput::parse(" Drop-in  sessions\n", "Fund weekly drop-ins.\n\nAt the library.", "").unwrap();
        assert_eq!(input.title, "Drop-in sessions");
        assert_eq!(input.change, "Fund weekly drop-ins.\n\nAt the library.");
        assert_eq!(input.note, None);
        let error = PropositionInput::parse("", " ", "").unwrap_err();
        let fields: Vec<_> = error.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "change"]);
        assert!(PropositionInput::parse(&"x".repeat(201), "y", "").is_err());
    }

    #[test]
    fn shapers_are_counted_by_kind() {
        let s = ShaperInput::parse("carer", " 4 ", "").unwrap();
        assert_eq!((s.kind, s.count, s.activity), (ShaperKind::Carer, 4, None));
        assert_eq!(ShaperInput::parse("carer", "0", "7").unwrap().activity, Some(7));
        assert!(ShaperInput::parse("alien", "1", "").unwrap_err().message_for("kind").is_some());
        assert!(ShaperInput::parse("carer", "-1", "").unwrap_err().message_for("count").is_some());
        assert!(ShaperInput::parse("carer", "10001", "").unwrap_err().message_for("count").is_some());
        assert!(ShaperInput::parse("carer", "1", "x").unwrap_err().message_for("activity").is_some());
        assert!(ShaperKind::Carer.is_citizen() && !ShaperKind::Commissioner.is_citizen());
        assert!(is_citizen(ParticipantKind::Parent) && !is_citizen(ParticipantKind::Practitioner));
        assert!(!is_citizen(ParticipantKind::Other));
    }

    #[test]
    fn evidence_is_one_of_three() {
        assert_eq!(EvidenceRef::parse("4", "", "").unwrap(), EvidenceRef::Insight(4));
        assert_eq!(EvidenceRef::parse("", " 9", "").unwrap(), EvidenceRef::Factor(9));
        assert_eq!(EvidenceRef::parse("", "", "2").unwrap(), EvidenceRef::Signal(2));
        assert!(EvidenceRef::parse("", "", "").unwrap_err().message_for("insight").is_some());
        assert!(EvidenceRef::parse("", "x", "").unwrap_err().message_for("factor").is_some());
        assert!(EvidenceRef::parse("1", "", "2").unwrap_err().message_for("signal").is_some());
        assert_eq!(version("version", "2").unwrap(), 2);
        assert!(version("version", "0").is_err());
    }
}
