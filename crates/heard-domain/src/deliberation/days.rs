//! A Deliberation Day: how a facilitator sets it up, the statements attendees vote on, the codes
//! attendees join with (no account), what they declare about themselves, and their votes.

use std::fmt;

use sha2::{Digest, Sha256};
use time::Date;

use crate::error::{Collector, optional_text, required_text};
use crate::governance::Sector;
use crate::voice::forms::{CROCKFORD, random_crockford};
use crate::{Invalid, dates::DateParts};

vocabulary! {
    /// Where a deliberation is: being set up, open for attendees, or over.
    pub enum DeliberationStatus {
        Draft = ("draft", "Being set up"),
        Open = ("open", "Open"),
        Closed = ("closed", "Closed"),
    }
}

vocabulary! {
    /// How attendees prioritise the deliberation's propositions.
    pub enum Prioritisation {
        None = ("none", "No prioritisation"),
        Pairwise = ("pairwise", "Pairwise choices: which of two matters more"),
        Dots = ("dots", "Dot votes"),
    }
}

vocabulary! {
    /// The kind of person an attendee says they are. Declared by the attendee, so results can be
    /// read by kind; unlike a participant's kind, nothing else is known of them.
    pub enum DeclaredKind {
        ServiceUser = ("service_user", "Service user"),
        Carer = ("carer", "Carer"),
        Practitioner = ("practitioner", "Practitioner"),
        Commissioner = ("commissioner", "Commissioner"),
        Other = ("other", "Other"),
    }
}

vocabulary! {
    /// An attendee's vote on a statement.
    pub enum Stance {
        Agree = ("agree", "Agree"),
        Disagree = ("disagree", "Disagree"),
        Pass = ("pass", "Pass or unsure"),
    }
}

impl Stance {
    /// As Pol.is stores it: 1 agree, -1 disagree, 0 pass.
    pub fn value(self) -> i64 {
        match self {
            Stance::Agree => 1,
            Stance::Disagree => -1,
            Stance::Pass => 0,
        }
    }

    pub fn from_value(value: i64) -> Option<Stance> {
        match value {
            1 => Some(Stance::Agree),
            -1 => Some(Stance::Disagree),
            0 => Some(Stance::Pass),
            _ => None,
        }
    }
}

vocabulary! {
    /// Where a statement stands in moderation. Statements a facilitator writes or seeds are
    /// accepted; an attendee's waits until a facilitator accepts or rejects it.
    pub enum StatementState {
        Accepted = ("accepted", "Accepted"),
        Pending = ("pending", "Waiting for moderation"),
        Rejected = ("rejected", "Rejected"),
    }
}

pub const TITLE_MAX: usize = 150;
pub const VENUE_MAX: usize = 200;
/// Pol.is keeps comments short so they can be read on a phone; a little more room here.
pub const STATEMENT_MAX: usize = 280;
pub const QUESTION_MAX: usize = 200;
pub const MAX_QUESTIONS: usize = 10;
pub const MAX_DOTS: u32 = 20;
/// The most statements one deliberation holds (seeded, written and added by attendees).
pub const MAX_STATEMENTS: usize = 2_000;

/// A deliberation as set up by a facilitator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliberationInput {
    pub title: String,
    pub held_on: Date,
    pub venue: Option<String>,
    /// May attendees add statements (which then wait for moderation)?
    pub attendee_statements: bool,
    pub prioritisation: Prioritisation,
    /// Dots each attendee has to spend, when prioritising by dot votes.
    pub dots: Option<u32>,
}

/// The setup form's fields as typed (the web's form reader fills it).
#[derive(Debug, Clone, Default)]
pub struct DeliberationFields {
    pub title: String,
    /// The GOV.UK date input's boxes, field `held_on`.
    pub held_on: DateParts,
    pub venue: String,
    pub attendee_statements: bool,
    pub prioritisation: String,
    pub dots: String,
}

