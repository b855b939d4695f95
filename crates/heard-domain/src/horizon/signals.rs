//! Signals of change and drivers (DOMAIN.md, "Signal"): their closed word lists (STEEP categories
//! plus values and legal, kinds, horizons, confidence), a score from 1 to 5, and what a signal,
//! its scoring and a driver may be, parsed from form or JSON fields with errors naming the field.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::Invalid;
use crate::dates::DateParts;
use crate::error::{Collector, optional_text, required_text};
use crate::vocabulary::parse_code;

/// The longest signal title or driver name, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest summary, "so what" or description, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// The longest source URL, in characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// The longest publication name, "spotted by" or scoring note, in characters.
pub const MAX_SHORT_CHARS: usize = 300;

vocabulary! {
    /// Where a change comes from: STEEP (social, technological, economic, environmental,
    /// political) with values and legal, as STEEPLV. A signal's first category is its primary one.
    pub enum Category {
        Social = ("social", "Social"),
        Technological = ("technological", "Technological"),
        Economic = ("economic", "Economic"),
        Environmental = ("environmental", "Environmental"),
        Political = ("political", "Political"),
        Values = ("values", "Values"),
        Legal = ("legal", "Legal"),
    }
}

vocabulary! {
    /// What sort of item of horizon scanning a signal is.
    pub enum SignalKind {
        Signal = ("signal", "Signal"),
        Trend = ("trend", "Trend"),
        Driver = ("driver", "Driver"),
        WildCard = ("wild_card", "Wild card"),
    }
}

vocabulary! {
    /// When a change may matter (the Three Horizons): H1 within 2 years, H2 in 2 to 5, H3 beyond 5.
    pub enum Horizon {
        H1 = ("h1", "H1: 0 to 2 years"),
        H2 = ("h2", "H2: 2 to 5 years"),
        H3 = ("h3", "H3: 5 years or more"),
    }
}

impl Horizon {
    /// The short name: `H1`, `H2` or `H3`.
    pub fn short(self) -> &'static str {
        match self {
            Horizon::H1 => "H1",
            Horizon::H2 => "H2",
            Horizon::H3 => "H3",
        }
    }
}

vocabulary! {
    /// How sure the person scoring a signal is of their scores.
    pub enum Confidence {
        Low = ("low", "Low"),
        Medium = ("medium", "Medium"),
        High = ("high", "High"),
    }
}

/// An impact or uncertainty score: a whole number from 1 (least) to 5 (most).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "u8", into = "u8")]
#[schema(value_type = u8)]
pub struct Score(u8);

impl Score {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;
    /// 3, neither most nor least.
    pub const MIDDLE: Score = Score(3);

    /// The score `value`, if it is from 1 to 5.
    pub fn new(value: i64) -> Option<Score> {
        u8::try_from(value).ok().filter(|v| (Self::MIN..=Self::MAX).contains(v)).map(Score)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Parses a form or JSON field; `label` is e.g. "the impact".
    pub fn parse(field: &str, label: &str, raw: &str) -> Result<Score, Invalid> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Invalid::one(field, format!("Enter {label}, a number from 1 to 5")));
        }
        raw.parse::<i64>()
            .ok()
            .and_then(Score::new)
            .ok_or_else(|| Invalid::one(field, format!("Enter {label} as a whole number from 1 to 5")))
    }

    /// Parses an optional field: blank means `None`.
    pub fn parse_optional(field: &str, label: &str, raw: &str) -> Result<Option<Score>, Invalid> {
        if raw.trim().is_empty() { Ok(None) } else { Score::parse(field, label, raw).map(Some) }
    }
}

impl TryFrom<u8> for Score {
    type Error = String;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Score::new(i64::from(value)).ok_or_else(|| format!("a score is from 1 to 5, not {value}"))
    }
}

