//! REFI-QDA interchange as another program meets it: what Heard writes validates against the
//! standard's schemas (with the real `xmllint`) and reads back the same; QualCoder's and
//! Taguette's shapes read; hostile archives and XML are refused with a message that says why.

use std::collections::BTreeSet;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use heard_domain::coding::refi::{
    self, Case, Code, Codebook, Coding, Excerpt, Limits, Memo, Project, RefiError, Source, User, Value, Variable,
    VariableKind, VariableValue,
};
use proptest::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const RESEARCHER: &str = "5c94bc9e-db8c-4f1d-9cd6-e900c7440860";
const CODE_ACCESS: &str = "2dfba8c9-59f5-4424-99d6-ea9bce18134b";
const CODE_TRANSPORT: &str = "0bd904ef-7dff-47d6-a94e-f47e9134a596";
const CODE_KINDNESS: &str = "76414714-63c4-4a25-a47e-66fef80bd52e";
const SOURCE: &str = "a2b94468-80a5-412f-92d6-e900d97b55a6";
const EXCERPT_BUS: &str = "08cbced0-d736-44c8-8fd6-eb4d29fe46c5";
const CODING_BUS: &str = "04ebec7d-eab4-43fc-8167-adb14f921143";

/// Mixed scripts: offsets must count characters (Unicode scalar values), not UTF-8 bytes and not
/// UTF-16 units (the crab and the sleeping face are two UTF-16 units each).
const TEXT: &str = "Café owner (demo): the bus 🚌 comes twice a day, so naïve plans fail.\n\
                    Visitor (demo): 夜はバスがない 😴 — no bus at night.\r\n\
                    Carer (demo): staff were kind & patient <always>.";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/refi")
}

/// The character span of `needle` in `TEXT`.
fn span(needle: &str) -> (usize, usize) {
    let byte = TEXT.find(needle).expect("needle in text");
    let start = TEXT[..byte].chars().count();
    (start, start + needle.chars().count())
}

fn excerpt_text(source: &Source, excerpt: &Excerpt) -> String {
    source.text.chars().skip(excerpt.start).take(excerpt.end - excerpt.start).collect()
}

fn code(guid: &str, name: &str, children: Vec<Code>) -> Code {
    Code { guid: guid.to_owned(), name: name.to_owned(), description: None, colour: None, codable: true, children }
}