impl DeliberationInput {
    pub fn parse(fields: &DeliberationFields) -> Result<DeliberationInput, Invalid> {
        let mut errors = Collector::new();
        let title = errors.take(required_text("title", "a title", &one_line(&fields.title), TITLE_MAX));
        let held_on = match errors.take(fields.held_on.parse("held_on", "the date")) {
            Some(None) => {
                errors.push("held_on", "Enter the date of the Deliberation Day");
                None
            }
            Some(Some(date)) => Some(date),
            None => None,
        };
        let venue = errors.take(optional_text("venue", "the venue", &one_line(&fields.venue), VENUE_MAX));
        let prioritisation = match fields.prioritisation.trim() {
            "" => Some(Prioritisation::None),
            code => errors.take(
                code.parse::<Prioritisation>()
                    .map_err(|_| Invalid::one("prioritisation", "Choose how attendees prioritise the propositions")),
            ),
        };
        let dots = if prioritisation == Some(Prioritisation::Dots) {
            errors.take(parse_dots(&fields.dots).map(Some))
        } else {
            Some(None)
        };
        errors.finish(|| DeliberationInput {
            title: title.unwrap_or_default(),
            held_on: held_on.unwrap_or(Date::MIN),
            venue: venue.flatten(),
            attendee_statements: fields.attendee_statements,
            prioritisation: prioritisation.unwrap_or(Prioritisation::None),
            dots: dots.flatten(),
        })
    }
}

fn parse_dots(raw: &str) -> Result<u32, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::one("dots", "Enter how many dots each attendee has"));
    }
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_DOTS).contains(&n) => Ok(n),
        Ok(_) => Err(Invalid::one("dots", format!("Give each attendee between 1 and {MAX_DOTS} dots"))),
        Err(_) => Err(Invalid::one("dots", "Enter the number of dots as a whole number, like 5")),
    }
}

/// A statement's words: one line, required, at most [`STATEMENT_MAX`] characters.
pub fn statement_text(field: &str, raw: &str) -> Result<String, Invalid> {
    required_text(field, "the statement", &one_line(raw), STATEMENT_MAX)
}

/// A statement's words folded for comparison, so the same statement is not added twice.
pub fn statement_key(text: &str) -> String {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The pre and post questionnaire: statements answered on a five-point scale from strongly
/// disagree (1) to strongly agree (5), one per line.
pub fn parse_questions(field: &str, raw: &str) -> Result<Vec<String>, Invalid> {
    let questions: Vec<String> = raw.lines().map(one_line).filter(|q| !q.is_empty()).collect();
    if questions.len() > MAX_QUESTIONS {
        return Err(Invalid::one(field, format!("Ask {MAX_QUESTIONS} questions or fewer")));
    }
    for (n, question) in questions.iter().enumerate() {
        if question.chars().count() > QUESTION_MAX {
            return Err(Invalid::one(field, format!("Question {} must be {QUESTION_MAX} characters or fewer", n + 1)));
        }
    }
    let mut keys: Vec<String> = questions.iter().map(|q| statement_key(q)).collect();
    keys.sort();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(Invalid::one(field, "Ask each question once"));
    }
    Ok(questions)
}

/// The five points of the questionnaire's scale.
pub const SCALE: [(i32, &str); 5] =
    [(1, "Strongly disagree"), (2, "Disagree"), (3, "Neither agree nor disagree"), (4, "Agree"), (5, "Strongly agree")];

/// A point on the scale as typed.
pub fn parse_scale(field: &str, raw: &str) -> Result<i32, Invalid> {
    match raw.trim().parse::<i32>() {
        Ok(v) if (1..=5).contains(&v) => Ok(v),
        _ => Err(Invalid::one(field, "Choose how far you agree")),
    }
}

/// What an attendee says about themselves when they join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    pub kind: DeclaredKind,
    pub sector: Option<Sector>,
}

