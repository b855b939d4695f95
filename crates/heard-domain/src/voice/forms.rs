//! Story forms (DOMAIN.md, "Story form"): what a facilitator builds (a prompt, optional signifiers
//! and consent statements), the checks on a definition and on a contributor's answer, the
//! contributor's receipt code, and the triad's geometry for the pattern view.
//!
//! A definition is kept as JSON, one per version; answers keep the version they were given under.

use std::collections::BTreeMap;
use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Invalid;
use crate::error::{Collector, optional_text, required_text};
use crate::voice::participants::{ConsentPurpose, ParticipantKind, Pseudonym};

vocabulary! {
    /// The kinds of signifier a story form can ask (DOMAIN.md, "Story form").
    pub enum SignifierKind {
        /// A point inside a triangle between three labels.
        Triad = ("triad", "Triad (a point between three labels)"),
        /// A point on a line between two labels.
        Slider = ("slider", "Slider (a point between two labels)"),
        SingleChoice = ("single_choice", "Single choice"),
        MultipleChoice = ("multiple_choice", "Multiple choice"),
    }
}

vocabulary! {
    /// Where a story form is in its life: only a published form takes answers.
    pub enum FormStatus {
        Draft = ("draft", "Draft"),
        Published = ("published", "Published"),
        Closed = ("closed", "Closed"),
    }
}

vocabulary! {
    /// Whether a form asks for a consent, and whether a contributor must give it.
    pub enum ConsentAsk {
        NotAsked = ("not_asked", "Do not ask"),
        Optional = ("optional", "Ask, optional"),
        Required = ("required", "Ask, required"),
    }
}

/// How many signifiers a form may have.
pub const MAX_SIGNIFIERS: usize = 4;
/// How many options a choice may offer.
pub const MAX_OPTIONS: usize = 10;
const MAX_TITLE_CHARS: usize = 120;
const MAX_PROMPT_CHARS: usize = 1000;
const MAX_QUESTION_CHARS: usize = 200;
const MAX_LABEL_CHARS: usize = 80;
const MAX_STATEMENT_CHARS: usize = 500;

/// One question besides the story: its key (stable across versions, `s1`..`s4`), the question,
/// its kind and its labels (a triad's three corners, a slider's two ends, a choice's options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signifier {
    pub key: String,
    pub question: String,
    pub kind: SignifierKind,
    pub labels: Vec<String>,
}

/// A consent statement: the purpose it records and the words a contributor ticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentStatement {
    pub purpose: ConsentPurpose,
    pub text: String,
    pub required: bool,
}

/// One version of a story form, as built and as kept (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDefinition {
    pub title: String,
    pub prompt: String,
    pub signifiers: Vec<Signifier>,
    pub consents: Vec<ConsentStatement>,
}

/// The words a consent statement has unless the facilitator writes others.
pub fn default_statement(purpose: ConsentPurpose) -> &'static str {
    match purpose {
        ConsentPurpose::Research => "I agree that my story can be used in research to improve services",
        ConsentPurpose::AnonymousQuotation => "I agree that my words can be quoted without my name",
        ConsentPurpose::Filming => "I agree to be filmed and for the film to be shown",
        ConsentPurpose::SharingWithPartners => "I agree that my story can be shared with partner organisations",
    }
}

/// The number of labels a kind needs: exactly (min == max) or a range.
fn label_bounds(kind: SignifierKind) -> (usize, usize) {
    match kind {
        SignifierKind::Triad => (3, 3),
        SignifierKind::Slider => (2, 2),
        SignifierKind::SingleChoice | SignifierKind::MultipleChoice => (2, MAX_OPTIONS),
    }
}