impl From<Score> for u8 {
    fn from(score: Score) -> u8 {
        score.0
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Checks a source's URL: an absolute `http` or `https` URL with a host, on one line, at most
/// [`MAX_URL_CHARS`] characters. Blank means no URL. Other schemes (`javascript:`, `file:`, ...)
/// are refused because pages link to it.
pub fn source_url(field: &str, raw: &str) -> Result<Option<String>, Invalid> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(Invalid::one(
            field,
            format!("The source's web address must be {MAX_URL_CHARS} characters or fewer"),
        ));
    }
    let wrong = || Invalid::one(field, "Enter the source's web address in full, starting http:// or https://");
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(wrong());
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid::one(field, "The source's web address must not contain spaces"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    if host.is_empty() || host.starts_with('.') || host.ends_with("..") {
        return Err(wrong());
    }
    Ok(Some(url.to_owned()))
}

/// One-line text: trimmed, present, no line breaks.
fn one_line(field: &str, label: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let text = required_text(field, label, raw, max)?;
    if text.chars().any(char::is_control) {
        return Err(Invalid::one(field, format!("Write {label} on one line")));
    }
    Ok(text)
}

/// A signal's fields as a form or JSON body gives them, unchecked. Dates are GOV.UK date parts;
/// the JSON API and CSV turn an ISO date into parts with [`DateParts::from_date`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct SignalFields {
    pub title: String,
    pub summary: String,
    pub source_url: String,
    pub source_publication: String,
    pub spotted_on: DateParts,
    pub spotted_by: String,
    /// Category codes, primary first. See [`SignalFields::primary_category`].
    pub categories: Vec<String>,
    /// A form's primary category (a radio): when not blank it goes first in `categories`.
    pub primary_category: String,
    pub kind: String,
    pub so_what: String,
    pub review_on: DateParts,
}

/// A signal's descriptive fields, checked. Its scores are a [`Scoring`], kept with history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignalInput {
    pub title: String,
    pub summary: String,
    /// An `http` or `https` URL.
    pub source_url: Option<String>,
    /// The publication, organisation or event the signal was seen in.
    pub source_publication: Option<String>,
    pub spotted_on: Date,
    /// Who spotted it, as written (a person or a group).
    pub spotted_by: Option<String>,
    /// At least one, without repeats; the first is the primary category.
    pub categories: Vec<Category>,
    pub kind: SignalKind,
    /// What it means for the programme.
    pub so_what: Option<String>,
    /// When it should next be looked at again.
    pub review_on: Option<Date>,
}

impl SignalInput {
    /// Parses every field, reporting every problem at once. `spotted_on` is required.
    pub fn parse(fields: &SignalFields) -> Result<SignalInput, Invalid> {
        let mut errors = Collector::new();
        let title = errors.take(one_line("title", "a title", &fields.title, MAX_TITLE_CHARS));
        let summary = errors.take(required_text("summary", "a summary", &fields.summary, MAX_TEXT_CHARS));
        let source_url = errors.take(source_url("source_url", &fields.source_url));
        let source_publication = errors.take(optional_text(
            "source_publication",
            "the publication",
            &fields.source_publication,
            MAX_SHORT_CHARS,
        ));
        let spotted_on = match errors.take(fields.spotted_on.parse("spotted_on", "the date spotted")) {
            Some(None) => {
                errors.push("spotted_on", "Enter the date the signal was spotted");
                None
            }
            other => other.flatten(),
        };
        let spotted_by =
            errors.take(optional_text("spotted_by", "who spotted it", &fields.spotted_by, MAX_SHORT_CHARS));
        let categories = errors.take(categories("categories", &fields.primary_category, &fields.categories));
        let kind = errors.take(parse_code::<SignalKind>("kind", "the kind of signal", &fields.kind));
        let so_what = errors.take(optional_text("so_what", "the so what", &fields.so_what, MAX_TEXT_CHARS));
        let review_on = errors.take(fields.review_on.parse("review_on", "the review date"));
        match (title, summary, spotted_on, categories, kind) {
            (Some(title), Some(summary), Some(spotted_on), Some(categories), Some(kind)) => {
                errors.finish(|| SignalInput {
                    title,
                    summary,
                    source_url: source_url.flatten(),
                    source_publication: source_publication.flatten(),
                    spotted_on,
                    spotted_by: spotted_by.flatten(),
                    categories,
                    kind,
                    so_what: so_what.flatten(),
                    review_on: review_on.flatten(),
                })
            }
            _ => Err(errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("title", "Check the signal"))),
        }
    }

    /// The primary category: the first.
    pub fn primary_category(&self) -> Option<Category> {
        self.categories.first().copied()
    }
}

