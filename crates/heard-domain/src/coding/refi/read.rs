//! Reads an untrusted `.qdpx` or `.qdc` into the plain model: the archive opened with limits,
//! the XML parsed with guards, every element mapped, and the whole project checked before it is
//! returned, so a caller gets all of it or a [`RefiError`], never part.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};
use zip::ZipArchive;

use super::check;
use super::error::RefiError;
use super::model::{
    Case, Code, Codebook, Coding, Excerpt, Imported, LeftOut, Memo, Project, Source, User, Value, Variable,
    VariableKind, VariableValue,
};
use super::xml::{self, Element};
use super::{CODEBOOK_NAMESPACE, Guid, Limits, PROJECT_NAMESPACE, canonical_guid};

/// Reads a `.qdpx` archive with the default [`Limits`].
pub fn read_qdpx<R: Read + Seek>(reader: R) -> Result<Imported, RefiError> {
    read_qdpx_with(reader, &Limits::default())
}

/// Reads a `.qdpx` archive, refusing it whole if it breaks `limits` or the standard.
pub fn read_qdpx_with<R: Read + Seek>(reader: R, limits: &Limits) -> Result<Imported, RefiError> {
    let mut archive = Archive::open(reader, limits)?;
    let Some(index) = archive.find("project.qde") else {
        return Err(RefiError::MissingProject);
    };
    let bytes = archive.read(index, "project.qde", limits.max_project_bytes, |limit| RefiError::EntryTooLarge {
        name: "project.qde".to_owned(),
        limit,
    })?;
    let root = xml::parse(&bytes, "project.qde", PROJECT_NAMESPACE)?;
    drop(bytes);
    let mut reader = ProjectReader {
        archive: &mut archive,
        limits,
        left_out: Vec::new(),
        skipped: HashSet::new(),
        note_refs: Vec::new(),
    };
    let project = reader.project(&root)?;
    let left_out = reader.left_out;
    Ok(Imported { project, left_out })
}

/// Reads a `.qdc` codebook.
pub fn read_qdc(bytes: &[u8]) -> Result<Codebook, RefiError> {
    let root = xml::parse(bytes, "the codebook", CODEBOOK_NAMESPACE)?;
    if root.name != "CodeBook" {
        return Err(RefiError::NotRefi {
            what: "the file".to_owned(),
            expected: "codebook",
            found: root.name.chars().take(40).collect(),
        });
    }
    let mut note_refs = Vec::new();
    // Taguette writes an empty <Sets/>, which the schema does not allow; sets are not read anyway.
    let codes = match root.child("Codes") {
        Some(codes) => read_codes(codes, &mut note_refs)?,
        None => {
            return Err(RefiError::MissingElement { what: "the codebook".to_owned(), element: "Codes" });
        }
    };
    let codebook = Codebook { origin: root.attribute("origin").map(str::to_owned), codes };
    check::codebook(&codebook)?;
    Ok(codebook)
}

// ---- the archive ----

struct Archive<'l, R> {
    zip: ZipArchive<R>,
    /// Entry names, lowercased, to their index. The standard's folder is `sources/` but
    /// QualCoder has written `Sources/`; GUID file names are case-insensitive hex anyway.
    names: HashMap<String, usize>,
    /// Bytes that may still be unpacked.
    budget: u64,
    limits: &'l Limits,
}

impl<'l, R: Read + Seek> Archive<'l, R> {
    fn open(reader: R, limits: &'l Limits) -> Result<Self, RefiError> {
        let mut zip = ZipArchive::new(reader).map_err(|e| RefiError::NotAnArchive(e.to_string()))?;
        if zip.len() > limits.max_entries {
            return Err(RefiError::TooManyEntries { count: zip.len(), limit: limits.max_entries });
        }
        let mut names = HashMap::new();
        for index in 0..zip.len() {
            // Raw: only the central directory is read here, nothing is unpacked.
            let entry = zip.by_index_raw(index).map_err(|e| RefiError::NotAnArchive(e.to_string()))?;
            let name = entry.name().map_err(|e| RefiError::NotAnArchive(e.to_string()))?.into_owned();
            check_entry_name(&name)?;
            if entry.is_dir() {
                continue;
            }
            if names.insert(name.to_lowercase(), index).is_some() {
                return Err(RefiError::DuplicateEntry { name });
            }
        }
        Ok(Archive { zip, names, budget: limits.max_total_bytes, limits })
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.names.get(&name.to_lowercase()).copied()
    }