/// A definition as typed into the builder, by field name: `title`, `prompt`,
/// `signifiers[i].kind` (blank: none), `signifiers[i].question`, `signifiers[i].labels` (one per
/// line), `consents.{purpose}.ask` and `consents.{purpose}.text`.
impl FormDefinition {
    pub fn parse(get: &dyn Fn(&str) -> String) -> Result<FormDefinition, Invalid> {
        let mut errors = Collector::new();
        let title = errors.take(single_line("title", "a title", &get("title"), MAX_TITLE_CHARS));
        let prompt = errors.take(required_text("prompt", "the prompt", &get("prompt"), MAX_PROMPT_CHARS));
        let mut signifiers = Vec::new();
        for i in 0..MAX_SIGNIFIERS {
            let field = |name: &str| format!("signifiers[{i}].{name}");
            let kind_raw = get(&field("kind"));
            if kind_raw.trim().is_empty() {
                continue;
            }
            let Some(kind) = errors.take(crate::vocabulary::parse_code::<SignifierKind>(
                &field("kind"),
                "the kind of signifier",
                &kind_raw,
            )) else {
                continue;
            };
            let question = errors.take(single_line(
                &field("question"),
                "the question",
                &get(&field("question")),
                MAX_QUESTION_CHARS,
            ));
            let labels: Vec<String> =
                get(&field("labels")).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
            let (min, max) = label_bounds(kind);
            let labels_field = field("labels");
            if labels.len() < min || labels.len() > max {
                let message = if min == max {
                    format!("Enter {min} labels for the {}, one on each line", kind_noun(kind))
                } else {
                    format!("Enter between {min} and {max} options, one on each line")
                };
                errors.push(&labels_field, message);
            } else if labels.iter().any(|l| l.chars().count() > MAX_LABEL_CHARS) {
                errors.push(&labels_field, format!("Each label must be {MAX_LABEL_CHARS} characters or fewer"));
            } else if has_duplicates(&labels) {
                errors.push(&labels_field, "Each label must be different");
            }
            if let Some(question) = question {
                signifiers.push(Signifier { key: format!("s{}", i + 1), question, kind, labels });
            }
        }
        let mut consents = Vec::new();
        for &purpose in ConsentPurpose::ALL {
            let ask_field = format!("consents.{}.ask", purpose.code());
            let ask = match get(&ask_field).trim() {
                "" => Some(ConsentAsk::NotAsked),
                raw => errors.take(crate::vocabulary::parse_code::<ConsentAsk>(&ask_field, "whether to ask", raw)),
            };
            if purpose == ConsentPurpose::Research && ask.is_some_and(|a| a != ConsentAsk::Required) {
                errors.push(&ask_field, "A story form must ask for consent to take part in research, and require it");
            }
            let text_field = format!("consents.{}.text", purpose.code());
            let text = errors.take(optional_text(&text_field, "the statement", &get(&text_field), MAX_STATEMENT_CHARS));
            if let (Some(ask), Some(text)) = (ask, text)
                && ask != ConsentAsk::NotAsked
            {
                consents.push(ConsentStatement {
                    purpose,
                    text: text.unwrap_or_else(|| default_statement(purpose).to_owned()),
                    required: ask == ConsentAsk::Required,
                });
            }
        }
        errors.finish(|| ())?;
        match (title, prompt) {
            (Some(title), Some(prompt)) => Ok(FormDefinition { title, prompt, signifiers, consents }),
            _ => Err(Invalid::one("title", "Enter a title")),
        }
    }

