//! What a commissioning decision may be (title, the service change, budget and period, who decided
//! and when, why, the propositions it takes up), and the departure rule: where a decision departs
//! from what a Deliberation Day's prioritisation favoured, and the reason a person must then give.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use crate::Invalid;
use crate::dates::DateParts;
use crate::error::{Collector, required_text};
use crate::vocabulary::parse_code;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest service change or rationale, in characters.
pub const MAX_TEXT_CHARS: usize = 8_000;
/// The longest name of who decided, in characters.
pub const MAX_DECIDED_BY_CHARS: usize = 200;
/// The longest reason for a departure, in characters.
pub const MAX_REASON_CHARS: usize = 4_000;
/// The largest budget, in pence: £10 billion.
pub const MAX_BUDGET_PENCE: i64 = 1_000_000_000_000;

vocabulary! {
    /// Who made a decision: one person, a board or a committee.
    pub enum DeciderKind {
        Person = ("person", "A person"),
        Board = ("board", "A board"),
        Committee = ("committee", "A committee"),
    }
}

/// A decision's form as typed: every field a string, dates as the GOV.UK date input's boxes, the
/// propositions taken up as the ids of the boxes ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionFields {
    pub title: String,
    pub service_change: String,
    pub budget: String,
    pub period_start: DateParts,
    pub period_end: DateParts,
    pub decided_by_kind: String,
    pub decided_by: String,
    pub decided_on: DateParts,
    pub rationale: String,
    pub propositions: Vec<String>,
}

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub title: String,
    pub service_change: String,
    pub budget_pence: Option<i64>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub decided_by_kind: DeciderKind,
    pub decided_by: String,
    pub decided_on: Date,
    pub rationale: String,
    /// The propositions taken up, each once, in ascending order.
    pub propositions: Vec<i64>,
}

impl DecisionInput {
    /// Every field checked at once; each error names its field (`period_end` when the period ends
    /// before it starts, `propositions` when none is ticked).
    pub fn parse(fields: &DecisionFields) -> Result<DecisionInput, Invalid> {
        let mut errors = Collector::new();
        let title = errors.take(required_text("title", "a title", &fields.title, MAX_TITLE_CHARS));
        let service_change =
            errors.take(required_text("service_change", "the service change", &fields.service_change, MAX_TEXT_CHARS));
        let budget_pence = errors.take(parse_budget("budget", &fields.budget));
        let period_start = errors.take(fields.period_start.parse("period_start", "the start of the period"));
        let period_end = errors.take(fields.period_end.parse("period_end", "the end of the period"));
        if let (Some(Some(start)), Some(Some(end))) = (period_start, period_end)
            && end < start
        {
            errors.push("period_end", "The end of the period must be the same as or after its start");
        }
        let decided_by_kind: Option<DeciderKind> =
            errors.take(parse_code("decided_by_kind", "who decided", &fields.decided_by_kind).map_err(|_| {
                Invalid::one("decided_by_kind", "Choose whether a person, a board or a committee decided")
            }));
        let decided_by = errors.take(required_text(
            "decided_by",
            "the name of the person, board or committee",
            &fields.decided_by,
            MAX_DECIDED_BY_CHARS,
        ));
        let decided_on = match errors.take(fields.decided_on.parse("decided_on", "the date of the decision")) {
            Some(None) => {
                errors.push("decided_on", "Enter the date of the decision");
                None
            }
            other => other.flatten(),
        };
        let rationale =
            errors.take(required_text("rationale", "why the decision was made", &fields.rationale, MAX_TEXT_CHARS));
        let mut propositions = BTreeSet::new();
        for raw in &fields.propositions {
            match raw.trim().parse::<i64>().ok().filter(|id| *id > 0) {
                Some(id) => {
                    propositions.insert(id);
                }
                None => errors.push("propositions", "Choose propositions from the list"),
            }
        }
        if fields.propositions.is_empty() {
            errors.push("propositions", "Choose the propositions this decision takes up");
        }
        errors.finish(|| DecisionInput {
            title: title.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default(),
            service_change: service_change.unwrap_or_default(),
            budget_pence: budget_pence.flatten(),
            period_start: period_start.flatten(),
            period_end: period_end.flatten(),
            decided_by_kind: decided_by_kind.unwrap_or(DeciderKind::Person),
            decided_by: decided_by.unwrap_or_default(),
            decided_on: decided_on.unwrap_or(Date::MIN),
            rationale: rationale.unwrap_or_default(),
            propositions: propositions.into_iter().collect(),
        })
    }
}

