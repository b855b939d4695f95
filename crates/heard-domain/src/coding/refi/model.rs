//! The plain model of a REFI-QDA project and codebook: what Heard reads from and writes to
//! `.qdpx` and `.qdc`, named in Heard's words (excerpt, memo) with the standard's name beside each.

use std::collections::BTreeSet;

use time::{Date, OffsetDateTime};

/// A GUID as the standard writes it, kept in one canonical form: lowercase, hyphenated, no braces
/// (`3f2504e0-4f89-41d3-9a0c-0305e82c3301`). The reader turns `{...}` and uppercase forms into this;
/// [`new_guid`](super::new_guid) makes new ones.
pub type Guid = String;

/// A whole project (`<Project>`, REFI-QDA 1.5 "Project Exchange" §ProjectType): its people,
/// codebook, variables, cases, text sources with their excerpts and codings, and memos.
///
/// Every `description` is a `<Description>` element; an empty one reads as `None` (QualCoder
/// writes `<Description/>` where it has nothing), so build `None` rather than `Some("")`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Project {
    /// `name`: required by the standard.
    pub name: String,
    /// `origin`: the software that wrote the file ("Heard 0.1.0", "QualCoder 3.6").
    pub origin: Option<String>,
    /// `creatingUserGUID`: one of [`Project::users`].
    pub created_by: Option<Guid>,
    /// `<Description>` of the project.
    pub description: Option<String>,
    /// `<Users>`: whoever created or coded anything in the project.
    pub users: Vec<User>,
    /// `<CodeBook><Codes>`: the codebook, as a tree.
    pub codes: Vec<Code>,
    /// `<Variables>`: attributes that cases and sources take values of.
    pub variables: Vec<Variable>,
    /// `<Cases>`: units of analysis, typically one participant each.
    pub cases: Vec<Case>,
    /// `<Sources>`: text sources only; other kinds are left out by the reader (see [`LeftOut`]).
    pub sources: Vec<Source>,
    /// `<Notes>`: memos, attached to codes, sources, excerpts, codings or the project.
    pub memos: Vec<Memo>,
}

/// `<User>`: a person who created or coded something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub guid: Guid,
    /// `name` (optional in the standard; empty when a file leaves it out).
    pub name: String,
}

/// `<Code>`: a code of the codebook, with the codes beneath it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub guid: Guid,
    pub name: String,
    /// `<Description>`: what the code means and when to apply it.
    pub description: Option<String>,
    /// `color`, always `#RRGGBB` in uppercase (the standard also allows `#RGB`, which the reader
    /// widens).
    pub colour: Option<String>,
    /// `isCodable`: false for a code that only groups others (a category).
    pub codable: bool,
    pub children: Vec<Code>,
}

/// The kind of values a variable takes (`typeOfVariable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VariableKind {
    Text,
    Boolean,
    Integer,
    Float,
    Date,
    DateTime,
}

impl VariableKind {
    /// The word the standard uses.
    pub fn as_str(self) -> &'static str {
        match self {
            VariableKind::Text => "Text",
            VariableKind::Boolean => "Boolean",
            VariableKind::Integer => "Integer",
            VariableKind::Float => "Float",
            VariableKind::Date => "Date",
            VariableKind::DateTime => "DateTime",
        }
    }

    /// Reads the standard's word.
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word.trim() {
            "Text" => VariableKind::Text,
            "Boolean" => VariableKind::Boolean,
            "Integer" => VariableKind::Integer,
            "Float" => VariableKind::Float,
            "Date" => VariableKind::Date,
            "DateTime" => VariableKind::DateTime,
            _ => return None,
        })
    }
}

/// `<Variable>`: an attribute such as "age band" or "area".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub guid: Guid,
    pub name: String,
    pub kind: VariableKind,
    pub description: Option<String>,
}

/// A variable's value (`<TextValue>`, `<BooleanValue>`...).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Boolean(bool),
    /// `xsd:integer`; values beyond `i64` are refused.
    Integer(i64),
    /// `xsd:decimal`: finite only, written without an exponent.
    Float(f64),
    Date(Date),
    /// `xsd:dateTime`; a time without an offset is taken as UTC.
    DateTime(OffsetDateTime),
}