fn sample_project() -> Project {
    let (bus_start, bus_end) = span("the bus 🚌 comes twice a day");
    let (night_start, night_end) = span("夜はバスがない 😴");
    let (kind_start, kind_end) = span("staff were kind & patient <always>");
    let age = refi::new_guid();
    let carer = refi::new_guid();
    let visits = refi::new_guid();
    let weight = refi::new_guid();
    let first_seen = refi::new_guid();
    let last_seen = refi::new_guid();
    let case = refi::new_guid();
    let night = refi::new_guid();
    let kind = refi::new_guid();
    let kind_coding = refi::new_guid();
    let category = refi::new_guid();
    Project {
        name: "Transport & access \"pilot\" (demo)".to_owned(),
        origin: Some("Heard 0.1.0".to_owned()),
        created_by: Some(RESEARCHER.to_owned()),
        description: Some("Listening at bus stops.\nSecond line, with a tab\there.".to_owned()),
        users: vec![User { guid: RESEARCHER.to_owned(), name: "Researcher (demo)".to_owned() }],
        codes: vec![
            Code {
                description: Some("Getting to services <and back>".to_owned()),
                colour: Some("#EB7333".to_owned()),
                codable: false,
                ..code(
                    &category,
                    "Access",
                    vec![
                        Code {
                            colour: Some("#95B3D7".to_owned()),
                            ..code(CODE_ACCESS, "Transport", vec![code(CODE_TRANSPORT, "Buses 🚌", vec![])])
                        },
                        code(&refi::new_guid(), "Night time 夜", vec![]),
                    ],
                )
            },
            code(CODE_KINDNESS, "Kindness", vec![]),
        ],
        variables: vec![
            Variable {
                guid: age.clone(),
                name: "Age band".to_owned(),
                kind: VariableKind::Text,
                description: Some("As the participant gave it".to_owned()),
            },
            Variable { guid: carer.clone(), name: "Carer".to_owned(), kind: VariableKind::Boolean, description: None },
            Variable {
                guid: visits.clone(),
                name: "Visits".to_owned(),
                kind: VariableKind::Integer,
                description: None,
            },
            Variable { guid: weight.clone(), name: "Weight".to_owned(), kind: VariableKind::Float, description: None },
            Variable {
                guid: first_seen.clone(),
                name: "First seen".to_owned(),
                kind: VariableKind::Date,
                description: None,
            },
            Variable {
                guid: last_seen.clone(),
                name: "Last seen".to_owned(),
                kind: VariableKind::DateTime,
                description: None,
            },
        ],
        cases: vec![Case {
            guid: case,
            name: "Participant 1 (demo)".to_owned(),
            description: Some("Met at the library".to_owned()),
            codes: vec![CODE_KINDNESS.to_owned()],
            values: vec![
                VariableValue { variable: age, value: Value::Text("65–74".to_owned()) },
                VariableValue { variable: carer, value: Value::Boolean(true) },
                VariableValue { variable: visits, value: Value::Integer(-3) },
                VariableValue { variable: weight, value: Value::Float(0.1) },
                VariableValue { variable: first_seen, value: Value::Date(time::macros::date!(2024 - 02 - 29)) },
                VariableValue {
                    variable: last_seen,
                    value: Value::DateTime(time::macros::datetime!(2024-03-01 10:05:00 +01:00)),
                },
            ],
            sources: vec![SOURCE.to_owned()],
            excerpts: vec![night.clone()],
        }],
        sources: vec![Source {
            guid: SOURCE.to_owned(),
            name: "Bus stop interviews (demo)".to_owned(),
            description: None,
            text: TEXT.to_owned(),
            created_by: Some(RESEARCHER.to_owned()),
            excerpts: vec![
                Excerpt {
                    guid: EXCERPT_BUS.to_owned(),
                    name: Some("twice a day".to_owned()),
                    description: None,
                    start: bus_start,
                    end: bus_end,
                    created_by: Some(RESEARCHER.to_owned()),
                    codings: vec![
                        Coding {
                            guid: CODING_BUS.to_owned(),
                            code: CODE_TRANSPORT.to_owned(),
                            created_by: Some(RESEARCHER.to_owned()),
                        },
                        Coding { guid: refi::new_guid(), code: CODE_ACCESS.to_owned(), created_by: None },
                    ],
                },
                Excerpt {
                    guid: night.clone(),
                    name: None,
                    description: Some("Said \"quietly\"\r\nthen louder".to_owned()),
                    start: night_start,
                    end: night_end,
                    created_by: None,
                    codings: vec![],
                },
                Excerpt {
                    guid: kind.clone(),
                    name: None,
                    description: None,
                    start: kind_start,
                    end: kind_end,
                    created_by: None,
                    codings: vec![Coding {
                        guid: kind_coding.clone(),
                        code: CODE_KINDNESS.to_owned(),
                        created_by: None,
                    }],
                },
                Excerpt {
                    guid: refi::new_guid(),
                    name: None,
                    description: None,
                    start: 0,
                    end: 0,
                    created_by: None,
                    codings: vec![],
                },
            ],
            codings: vec![Coding { guid: refi::new_guid(), code: CODE_ACCESS.to_owned(), created_by: None }],
            values: vec![],
        }],
        memos: vec![
            Memo {
                guid: refi::new_guid(),
                name: Some("Why buses matter".to_owned()),
                description: None,
                text: "Memo on a code, an excerpt and a coding — with <markup> & ümlauts.\n".to_owned(),
                created_by: Some(RESEARCHER.to_owned()),
                about: BTreeSet::from([CODE_TRANSPORT.to_owned(), EXCERPT_BUS.to_owned(), CODING_BUS.to_owned()]),
                about_project: false,
            },
            Memo {
                guid: refi::new_guid(),
                name: None,
                description: Some("Project journal".to_owned()),
                text: "On the project and the source.".to_owned(),
                created_by: None,
                about: BTreeSet::from([SOURCE.to_owned(), kind_coding]),
                about_project: true,
            },
        ],
    }
}