/// A sum of money in pounds as people type it ("£1,250,000", "85000.50"), in pence; blank is none.
pub fn parse_budget(field: &str, raw: &str) -> Result<Option<i64>, Invalid> {
    let cleaned: String =
        raw.trim().trim_start_matches('£').chars().filter(|c| *c != ',' && !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let invalid = || Invalid::one(field, "Enter the budget in pounds, like £250,000 or 1250.50");
    let (pounds, pence) = match cleaned.split_once('.') {
        Some((pounds, pence)) if (1..=2).contains(&pence.len()) => (pounds, pence),
        Some(_) => return Err(invalid()),
        None => (cleaned.as_str(), "0"),
    };
    if pounds.is_empty() || !pounds.bytes().all(|b| b.is_ascii_digit()) || !pence.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let pence_value: i64 = if pence.len() == 1 {
        pence.parse::<i64>().map_err(|_| invalid())? * 10
    } else {
        pence.parse().map_err(|_| invalid())?
    };
    let total = pounds
        .parse::<i64>()
        .ok()
        .and_then(|p| p.checked_mul(100))
        .and_then(|p| p.checked_add(pence_value))
        .filter(|p| *p <= MAX_BUDGET_PENCE)
        .ok_or_else(|| Invalid::one(field, "The budget must be £10,000,000,000 or less"))?;
    Ok(Some(total))
}

/// Where a proposition stood in a Deliberation Day's prioritisation: 1 for the strongest, ties
/// sharing a rank, of `ranked` propositions prioritised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomRank {
    pub proposition_id: i64,
    pub rank: u32,
    pub ranked: u32,
}

/// Whether the room favoured a proposition: ranked in the top half of those it prioritised
/// (rounded up, so the first of two and the first two of three or four are favoured). A room that
/// prioritised fewer than two propositions favoured none over another.
pub fn favoured(rank: u32, ranked: u32) -> bool {
    ranked >= 2 && rank >= 1 && rank <= ranked.div_ceil(2)
}

vocabulary! {
    /// How a decision departs from what the room favoured.
    pub enum DepartureKind {
        /// The room favoured it and no decision takes it up.
        NotTakenUp = ("not_taken_up", "Favoured by the room but not taken up"),
        /// This decision takes it up and the room did not favour it.
        NotFavoured = ("not_favoured", "Taken up but not favoured by the room"),
    }
}

/// One departure from what the room favoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Departure {
    pub proposition_id: i64,
    pub kind: DepartureKind,
    pub rank: u32,
    pub ranked: u32,
}

/// The departure rule. Given the room's ranking, the propositions this decision takes up and those
/// the programme's other decisions already took up: a favoured proposition that no decision takes
/// up departs ([`DepartureKind::NotTakenUp`]), and so does a proposition this decision takes up
/// that the room ranked but did not favour ([`DepartureKind::NotFavoured`]). A proposition the
/// room did not rank is no departure: the room said nothing about it. In the ranking's order.
pub fn departures(room: &[RoomRank], taken_up: &[i64], taken_up_before: &[i64]) -> Vec<Departure> {
    let here: BTreeSet<i64> = taken_up.iter().copied().collect();
    let before: BTreeSet<i64> = taken_up_before.iter().copied().collect();
    let mut ordered: Vec<&RoomRank> = room.iter().collect();
    ordered.sort_by_key(|r| (r.rank, r.proposition_id));
    ordered
        .into_iter()
        .filter_map(|r| {
            let kind = match (favoured(r.rank, r.ranked), here.contains(&r.proposition_id)) {
                (true, false) if !before.contains(&r.proposition_id) => DepartureKind::NotTakenUp,
                (false, true) if r.ranked >= 2 => DepartureKind::NotFavoured,
                _ => return None,
            };
            Some(Departure { proposition_id: r.proposition_id, kind, rank: r.rank, ranked: r.ranked })
        })
        .collect()
}