/// Parses category codes into an ordered list without repeats: `primary` (if not blank) first,
/// then `others` in their order. At least one is required.
pub fn categories(field: &str, primary: &str, others: &[String]) -> Result<Vec<Category>, Invalid> {
    let mut list: Vec<Category> = Vec::new();
    for raw in std::iter::once(primary).chain(others.iter().map(String::as_str)) {
        if raw.trim().is_empty() {
            continue;
        }
        let category = parse_code::<Category>(field, "a category", raw)?;
        if !list.contains(&category) {
            list.push(category);
        }
    }
    if list.is_empty() {
        return Err(Invalid::one(field, "Select at least one category"));
    }
    Ok(list)
}

/// A scoring's fields as a form or JSON body gives them, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ScoringFields {
    pub horizon: String,
    pub impact: String,
    pub uncertainty: String,
    pub confidence: String,
    pub note: String,
}

/// One scoring of a signal: where on the horizon, how much impact, how uncertain, how sure.
/// Re-scoring adds a scoring; the latest is the signal's current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scoring {
    pub horizon: Horizon,
    pub impact: Score,
    pub uncertainty: Score,
    pub confidence: Confidence,
    /// Why it was scored so, or what changed since the last scoring.
    pub note: Option<String>,
}

impl Scoring {
    pub fn parse(fields: &ScoringFields) -> Result<Scoring, Invalid> {
        let mut errors = Collector::new();
        let horizon = errors.take(parse_code::<Horizon>("horizon", "a horizon", &fields.horizon));
        let impact = errors.take(Score::parse("impact", "the impact", &fields.impact));
        let uncertainty = errors.take(Score::parse("uncertainty", "the uncertainty", &fields.uncertainty));
        let confidence = errors.take(parse_code::<Confidence>("confidence", "the confidence", &fields.confidence));
        let note = errors.take(optional_text("note", "the note", &fields.note, MAX_SHORT_CHARS));
        match (horizon, impact, uncertainty, confidence) {
            (Some(horizon), Some(impact), Some(uncertainty), Some(confidence)) => {
                errors.finish(|| Scoring { horizon, impact, uncertainty, confidence, note: note.flatten() })
            }
            _ => Err(errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("horizon", "Check the scores"))),
        }
    }
}

/// A driver's fields as a form or JSON body gives them, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct DriverFields {
    pub name: String,
    pub description: String,
    /// Blank: the mean of its signals' current impact.
    pub impact: String,
    /// Blank: the mean of its signals' current uncertainty.
    pub uncertainty: String,
}

/// A driver: a force of change that groups signals. Its scores summarise its signals unless set
/// by hand here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DriverInput {
    pub name: String,
    pub description: Option<String>,
    pub impact: Option<Score>,
    pub uncertainty: Option<Score>,
}

impl DriverInput {
    pub fn parse(fields: &DriverFields) -> Result<DriverInput, Invalid> {
        let mut errors = Collector::new();
        let name = errors.take(one_line("name", "a name for the driver", &fields.name, MAX_TITLE_CHARS));
        let description =
            errors.take(optional_text("description", "the description", &fields.description, MAX_TEXT_CHARS));
        let impact = errors.take(Score::parse_optional("impact", "the impact", &fields.impact));
        let uncertainty = errors.take(Score::parse_optional("uncertainty", "the uncertainty", &fields.uncertainty));
        errors.finish(|| DriverInput {
            name: name.unwrap_or_default(),
            description: description.flatten(),
            impact: impact.flatten(),
            uncertainty: uncertainty.flatten(),
        })
    }
}

/// The key two driver names are compared by: case and spacing ignored.
pub fn name_key(name: &str) -> String {
    crate::coding::codebook::code_name_key(name)
}

