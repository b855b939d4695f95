//! The rules a whole project keeps, checked after reading and before writing: GUIDs in canonical
//! form and unique, every reference to something the project holds, excerpts inside their text.

use std::collections::HashMap;

use super::error::RefiError;
use super::model::{Code, Codebook, Coding, Project, Value, VariableValue};
use super::{Guid, canonical_guid};

/// What a GUID names, for errors ("code \"Access\"", "excerpt 0d62...").
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Code,
    Variable,
    Case,
    Source,
    Excerpt,
    Coding,
    Memo,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Code => "code",
            Kind::Variable => "variable",
            Kind::Case => "case",
            Kind::Source => "source",
            Kind::Excerpt => "excerpt",
            Kind::Coding => "coding",
            Kind::Memo => "memo",
        }
    }
}

/// Descriptions used in messages. Names of codes, variables and sources are the researcher's
/// labels; user and case names can be people's, so those go by GUID.
pub(super) fn code(code: &Code) -> String {
    format!("code \"{}\"", code.name)
}
pub(super) fn source(name: &str) -> String {
    format!("source \"{name}\"")
}
pub(super) fn excerpt(guid: &str) -> String {
    format!("excerpt {guid}")
}
pub(super) fn coding(guid: &str) -> String {
    format!("coding {guid}")
}
pub(super) fn case(guid: &str) -> String {
    format!("case {guid}")
}
pub(super) fn user(guid: &str) -> String {
    format!("user {guid}")
}
pub(super) fn memo(guid: &str) -> String {
    format!("memo {guid}")
}
pub(super) fn variable(name: &str) -> String {
    format!("variable \"{name}\"")
}

struct Registry {
    seen: HashMap<Guid, (Kind, String)>,
}

impl Registry {
    fn add(&mut self, guid: &str, kind: Kind, what: String) -> Result<(), RefiError> {
        if canonical_guid(guid).as_deref() != Some(guid) {
            return Err(RefiError::InvalidAttribute {
                what,
                attribute: "guid",
                value: guid.chars().take(60).collect(),
                expected: "a GUID in lowercase hyphenated form",
            });
        }
        if let Some((_, first)) = self.seen.get(guid) {
            return Err(RefiError::DuplicateGuid { guid: guid.to_owned(), first: first.clone(), second: what });
        }
        self.seen.insert(guid.to_owned(), (kind, what));
        Ok(())
    }

    fn refers(&self, what: &dyn Fn() -> String, kind: Kind, guid: &str) -> Result<(), RefiError> {
        match self.seen.get(guid) {
            Some((found, _)) if *found == kind => Ok(()),
            _ => Err(RefiError::UnknownReference { what: what(), kind: kind.word(), guid: guid.to_owned() }),
        }
    }

    fn refers_opt(&self, what: &dyn Fn() -> String, kind: Kind, guid: Option<&Guid>) -> Result<(), RefiError> {
        guid.map_or(Ok(()), |guid| self.refers(what, kind, guid))
    }
}

fn register_codes(registry: &mut Registry, codes: &[Code]) -> Result<(), RefiError> {
    let mut stack: Vec<&Code> = codes.iter().collect();
    while let Some(code) = stack.pop() {
        registry.add(&code.guid, Kind::Code, self::code(code))?;
        check_colour(code)?;
        stack.extend(code.children.iter());
    }
    Ok(())
}

fn check_colour(code: &Code) -> Result<(), RefiError> {
    if let Some(colour) = &code.colour {
        let ok = colour.len() == 7
            && colour.starts_with('#')
            && colour[1..].chars().all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c));
        if !ok {
            return Err(RefiError::InvalidAttribute {
                what: self::code(code),
                attribute: "color",
                value: colour.chars().take(20).collect(),
                expected: "a colour written #RRGGBB in uppercase",
            });
        }
    }
    Ok(())
}