/// The field a departure's reason is typed in.
pub fn reason_field(proposition_id: i64) -> String {
    format!("reason-{proposition_id}")
}

/// Each departure with its reason, from the reasons typed by proposition. A departure without a
/// reason is refused, naming its field (`reason-{id}`) and saying what the room did; reasons
/// given for propositions that do not depart are left out.
pub fn reasons(
    departures: &[Departure],
    given: &BTreeMap<i64, String>,
    title: impl Fn(i64) -> String,
) -> Result<Vec<(Departure, String)>, Invalid> {
    let mut errors = Collector::new();
    let mut out = Vec::new();
    for departure in departures {
        let field = reason_field(departure.proposition_id);
        let raw = given.get(&departure.proposition_id).map(String::as_str).unwrap_or("");
        let place = format!("{} of {}", ordinal(departure.rank), departure.ranked);
        let missing = match departure.kind {
            DepartureKind::NotTakenUp => format!(
                "Say why this decision does not take up “{}”, which the Deliberation Day ranked {place}",
                title(departure.proposition_id)
            ),
            DepartureKind::NotFavoured => format!(
                "Say why this decision takes up “{}”, which the Deliberation Day ranked {place}",
                title(departure.proposition_id)
            ),
        };
        let text = raw.trim();
        if text.is_empty() {
            errors.push(field, missing);
        } else if text.chars().count() > MAX_REASON_CHARS {
            errors.push(field, format!("The reason must be {MAX_REASON_CHARS} characters or fewer"));
        } else {
            out.push((*departure, text.to_owned()));
        }
    }
    errors.finish(|| out)
}

