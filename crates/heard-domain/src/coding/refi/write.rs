//! Writes a [`Project`] as a `.qdpx` and a [`Codebook`] as a `.qdc`, elements in the order the
//! schemas' sequences require, byte for byte the same for the same input.

use std::collections::BTreeMap;
use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::error::RefiError;
use super::model::{Code, Codebook, Coding, Project, Value, VariableValue};
use super::xml::XmlOut;
use super::{CODEBOOK_NAMESPACE, PROJECT_NAMESPACE, check};

/// The file a source's text is kept in, inside the archive and as its `plainTextPath`.
fn text_file(guid: &str) -> String {
    format!("{guid}.txt")
}

/// Writes `project` as a `.qdpx` archive into `writer`, and gives the writer back.
///
/// The project is checked first ([`RefiError`] names the first problem), so Heard never hands out
/// a file another program would refuse for a dangling reference or an excerpt past its text.
pub fn write_qdpx<W: Write + Seek>(project: &Project, writer: W) -> Result<W, RefiError> {
    let xml = project_xml(project)?;
    let zip_error = |e: zip::result::ZipError| match e {
        zip::result::ZipError::Io(io) => RefiError::Io(io),
        other => RefiError::Io(std::io::Error::other(other)),
    };
    // A fixed timestamp and mode keep the archive the same from one export to the next.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(writer);
    zip.start_file("project.qde", options).map_err(zip_error)?;
    zip.write_all(xml.as_bytes())?;
    for source in &project.sources {
        // The standard's folder is `sources/`, lowercase; some readers are case-sensitive.
        zip.start_file(format!("sources/{}", text_file(&source.guid)), options).map_err(zip_error)?;
        zip.write_all(source.text.as_bytes())?;
    }
    zip.finish().map_err(zip_error)
}

/// The `project.qde` of `project`: the XML alone, sources referenced by `plainTextPath`.
pub fn project_xml(project: &Project) -> Result<String, RefiError> {
    check::project(project)?;

    // The standard puts a note's reference inside what it is about.
    let mut notes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for memo in &project.memos {
        for target in &memo.about {
            notes.entry(target.as_str()).or_default().push(&memo.guid);
        }
    }
    let note_refs = |out: &mut XmlOut, guid: &str| {
        for note in notes.get(guid).into_iter().flatten() {
            out.empty("NoteRef", &[("targetGUID", Some(note))]);
        }
    };

    let mut out = XmlOut::new();
    out.start(
        "Project",
        &[
            ("xmlns", Some(PROJECT_NAMESPACE)),
            ("name", Some(&project.name)),
            ("origin", project.origin.as_deref()),
            ("creatingUserGUID", project.created_by.as_deref()),
        ],
    );
    if !project.users.is_empty() {
        out.start("Users", &[]);
        for user in &project.users {
            out.empty("User", &[("guid", Some(&user.guid)), ("name", Some(&user.name))]);
        }
        out.end();
    }
    if !project.codes.is_empty() {
        out.start("CodeBook", &[]);
        out.start("Codes", &[]);
        for code in &project.codes {
            write_code(&mut out, code, &note_refs);
        }
        out.end();
        out.end();
    }
    if !project.variables.is_empty() {
        out.start("Variables", &[]);
        for variable in &project.variables {
            let attributes = [
                ("guid", Some(variable.guid.as_str())),
                ("name", Some(variable.name.as_str())),
                ("typeOfVariable", Some(variable.kind.as_str())),
            ];
            match &variable.description {
                Some(description) => {
                    out.start("Variable", &attributes);
                    out.text_element("Description", description);
                    out.end();
                }
                None => out.empty("Variable", &attributes),
            }
        }
        out.end();
    }
    if !project.cases.is_empty() {
        out.start("Cases", &[]);
        for case in &project.cases {
            out.start("Case", &[("guid", Some(&case.guid)), ("name", Some(&case.name))]);
            if let Some(description) = &case.description {
                out.text_element("Description", description);
            }
            for code in &case.codes {
                out.empty("CodeRef", &[("targetGUID", Some(code))]);
            }
            write_values(&mut out, &case.values);
            for source in &case.sources {
                out.empty("SourceRef", &[("targetGUID", Some(source))]);
            }
            for excerpt in &case.excerpts {
                out.empty("SelectionRef", &[("targetGUID", Some(excerpt))]);
            }
            out.end();
        }
        out.end();
    }
    if !project.sources.is_empty() {
        out.start("Sources", &[]);
        for source in &project.sources {
            let path = format!("internal://{}", text_file(&source.guid));
            out.start(
                "TextSource",
                &[
                    ("guid", Some(&source.guid)),
                    ("name", Some(&source.name)),
                    ("plainTextPath", Some(&path)),
                    ("creatingUser", source.created_by.as_deref()),
                ],
            );
            if let Some(description) = &source.description {
                out.text_element("Description", description);
            }
            for excerpt in &source.excerpts {
                let (start, end) = (excerpt.start.to_string(), excerpt.end.to_string());
                out.start(
                    "PlainTextSelection",
                    &[
                        ("guid", Some(&excerpt.guid)),
                        ("name", excerpt.name.as_deref()),
                        ("startPosition", Some(&start)),
                        ("endPosition", Some(&end)),
                        ("creatingUser", excerpt.created_by.as_deref()),
                    ],
                );
                if let Some(description) = &excerpt.description {
                    out.text_element("Description", description);
                }
                write_codings(&mut out, &excerpt.codings, &note_refs);
                note_refs(&mut out, &excerpt.guid);
                out.end();
            }
            write_codings(&mut out, &source.codings, &note_refs);
            note_refs(&mut out, &source.guid);
            write_values(&mut out, &source.values);
            out.end();
        }
        out.end();
    }
    if !project.memos.is_empty() {
        out.start("Notes", &[]);
        for memo in &project.memos {
            out.start(
                "Note",
                &[
                    ("guid", Some(&memo.guid)),
                    ("name", memo.name.as_deref()),
                    ("creatingUser", memo.created_by.as_deref()),
                ],
            );
            if let Some(description) = &memo.description {
                out.text_element("Description", description);
            }
            out.text_element("PlainTextContent", &memo.text);
            out.end();
        }
        out.end();
    }
    if let Some(description) = &project.description {
        out.text_element("Description", description);
    }
    for memo in project.memos.iter().filter(|m| m.about_project) {
        out.empty("NoteRef", &[("targetGUID", Some(&memo.guid))]);
    }
    Ok(out.finish())
}

