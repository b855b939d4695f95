//! Kumu's JSON blueprint, the format teams already draw systems maps in: `elements` (id, label,
//! type, description, tags) and `connections` (from, to, direction), read into a cause map's
//! factors and arrows. A connection names its ends by element id or, failing that, by label.
//!
//! Kumu's documentation: <https://docs.kumu.io/guides/import> (JSON blueprints).

use serde::{Deserialize, Serialize};

/// The `type` Kumu gives the central event of a cause map.
pub const CENTRAL_EVENT_TYPE: &str = "Central event";
/// The most elements a blueprint may hold: maps are read and drawn whole.
pub const MAX_ELEMENTS: usize = 2_000;
/// The most connections.
pub const MAX_CONNECTIONS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub label: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub from: String,
    pub to: String,
    /// `directed` (the default), `mutual` or `undirected`; the last two read as arrows both ways.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blueprint {
    #[serde(default)]
    pub elements: Vec<Element>,
    #[serde(default)]
    pub connections: Vec<Connection>,
}

/// Why a blueprint cannot be read as a cause map; each names where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KumuError {
    #[error("the file is not a Kumu JSON blueprint: {0}")]
    NotJson(String),
    #[error("the blueprint has no elements")]
    Empty,
    #[error("the blueprint has {0} elements; at most {MAX_ELEMENTS} can be read")]
    TooManyElements(usize),
    #[error("the blueprint has {0} connections; at most {MAX_CONNECTIONS} can be read")]
    TooManyConnections(usize),
    #[error("element {0} has a blank label")]
    BlankLabel(usize),
    #[error("elements {0} and {1} have the same label \"{2}\"")]
    DuplicateLabel(usize, usize, String),
    #[error("connection {index} goes {end} \"{name}\", which is no element's id or label")]
    UnknownEnd { index: usize, end: &'static str, name: String },
    #[error("connection {0} has direction \"{1}\"; use directed, mutual or undirected")]
    UnknownDirection(usize, String),
    #[error("no element is labelled \"{0}\"")]
    UnknownCentral(String),
    #[error(
        "which element is the central event? none has type \"Central event\" and {0} have no outgoing connection; name it with --central"
    )]
    NoCentral(usize),
}

/// A blueprint as a cause map: labels, arrows by index, and the central event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapParts {
    pub labels: Vec<String>,
    pub arrows: Vec<(usize, usize)>,
    pub central: usize,
}

impl Blueprint {
    /// Reads a blueprint from JSON. Elements and connections are counted 1 upwards in messages.
    pub fn parse(json: &str) -> Result<Blueprint, KumuError> {
        let blueprint: Blueprint = serde_json::from_str(json).map_err(|e| {
            // serde_json's message names the line and column, and quotes no more than a token.
            KumuError::NotJson(e.to_string())
        })?;
        if blueprint.elements.len() > MAX_ELEMENTS {
            return Err(KumuError::TooManyElements(blueprint.elements.len()));
        }
        if blueprint.connections.len() > MAX_CONNECTIONS {
            return Err(KumuError::TooManyConnections(blueprint.connections.len()));
        }
        Ok(blueprint)
    }