    /// The builder's fields for this definition, the inverse of [`FormDefinition::parse`].
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut fields = BTreeMap::new();
        fields.insert("title".to_owned(), self.title.clone());
        fields.insert("prompt".to_owned(), self.prompt.clone());
        for s in &self.signifiers {
            let i = s.key.trim_start_matches('s').parse::<usize>().unwrap_or(1).saturating_sub(1);
            fields.insert(format!("signifiers[{i}].kind"), s.kind.code().to_owned());
            fields.insert(format!("signifiers[{i}].question"), s.question.clone());
            fields.insert(format!("signifiers[{i}].labels"), s.labels.join("\n"));
        }
        for c in &self.consents {
            let ask = if c.required { ConsentAsk::Required } else { ConsentAsk::Optional };
            fields.insert(format!("consents.{}.ask", c.purpose.code()), ask.code().to_owned());
            fields.insert(format!("consents.{}.text", c.purpose.code()), c.text.clone());
        }
        fields
    }

    /// Reads a definition kept as JSON.
    pub fn from_json(json: &str) -> Option<FormDefinition> {
        serde_json::from_str(json).ok()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Checks a contributor's answer to this version: the story, their kind, each signifier
    /// (blank is not answered; a partial answer is an error), and the consents ticked (the
    /// required ones must be). Field names: `story`, `participant_kind`, the signifier's key
    /// (a slider, a choice; `{key}.a`/`.b`/`.c` for a triad's weights), `consents`.
    pub fn parse_answer(
        &self,
        get: &dyn Fn(&str) -> String,
        all: &dyn Fn(&str) -> Vec<String>,
    ) -> Result<StoryAnswer, Invalid> {
        let mut errors = Collector::new();
        let story = errors.take(story_text("story", &get("story")));
        let kind = errors.take(crate::vocabulary::parse_code::<ParticipantKind>(
            "participant_kind",
            "which describes you best",
            &get("participant_kind"),
        ));
        let mut answers = BTreeMap::new();
        for s in &self.signifiers {
            if let Some(Some(value)) = errors.take(s.parse_answer(get, all)) {
                answers.insert(s.key.clone(), value);
            }
        }
        let ticked = all("consents");
        let mut consents = Vec::new();
        for c in &self.consents {
            if ticked.iter().any(|t| t == c.purpose.code()) {
                consents.push(c.purpose);
            } else if c.required {
                errors.push("consents", format!("Tick “{}” to share your story", c.text));
            }
        }
        if ticked.iter().any(|t| !self.consents.iter().any(|c| c.purpose.code() == t)) {
            errors.push("consents", "Tick only the statements on this form");
        }
        errors.finish(|| ())?;
        match (story, kind) {
            (Some(text), Some(participant_kind)) => Ok(StoryAnswer { text, participant_kind, answers, consents }),
            _ => Err(Invalid::one("story", "Enter your story")),
        }
    }

    /// The answers as a source's attributes: the question, and the answer in words.
    pub fn attributes(&self, answers: &BTreeMap<String, AnswerValue>) -> BTreeMap<String, String> {
        let mut attributes = BTreeMap::new();
        for s in &self.signifiers {
            if let Some(value) = answers.get(&s.key) {
                attributes.insert(s.question.clone(), s.describe(value));
            }
        }
        attributes
    }

    pub fn signifier(&self, key: &str) -> Option<&Signifier> {
        self.signifiers.iter().find(|s| s.key == key)
    }
}

fn kind_noun(kind: SignifierKind) -> &'static str {
    match kind {
        SignifierKind::Triad => "triad",
        SignifierKind::Slider => "slider",
        SignifierKind::SingleChoice | SignifierKind::MultipleChoice => "choice",
    }
}

fn has_duplicates(labels: &[String]) -> bool {
    let mut seen: Vec<String> = labels.iter().map(|l| l.to_lowercase()).collect();
    seen.sort();
    seen.windows(2).any(|w| w[0] == w[1])
}

fn single_line(field: &str, label: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let text = required_text(field, label, raw, max)?;
    if text.chars().any(char::is_control) {
        return Err(Invalid::one(field, format!("{} must be on one line", capitalised(label))));
    }
    Ok(text)
}

fn capitalised(label: &str) -> String {
    let mut chars = label.trim_start_matches("a ").trim_start_matches("the ").chars();
    match chars.next() {
        Some(first) => format!("The {}{}", first, chars.as_str()),
        None => String::new(),
    }
}

/// A contributor's story: as a source's text, but the message speaks to the contributor.
fn story_text(field: &str, raw: &str) -> Result<String, Invalid> {
    use crate::voice::sources::MAX_TEXT_CHARS;
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::one(field, "Enter your story"));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Invalid::one(
            field,
            format!("Your story must be {MAX_TEXT_CHARS} characters or fewer (it has {chars})"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::one(field, "Your story must not contain control characters"));
    }
    Ok(text.to_owned())
}

/// One signifier's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    /// Weights of the three labels, in their order, summing to 100.
    Triad([u8; 3]),
    /// 0 is the first label, 100 the second.
    Slider(u8),
    /// The options chosen, as labelled.
    Choices(Vec<String>),
}