fn written(project: &Project) -> Vec<u8> {
    refi::write_qdpx(project, Cursor::new(Vec::new())).expect("writes").into_inner()
}

fn entry(archive: &[u8], name: &str) -> Vec<u8> {
    let mut zip = ZipArchive::new(Cursor::new(archive)).expect("a zip");
    let mut file = zip.by_name(name).expect("entry");
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("reads");
    bytes
}

/// Validates `xml` against one of the standard's schemas with the real xmllint. Fails, never
/// skips, when xmllint is missing: CI installs libxml2-utils for this.
fn assert_valid(xml: &[u8], schema: &str, label: &str) {
    let path = std::env::temp_dir().join(format!("heard-refi-{}-{label}.xml", std::process::id()));
    std::fs::write(&path, xml).expect("temporary file");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(fixtures().join("schemas").join(schema))
        .arg(&path)
        .output()
        .expect("xmllint runs (apt-get install -y libxml2-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "{label} does not validate against {schema}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A zip of the given entries, stored or deflated.
fn archive(entries: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        zip.start_file(*name, options).expect("entry");
        zip.write_all(bytes).expect("writes");
    }
    zip.finish().expect("finishes").into_inner()
}

fn read(bytes: &[u8]) -> Result<refi::Imported, RefiError> {
    refi::read_qdpx(Cursor::new(bytes))
}

fn refused(bytes: &[u8]) -> String {
    match read(bytes) {
        Ok(_) => panic!("the archive was read"),
        Err(error) => error.to_string(),
    }
}

/// A minimal valid project.qde with the given source text and one excerpt.
fn small_project_xml(start: &str, end: &str, code_ref: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Small (demo)">
  <CodeBook><Codes><Code guid="{CODE_ACCESS}" name="Access" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{SOURCE}" name="Interview (demo)" plainTextPath="internal://{SOURCE}.txt">
      <PlainTextSelection guid="{EXCERPT_BUS}" startPosition="{start}" endPosition="{end}">
        <Coding guid="{CODING_BUS}"><CodeRef targetGUID="{code_ref}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#
    )
}

fn small_archive(xml: &str, text: &[u8]) -> Vec<u8> {
    archive(
        &[("project.qde", xml.as_bytes()), (format!("sources/{SOURCE}.txt").as_str(), text)],
        CompressionMethod::Deflated,
    )
}

#[test]
fn a_written_project_validates_against_the_project_schema() {
    let project = sample_project();
    let bytes = written(&project);
    let xml = entry(&bytes, "project.qde");
    assert_valid(&xml, "Project-mrt2019.xsd", "project");

    let xml = String::from_utf8(xml).expect("UTF-8");
    assert!(xml.contains(&format!("plainTextPath=\"internal://{SOURCE}.txt\"")));
    assert!(!xml.contains("richTextPath"), "no rich text for plain text");
    assert!(!xml.contains("😴"), "the source's text is in its file, not the XML");
}

#[test]
fn sources_are_utf8_files_without_a_byte_order_mark_in_a_lowercase_folder() {
    let bytes = written(&sample_project());
    let mut zip = ZipArchive::new(Cursor::new(&bytes)).expect("a zip");
    let names: Vec<String> = (0..zip.len())
        .map(|i| {
            let file = zip.by_index(i).expect("entry");
            file.name().expect("name").into_owned()
        })
        .collect();
    assert_eq!(names, ["project.qde".to_owned(), format!("sources/{SOURCE}.txt")]);
    let mut text = Vec::new();
    zip.by_name(&format!("sources/{SOURCE}.txt")).expect("source").read_to_end(&mut text).expect("reads");
    assert_eq!(text, TEXT.as_bytes(), "verbatim, CRLF and all, no BOM");
}

#[test]
fn a_project_reads_back_as_it_was_written() {
    let project = sample_project();
    let imported = read(&written(&project)).expect("reads");
    assert!(imported.left_out.is_empty());
    assert_eq!(imported.project, project);
}

