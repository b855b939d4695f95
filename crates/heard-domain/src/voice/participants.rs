//! Participants under pseudonyms and their consent per purpose.
//!
//! A participant is a person whose voice is recorded. They are known by a pseudonym (not personal
//! data) and their kind; contact details, if kept at all, are personal data: [`ContactDetails`]
//! never prints itself, and only roles that may (`Action::ViewContactDetails`) are shown them.
//! Consent is given per purpose, on a date and in a way, and can be withdrawn; a withdrawn consent
//! stays in the history, and giving it again starts a new record.

use std::fmt;

use serde::Serialize;
use time::Date;

use crate::Invalid;
use crate::error::{optional_text, required_text};

/// The name a participant is known by in Heard, e.g. "Parent A". Unique within a programme,
/// ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Pseudonym(String);

impl Pseudonym {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let text = required_text(field, "a pseudonym", raw, Self::MAX_CHARS)?;
        if text.chars().any(char::is_control) {
            return Err(Invalid::one(field, "Pseudonym must be on one line"));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness is checked on: the pseudonym in lower case (Unicode-aware, so "ÉLODIE" and
    /// "élodie" clash on SQLite as they would on PostgreSQL).
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

vocabulary! {
    /// What kind of person a participant is (DOMAIN.md, "Participant").
    pub enum ParticipantKind {
        Parent = ("parent", "Parent"),
        Carer = ("carer", "Carer"),
        ServiceUser = ("service_user", "Service user"),
        YoungPerson = ("young_person", "Young person"),
        Practitioner = ("practitioner", "Practitioner"),
        Leader = ("leader", "Leader"),
        Other = ("other", "Other"),
    }
}

vocabulary! {
    /// A participant's age, in bands wide enough not to identify anyone.
    pub enum AgeBand {
        Under18 = ("under_18", "Under 18"),
        From18To24 = ("18_24", "18 to 24"),
        From25To34 = ("25_34", "25 to 34"),
        From35To49 = ("35_49", "35 to 49"),
        From50To64 = ("50_64", "50 to 64"),
        From65To79 = ("65_79", "65 to 79"),
        From80 = ("80_plus", "80 or over"),
    }
}

vocabulary! {
    /// What a participant may consent to (DOMAIN.md, "Consent").
    pub enum ConsentPurpose {
        Research = ("research", "Take part in research"),
        AnonymousQuotation = ("anonymous_quotation", "Be quoted anonymously"),
        Filming = ("filming", "Be filmed and have film shown"),
        SharingWithPartners = ("sharing_with_partners", "Share with partner organisations"),
    }
}

vocabulary! {
    /// How consent was given.
    pub enum ConsentMethod {
        Written = ("written", "In writing"),
        Verbal = ("verbal", "Verbally"),
        OnlineForm = ("online_form", "Online form"),
        Other = ("other", "Other"),
    }
}

/// Where a participant lives or is seen, e.g. "North Northmoor"; blank is not recorded.
pub fn area(field: &str, raw: &str) -> Result<Option<String>, Invalid> {
    optional_text(field, "the area", raw, 80)
}

/// A note on how or why consent was given; blank is none.
pub fn consent_note(field: &str, raw: &str) -> Result<String, Invalid> {
    optional_text(field, "the note", raw, 500).map(Option::unwrap_or_default)
}

/// How to reach a participant: personal data. Shown only to researchers and administrators;
/// `Debug` hides it, so it cannot reach a log by way of `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct ContactDetails(String);

impl ContactDetails {
    pub const MAX_CHARS: usize = 500;

    /// Blank means none are kept.
    pub fn parse(field: &str, raw: &str) -> Result<Option<Self>, Invalid> {
        Ok(optional_text(field, "the contact details", raw, Self::MAX_CHARS)?.map(Self))
    }

    /// As stored.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ContactDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContactDetails(…)")
    }
}

/// One consent record as the rules see it.
pub trait ConsentState {
    fn purpose(&self) -> ConsentPurpose;
    fn given_on(&self) -> Date;
    fn withdrawn_on(&self) -> Option<Date>;

    /// Given and not withdrawn.
    fn is_current(&self) -> bool {
        self.withdrawn_on().is_none()
    }
}

/// The participant's current consent for `purpose` (given and not withdrawn), if any.
pub fn current_consent<C: ConsentState>(history: &[C], purpose: ConsentPurpose) -> Option<&C> {
    history.iter().filter(|c| c.purpose() == purpose && c.is_current()).max_by_key(|c| c.given_on())
}

/// The purposes the participant consents to now, in vocabulary order.
pub fn current_purposes<C: ConsentState>(history: &[C]) -> Vec<ConsentPurpose> {
    ConsentPurpose::ALL.iter().copied().filter(|p| current_consent(history, *p).is_some()).collect()
}

/// Checks that consent for `purpose` may be recorded as given on `given_on`: not in the future,
/// not while consent for it is current (withdraw first), and not before it was last withdrawn.
pub fn check_give<C: ConsentState>(
    history: &[C],
    purpose: ConsentPurpose,
    given_on: Date,
    today: Date,
) -> Result<(), Invalid> {
    if given_on > today {
        return Err(Invalid::one("given_on", "The date consent was given must be today or in the past"));
    }
    if current_consent(history, purpose).is_some() {
        return Err(Invalid::one(
            "purpose",
            format!("Consent to “{}” is already recorded: withdraw it before recording it again", purpose.label()),
        ));
    }
    let last_withdrawn = history.iter().filter(|c| c.purpose() == purpose).filter_map(ConsentState::withdrawn_on).max();
    if let Some(withdrawn) = last_withdrawn
        && given_on < withdrawn
    {
        return Err(Invalid::one(
            "given_on",
            format!(
                "The date consent was given must be on or after it was last withdrawn, {}",
                crate::dates::display(withdrawn)
            ),
        ));
    }
    Ok(())
}

/// Why consent cannot be withdrawn as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithdrawalError {
    /// There is no current consent for the purpose.
    NotGiven,
    /// The date is in the future or before the consent was given.
    Invalid(Invalid),
}

/// The current consent for `purpose` that a withdrawal on `withdrawn_on` ends: not before it was
/// given, and not in the future.
pub fn check_withdrawal<C: ConsentState>(
    history: &[C],
    purpose: ConsentPurpose,
    withdrawn_on: Date,
    today: Date,
) -> Result<&C, WithdrawalError> {
    let current = current_consent(history, purpose).ok_or(WithdrawalError::NotGiven)?;
    if withdrawn_on > today {
        return Err(WithdrawalError::Invalid(Invalid::one(
            "withdrawn_on",
            "The date consent was withdrawn must be today or in the past",
        )));
    }
    if withdrawn_on < current.given_on() {
        return Err(WithdrawalError::Invalid(Invalid::one(
            "withdrawn_on",
            format!(
                "The date consent was withdrawn must be on or after it was given, {}",
                crate::dates::display(current.given_on())
            ),
        )));
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    struct C(ConsentPurpose, Date, Option<Date>);
    impl ConsentState for C {
        fn purpose(&self) -> ConsentPurpose {
            self.0
        }
        fn given_on(&self) -> Date {
            self.1
        }
        fn withdrawn_on(&self) -> Option<Date> {
            self.2
        }
    }

    const TODAY: Date = date!(2014 - 12 - 01);

    #[test]
    fn pseudonyms_are_required_short_and_compared_without_case() {
        let p = Pseudonym::parse("pseudonym", "  Parent A (demo) ").expect("valid");
        assert_eq!(p.as_str(), "Parent A (demo)");
        assert_eq!(p.key(), Pseudonym::parse("pseudonym", "PARENT a (DEMO)").expect("valid").key());
        assert_eq!(Pseudonym::parse("p", "ÉLODIE").expect("valid").key(), "élodie");
        assert_eq!(Pseudonym::parse("pseudonym", " ").unwrap_err().message_for("pseudonym"), Some("Enter a pseudonym"));
        let long = Pseudonym::parse("pseudonym", &"x".repeat(61)).unwrap_err();
        assert_eq!(long.message_for("pseudonym"), Some("A pseudonym must be 60 characters or fewer"));
        assert!(Pseudonym::parse("pseudonym", &"é".repeat(60)).is_ok(), "characters, not bytes");
        assert!(Pseudonym::parse("pseudonym", "Parent\u{7}A").is_err());
    }

    #[test]
    fn contact_details_are_optional_limited_and_never_debug_printed() {
        assert_eq!(ContactDetails::parse("contact_details", "  "), Ok(None));
        let kept = ContactDetails::parse("contact_details", "01632 960 001").expect("valid").expect("some");
        assert_eq!(kept.expose(), "01632 960 001");
        assert!(!format!("{kept:?}").contains("960"));
        assert!(ContactDetails::parse("contact_details", &"x".repeat(501)).is_err());
        assert!(area("area", &"x".repeat(81)).is_err());
        assert_eq!(area("area", " North "), Ok(Some("North".into())));
    }

    #[test]
    fn vocabularies_round_trip_through_their_codes() {
        for &kind in ParticipantKind::ALL {
            assert_eq!(kind.code().parse::<ParticipantKind>(), Ok(kind));
        }
        for &band in AgeBand::ALL {
            assert_eq!(band.code().parse::<AgeBand>(), Ok(band));
        }
        assert_eq!(ConsentPurpose::Filming.label(), "Be filmed and have film shown");
        assert_eq!("online_form".parse::<ConsentMethod>(), Ok(ConsentMethod::OnlineForm));
    }

    #[test]
    fn current_consent_is_given_and_not_withdrawn() {
        use ConsentPurpose::*;
        let history = [
            C(Research, date!(2014 - 03 - 04), Some(date!(2014 - 05 - 01))),
            C(Research, date!(2014 - 06 - 01), None),
            C(Filming, date!(2014 - 03 - 04), Some(date!(2014 - 04 - 01))),
            C(AnonymousQuotation, date!(2014 - 03 - 04), None),
        ];
        assert_eq!(current_consent(&history, Research).map(|c| c.1), Some(date!(2014 - 06 - 01)));
        assert!(current_consent(&history, Filming).is_none(), "withdrawn");
        assert!(current_consent(&history, SharingWithPartners).is_none(), "never given");
        assert_eq!(current_purposes(&history), [Research, AnonymousQuotation]);
        assert!(current_purposes::<C>(&[]).is_empty());
    }

    #[test]
    fn consent_is_given_once_at_a_time_and_not_before_its_last_withdrawal() {
        use ConsentPurpose::*;
        let history =
            [C(Research, date!(2014 - 03 - 04), None), C(Filming, date!(2014 - 03 - 04), Some(date!(2014 - 04 - 01)))];
        let again = check_give(&history, Research, date!(2014 - 06 - 01), TODAY).unwrap_err();
        assert!(again.message_for("purpose").is_some_and(|m| m.contains("withdraw it")));
        assert!(check_give(&history, Filming, date!(2014 - 04 - 01), TODAY).is_ok(), "again after withdrawal");
        let early = check_give(&history, Filming, date!(2014 - 03 - 31), TODAY).unwrap_err();
        assert!(early.message_for("given_on").is_some_and(|m| m.contains("1 April 2014")));
        let future = check_give(&history, SharingWithPartners, date!(2014 - 12 - 02), TODAY).unwrap_err();
        assert!(future.message_for("given_on").is_some());
        assert!(check_give(&history, SharingWithPartners, TODAY, TODAY).is_ok());
    }

    #[test]
    fn only_current_consent_is_withdrawn_on_a_date_after_it_was_given() {
        use ConsentPurpose::*;
        let history =
            [C(Research, date!(2014 - 03 - 04), None), C(Filming, date!(2014 - 03 - 04), Some(date!(2014 - 04 - 01)))];
        assert_eq!(
            check_withdrawal(&history, Research, date!(2014 - 03 - 04), TODAY).map(|c| c.1),
            Ok(date!(2014 - 03 - 04))
        );
        assert_eq!(check_withdrawal(&history, Filming, TODAY, TODAY).err(), Some(WithdrawalError::NotGiven));
        assert_eq!(
            check_withdrawal(&history, SharingWithPartners, TODAY, TODAY).err(),
            Some(WithdrawalError::NotGiven)
        );
        assert!(matches!(
            check_withdrawal(&history, Research, date!(2014 - 03 - 03), TODAY),
            Err(WithdrawalError::Invalid(e)) if e.message_for("withdrawn_on").is_some_and(|m| m.contains("4 March 2014"))
        ));
        assert!(matches!(
            check_withdrawal(&history, Research, date!(2015 - 01 - 01), TODAY),
            Err(WithdrawalError::Invalid(_))
        ));
    }
}