impl Signifier {
    /// `None` when left blank.
    fn parse_answer(
        &self,
        get: &dyn Fn(&str) -> String,
        all: &dyn Fn(&str) -> Vec<String>,
    ) -> Result<Option<AnswerValue>, Invalid> {
        let key = &self.key;
        match self.kind {
            SignifierKind::Triad => {
                let raw: Vec<String> =
                    ["a", "b", "c"].iter().map(|p| get(&format!("{key}.{p}")).trim().to_owned()).collect();
                if raw.iter().all(String::is_empty) {
                    return Ok(None);
                }
                let mut weights = [0u8; 3];
                for (i, (part, value)) in ["a", "b", "c"].iter().zip(&raw).enumerate() {
                    let field = format!("{key}.{part}");
                    let label = &self.labels[i.min(self.labels.len().saturating_sub(1))];
                    if value.is_empty() {
                        return Err(Invalid::one(
                            field,
                            format!("Enter a number for “{label}”, or leave all three blank"),
                        ));
                    }
                    match value.parse::<u8>() {
                        Ok(n) if n <= 100 => weights[i] = n,
                        _ => {
                            return Err(Invalid::one(
                                field,
                                format!("The number for “{label}” must be a whole number from 0 to 100"),
                            ));
                        }
                    }
                }
                let sum: u32 = weights.iter().map(|&w| u32::from(w)).sum();
                if sum != 100 {
                    return Err(Invalid::one(
                        format!("{key}.a"),
                        format!("The three numbers for “{}” must add up to 100 (they add up to {sum})", self.question),
                    ));
                }
                Ok(Some(AnswerValue::Triad(weights)))
            }
            SignifierKind::Slider => {
                let raw = get(key);
                let raw = raw.trim();
                if raw.is_empty() {
                    return Ok(None);
                }
                match raw.parse::<u8>() {
                    Ok(n) if n <= 100 => Ok(Some(AnswerValue::Slider(n))),
                    _ => Err(Invalid::one(
                        key.clone(),
                        format!("The answer to “{}” must be a whole number from 0 to 100", self.question),
                    )),
                }
            }
            SignifierKind::SingleChoice | SignifierKind::MultipleChoice => {
                let chosen = all(key);
                let chosen: Vec<&String> = chosen.iter().filter(|c| !c.trim().is_empty()).collect();
                if chosen.is_empty() {
                    return Ok(None);
                }
                if self.kind == SignifierKind::SingleChoice && chosen.len() > 1 {
                    return Err(Invalid::one(key.clone(), format!("Select one answer to “{}”", self.question)));
                }
                let mut options = Vec::new();
                for c in chosen {
                    match c.trim().parse::<usize>().ok().and_then(|i| self.labels.get(i)) {
                        Some(label) if !options.contains(label) => options.push(label.clone()),
                        Some(_) => {}
                        None => {
                            return Err(Invalid::one(
                                key.clone(),
                                format!("Select an answer to “{}” from the list", self.question),
                            ));
                        }
                    }
                }
                Ok(Some(AnswerValue::Choices(options)))
            }
        }
    }

    /// An answer in words, e.g. "Family 50, Services 30, Community 20".
    pub fn describe(&self, value: &AnswerValue) -> String {
        match value {
            AnswerValue::Triad(w) => {
                self.labels.iter().zip(w).map(|(l, w)| format!("{l} {w}")).collect::<Vec<_>>().join(", ")
            }
            AnswerValue::Slider(n) => {
                let (left, right) =
                    (self.labels.first().map_or("", String::as_str), self.labels.get(1).map_or("", String::as_str));
                format!("{n} (0 is {left}, 100 is {right})")
            }
            AnswerValue::Choices(options) => options.join(", "),
        }
    }
}

/// A contributor's answer, checked against the version it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryAnswer {
    pub text: String,
    pub participant_kind: ParticipantKind,
    pub answers: BTreeMap<String, AnswerValue>,
    pub consents: Vec<ConsentPurpose>,
}

/// Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives.
pub(crate) const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub(crate) fn random_crockford(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n).map(|_| char::from(CROCKFORD[rng.random_range(0..32)])).collect()
}

/// The contributor's private code for reading or withdrawing their story: 12 characters of
/// Crockford base 32 (60 random bits), shown once as `XXXX-XXXX-XXXX`, stored only as a hash.
/// `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCode(String);

impl ReceiptCode {
    const LEN: usize = 12;

    pub fn generate() -> Self {
        Self(random_crockford(Self::LEN))
    }

    /// Reads a code as typed: case, spaces and hyphens do not matter, and O, I and L read as 0, 1, 1.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        if code.is_empty() {
            return Err(Invalid::one(field, "Enter your receipt code"));
        }
        if code.chars().count() != Self::LEN || !code.bytes().all(|b| CROCKFORD.contains(&b)) {
            return Err(Invalid::one(field, "Enter the receipt code as it was shown, for example 7Q2K-9XMP-3D4F"));
        }
        Ok(Self(code))
    }

    /// As shown to the contributor, in groups of four.
    pub fn display(&self) -> String {
        self.0.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
    }

    /// What is stored: SHA-256 of the code, in hex. 60 random bits, tried only through a
    /// rate-limited form, so a fast hash is enough and lets a presented code be found by its hash.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptCode(…)")
    }
}