impl Declaration {
    /// From the fields `kind` (required) and `sector` (optional).
    pub fn parse(kind: &str, sector: &str) -> Result<Declaration, Invalid> {
        let mut errors = Collector::new();
        let kind = errors.take(
            kind.trim().parse::<DeclaredKind>().map_err(|_| Invalid::one("kind", "Choose which best describes you")),
        );
        let sector = match sector.trim() {
            "" => Some(None),
            code => errors.take(
                code.parse::<Sector>().map(Some).map_err(|_| Invalid::one("sector", "Choose a sector from the list")),
            ),
        };
        errors.finish(|| Declaration { kind: kind.unwrap_or(DeclaredKind::Other), sector: sector.flatten() })
    }
}

/// The short code attendees type to join, shown on the projector: six characters of Crockford
/// base 32 (30 random bits), shown as `ABC-DEF`. Unique among deliberations; joining is rate
/// limited, so it need not be secret, only hard to hit by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct JoinCode(String);

impl JoinCode {
    const LEN: usize = 6;

    pub fn generate() -> JoinCode {
        JoinCode(random_crockford(Self::LEN))
    }

    /// Reads a code as typed: case, spaces and hyphens do not matter, and O, I and L read as 0, 1, 1.
    pub fn parse(field: &str, raw: &str) -> Result<JoinCode, Invalid> {
        let code = normalise_crockford(raw);
        if code.is_empty() {
            return Err(Invalid::one(field, "Enter the code shown on the screen"));
        }
        if code.chars().count() != Self::LEN || !code.bytes().all(|b| CROCKFORD.contains(&b)) {
            return Err(Invalid::one(field, "Enter the code as it is shown on the screen, for example 7QK-2MX"));
        }
        Ok(JoinCode(code))
    }

    /// As stored and compared: six characters, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As shown on the projector: `7QK-2MX`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..3], &self.0[3..])
    }
}

impl fmt::Debug for JoinCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinCode({})", self.0)
    }
}

/// The secret an attendee's phone keeps (in a cookie) to vote as the same attendee: 26
/// characters of Crockford base 32 (130 random bits), stored only as a hash. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct AttendeeToken(String);

impl AttendeeToken {
    const LEN: usize = 26;

    pub fn generate() -> AttendeeToken {
        AttendeeToken(random_crockford(Self::LEN))
    }

    /// A token read back from a cookie; anything else is no token.
    pub fn parse(raw: &str) -> Option<AttendeeToken> {
        (raw.len() == Self::LEN && raw.bytes().all(|b| CROCKFORD.contains(&b))).then(|| AttendeeToken(raw.to_owned()))
    }

    /// The cookie's value.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: SHA-256 in hex. 130 random bits need no slow hash.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for AttendeeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AttendeeToken(…)")
    }
}