#[test]
fn excerpt_offsets_count_characters() {
    let imported = read(&written(&sample_project())).expect("reads");
    let source = &imported.project.sources[0];
    let texts: Vec<String> = source.excerpts.iter().map(|e| excerpt_text(source, e)).collect();
    assert_eq!(texts, ["the bus 🚌 comes twice a day", "夜はバスがない 😴", "staff were kind & patient <always>", ""]);
    // After the CRLF and three astral characters, bytes, UTF-16 units and chars all differ.
    let kind = &source.excerpts[2];
    let byte = TEXT.find("staff").expect("in text");
    assert!(kind.start < byte);
    assert_ne!(kind.start, TEXT[..byte].encode_utf16().count());
}

#[test]
fn the_same_project_is_written_byte_for_byte_the_same() {
    let project = sample_project();
    assert_eq!(written(&project), written(&project));
}

#[test]
fn a_codebook_validates_and_reads_back() {
    let codebook = Codebook { origin: Some("Heard 0.1.0".to_owned()), codes: sample_project().codes };
    let mut xml = Vec::new();
    refi::write_qdc(&codebook, &mut xml).expect("writes");
    assert_valid(&xml, "Codebook.xsd", "codebook");
    assert_eq!(refi::read_qdc(&xml).expect("reads"), codebook);
}

#[test]
fn a_qualcoder_project_reads() {
    let dir = fixtures().join("qualcoder");
    let qde = std::fs::read(dir.join("project.qde")).expect("fixture");
    let mut entries: Vec<(String, Vec<u8>)> = vec![("project.qde".to_owned(), qde)];
    for file in std::fs::read_dir(dir.join("Sources")).expect("fixture") {
        let file = file.expect("fixture");
        let name = format!("Sources/{}", file.file_name().to_string_lossy());
        entries.push((name, std::fs::read(file.path()).expect("fixture")));
    }
    entries.sort();
    let entries: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let imported = read(&archive(&entries, CompressionMethod::Deflated)).expect("reads");
    let project = &imported.project;

    assert_eq!(project.origin.as_deref(), Some("QualCoder 3.6"));
    assert_eq!(project.codes.len(), 2);
    assert_eq!(project.codes[0].children[0].name, "Kindness");
    assert_eq!(project.codes[0].children[0].colour.as_deref(), Some("#FF66AA"));
    assert_eq!(project.codes[1].description, None, "an empty <Description/> is none");

    let source = &project.sources[0];
    assert!(source.text.contains("\r\n"), "line ends kept as the file has them");
    let texts: Vec<String> = source.excerpts.iter().map(|e| excerpt_text(source, e)).collect();
    assert_eq!(texts, ["the staff were kind", "the bus only comes twice a day", "the bus only comes twice a day"]);
    assert_eq!(source.excerpts[0].description.as_deref(), Some("Said warmly"));

    // The picture is left out, and the case's reference to it with it.
    assert_eq!(imported.left_out.len(), 1);
    assert_eq!(imported.left_out[0].kind, "PictureSource");
    assert_eq!(project.cases[0].sources, [SOURCE.to_owned()]);
    assert_eq!(project.cases[0].values[1].value, Value::Float(3.5));

    // The journal's text comes from its file; it is about the source that refers to it.
    assert_eq!(project.memos[0].text, "Journal (demo): the second interview went well.\n");
    assert_eq!(project.memos[0].about, BTreeSet::from([SOURCE.to_owned()]));

    // What Heard reads, it can write validly.
    let xml = refi::project_xml(project).expect("writes");
    assert_valid(xml.as_bytes(), "Project-mrt2019.xsd", "qualcoder-rewritten");
}

#[test]
fn a_project_with_inline_text_reads() {
    let qde = std::fs::read(fixtures().join("inline/project.qde")).expect("fixture");
    let imported = read(&archive(&[("project.qde", qde.as_slice())], CompressionMethod::Stored)).expect("reads");
    let source = &imported.project.sources[0];
    assert_eq!(source.text, "Loud at night & early — 夜はうるさい 😴");
    assert_eq!(excerpt_text(source, &source.excerpts[0]), "夜はうるさい");
    assert_eq!(
        imported.project.codes[0].guid, "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
        "braced uppercase GUIDs are made canonical"
    );
    assert_eq!(source.excerpts[0].codings[0].code, imported.project.codes[0].guid);
}