    /// Unpacks one entry as a stream, stopping at `limit` bytes, at the archive's remaining
    /// budget, or as soon as it outgrows its packed size by more than the ratio allows. The
    /// sizes in the zip's headers are not trusted for any of this.
    fn read(
        &mut self,
        index: usize,
        name: &str,
        limit: u64,
        too_large: impl Fn(u64) -> RefiError,
    ) -> Result<Vec<u8>, RefiError> {
        let unreadable = |reason: String| RefiError::UnreadableEntry { name: name.to_owned(), reason };
        let mut entry = match self.zip.by_index(index) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::UnsupportedArchive(reason))
                if reason == zip::result::ZipError::PASSWORD_REQUIRED =>
            {
                return Err(RefiError::EncryptedEntry { name: name.to_owned() });
            }
            Err(e) => return Err(unreadable(e.to_string())),
        };
        if entry.encrypted() {
            return Err(RefiError::EncryptedEntry { name: name.to_owned() });
        }
        let packed = entry.compressed_size().max(1);
        let mut out = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut chunk).map_err(|e| unreadable(e.to_string()))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
            let total = out.len() as u64;
            if total > limit {
                return Err(too_large(limit));
            }
            if total > self.budget {
                return Err(RefiError::ArchiveTooLarge { limit: self.limits.max_total_bytes });
            }
            if total > self.limits.ratio_floor && total / packed > self.limits.max_ratio {
                return Err(RefiError::CompressionRatio { name: name.to_owned(), limit: self.limits.max_ratio });
            }
        }
        self.budget -= out.len() as u64;
        Ok(out)
    }
}

/// Refuses names that would land outside the folder they are unpacked into (zip slip), whether
/// or not Heard ever unpacks them: another program given the same file might.
fn check_entry_name(name: &str) -> Result<(), RefiError> {
    let first = name.split('/').next().unwrap_or_default();
    let unsafe_name = name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || first.contains(':')
        || name.split('/').any(|part| part == "..");
    if unsafe_name {
        return Err(RefiError::UnsafeEntryName { name: name.chars().take(200).collect() });
    }
    Ok(())
}

// ---- the project ----

/// Where a `<NoteRef>` was found.
enum NoteTarget {
    Project,
    Guid(Guid),
}

struct ProjectReader<'a, 'l, R> {
    archive: &'a mut Archive<'l, R>,
    limits: &'l Limits,
    left_out: Vec<LeftOut>,
    /// GUIDs inside what was left out; references to them are dropped with it.
    skipped: HashSet<Guid>,
    /// (note, what it is about), resolved once all notes are read.
    note_refs: Vec<(Guid, NoteTarget)>,
}

fn attribute<'e>(element: &'e Element, name: &'static str) -> Option<&'e str> {
    element.attribute(name)
}

fn required<'e>(element: &'e Element, name: &'static str, what: &dyn Fn() -> String) -> Result<&'e str, RefiError> {
    element.attribute(name).ok_or_else(|| RefiError::MissingAttribute { what: what(), attribute: name })
}

fn guid_value(value: &str, attribute: &'static str, what: &dyn Fn() -> String) -> Result<Guid, RefiError> {
    canonical_guid(value).ok_or_else(|| RefiError::InvalidAttribute {
        what: what(),
        attribute,
        value: value.chars().take(60).collect(),
        expected: "a GUID",
    })
}

fn guid(element: &Element, name: &'static str, what: &dyn Fn() -> String) -> Result<Guid, RefiError> {
    guid_value(required(element, name, what)?, name, what)
}

fn optional_guid(element: &Element, name: &'static str, what: &dyn Fn() -> String) -> Result<Option<Guid>, RefiError> {
    element.attribute(name).map(|value| guid_value(value, name, what)).transpose()
}

/// The `<Description>` child's text, if there is one and it is not empty (QualCoder writes an
/// empty `<Description/>` where it has none).
fn description(element: &Element) -> Option<String> {
    element.child("Description").map(|d| d.text.clone()).filter(|d| !d.is_empty())
}

/// Where an element's own description starts, before its GUID is known.
fn element_what(element: &Element) -> String {
    match element.attribute("guid") {
        Some(guid) => format!("<{}> {}", element.name, guid.chars().take(60).collect::<String>()),
        None => format!("a <{}> element", element.name),
    }
}