/// `<VariableValue>`: one variable's value for a case or a source.
#[derive(Clone, Debug, PartialEq)]
pub struct VariableValue {
    /// `<VariableRef targetGUID>`: one of [`Project::variables`].
    pub variable: Guid,
    pub value: Value,
}

/// `<Case>`: a unit of analysis, with its variable values and what belongs to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub guid: Guid,
    /// `name` (optional in the standard; empty when left out).
    pub name: String,
    pub description: Option<String>,
    /// `<CodeRef>`s: codes that stand for the case.
    pub codes: Vec<Guid>,
    pub values: Vec<VariableValue>,
    /// `<SourceRef>`s: whole sources that belong to the case.
    pub sources: Vec<Guid>,
    /// `<SelectionRef>`s: excerpts that belong to the case.
    pub excerpts: Vec<Guid>,
}

/// `<TextSource>`: a plain text source. In a `.qdpx` its text is the file `sources/<guid>.txt`.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub guid: Guid,
    /// `name` (optional in the standard; empty when left out).
    pub name: String,
    pub description: Option<String>,
    /// The plain text; excerpt offsets count its Unicode scalar values (`char`s).
    pub text: String,
    pub created_by: Option<Guid>,
    /// `<PlainTextSelection>`s.
    pub excerpts: Vec<Excerpt>,
    /// `<Coding>`s of the whole source.
    pub codings: Vec<Coding>,
    /// `<VariableValue>`s of the source (MAXQDA puts attributes here rather than on cases).
    pub values: Vec<VariableValue>,
}

/// `<PlainTextSelection>`: a span of a source, by character offsets, and its codings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    pub guid: Guid,
    /// `name`: often the excerpt's own words (QualCoder writes them there).
    pub name: Option<String>,
    /// `<Description>`: QualCoder keeps a coding memo here.
    pub description: Option<String>,
    /// `startPosition`: the first character, counted in Unicode scalar values from 0.
    pub start: usize,
    /// `endPosition`: one past the last character; `start <= end <= text.chars().count()`.
    pub end: usize,
    pub created_by: Option<Guid>,
    pub codings: Vec<Coding>,
}

/// `<Coding>`: one code applied to an excerpt (or a whole source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coding {
    pub guid: Guid,
    /// `<CodeRef targetGUID>`: one of the codebook's codes.
    pub code: Guid,
    pub created_by: Option<Guid>,
}

/// `<Note>`: a memo. The standard attaches a note by putting `<NoteRef targetGUID="note">` inside
/// what it is about; here the memo lists those things instead, which is how a store keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memo {
    pub guid: Guid,
    pub name: Option<String>,
    pub description: Option<String>,
    pub text: String,
    pub created_by: Option<Guid>,
    /// The codes, sources, excerpts and codings the memo is about.
    pub about: BTreeSet<Guid>,
    /// Whether the memo is about the project as a whole (a `<NoteRef>` in `<Project>`).
    pub about_project: bool,
}

/// A codebook alone (`.qdc`, REFI-QDA "Codebook Exchange").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Codebook {
    /// `origin`: the software that wrote the file ("Taguette 1.4.1").
    pub origin: Option<String>,
    pub codes: Vec<Code>,
}

/// Something in a file that Heard does not take in (a picture, PDF, audio or video source, a
/// link, set or graph). References to it, or to anything inside it, are dropped with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// The element's name in the standard: "PictureSource", "Link"...
    pub kind: String,
    pub guid: Option<Guid>,
    pub name: Option<String>,
}

/// A project read from a `.qdpx`, with what was left out of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub project: Project,
    pub left_out: Vec<LeftOut>,
}

impl Project {
    /// Every code of the codebook, depth first, parents before their children.
    pub fn all_codes(&self) -> Vec<&Code> {
        flatten(&self.codes)
    }
}

impl Codebook {
    /// Every code, depth first, parents before their children.
    pub fn all_codes(&self) -> Vec<&Code> {
        flatten(&self.codes)
    }
}

fn flatten(codes: &[Code]) -> Vec<&Code> {
    let mut out = Vec::new();
    // An explicit stack: a hostile file's nesting must not exhaust the call stack.
    let mut stack: Vec<&Code> = codes.iter().rev().collect();
    while let Some(code) = stack.pop() {
        out.push(code);
        stack.extend(code.children.iter().rev());
    }
    out
}