fn write_code(out: &mut XmlOut, code: &Code, note_refs: &dyn Fn(&mut XmlOut, &str)) {
    let attributes = [
        ("guid", Some(code.guid.as_str())),
        ("name", Some(code.name.as_str())),
        ("isCodable", Some(if code.codable { "true" } else { "false" })),
        ("color", code.colour.as_deref()),
    ];
    out.start("Code", &attributes);
    if let Some(description) = &code.description {
        out.text_element("Description", description);
    }
    note_refs(out, &code.guid);
    // Recursion is bounded: a project the reader made nests at most MAX_DEPTH deep, and one
    // built by Heard's own code is as deep as its codebook.
    for child in &code.children {
        write_code(out, child, note_refs);
    }
    out.end();
}

fn write_codings(out: &mut XmlOut, codings: &[Coding], note_refs: &dyn Fn(&mut XmlOut, &str)) {
    for coding in codings {
        out.start("Coding", &[("guid", Some(&coding.guid)), ("creatingUser", coding.created_by.as_deref())]);
        out.empty("CodeRef", &[("targetGUID", Some(&coding.code))]);
        note_refs(out, &coding.guid);
        out.end();
    }
}

fn write_values(out: &mut XmlOut, values: &[VariableValue]) {
    for value in values {
        out.start("VariableValue", &[]);
        out.empty("VariableRef", &[("targetGUID", Some(&value.variable))]);
        let (element, text) = match &value.value {
            Value::Text(text) => ("TextValue", text.clone()),
            Value::Boolean(b) => ("BooleanValue", b.to_string()),
            Value::Integer(i) => ("IntegerValue", i.to_string()),
            // Display for f64 never uses an exponent, which xsd:decimal does not allow.
            Value::Float(f) => ("FloatValue", f.to_string()),
            Value::Date(date) => ("DateValue", super::read::format_date(*date)),
            Value::DateTime(at) => ("DateTimeValue", super::read::format_date_time(*at)),
        };
        out.text_element(element, &text);
        out.end();
    }
}

/// Writes `codebook` as a `.qdc` into `writer`.
pub fn write_qdc<W: Write>(codebook: &Codebook, mut writer: W) -> Result<(), RefiError> {
    writer.write_all(codebook_xml(codebook)?.as_bytes())?;
    Ok(())
}

/// The `.qdc` XML of `codebook`.
pub fn codebook_xml(codebook: &Codebook) -> Result<String, RefiError> {
    check::codebook(codebook)?;
    if codebook.codes.is_empty() {
        // Codebook.xsd requires at least one <Code> in <Codes>.
        return Err(RefiError::InvalidValue {
            what: "the codebook".to_owned(),
            expected: "a codebook with at least one code",
        });
    }
    let mut out = XmlOut::new();
    out.start("CodeBook", &[("xmlns", Some(CODEBOOK_NAMESPACE)), ("origin", codebook.origin.as_deref())]);
    out.start("Codes", &[]);
    for code in &codebook.codes {
        // Codebook.xsd's Code has no NoteRef.
        write_code(&mut out, code, &|_, _| {});
    }
    Ok(out.finish())
}