fn read_codes(codes: &Element, note_refs: &mut Vec<(Guid, NoteTarget)>) -> Result<Vec<Code>, RefiError> {
    codes.children_named("Code").map(|code| read_code(code, note_refs)).collect()
}

/// Recursion is bounded by the parse's depth limit ([`xml::MAX_DEPTH`]).
fn read_code(element: &Element, note_refs: &mut Vec<(Guid, NoteTarget)>) -> Result<Code, RefiError> {
    let what = || element_what(element);
    let guid = guid(element, "guid", &what)?;
    let name = required(element, "name", &what)?.to_owned();
    let what = || format!("code \"{name}\"");
    let codable = match element.attribute("isCodable").map(str::trim) {
        Some("true" | "1") => true,
        Some("false" | "0") => false,
        // Required by the schema; a file without it is read as codable, what codes usually are.
        None => true,
        Some(other) => {
            return Err(RefiError::InvalidAttribute {
                what: what(),
                attribute: "isCodable",
                value: other.chars().take(20).collect(),
                expected: "true or false",
            });
        }
    };
    let colour = element
        .attribute("color")
        .map(|c| {
            colour(c.trim()).ok_or_else(|| RefiError::InvalidAttribute {
                what: what(),
                attribute: "color",
                value: c.chars().take(20).collect(),
                expected: "a colour written #RRGGBB or #RGB",
            })
        })
        .transpose()?;
    for note in element.children_named("NoteRef") {
        note_refs.push((guid_value_of(note, &what)?, NoteTarget::Guid(guid.clone())));
    }
    let children = element.children_named("Code").map(|child| read_code(child, note_refs)).collect::<Result<_, _>>()?;
    Ok(Code { guid, name, description: description(element), colour, codable, children })
}

fn guid_value_of(reference: &Element, what: &dyn Fn() -> String) -> Result<Guid, RefiError> {
    guid(reference, "targetGUID", what)
}

/// `#RRGGBB`, uppercase, from the schema's `#RRGGBB` or `#RGB`.
fn colour(text: &str) -> Option<String> {
    let hex = text.strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_uppercase();
    match hex.len() {
        6 => Some(format!("#{hex}")),
        3 => Some(hex.chars().fold(String::from("#"), |mut out, c| {
            out.push(c);
            out.push(c);
            out
        })),
        _ => None,
    }
}

fn read_value(element: &Element, what: &dyn Fn() -> String) -> Result<VariableValue, RefiError> {
    let reference = element
        .child("VariableRef")
        .ok_or_else(|| RefiError::MissingElement { what: what(), element: "VariableRef" })?;
    let variable = guid_value_of(reference, what)?;
    let invalid = |expected: &'static str| RefiError::InvalidValue {
        what: format!("{}'s value of variable {variable}", what()),
        expected,
    };
    let value_element = element
        .children
        .iter()
        .find(|child| child.name.ends_with("Value"))
        .ok_or_else(|| RefiError::MissingElement { what: what(), element: "TextValue" })?;
    let text = value_element.text.as_str();
    let value = match value_element.name.as_str() {
        "TextValue" => Value::Text(text.to_owned()),
        "BooleanValue" => match text.trim() {
            "true" | "1" => Value::Boolean(true),
            "false" | "0" => Value::Boolean(false),
            _ => return Err(invalid("true or false")),
        },
        "IntegerValue" => {
            Value::Integer(text.trim().parse().map_err(|_| invalid("a whole number within ±9.2 × 10¹⁸"))?)
        }
        "FloatValue" => {
            let f: f64 = text.trim().parse().map_err(|_| invalid("a decimal number"))?;
            if !f.is_finite() {
                return Err(invalid("a finite decimal number"));
            }
            Value::Float(f)
        }
        "DateValue" => Value::Date(parse_date(text.trim()).ok_or_else(|| invalid("a date"))?),
        "DateTimeValue" => Value::DateTime(parse_date_time(text.trim()).ok_or_else(|| invalid("a date and time"))?),
        _ => return Err(invalid("a TextValue, BooleanValue, IntegerValue, FloatValue, DateValue or DateTimeValue")),
    };
    Ok(VariableValue { variable, value })
}