#[test]
fn a_taguette_codebook_reads() {
    let qdc = std::fs::read(fixtures().join("taguette/codebook.qdc")).expect("fixture");
    let codebook = refi::read_qdc(&qdc).expect("reads");
    assert_eq!(codebook.origin.as_deref(), Some("Taguette 1.4.1"));
    let names: Vec<&str> = codebook.codes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["access", "access.transport", "waiting times"]);
    assert_eq!(codebook.codes[0].guid, "3e6c9c1a-8f0b-5d3e-9a51-7b2c4d6e8f01");
    assert!(codebook.codes.iter().all(|c| c.codable && c.children.is_empty()));
}

#[test]
fn a_zip_bomb_is_refused() {
    // Two MiB of zeros packs to a few kilobytes: far beyond any real text's ratio.
    let zeros = vec![b'0'; 2 * 1024 * 1024];
    let bytes = small_archive(&small_project_xml("0", "1", CODE_ACCESS), &zeros);
    let message = refused(&bytes);
    assert!(message.contains("as a zip bomb does"), "{message}");

    // Without the ratio check, the caps on each text and on the whole archive still hold.
    let limits = Limits { max_ratio: u64::MAX, max_text_bytes: 1024 * 1024, ..Limits::default() };
    let error = refi::read_qdpx_with(Cursor::new(&bytes), &limits).expect_err("refused");
    assert!(matches!(error, RefiError::TextTooLarge { .. }), "{error}");
    assert!(error.to_string().contains("source \"Interview (demo)\""), "{error}");
    let limits = Limits { max_ratio: u64::MAX, max_total_bytes: 1024 * 1024, ..Limits::default() };
    let error = refi::read_qdpx_with(Cursor::new(&bytes), &limits).expect_err("refused");
    assert!(matches!(error, RefiError::ArchiveTooLarge { .. }), "{error}");

    let many: Vec<(String, Vec<u8>)> = (0..12).map(|i| (format!("f{i}"), vec![])).collect();
    let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let limits = Limits { max_entries: 10, ..Limits::default() };
    let error =
        refi::read_qdpx_with(Cursor::new(archive(&many, CompressionMethod::Stored)), &limits).expect_err("refused");
    assert_eq!(error.to_string(), "the archive holds 12 files; Heard reads at most 10");
}

#[test]
fn an_entry_that_escapes_its_folder_is_refused() {
    let xml = small_project_xml("0", "1", CODE_ACCESS);
    for name in ["../evil.txt", "/etc/evil.txt", "sources\\..\\evil.txt"] {
        let bytes = archive(&[("project.qde", xml.as_bytes()), (name, b"evil".as_slice())], CompressionMethod::Stored);
        let message = refused(&bytes);
        assert!(message.contains(&format!("a file named \"{name}\"")) && message.contains("outside"), "{message}");
    }
}

#[test]
fn a_doctype_is_refused_before_any_entity_expands() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol4;"/>"#;
    let message = refused(&small_archive(laughs, b"text"));
    assert!(message.starts_with("project.qde declares a document type"), "{message}");
    let error = refi::read_qdc(laughs.as_bytes()).expect_err("refused");
    assert!(matches!(error, RefiError::DocType { .. }), "{error}");
}

#[test]
fn offsets_outside_the_text_are_refused() {
    let text = "é".repeat(850);
    let message = refused(&small_archive(&small_project_xml("10", "900", CODE_ACCESS), text.as_bytes()));
    assert_eq!(
        message,
        format!(
            "excerpt {EXCERPT_BUS} in source \"Interview (demo)\" ends at character 900 but the \
             text has 850 characters"
        )
    );
    assert!(!message.contains('é'), "no source text in messages");

    let message = refused(&small_archive(&small_project_xml("20", "10", CODE_ACCESS), text.as_bytes()));
    assert!(message.contains("starts at character 20 but ends at 10"), "{message}");

    let message = refused(&small_archive(&small_project_xml("-1", "10", CODE_ACCESS), text.as_bytes()));
    assert!(message.contains("startPosition=\"-1\""), "{message}");
}