fn check_values(registry: &Registry, what: &dyn Fn() -> String, values: &[VariableValue]) -> Result<(), RefiError> {
    for value in values {
        registry.refers(what, Kind::Variable, &value.variable)?;
        if let Value::Float(f) = value.value
            && !f.is_finite()
        {
            return Err(RefiError::InvalidValue { what: what(), expected: "a finite decimal number" });
        }
    }
    Ok(())
}

fn check_codings(registry: &Registry, codings: &[Coding], within: &dyn Fn() -> String) -> Result<(), RefiError> {
    for c in codings {
        let what = || format!("{} of {}", coding(&c.guid), within());
        registry.refers(&what, Kind::Code, &c.code)?;
        registry.refers_opt(&what, Kind::User, c.created_by.as_ref())?;
    }
    Ok(())
}

/// Checks a whole project; the first problem found is returned.
pub(super) fn project(project: &Project) -> Result<(), RefiError> {
    let mut registry = Registry { seen: HashMap::new() };
    for u in &project.users {
        registry.add(&u.guid, Kind::User, user(&u.guid))?;
    }
    register_codes(&mut registry, &project.codes)?;
    for v in &project.variables {
        registry.add(&v.guid, Kind::Variable, variable(&v.name))?;
    }
    for c in &project.cases {
        registry.add(&c.guid, Kind::Case, case(&c.guid))?;
    }
    for s in &project.sources {
        registry.add(&s.guid, Kind::Source, source(&s.name))?;
        for e in &s.excerpts {
            registry.add(&e.guid, Kind::Excerpt, format!("{} in {}", excerpt(&e.guid), source(&s.name)))?;
            for c in &e.codings {
                registry.add(&c.guid, Kind::Coding, coding(&c.guid))?;
            }
        }
        for c in &s.codings {
            registry.add(&c.guid, Kind::Coding, coding(&c.guid))?;
        }
    }
    for m in &project.memos {
        registry.add(&m.guid, Kind::Memo, memo(&m.guid))?;
    }

    let project_what = || "the project".to_owned();
    registry.refers_opt(&project_what, Kind::User, project.created_by.as_ref())?;
    for c in &project.cases {
        let what = || case(&c.guid);
        for code in &c.codes {
            registry.refers(&what, Kind::Code, code)?;
        }
        for s in &c.sources {
            registry.refers(&what, Kind::Source, s)?;
        }
        for e in &c.excerpts {
            registry.refers(&what, Kind::Excerpt, e)?;
        }
        check_values(&registry, &what, &c.values)?;
    }
    for s in &project.sources {
        let what = || source(&s.name);
        registry.refers_opt(&what, Kind::User, s.created_by.as_ref())?;
        check_values(&registry, &what, &s.values)?;
        check_codings(&registry, &s.codings, &what)?;
        let length = s.text.chars().count();
        for e in &s.excerpts {
            let what = || excerpt(&e.guid);
            if e.start > e.end {
                return Err(RefiError::StartAfterEnd {
                    what: what(),
                    source_name: s.name.clone(),
                    start: e.start,
                    end: e.end,
                });
            }
            if e.end > length {
                return Err(RefiError::OutOfRange { what: what(), source_name: s.name.clone(), end: e.end, length });
            }
            let within = || format!("{} in {}", excerpt(&e.guid), source(&s.name));
            registry.refers_opt(&within, Kind::User, e.created_by.as_ref())?;
            check_codings(&registry, &e.codings, &within)?;
        }
    }
    for m in &project.memos {
        let what = || memo(&m.guid);
        registry.refers_opt(&what, Kind::User, m.created_by.as_ref())?;
        for target in &m.about {
            match registry.seen.get(target) {
                Some((Kind::Code | Kind::Source | Kind::Excerpt | Kind::Coding, _)) => {}
                _ => {
                    return Err(RefiError::UnknownReference {
                        what: what(),
                        kind: "code, source, excerpt or coding",
                        guid: target.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Checks a codebook alone: GUIDs canonical and unique, colours well formed.
pub(super) fn codebook(codebook: &Codebook) -> Result<(), RefiError> {
    let mut registry = Registry { seen: HashMap::new() };
    register_codes(&mut registry, &codebook.codes)
}