/// `xsd:date`: `YYYY-MM-DD`, with an optional time zone that a date alone cannot use.
fn parse_date(text: &str) -> Option<Date> {
    let day = text.get(..10)?;
    let zone = &text[10..];
    let zone_ok =
        zone.is_empty() || zone == "Z" || (zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')));
    if !zone_ok {
        return None;
    }
    Date::parse(day, format_description!("[year]-[month]-[day]")).ok()
}

/// `xsd:dateTime`: RFC 3339, or without an offset (taken as UTC).
fn parse_date_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        PrimitiveDateTime::parse(
            text,
            format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"),
        )
        .ok()
        .map(PrimitiveDateTime::assume_utc)
    })
}

pub(super) fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

pub(super) fn format_date_time(at: OffsetDateTime) -> String {
    // Rfc3339 cannot fail for years 0..=9999; beyond those the time crate is not built to go.
    at.format(&Rfc3339).unwrap_or_else(|_| format!("{}T00:00:00Z", format_date(at.date())))
}

fn position(element: &Element, name: &'static str, what: &dyn Fn() -> String) -> Result<usize, RefiError> {
    let value = required(element, name, what)?;
    value.trim().parse().map_err(|_| RefiError::InvalidAttribute {
        what: what(),
        attribute: name,
        value: value.chars().take(30).collect(),
        expected: "a character position (a whole number from 0)",
    })
}

impl<R: Read + Seek> ProjectReader<'_, '_, R> {
    fn project(&mut self, root: &Element) -> Result<Project, RefiError> {
        if root.name != "Project" {
            return Err(RefiError::NotRefi {
                what: "project.qde".to_owned(),
                expected: "project",
                found: root.name.chars().take(40).collect(),
            });
        }
        let what = || "the project".to_owned();
        let mut project = Project {
            name: required(root, "name", &what)?.to_owned(),
            origin: attribute(root, "origin").map(str::to_owned),
            created_by: optional_guid(root, "creatingUserGUID", &what)?,
            description: description(root),
            ..Project::default()
        };
        for child in &root.children {
            match child.name.as_str() {
                "Users" => {
                    for user in child.children_named("User") {
                        let what = || element_what(user);
                        project.users.push(User {
                            guid: guid(user, "guid", &what)?,
                            name: attribute(user, "name").unwrap_or_default().to_owned(),
                        });
                    }
                }
                "CodeBook" => {
                    if let Some(codes) = child.child("Codes") {
                        project.codes = read_codes(codes, &mut self.note_refs)?;
                    }
                }
                "Variables" => {
                    for variable in child.children_named("Variable") {
                        project.variables.push(read_variable(variable)?);
                    }
                }
                "Cases" => {
                    for case in child.children_named("Case") {
                        project.cases.push(self.case(case)?);
                    }
                }
                "Sources" => {
                    for source in &child.children {
                        if source.name == "TextSource" {
                            project.sources.push(self.text_source(source)?);
                        } else {
                            self.leave_out(source);
                        }
                    }
                }
                "Notes" => {
                    for note in child.children_named("Note") {
                        project.memos.push(self.note(note)?);
                    }
                }
                "Links" | "Sets" | "Graphs" => {
                    for item in &child.children {
                        self.leave_out(item);
                    }
                }
                "NoteRef" => {
                    let note = guid_value_of(child, &what)?;
                    self.note_refs.push((note, NoteTarget::Project));
                }
                _ => {}
            }
        }

        self.attach_notes(&mut project)?;
        for case in &mut project.cases {
            let skipped = &self.skipped;
            case.sources.retain(|guid| !skipped.contains(guid));
            case.excerpts.retain(|guid| !skipped.contains(guid));
        }
        check::project(&project)?;
        Ok(project)
    }

    fn leave_out(&mut self, element: &Element) {
        let mut stack = vec![element];
        while let Some(item) = stack.pop() {
            if let Some(guid) = item.attribute("guid").and_then(canonical_guid) {
                self.skipped.insert(guid);
            }
            stack.extend(item.children.iter());
        }
        self.left_out.push(LeftOut {
            kind: element.name.clone(),
            guid: element.attribute("guid").and_then(canonical_guid),
            name: element.attribute("name").map(str::to_owned),
        });
    }