#[test]
fn a_coding_of_an_unknown_code_is_refused() {
    let unknown = "11111111-2222-4333-8444-555555555555";
    let message = refused(&small_archive(&small_project_xml("0", "4", unknown), b"text"));
    assert_eq!(
        message,
        format!(
            "coding {CODING_BUS} of excerpt {EXCERPT_BUS} in source \"Interview (demo)\" refers \
             to code {unknown}, which the project does not hold"
        )
    );
}

#[test]
fn other_broken_projects_are_refused_whole() {
    let xml = small_project_xml("0", "4", CODE_ACCESS);
    // Sanity: the project itself reads.
    read(&small_archive(&xml, b"text")).expect("reads");

    let message =
        refused(&archive(&[(format!("sources/{SOURCE}.txt").as_str(), b"text".as_slice())], CompressionMethod::Stored));
    assert_eq!(message, "the archive holds no project.qde, the project's XML");

    let message = refused(&small_archive(&xml, b"caf\xe9"));
    assert!(message.contains("is not valid UTF-8"), "{message}");

    let duplicate = xml.replace(CODING_BUS, CODE_ACCESS);
    let message = refused(&small_archive(&duplicate, b"text"));
    assert!(message.starts_with(&format!("GUID {CODE_ACCESS} is used twice")), "{message}");

    let unknown_user = xml
        .replace("<PlainTextSelection ", "<PlainTextSelection creatingUser=\"99999999-2222-4333-8444-555555555555\" ");
    let message = refused(&small_archive(&unknown_user, b"text"));
    assert!(message.contains("refers to user 99999999"), "{message}");

    let missing_file = xml.replace(&format!("internal://{SOURCE}"), "internal://elsewhere");
    let message = refused(&small_archive(&missing_file, b"text"));
    assert!(message.contains("which the archive does not hold"), "{message}");

    let outside = xml.replace(&format!("internal://{SOURCE}.txt"), "absolute:///etc/passwd");
    let message = refused(&small_archive(&outside, b"text"));
    assert!(message.contains("outside the archive"), "{message}");

    let message = refused(b"not a zip at all");
    assert!(message.starts_with("the file is not a .qdpx archive"), "{message}");

    let message = refused(&small_archive("<Project", b"text"));
    assert!(message.starts_with("project.qde is not well-formed XML"), "{message}");
}

#[test]
fn a_project_that_breaks_the_rules_is_not_written() {
    let mut project = sample_project();
    project.sources[0].excerpts[0].end = TEXT.chars().count() + 1;
    let error = refi::project_xml(&project).expect_err("refused");
    assert!(matches!(error, RefiError::OutOfRange { .. }), "{error}");

    let mut project = sample_project();
    project.memos[0].about.insert(refi::new_guid());
    let error = refi::project_xml(&project).expect_err("refused");
    assert!(matches!(error, RefiError::UnknownReference { .. }), "{error}");

    let error = refi::codebook_xml(&Codebook::default()).expect_err("refused");
    assert!(error.to_string().contains("at least one code"), "{error}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read(&bytes);
        let _ = refi::read_qdc(&bytes);
    }

    #[test]
    fn a_mutated_archive_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut bytes = written(&sample_project());
        for (index, byte) in flips {
            let i = index.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = read(&bytes);
    }

    #[test]
    fn a_mutated_project_xml_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        // Stored, not deflated, so the mutations reach the XML parser and the mapping.
        let mut xml = refi::project_xml(&sample_project()).expect("writes").into_bytes();
        for (index, byte) in flips {
            let i = index.index(xml.len());
            xml[i] = byte;
        }
        let bytes = archive(
            &[("project.qde", xml.as_slice()), (format!("sources/{SOURCE}.txt").as_str(), TEXT.as_bytes())],
            CompressionMethod::Stored,
        );
        let _ = read(&bytes);
        let _ = refi::read_qdc(&xml);
    }
}