/// 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(day: &str, month: &str, year: &str) -> DateParts {
        DateParts { day: day.into(), month: month.into(), year: year.into() }
    }

    fn fields() -> DecisionFields {
        DecisionFields {
            title: "  Family hubs   in every district ".into(),
            service_change: "Commission family hubs".into(),
            budget: "£1,250,000.5".into(),
            period_start: date("1", "4", "2027"),
            period_end: date("31", "3", "2030"),
            decided_by_kind: "board".into(),
            decided_by: "Early Years Commissioning Board (demo)".into(),
            decided_on: date("12", "2", "2027"),
            rationale: "The room and the evidence agree".into(),
            propositions: vec!["7".into(), "3".into(), "7".into()],
        }
    }

    #[test]
    fn a_whole_decision_parses() {
        let input = DecisionInput::parse(&fields()).expect("parses");
        assert_eq!(input.title, "Family hubs in every district");
        assert_eq!(input.budget_pence, Some(125_000_050));
        assert_eq!(input.decided_by_kind, DeciderKind::Board);
        assert_eq!(input.propositions, vec![3, 7]);
        assert_eq!(input.decided_on, Date::from_calendar_date(2027, time::Month::February, 12).expect("date"));
    }

    #[test]
    fn every_missing_field_is_named() {
        let invalid = DecisionInput::parse(&DecisionFields::default()).expect_err("refused");
        for field in
            ["title", "service_change", "decided_by_kind", "decided_by", "decided_on", "rationale", "propositions"]
        {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        assert!(invalid.message_for("budget").is_none());
        assert!(invalid.message_for("period_start").is_none());
    }

    #[test]
    fn a_period_ending_before_it_starts_names_its_end() {
        let mut f = fields();
        f.period_end = date("1", "1", "2027");
        let invalid = DecisionInput::parse(&f).expect_err("refused");
        assert_eq!(invalid.0.len(), 1);
        assert!(invalid.message_for("period_end").is_some());
    }

    #[test]
    fn budgets_read_as_people_type_them() {
        assert_eq!(parse_budget("b", "").expect("blank"), None);
        assert_eq!(parse_budget("b", "£250,000").expect("pounds"), Some(25_000_000));
        assert_eq!(parse_budget("b", "1250.05").expect("pence"), Some(125_005));
        assert_eq!(parse_budget("b", "0").expect("zero"), Some(0));
        for bad in ["-5", "12.345", "ten pounds", ".5", "1.", "1e6"] {
            let invalid = parse_budget("budget", bad).expect_err(bad);
            assert!(invalid.message_for("budget").is_some(), "{bad}");
        }
        assert!(parse_budget("b", "10000000001").is_err());
        assert!(parse_budget("b", "99999999999999999999999").is_err());
    }

    #[test]
    fn the_top_half_is_favoured() {
        assert!(!favoured(1, 1), "one proposition alone is favoured over nothing");
        assert!(favoured(1, 2) && !favoured(2, 2));
        assert!(favoured(2, 3) && !favoured(3, 3));
        assert!(favoured(2, 4) && !favoured(3, 4));
        assert!(favoured(3, 5) && !favoured(4, 5));
        assert!(!favoured(0, 5));
    }

    fn room(ranks: &[(i64, u32)]) -> Vec<RoomRank> {
        let ranked = ranks.len() as u32;
        ranks.iter().map(|&(proposition_id, rank)| RoomRank { proposition_id, rank, ranked }).collect()
    }

    #[test]
    fn taking_up_what_the_room_favoured_departs_from_nothing() {
        let room = room(&[(10, 1), (11, 2), (12, 3), (13, 4)]);
        assert!(departures(&room, &[10, 11], &[]).is_empty());
        // A proposition the room never ranked is no departure either.
        assert!(departures(&room, &[10, 11, 99], &[]).is_empty());
    }

    #[test]
    fn a_favoured_proposition_left_out_and_an_unfavoured_one_taken_up_both_depart() {
        let room = room(&[(10, 2), (11, 1), (12, 3), (13, 4)]);
        let found = departures(&room, &[10, 13], &[]);
        assert_eq!(
            found,
            vec![
                Departure { proposition_id: 11, kind: DepartureKind::NotTakenUp, rank: 1, ranked: 4 },
                Departure { proposition_id: 13, kind: DepartureKind::NotFavoured, rank: 4, ranked: 4 },
            ]
        );
    }

    #[test]
    fn a_favoured_proposition_an_earlier_decision_took_up_does_not_depart() {
        let room = room(&[(10, 1), (11, 2), (12, 3)]);
        assert!(departures(&room, &[10], &[11]).is_empty());
        assert_eq!(departures(&room, &[10], &[]).len(), 1);
    }

    #[test]
    fn ties_share_the_favour_of_their_rank() {
        // 11 and 12 tie for second of four: both within the top half.
        let room = room(&[(10, 1), (11, 2), (12, 2), (13, 4)]);
        let found = departures(&room, &[10, 11], &[]);
        assert_eq!(
            found.iter().map(|d| (d.proposition_id, d.kind)).collect::<Vec<_>>(),
            vec![(12, DepartureKind::NotTakenUp)]
        );
    }

    #[test]
    fn a_room_of_one_proposition_favours_nothing() {
        assert!(departures(&room(&[(10, 1)]), &[], &[]).is_empty());
        assert!(departures(&room(&[(10, 1)]), &[10], &[]).is_empty());
    }

    #[test]
    fn a_departure_without_its_reason_is_refused_by_field() {
        let room = room(&[(10, 1), (11, 2), (12, 3)]);
        let found = departures(&room, &[12], &[]);
        assert_eq!(found.len(), 3);
        let title = |id: i64| format!("Proposition {id}");
        let mut given = BTreeMap::new();
        given.insert(10, "Funded by the health partner instead".to_owned());
        given.insert(12, "   ".to_owned());
        let invalid = reasons(&found, &given, title).expect_err("refused");
        assert!(invalid.message_for("reason-10").is_none());
        let eleven = invalid.message_for("reason-11").expect("11 named");
        assert!(
            eleven.contains("does not take up") && eleven.contains("2nd of 3") && eleven.contains("Proposition 11"),
            "{eleven}"
        );
        let twelve = invalid.message_for("reason-12").expect("12 named");
        assert!(twelve.contains("takes up") && twelve.contains("3rd of 3"), "{twelve}");

        given.insert(11, "Waiting for the housing review".to_owned());
        given.insert(12, "A statutory duty".to_owned());
        given.insert(99, "not a departure".to_owned());
        let kept = reasons(&found, &given, title).expect("every reason given");
        assert_eq!(kept.len(), 3);
        assert!(kept.iter().all(|(d, _)| d.proposition_id != 99));
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].into_iter().map(ordinal).collect();
        assert_eq!(got, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]);
    }
}