    fn attach_notes(&mut self, project: &mut Project) -> Result<(), RefiError> {
        let index: HashMap<Guid, usize> =
            project.memos.iter().enumerate().map(|(i, memo)| (memo.guid.clone(), i)).collect();
        for (note, target) in self.note_refs.drain(..) {
            let Some(&i) = index.get(&note) else {
                if self.skipped.contains(&note) {
                    continue;
                }
                let what = match &target {
                    NoteTarget::Project => "the project".to_owned(),
                    NoteTarget::Guid(guid) => format!("the object {guid}"),
                };
                return Err(RefiError::UnknownReference { what, kind: "memo", guid: note });
            };
            match target {
                NoteTarget::Project => project.memos[i].about_project = true,
                NoteTarget::Guid(guid) => {
                    project.memos[i].about.insert(guid);
                }
            }
        }
        Ok(())
    }

    fn case(&mut self, element: &Element) -> Result<Case, RefiError> {
        let what = || element_what(element);
        let guid = guid(element, "guid", &what)?;
        let what = || check::case(&guid);
        let refs = |name: &'static str| -> Result<Vec<Guid>, RefiError> {
            element.children_named(name).map(|r| guid_value_of(r, &what)).collect()
        };
        Ok(Case {
            name: attribute(element, "name").unwrap_or_default().to_owned(),
            description: description(element),
            codes: refs("CodeRef")?,
            values: element.children_named("VariableValue").map(|v| read_value(v, &what)).collect::<Result<_, _>>()?,
            sources: refs("SourceRef")?,
            excerpts: refs("SelectionRef")?,
            guid,
        })
    }

    /// A source's or a note's text: inline `<PlainTextContent>` or the archive file its
    /// `plainTextPath` names. (When a file has both, which the standard forbids, the inline text
    /// wins: it is what the XML's offsets were written against.)
    fn text(&mut self, element: &Element, what: &dyn Fn() -> String) -> Result<Option<String>, RefiError> {
        let limit = self.limits.max_text_bytes;
        let too_large = |limit| RefiError::TextTooLarge { what: what(), limit };
        if let Some(content) = element.child("PlainTextContent") {
            if content.text.len() as u64 > limit {
                return Err(too_large(limit));
            }
            return Ok(Some(content.text.clone()));
        }
        let Some(path) = element.attribute("plainTextPath") else {
            return Ok(None);
        };
        let shown: String = path.chars().take(200).collect();
        let Some(file) = internal_path(path) else {
            return Err(RefiError::ExternalFile { what: what(), path: shown });
        };
        let entry = format!("sources/{file}");
        let Some(index) = self.archive.find(&entry) else {
            return Err(RefiError::MissingFile { what: what(), path: shown });
        };
        let bytes = self.archive.read(index, &entry, limit, too_large)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = std::str::from_utf8(bytes)
            .map_err(|_| RefiError::InvalidUtf8 { what: format!("the text of {} ({entry})", what()) })?;
        Ok(Some(text.to_owned()))
    }

    fn text_source(&mut self, element: &Element) -> Result<Source, RefiError> {
        let what = || element_what(element);
        let guid = guid(element, "guid", &what)?;
        let name = attribute(element, "name").unwrap_or_default().to_owned();
        let what = || check::source(&name);
        let text = self.text(element, &what)?.ok_or_else(|| RefiError::NoText { source_name: name.clone() })?;
        let mut excerpts = Vec::new();
        for selection in element.children_named("PlainTextSelection") {
            excerpts.push(self.selection(selection, &name)?);
        }
        let codings = self.codings(element, &what)?;
        for note in element.children_named("NoteRef") {
            self.note_refs.push((guid_value_of(note, &what)?, NoteTarget::Guid(guid.clone())));
        }
        let values = element.children_named("VariableValue").map(|v| read_value(v, &what)).collect::<Result<_, _>>()?;
        Ok(Source {
            created_by: optional_guid(element, "creatingUser", &what)?,
            description: description(element),
            guid,
            name,
            text,
            excerpts,
            codings,
            values,
        })
    }

    fn selection(&mut self, element: &Element, source_name: &str) -> Result<Excerpt, RefiError> {
        let what = || format!("{} in {}", element_what(element), check::source(source_name));
        let guid = guid(element, "guid", &what)?;
        let what = || format!("{} in {}", check::excerpt(&guid), check::source(source_name));
        let excerpt = Excerpt {
            name: attribute(element, "name").map(str::to_owned),
            description: description(element),
            start: position(element, "startPosition", &what)?,
            end: position(element, "endPosition", &what)?,
            created_by: optional_guid(element, "creatingUser", &what)?,
            codings: self.codings(element, &what)?,
            guid: guid.clone(),
        };
        for note in element.children_named("NoteRef") {
            self.note_refs.push((guid_value_of(note, &what)?, NoteTarget::Guid(guid.clone())));
        }
        Ok(excerpt)
    }

    fn codings(&mut self, element: &Element, within: &dyn Fn() -> String) -> Result<Vec<Coding>, RefiError> {
        let mut codings = Vec::new();
        for coding in element.children_named("Coding") {
            let what = || format!("{} in {}", element_what(coding), within());
            let guid = guid(coding, "guid", &what)?;
            let reference = coding
                .child("CodeRef")
                .ok_or_else(|| RefiError::MissingElement { what: what(), element: "CodeRef" })?;
            for note in coding.children_named("NoteRef") {
                self.note_refs.push((guid_value_of(note, &what)?, NoteTarget::Guid(guid.clone())));
            }
            codings.push(Coding {
                code: guid_value_of(reference, &what)?,
                created_by: optional_guid(coding, "creatingUser", &what)?,
                guid,
            });
        }
        Ok(codings)
    }

    fn note(&mut self, element: &Element) -> Result<Memo, RefiError> {
        let what = || element_what(element);
        let guid = guid(element, "guid", &what)?;
        let what = || check::memo(&guid);
        Ok(Memo {
            name: attribute(element, "name").map(str::to_owned),
            description: description(element),
            // A note with no text at all (some tools keep only a Description) is an empty memo.
            text: self.text(element, &what)?.unwrap_or_default(),
            created_by: optional_guid(element, "creatingUser", &what)?,
            about: Default::default(),
            about_project: false,
            guid,
        })
    }
}

