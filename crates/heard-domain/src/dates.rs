//! Dates as people enter them: the GOV.UK date input's day, month and year, parsed with the
//! messages the GOV.UK Design System recommends.

use time::{Date, Month};

use crate::Invalid;

/// The three boxes of a date input, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct DateParts {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateParts {
    pub fn from_date(date: Option<Date>) -> Self {
        match date {
            Some(date) => Self {
                day: date.day().to_string(),
                month: u8::from(date.month()).to_string(),
                year: date.year().to_string(),
            },
            None => Self::default(),
        }
    }

    /// Parses the parts; all empty means no date. `label` is e.g. "the start date".
    pub fn parse(&self, field: &str, label: &str) -> Result<Option<Date>, Invalid> {
        let (day, month, year) = (self.day.trim(), self.month.trim(), self.year.trim());
        if day.is_empty() && month.is_empty() && year.is_empty() {
            return Ok(None);
        }
        let missing: Vec<&str> = [("day", day), ("month", month), ("year", year)]
            .iter()
            .filter(|(_, value)| value.is_empty())
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            let capitalised = capitalise(label);
            return Err(Invalid::one(field, format!("{capitalised} must include a {}", missing.join(" and a "))));
        }
        let invalid = || Invalid::one(field, format!("{} must be a real date", capitalise(label)));
        let day: u8 = day.parse().map_err(|_| invalid())?;
        let month: u8 = month.parse().map_err(|_| invalid())?;
        let year: i32 = year.parse().map_err(|_| invalid())?;
        if !(1900..=2200).contains(&year) {
            return Err(Invalid::one(
                field,
                format!("{} must have a year with 4 numbers between 1900 and 2200", capitalise(label)),
            ));
        }
        let month = Month::try_from(month).map_err(|_| invalid())?;
        Date::from_calendar_date(year, month, day).map(Some).map_err(|_| invalid())
    }
}

/// Parses an ISO 8601 calendar date (`2026-11-26`), as the JSON API takes dates.
pub fn parse_iso(field: &str, raw: &str) -> Result<Date, Invalid> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), format).map_err(|_| Invalid::one(field, "Enter a date in the form YYYY-MM-DD"))
}

/// A date as shown on pages: "26 November 2026".
pub fn display(date: Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

fn capitalise(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn parts(day: &str, month: &str, year: &str) -> DateParts {
        DateParts { day: day.into(), month: month.into(), year: year.into() }
    }

    #[test]
    fn parses_a_real_date_and_nothing() {
        assert_eq!(parts("19", "5", "2014").parse("d", "the date"), Ok(Some(date!(2014 - 05 - 19))));
        assert_eq!(parts("", " ", "").parse("d", "the date"), Ok(None));
    }

    #[test]
    fn names_what_is_missing_or_wrong() {
        let missing = parts("19", "", "").parse("d", "the date").unwrap_err();
        assert_eq!(missing.message_for("d"), Some("The date must include a month and a year"));
        let unreal = parts("31", "2", "2015").parse("d", "the date").unwrap_err();
        assert_eq!(unreal.message_for("d"), Some("The date must be a real date"));
        assert!(parts("1", "1", "15").parse("d", "the date").is_err());
    }

    #[test]
    fn round_trips_through_parts_and_iso() {
        let day = date!(2015 - 01 - 07);
        assert_eq!(DateParts::from_date(Some(day)).parse("d", "the date"), Ok(Some(day)));
        assert_eq!(parse_iso("d", "2015-01-07"), Ok(day));
        assert!(parse_iso("d", "07/01/2015").is_err());
        assert_eq!(display(day), "7 January 2015");
    }
}