/// The mean of some scores, or `None` for none.
pub fn mean(scores: impl IntoIterator<Item = Score>) -> Option<f64> {
    let (sum, n) = scores.into_iter().fold((0u32, 0u32), |(sum, n), s| (sum + u32::from(s.get()), n + 1));
    (n > 0).then(|| f64::from(sum) / f64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn fields() -> SignalFields {
        SignalFields {
            title: "Grandparents as the main childcare".into(),
            summary: "More families name grandparents as their main childcare.".into(),
            source_url: "https://example.org/survey".into(),
            source_publication: "Example Family Survey".into(),
            spotted_on: DateParts::from_date(Some(date!(2015 - 06 - 01))),
            spotted_by: "Horizon group".into(),
            categories: vec!["social".into(), "economic".into()],
            primary_category: String::new(),
            kind: "trend".into(),
            so_what: "Support may need to reach grandparents too.".into(),
            review_on: DateParts::default(),
        }
    }

    #[test]
    fn a_signal_parses_with_its_primary_category_first() {
        let signal = SignalInput::parse(&fields()).unwrap();
        assert_eq!(signal.categories, [Category::Social, Category::Economic]);
        assert_eq!(signal.kind, SignalKind::Trend);
        assert_eq!(signal.review_on, None);
        let chosen = SignalFields { primary_category: "economic".into(), ..fields() };
        let signal = SignalInput::parse(&chosen).unwrap();
        assert_eq!(signal.categories, [Category::Economic, Category::Social]);
        assert_eq!(signal.primary_category(), Some(Category::Economic));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = SignalFields {
            title: " ".into(),
            summary: String::new(),
            source_url: "javascript:alert(1)".into(),
            spotted_on: DateParts::default(),
            categories: vec!["cultural".into()],
            kind: "omen".into(),
            review_on: DateParts { day: "31".into(), month: "2".into(), year: "2016".into() },
            ..fields()
        };
        let invalid = SignalInput::parse(&bad).unwrap_err();
        for field in ["title", "summary", "source_url", "spotted_on", "categories", "kind", "review_on"] {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        let none = SignalFields { categories: vec![], ..fields() };
        assert_eq!(
            SignalInput::parse(&none).unwrap_err().message_for("categories"),
            Some("Select at least one category")
        );
    }

    #[test]
    fn source_urls_are_http_or_https_with_a_host() {
        assert_eq!(
            source_url("u", " https://example.org/a?b=c ").unwrap().as_deref(),
            Some("https://example.org/a?b=c")
        );
        assert_eq!(source_url("u", "HTTP://example.org").unwrap().as_deref(), Some("HTTP://example.org"));
        assert_eq!(source_url("u", "").unwrap(), None);
        for bad in
            ["ftp://example.org", "javascript:alert(1)", "https://", "https:///path", "example.org", "https://a b.org"]
        {
            assert!(source_url("u", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scores_are_one_to_five() {
        assert_eq!(Score::parse("impact", "the impact", " 5 ").unwrap().get(), 5);
        for bad in ["0", "6", "2.5", "high", ""] {
            assert!(Score::parse("impact", "the impact", bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&Score::new(3).unwrap()).unwrap(), "3");
        assert!(serde_json::from_str::<Score>("9").is_err());
        assert_eq!(mean([Score::new(2).unwrap(), Score::new(5).unwrap()]), Some(3.5));
        assert_eq!(mean([]), None);
    }

    #[test]
    fn a_scoring_names_each_bad_field() {
        let ok = ScoringFields {
            horizon: "h2".into(),
            impact: "4".into(),
            uncertainty: "2".into(),
            confidence: "medium".into(),
            note: String::new(),
        };
        let scoring = Scoring::parse(&ok).unwrap();
        assert_eq!((scoring.horizon, scoring.impact.get(), scoring.confidence), (Horizon::H2, 4, Confidence::Medium));
        let invalid = Scoring::parse(&ScoringFields::default()).unwrap_err();
        let fields: Vec<_> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["horizon", "impact", "uncertainty", "confidence"]);
    }

    #[test]
    fn a_driver_may_leave_its_scores_to_its_signals() {
        let driver =
            DriverInput::parse(&DriverFields { name: "Ageing population".into(), ..Default::default() }).unwrap();
        assert_eq!((driver.impact, driver.uncertainty), (None, None));
        let bad = DriverFields { name: String::new(), impact: "7".into(), ..Default::default() };
        let invalid = DriverInput::parse(&bad).unwrap_err();
        assert!(invalid.message_for("name").is_some() && invalid.message_for("impact").is_some());
        assert_eq!(name_key("  Ageing   Population "), "ageing population");
    }

    #[test]
    fn horizons_have_short_names_and_labels() {
        assert_eq!(Horizon::H1.label(), "H1: 0 to 2 years");
        assert_eq!(Horizon::ALL.iter().map(|h| h.short()).collect::<Vec<_>>(), ["H1", "H2", "H3"]);
        assert_eq!(SignalKind::WildCard.code(), "wild_card");
    }
}