    /// The factors and arrows, with the central event: the element labelled `central` if given,
    /// else the one whose type is "Central event", else the only element with no outgoing
    /// connection.
    pub fn map_parts(&self, central: Option<&str>) -> Result<MapParts, KumuError> {
        if self.elements.is_empty() {
            return Err(KumuError::Empty);
        }
        let mut labels = Vec::with_capacity(self.elements.len());
        for (i, element) in self.elements.iter().enumerate() {
            let label = element.label.split_whitespace().collect::<Vec<_>>().join(" ");
            if label.is_empty() {
                return Err(KumuError::BlankLabel(i + 1));
            }
            if let Some(first) = labels.iter().position(|l: &String| l.eq_ignore_ascii_case(&label)) {
                return Err(KumuError::DuplicateLabel(first + 1, i + 1, label));
            }
            labels.push(label);
        }
        let find = |name: &str| {
            self.elements
                .iter()
                .position(|e| e.id.as_deref() == Some(name))
                .or_else(|| labels.iter().position(|l| l.eq_ignore_ascii_case(name.trim())))
        };
        let mut arrows = Vec::with_capacity(self.connections.len());
        for (i, c) in self.connections.iter().enumerate() {
            let end = |name: &str, end: &'static str| {
                find(name).ok_or(KumuError::UnknownEnd { index: i + 1, end, name: name.to_owned() })
            };
            let (from, to) = (end(&c.from, "from")?, end(&c.to, "to")?);
            match c.direction.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("directed") | Some("") => arrows.push((from, to)),
                Some("mutual") | Some("undirected") => arrows.extend([(from, to), (to, from)]),
                Some(_) => return Err(KumuError::UnknownDirection(i + 1, c.direction.clone().unwrap_or_default())),
            }
        }
        let central = match central {
            Some(name) => find(name).ok_or_else(|| KumuError::UnknownCentral(name.to_owned()))?,
            None => match self
                .elements
                .iter()
                .position(|e| e.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(CENTRAL_EVENT_TYPE)))
            {
                Some(found) => found,
                None => {
                    let sinks: Vec<usize> =
                        (0..labels.len()).filter(|&n| !arrows.iter().any(|&(from, _)| from == n)).collect();
                    match sinks.as_slice() {
                        [one] => *one,
                        many => return Err(KumuError::NoCentral(many.len())),
                    }
                }
            },
        };
        Ok(MapParts { labels, arrows, central })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLUEPRINT: &str = r#"{
      "elements": [
        {"id": "elm-1", "label": "Families reach help only in crisis", "type": "Central event"},
        {"id": "elm-2", "label": "Long waits", "tags": ["health"]},
        {"label": "Staff shortage", "description": "Vacancies in health visiting"},
        {"label": "Told too late"}
      ],
      "connections": [
        {"from": "elm-2", "to": "elm-1"},
        {"from": "Staff shortage", "to": "Long waits", "direction": "directed"},
        {"from": "Told too late", "to": "long waits", "direction": "mutual"}
      ]
    }"#;

    #[test]
    fn a_blueprint_becomes_factors_arrows_and_a_central_event() {
        let parts = Blueprint::parse(BLUEPRINT).unwrap().map_parts(None).unwrap();
        assert_eq!(parts.labels[0], "Families reach help only in crisis");
        assert_eq!(parts.central, 0);
        assert_eq!(parts.arrows, [(1, 0), (2, 1), (3, 1), (1, 3)]);
        let named = Blueprint::parse(BLUEPRINT).unwrap().map_parts(Some("Long waits")).unwrap();
        assert_eq!(named.central, 1);
    }

    #[test]
    fn without_a_type_the_one_element_with_no_way_out_is_central() {
        let json = r#"{"elements":[{"label":"a"},{"label":"b"}],"connections":[{"from":"a","to":"b"}]}"#;
        assert_eq!(Blueprint::parse(json).unwrap().map_parts(None).unwrap().central, 1);
        let two = r#"{"elements":[{"label":"a"},{"label":"b"},{"label":"c"}],"connections":[{"from":"a","to":"b"}]}"#;
        assert_eq!(Blueprint::parse(two).unwrap().map_parts(None), Err(KumuError::NoCentral(2)));
    }

    #[test]
    fn bad_blueprints_say_what_and_where() {
        assert!(matches!(Blueprint::parse("{"), Err(KumuError::NotJson(_))));
        let unknown = r#"{"elements":[{"label":"a"}],"connections":[{"from":"a","to":"zz"}]}"#;
        let err = Blueprint::parse(unknown).unwrap().map_parts(None).unwrap_err();
        assert_eq!(err.to_string(), "connection 1 goes to \"zz\", which is no element's id or label");
        let twice = r#"{"elements":[{"label":"a"},{"label":" A "}]}"#;
        assert_eq!(Blueprint::parse(twice).unwrap().map_parts(None), Err(KumuError::DuplicateLabel(1, 2, "A".into())));
        let blank = r#"{"elements":[{"label":"  "}]}"#;
        assert_eq!(Blueprint::parse(blank).unwrap().map_parts(None), Err(KumuError::BlankLabel(1)));
        let odd = r#"{"elements":[{"label":"a"},{"label":"b"}],"connections":[{"from":"a","to":"b","direction":"sideways"}]}"#;
        assert!(matches!(Blueprint::parse(odd).unwrap().map_parts(None), Err(KumuError::UnknownDirection(1, _))));
        assert_eq!(Blueprint::parse(r#"{"elements":[]}"#).unwrap().map_parts(None), Err(KumuError::Empty));
    }
}