fn normalise_crockford(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

fn one_line(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The statuses a deliberation may move to from `from`: set up, then open, then closed; a closed
/// one may be reopened the same day to finish, an open one may go back to being set up only
/// before anyone has joined (the store checks that).
pub fn may_move(from: DeliberationStatus, to: DeliberationStatus) -> bool {
    use DeliberationStatus::*;
    matches!((from, to), (Draft, Open) | (Open, Closed) | (Closed, Open) | (Open, Draft))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, day: &str, prioritisation: &str, dots: &str) -> DeliberationFields {
        DeliberationFields {
            title: title.into(),
            held_on: DateParts { day: day.into(), month: "3".into(), year: "2027".into() },
            venue: "  Shire Hall,   Room 2 ".into(),
            attendee_statements: true,
            prioritisation: prioritisation.into(),
            dots: dots.into(),
        }
    }

    #[test]
    fn setup_parses_and_names_every_bad_field() {
        let input = DeliberationInput::parse(&fields(" Early years  day ", "14", "dots", "5")).expect("parses");
        assert_eq!(input.title, "Early years day");
        assert_eq!(input.held_on, Date::from_calendar_date(2027, time::Month::March, 14).expect("date"));
        assert_eq!(input.venue.as_deref(), Some("Shire Hall, Room 2"));
        assert!(input.attendee_statements);
        assert_eq!((input.prioritisation, input.dots), (Prioritisation::Dots, Some(5)));

        let pairwise = DeliberationInput::parse(&fields("Day", "1", "pairwise", "")).expect("parses");
        assert_eq!((pairwise.prioritisation, pairwise.dots), (Prioritisation::Pairwise, None));

        let invalid = DeliberationInput::parse(&fields("", "", "dots", "40")).expect_err("invalid");
        assert!(invalid.message_for("title").is_some());
        assert!(invalid.message_for("held_on").is_some());
        assert_eq!(invalid.message_for("dots"), Some("Give each attendee between 1 and 20 dots"));
        let unknown = DeliberationInput::parse(&fields("Day", "1", "raffle", "")).expect_err("invalid");
        assert!(unknown.message_for("prioritisation").is_some());
    }

    #[test]
    fn statements_are_one_line_and_compared_loosely() {
        assert_eq!(
            statement_text("text", "  Waiting  lists\nare too long ").expect("ok"),
            "Waiting lists are too long"
        );
        assert!(statement_text("text", "  ").is_err());
        assert!(statement_text("text", &"a".repeat(STATEMENT_MAX + 1)).is_err());
        assert_eq!(statement_key("Waiting lists are TOO long!"), statement_key("waiting lists are too long"));
        assert_ne!(statement_key("waiting lists are short"), statement_key("waiting lists are too long"));
    }

    #[test]
    fn questions_are_lines_each_asked_once() {
        let questions =
            parse_questions("questions", "I trust the council\n\n  Services  listen to carers \n").expect("ok");
        assert_eq!(questions, ["I trust the council", "Services listen to carers"]);
        assert!(parse_questions("questions", "Same\nsame.").is_err());
        let many = (0..=MAX_QUESTIONS).map(|n| format!("Question {n}")).collect::<Vec<_>>().join("\n");
        assert!(parse_questions("questions", &many).is_err());
        assert_eq!(parse_scale("q1", " 4 ").expect("ok"), 4);
        assert!(parse_scale("q1", "6").is_err());
    }

    #[test]
    fn join_codes_read_as_typed_and_tokens_hide() {
        let code = JoinCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 7);
        assert_eq!(JoinCode::parse("code", &shown.to_lowercase().replace('-', " ")).expect("parses"), code);
        assert_eq!(JoinCode::parse("code", "o1l-abc").expect("parses").as_str(), "011ABC");
        assert!(JoinCode::parse("code", "").is_err());
        assert!(JoinCode::parse("code", "ABCD").is_err());
        assert!(JoinCode::parse("code", "UUU-UUU").is_err());

        let token = AttendeeToken::generate();
        assert_eq!(AttendeeToken::parse(token.expose()), Some(token.clone()));
        assert_ne!(AttendeeToken::generate().hash(), token.hash());
        assert_eq!(token.hash().len(), 64);
        assert!(AttendeeToken::parse("short").is_none());
        assert_eq!(format!("{token:?}"), "AttendeeToken(…)");
    }

    #[test]
    fn declarations_need_a_kind_and_a_known_sector() {
        let d = Declaration::parse("carer", "").expect("ok");
        assert_eq!((d.kind, d.sector), (DeclaredKind::Carer, None));
        assert_eq!(Declaration::parse("practitioner", "health").expect("ok").sector, Some(Sector::Health));
        let invalid = Declaration::parse("", "moon").expect_err("invalid");
        assert!(invalid.message_for("kind").is_some() && invalid.message_for("sector").is_some());
    }

    #[test]
    fn stances_keep_pol_is_values_and_statuses_move_forward() {
        for stance in Stance::ALL {
            assert_eq!(Stance::from_value(stance.value()), Some(*stance));
        }
        assert_eq!(Stance::from_value(2), None);
        use DeliberationStatus::*;
        assert!(may_move(Draft, Open) && may_move(Open, Closed) && may_move(Closed, Open));
        assert!(!may_move(Draft, Closed) && !may_move(Closed, Draft) && !may_move(Open, Open));
    }
}