fn read_variable(element: &Element) -> Result<Variable, RefiError> {
    let what = || element_what(element);
    let guid = guid(element, "guid", &what)?;
    let name = required(element, "name", &what)?.to_owned();
    let what = || check::variable(&name);
    let kind_text = required(element, "typeOfVariable", &what)?;
    let kind = VariableKind::parse(kind_text).ok_or_else(|| RefiError::InvalidAttribute {
        what: what(),
        attribute: "typeOfVariable",
        value: kind_text.chars().take(30).collect(),
        expected: "Text, Boolean, Integer, Float, Date or DateTime",
    })?;
    Ok(Variable { description: description(element), guid, name, kind })
}

/// The file name inside `sources/` that an `internal://` path names, if it is one and is safe.
fn internal_path(path: &str) -> Option<&str> {
    let scheme = path.get(..11)?;
    if !scheme.eq_ignore_ascii_case("internal://") {
        return None;
    }
    let file = path[11..].trim_start_matches('/');
    let safe = !file.is_empty()
        && !file.contains('\\')
        && !file.contains(':')
        && file.split('/').all(|part| !part.is_empty() && part != "..");
    safe.then_some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_that_escape_their_folder_are_refused() {
        for name in ["../evil.txt", "/etc/passwd", "sources\\x.txt", "C:/x.txt", "a/../../b"] {
            assert!(check_entry_name(name).is_err(), "{name}");
        }
        for name in ["project.qde", "sources/0d62985d.txt", "Sources/"] {
            assert!(check_entry_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn internal_paths_name_files_in_sources() {
        assert_eq!(internal_path("internal://abc.txt"), Some("abc.txt"));
        assert_eq!(internal_path("INTERNAL://abc.txt"), Some("abc.txt"));
        assert_eq!(internal_path("internal://../abc.txt"), None);
        assert_eq!(internal_path("absolute:///home/x.txt"), None);
        assert_eq!(internal_path("relative://x.txt"), None);
    }

    #[test]
    fn colours_are_widened_and_uppercased() {
        assert_eq!(colour("#abc").as_deref(), Some("#AABBCC"));
        assert_eq!(colour("#12ab9F").as_deref(), Some("#12AB9F"));
        assert_eq!(colour("red"), None);
        assert_eq!(colour("#12345"), None);
    }

    #[test]
    fn dates_and_times_read_as_the_schema_writes_them() {
        let date = parse_date("2024-02-29").expect("date");
        assert_eq!(format_date(date), "2024-02-29");
        assert!(parse_date("2024-02-29Z").is_some());
        assert!(parse_date("2023-02-29").is_none());
        let at = parse_date_time("2019-06-04T05:25:16Z").expect("date-time");
        assert_eq!(format_date_time(at), "2019-06-04T05:25:16Z");
        assert_eq!(parse_date_time("2019-06-04T05:25:16"), Some(at));
    }
}