/// A form's public id, for its URL: 16 characters of Crockford base 32 (80 random bits), so it
/// cannot be guessed and says nothing about the programme or anyone.
pub fn public_id() -> String {
    random_crockford(16).to_lowercase()
}

/// A pseudonym for a contributor, e.g. "Contributor 7Q2K": random, so it says nothing of them.
pub fn contributor_pseudonym() -> Result<Pseudonym, Invalid> {
    Pseudonym::parse("pseudonym", &format!("Contributor {}", random_crockford(4)))
}

/// The triangle a triad is drawn in: side 1, first label at the top, second bottom left, third
/// bottom right.
pub const TRIAD_HEIGHT: f64 = 0.866_025_403_784_438_6; // √3 / 2

/// Where a triad answer sits in a triangle of side `side` (y down, as in SVG): the barycentric
/// weights, each a share of 100, applied to the three corners.
pub fn triad_point(weights: [u8; 3], side: f64) -> (f64, f64) {
    let corners = [(0.5, 0.0), (0.0, TRIAD_HEIGHT), (1.0, TRIAD_HEIGHT)];
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    if total <= 0.0 {
        return (0.5 * side, TRIAD_HEIGHT * 2.0 / 3.0 * side);
    }
    let (mut x, mut y) = (0.0, 0.0);
    for (w, (cx, cy)) in weights.iter().zip(corners) {
        x += f64::from(*w) / total * cx;
        y += f64::from(*w) / total * cy;
    }
    (x * side, y * side)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn getter(pairs: &[(&str, &str)]) -> impl Fn(&str) -> String + use<> {
        let map: BTreeMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name: &str| map.get(name).cloned().unwrap_or_default()
    }

    fn definition() -> FormDefinition {
        let get = getter(&[
            ("title", "Early help (test)"),
            ("prompt", "Tell us about a time when you needed help"),
            ("signifiers[0].kind", "triad"),
            ("signifiers[0].question", "What mattered most?"),
            ("signifiers[0].labels", "Family\nServices\nCommunity"),
            ("signifiers[1].kind", "slider"),
            ("signifiers[1].question", "How did it feel?"),
            ("signifiers[1].labels", "Alone\nSupported"),
            ("signifiers[2].kind", "multiple_choice"),
            ("signifiers[2].question", "Who helped?"),
            ("signifiers[2].labels", "Health visitor\nGP\nFriends"),
            ("consents.research.ask", "required"),
            ("consents.anonymous_quotation.ask", "optional"),
        ]);
        FormDefinition::parse(&get).expect("a valid definition")
    }

    #[test]
    fn a_definition_parses_and_round_trips_through_its_fields() {
        let def = definition();
        assert_eq!(def.signifiers.len(), 3);
        assert_eq!(def.signifiers[0].key, "s1");
        assert_eq!(def.consents.len(), 2);
        assert_eq!(def.consents[0].text, default_statement(ConsentPurpose::Research));
        let fields = def.fields();
        let again = FormDefinition::parse(&|name: &str| fields.get(name).cloned().unwrap_or_default()).expect("parses");
        assert_eq!(again, def);
        assert_eq!(FormDefinition::from_json(&def.to_json()), Some(def));
    }

    #[test]
    fn a_definition_names_each_wrong_field() {
        let get = getter(&[
            ("title", ""),
            ("prompt", "Tell us"),
            ("signifiers[0].kind", "triad"),
            ("signifiers[0].question", "Q"),
            ("signifiers[0].labels", "One\nTwo"),
            ("signifiers[1].kind", "single_choice"),
            ("signifiers[1].question", "Q2"),
            ("signifiers[1].labels", "Same\nsame"),
            ("consents.research.ask", "optional"),
        ]);
        let invalid = FormDefinition::parse(&get).unwrap_err();
        assert_eq!(invalid.message_for("title"), Some("Enter a title"));
        assert!(invalid.message_for("signifiers[0].labels").is_some_and(|m| m.contains("3 labels")));
        assert_eq!(invalid.message_for("signifiers[1].labels"), Some("Each label must be different"));
        assert!(invalid.message_for("consents.research.ask").is_some());
    }

    #[test]
    fn an_answer_checks_triad_weights_slider_range_and_choices() {
        let def = definition();
        let ok = getter(&[
            ("story", "  It took months to be seen. "),
            ("participant_kind", "parent"),
            ("s1.a", "50"),
            ("s1.b", "30"),
            ("s1.c", "20"),
            ("s2", "70"),
        ]);
        let all = |name: &str| match name {
            "s3" => vec!["0".to_owned(), "2".to_owned()],
            "consents" => vec!["research".to_owned()],
            _ => vec![],
        };
        let answer = def.parse_answer(&ok, &all).expect("a valid answer");
        assert_eq!(answer.text, "It took months to be seen.");
        assert_eq!(answer.answers["s1"], AnswerValue::Triad([50, 30, 20]));
        assert_eq!(answer.answers["s2"], AnswerValue::Slider(70));
        assert_eq!(answer.answers["s3"], AnswerValue::Choices(vec!["Health visitor".into(), "Friends".into()]));
        assert_eq!(answer.consents, vec![ConsentPurpose::Research]);
        let attributes = def.attributes(&answer.answers);
        assert_eq!(attributes["What mattered most?"], "Family 50, Services 30, Community 20");

        let bad = getter(&[
            ("story", "x"),
            ("participant_kind", "parent"),
            ("s1.a", "50"),
            ("s1.b", "30"),
            ("s1.c", "30"),
            ("s2", "101"),
        ]);
        let none = |name: &str| if name == "s3" { vec!["9".to_owned()] } else { vec![] };
        let invalid = def.parse_answer(&bad, &none).unwrap_err();
        assert!(invalid.message_for("s1.a").is_some_and(|m| m.contains("add up to 100")));
        assert!(invalid.message_for("s2").is_some());
        assert!(invalid.message_for("s3").is_some());
        assert!(invalid.message_for("consents").is_some_and(|m| m.contains("Tick")));
    }

    #[test]
    fn blank_signifiers_are_not_answered_but_an_oversize_story_is_refused() {
        let def = definition();
        let long = "a".repeat(crate::voice::sources::MAX_TEXT_CHARS + 1);
        let get = getter(&[("story", &long), ("participant_kind", "carer")]);
        let all = |name: &str| if name == "consents" { vec!["research".to_owned()] } else { vec![] };
        let invalid = def.parse_answer(&get, &all).unwrap_err();
        assert_eq!(invalid.0.len(), 1);
        assert!(invalid.message_for("story").is_some_and(|m| m.contains("100000")));
        let get = getter(&[("story", "Fine"), ("participant_kind", "carer")]);
        assert!(def.parse_answer(&get, &all).expect("valid").answers.is_empty());
    }

    #[test]
    fn receipt_codes_are_random_forgiving_and_hashed() {
        let code = ReceiptCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 14);
        let typed = format!(" {} ", shown.to_lowercase().replace('-', " "));
        assert_eq!(ReceiptCode::parse("code", &typed).expect("parses").hash(), code.hash());
        assert_ne!(ReceiptCode::generate().hash(), code.hash());
        assert!(ReceiptCode::parse("code", "").is_err());
        assert!(ReceiptCode::parse("code", "ABC").is_err());
        assert!(ReceiptCode::parse("code", "UUUU-UUUU-UUUU").is_err());
        assert_eq!(format!("{code:?}"), "ReceiptCode(…)");
        assert_eq!(ReceiptCode::parse("c", "o0il-OOOO-1111").expect("parses").display(), "0011-0000-1111");
    }

    #[test]
    fn triad_weights_place_a_point_in_the_triangle() {
        let close = |(x, y): (f64, f64), (ex, ey): (f64, f64)| (x - ex).abs() < 1e-9 && (y - ey).abs() < 1e-9;
        assert!(close(triad_point([100, 0, 0], 100.0), (50.0, 0.0)));
        assert!(close(triad_point([0, 100, 0], 100.0), (0.0, TRIAD_HEIGHT * 100.0)));
        assert!(close(triad_point([0, 0, 100], 100.0), (100.0, TRIAD_HEIGHT * 100.0)));
        assert!(close(triad_point([0, 50, 50], 100.0), (50.0, TRIAD_HEIGHT * 100.0)));
        let (x, y) = triad_point([34, 33, 33], 300.0);
        assert!((x - 150.0).abs() < 2.0 && (y - TRIAD_HEIGHT * 300.0 * 2.0 / 3.0).abs() < 2.0);
    }

    #[test]
    fn public_ids_and_pseudonyms_say_nothing_of_anyone() {
        assert_eq!(public_id().len(), 16);
        assert_ne!(public_id(), public_id());
        assert!(contributor_pseudonym().expect("valid").as_str().starts_with("Contributor "));
    }
}
