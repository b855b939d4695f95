//! What a cause map, a factor and a tag may be: a map has a title and one central event (the
//! problem); factors are short phrases, unique in their map ignoring case and spacing; tags are
//! short words a person groups factors by (a service area, "inside the council's control").

use crate::Invalid;
use crate::error::{Collector, optional_text, required_text};

/// The most factors a map holds, the central event included: past this a diagram stops being read
/// and becomes a database. Kumu imports are held to the same bound.
pub const MAX_FACTORS: usize = 2_000;
/// The most arrows a map holds.
pub const MAX_ARROWS: usize = 20_000;
/// The most tags on one factor.
pub const MAX_TAGS: usize = 12;

const TITLE_MAX: usize = 150;
const LABEL_MAX: usize = 150;
const DESCRIPTION_MAX: usize = 2_000;
const TAG_MAX: usize = 40;

/// The key two titles, labels or tags are compared by: case and surrounding space ignored, inner
/// runs of space made one, so "Late help" and "late  Help" are the same factor.
pub fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A new cause map: its title and the words of its central event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapInput {
    pub title: String,
    pub central: String,
}

impl MapInput {
    /// From the fields `title` and `central`. A blank title takes the central event's words.
    pub fn parse(title: &str, central: &str) -> Result<MapInput, Invalid> {
        let mut errors = Collector::new();
        let central = errors.take(factor_label("central", central));
        let title = if title.trim().is_empty() {
            Some(central.clone())
        } else {
            errors.take(required_text("title", "a title", title, TITLE_MAX).map(Some))
        };
        errors.finish(|| MapInput {
            title: one_line(&title.flatten().unwrap_or_default()),
            central: central.unwrap_or_default(),
        })
    }
}

/// A factor as a person typed it: a short phrase, what it means, and its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorInput {
    pub label: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
}

impl FactorInput {
    /// From the fields `label`, `description` and `tags` (separated by commas).
    pub fn parse(label: &str, description: &str, tags: &str) -> Result<FactorInput, Invalid> {
        let mut errors = Collector::new();
        let label = errors.take(factor_label("label", label));
        let description = errors.take(optional_text("description", "the description", description, DESCRIPTION_MAX));
        let tags = errors.take(parse_tags("tags", tags));
        errors.finish(|| FactorInput {
            label: label.unwrap_or_default(),
            description: description.flatten(),
            tags: tags.unwrap_or_default(),
        })
    }
}

/// A factor's words: required, one line, at most 150 characters.
pub fn factor_label(field: &str, raw: &str) -> Result<String, Invalid> {
    let what = if field == "central" { "the central event" } else { "the factor" };
    required_text(field, what, raw, LABEL_MAX).map(|label| one_line(&label))
}

/// Tags separated by commas: each at most 40 characters, at most 12, repeats (ignoring case and
/// spacing) kept once in the order first typed.
pub fn parse_tags(field: &str, raw: &str) -> Result<Vec<String>, Invalid> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(',').map(one_line).filter(|t| !t.is_empty()) {
        if tag.chars().count() > TAG_MAX {
            return Err(Invalid::one(field, format!("Each tag must be {TAG_MAX} characters or fewer")));
        }
        if !tags.iter().any(|t| name_key(t) == name_key(&tag)) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(Invalid::one(field, format!("Give a factor {MAX_TAGS} tags or fewer")));
    }
    Ok(tags)
}

/// Which way a person moves a factor within its column of the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    Up,
    Down,
}

impl Shift {
    pub fn parse(field: &str, raw: &str) -> Result<Shift, Invalid> {
        match raw {
            "up" => Ok(Shift::Up),
            "down" => Ok(Shift::Down),
            _ => Err(Invalid::one(field, "Choose up or down")),
        }
    }
}

/// An optimistic-versioning token from a form: the version of the thing the person saw.
pub fn version(field: &str, raw: &str) -> Result<i64, Invalid> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| Invalid::one(field, "The form is out of date: open the map again"))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_title_takes_the_central_event() {
        let map = MapInput::parse("  ", "Families reach help too late").unwrap();
        assert_eq!(map.title, "Families reach help too late");
        let map = MapInput::parse("Early help", "Families reach help\ntoo late").unwrap();
        assert_eq!((map.title.as_str(), map.central.as_str()), ("Early help", "Families reach help too late"));
        let error = MapInput::parse("", "").unwrap_err();
        assert_eq!(error.0[0].field, "central");
    }

    #[test]
    fn factors_are_one_short_line_with_tags() {
        let factor = FactorInput::parse(" Waiting  lists\tgrow ", "", "Health, outside control, health ,").unwrap();
        assert_eq!(factor.label, "Waiting lists grow");
        assert_eq!(factor.description, None);
        assert_eq!(factor.tags, ["Health", "outside control"]);
        let error = FactorInput::parse(&"x".repeat(151), "", &"t,".repeat(3)).unwrap_err();
        assert_eq!(error.0[0].field, "label");
        let error = FactorInput::parse("Fine", "", &"x".repeat(41)).unwrap_err();
        assert_eq!(error.0[0].field, "tags");
        let many: Vec<String> = (0..13).map(|i| format!("tag {i}")).collect();
        assert!(FactorInput::parse("Fine", "", &many.join(",")).is_err());
    }

    #[test]
    fn keys_ignore_case_and_spacing() {
        assert_eq!(name_key(" Late  Help "), name_key("late help"));
        assert_ne!(name_key("late help"), name_key("late helps"));
    }

    #[test]
    fn versions_and_shifts_come_from_forms() {
        assert_eq!(version("version", "3").unwrap(), 3);
        assert!(version("version", "0").is_err());
        assert!(version("version", "x").is_err());
        assert_eq!(Shift::parse("shift", "up").unwrap(), Shift::Up);
        assert!(Shift::parse("shift", "left").is_err());
    }
}
