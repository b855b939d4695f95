//! REFI-QDA exchange of a programme's coding: the programme as a [`Project`] (users, codebook,
//! participants as cases, sources with their excerpts and codings, memos) and its codebook as a
//! [`Codebook`], and either read back into a programme in one transaction, all or nothing.
//!
//! Export. GUIDs are derived from each row's kind and id (SHA-256, shaped as a version 4 UUID),
//! so the same data exports the same project. Only redacted text leaves unless the exporting
//! researcher asks for originals; that is audited in the same transaction as the read, a source
//! whose participants do not all consent to research now still leaves redacted, and each excerpt
//! is carried into the original text with [`carry`] (the rule the store uses for corrected texts).
//! An excerpt whose words include hidden personal data has no place in the original, so such an
//! export is refused whole rather than shipping codings on the wrong words. Only current excerpts
//! leave: one left on an older version of its text has no offsets in the text exported.
//!
//! Import. Texts are screened by the detector with the programme's known names and the file's
//! case names, and are stored as the file has them (no trimming, no line-end changes), so offsets
//! keep counting in the same characters. Each excerpt is carried from the file's text to its
//! redacted copy; one whose words the detector hid cannot be placed, and is reported with its
//! codings rather than put on other words. A redacted export of Heard's own holds only
//! placeholders, which the detector leaves alone, so its round trip keeps every coding.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use heard_analysis::coding::versions::carry;
use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::Invalid;
use heard_domain::coding::codebook::{
    CodeInput, MAX_CODE_DESCRIPTION_CHARS, MemoTarget, code_name, code_name_key, colour, memo_text,
};
use heard_domain::coding::refi::{
    Case, Code as RefiCode, Codebook, Coding as RefiCoding, Excerpt as RefiExcerpt, Guid, Memo as RefiMemo, Project,
    Source as RefiSource, User as RefiUser, Value, Variable, VariableKind, VariableValue,
};
use heard_domain::voice::participants::{AgeBand, ParticipantKind, Pseudonym, area};
use heard_domain::voice::sources::{MAX_TEXT_CHARS, SourceKind, source_title};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Date;

use crate::audit::{AuditConn, AuditEntry};
use crate::coding::CodingConn;
use crate::voice::NewSource;
use crate::{Store, StoreError, decode, now};

/// What Heard writes as the project's `origin`.
const ORIGIN: &str = concat!("Heard ", env!("CARGO_PKG_VERSION"));

/// The variables Heard exports, by name; an import matches names ignoring case, spaces and `_`.
const KIND: &str = "Kind";
const AGE_BAND: &str = "Age band";
const AREA: &str = "Area";
const SOURCE_KIND: &str = "Source kind";
const COLLECTED_ON: &str = "Collected on";

/// A deterministic GUID for a row: SHA-256 of its kind and id, shaped as a UUID version 4.
pub fn row_guid(kind: &str, id: i64) -> Guid {
    let digest = Sha256::digest(format!("heard-refi:{kind}:{id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A programme exported as a project, with what the export had to leave as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectExport {
    pub project: Project,
    /// Sources exported with their original text.
    pub originals: u32,
    /// Sources exported redacted although originals were asked for: someone heard in them does
    /// not consent to research now.
    pub kept_redacted: u32,
    /// Excerpts left out because the source's text has moved on since they were made.
    pub stale_excerpts: u32,
}

/// How many of a kind of thing an import made, and how many it found already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub created: u32,
    pub reused: u32,
}

/// Something in the file that was not imported as it was, by element (e.g. `selection 0d62...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangeProblem {
    pub element: String,
    pub message: String,
}

/// What an import did. Problems never quote a source's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub codes: Tally,
    pub participants: Tally,
    pub sources: Tally,
    pub excerpts: Tally,
    pub codings: Tally,
    pub memos: Tally,
    pub problems: Vec<ExchangeProblem>,
}

impl ImportReport {
    fn problem(&mut self, element: impl Into<String>, message: impl Into<String>) {
        self.problems.push(ExchangeProblem { element: element.into(), message: message.into() });
    }
}

fn refuse(message: String) -> StoreError {
    StoreError::Invalid(Invalid::one("file", message))
}

/// Letters and digits only, lower case: how variable names and vocabulary words are compared.
fn squash(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A vocabulary word as a file writes it: its code or its label.
fn word<T: Copy>(all: &[T], raw: &str, code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Option<T> {
    let wanted = squash(raw);
    all.iter().copied().find(|v| squash(code(*v)) == wanted || squash(label(*v)) == wanted)
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Date(d) => d.to_string(),
        Value::DateTime(t) => t.to_string(),
    }
}

fn usize_of(n: i64) -> Result<usize, StoreError> {
    usize::try_from(n).map_err(|_| StoreError::Database(sqlx::Error::Decode("offset".into())))
}

fn i64_of(n: usize) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| refuse("an offset is too large".to_owned()))
}

// ---------------------------------------------------------------------------------------------
// Export

/// id, parent, programme (None: the organisation's), name, description, colour.
type CodeRow = (i64, Option<i64>, Option<i64>, String, Option<String>, String);
/// id, pseudonym, kind, age band, area.
type ParticipantRow = (i64, String, String, Option<String>, Option<String>);
/// id, kind, title, collected on, original, redacted, created by.
type SourceRow = (i64, String, String, Option<Date>, String, String, Option<i64>);
/// id, source, start, end, created by.
type ExcerptRow = (i64, i64, i64, i64, Option<i64>);
/// id, excerpt, code, coder.
type CodingRow = (i64, i64, i64, Option<i64>);
/// id, source, code, excerpt, body, writer.
type MemoRow = (i64, Option<i64>, Option<i64>, Option<i64>, String, Option<i64>);

/// Everything an export reads, in one transaction.
struct ExportData {
    name: String,
    codes: Vec<CodeRow>,
    participants: Vec<ParticipantRow>,
    /// (source, participant)
    links: Vec<(i64, i64)>,
    sources: Vec<SourceRow>,
    /// Sources someone heard in does not consent to research now.
    without_consent: HashSet<i64>,
    excerpts: Vec<ExcerptRow>,
    stale_excerpts: i64,
    codings: Vec<CodingRow>,
    memos: Vec<MemoRow>,
    users: Vec<(i64, String)>,
}

/// The codes the export holds: every code of the programme's own, and the organisation's it uses
/// (codings or memos), with their ancestors.
fn included_codes(data: &ExportData) -> BTreeSet<i64> {
    let used: HashSet<i64> = data.codings.iter().map(|c| c.2).chain(data.memos.iter().filter_map(|m| m.2)).collect();
    let parent: HashMap<i64, Option<i64>> = data.codes.iter().map(|c| (c.0, c.1)).collect();
    let mut included = BTreeSet::new();
    for code in &data.codes {
        if code.2.is_some() || used.contains(&code.0) {
            let mut at = Some(code.0);
            while let Some(id) = at {
                if !included.insert(id) {
                    break;
                }
                at = parent.get(&id).copied().flatten();
            }
        }
    }
    included
}

/// The included codes as a tree, siblings by name; a code whose parent is not included sits at
/// the top.
fn code_tree(codes: &[CodeRow], included: &BTreeSet<i64>) -> Vec<RefiCode> {
    let mut rows: Vec<&CodeRow> = codes.iter().filter(|c| included.contains(&c.0)).collect();
    rows.sort_by_key(|c| (code_name_key(&c.3), c.0));
    let top: Vec<&CodeRow> = rows.iter().copied().filter(|c| c.1.is_none_or(|p| !included.contains(&p))).collect();
    fn build(row: &CodeRow, rows: &[&CodeRow], seen: &mut HashSet<i64>) -> RefiCode {
        seen.insert(row.0);
        let children = rows
            .iter()
            .copied()
            .filter(|c| c.1 == Some(row.0) && !seen.contains(&c.0))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|c| build(c, rows, seen))
            .collect();
        let colour = Some(row.5.to_ascii_uppercase())
            .filter(|c| c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|h| h.is_ascii_hexdigit()));
        RefiCode {
            guid: row_guid("code", row.0),
            name: row.3.clone(),
            description: row.4.clone().filter(|d| !d.trim().is_empty()),
            colour,
            codable: true,
            children,
        }
    }
    let mut seen = HashSet::new();
    top.into_iter().map(|row| build(row, &rows, &mut seen)).collect()
}

fn variables() -> Vec<Variable> {
    [(KIND, 1, VariableKind::Text), (AGE_BAND, 2, VariableKind::Text), (AREA, 3, VariableKind::Text)]
        .into_iter()
        .chain([(SOURCE_KIND, 4, VariableKind::Text), (COLLECTED_ON, 5, VariableKind::Date)])
        .map(|(name, id, kind)| Variable {
            guid: row_guid("variable", id),
            name: name.to_owned(),
            kind,
            description: None,
        })
        .collect()
}

fn value(id: i64, value: Value) -> VariableValue {
    VariableValue { variable: row_guid("variable", id), value }
}

/// The project of what an export read.
fn build_project(data: ExportData, originals: bool) -> Result<ProjectExport, StoreError> {
    let included = included_codes(&data);
    let codes = code_tree(&data.codes, &included);
    let mut users_used: BTreeSet<i64> = BTreeSet::new();
    let user_guid = |id: Option<i64>, used: &mut BTreeSet<i64>| {
        id.map(|id| {
            used.insert(id);
            row_guid("user", id)
        })
    };

    let mut cases = Vec::with_capacity(data.participants.len());
    for (id, pseudonym, kind, age_band, area) in &data.participants {
        let mut values = vec![value(1, Value::Text(decode::<ParticipantKind>(kind)?.label().to_owned()))];
        if let Some(band) = age_band {
            values.push(value(2, Value::Text(decode::<AgeBand>(band)?.label().to_owned())));
        }
        if let Some(area) = area {
            values.push(value(3, Value::Text(area.clone())));
        }
        let mut sources: Vec<i64> = data.links.iter().filter(|l| l.1 == *id).map(|l| l.0).collect();
        sources.sort_unstable();
        cases.push(Case {
            guid: row_guid("participant", *id),
            name: pseudonym.clone(),
            description: None,
            codes: Vec::new(),
            values,
            sources: sources.into_iter().map(|s| row_guid("source", s)).collect(),
            excerpts: Vec::new(),
        });
    }

    let mut codings_of: HashMap<i64, Vec<&CodingRow>> = HashMap::new();
    for coding in &data.codings {
        codings_of.entry(coding.1).or_default().push(coding);
    }
    let mut exported_excerpts = HashSet::new();
    let (mut with_originals, mut kept_redacted) = (0u32, 0u32);
    let mut sources = Vec::with_capacity(data.sources.len());
    for (id, kind, title, collected_on, original, redacted, created_by) in &data.sources {
        let rows: Vec<&ExcerptRow> = data.excerpts.iter().filter(|e| e.1 == *id).collect();
        let spans =
            rows.iter().map(|e| Ok((usize_of(e.2)?, usize_of(e.3)?))).collect::<Result<Vec<_>, StoreError>>()?;
        let use_original = originals && !data.without_consent.contains(id);
        kept_redacted += u32::from(originals && !use_original);
        let (text, spans) = if use_original {
            with_originals += 1;
            let carried = carry(redacted, original, &spans);
            let lost = carried.iter().filter(|c| c.is_none()).count();
            if lost > 0 {
                return Err(StoreError::Invalid(Invalid::one(
                    "include_originals",
                    format!(
                        "{lost} excerpt{} of source \"{title}\" include{} personal data hidden in the redacted text, so \
                         {} cannot be placed in the original text: export without the original text",
                        if lost == 1 { "" } else { "s" },
                        if lost == 1 { "s" } else { "" },
                        if lost == 1 { "it" } else { "they" },
                    ),
                )));
            }
            (original.clone(), carried.into_iter().flatten().collect())
        } else {
            (redacted.clone(), spans)
        };
        let mut excerpts = Vec::with_capacity(rows.len());
        for (row, (start, end)) in rows.iter().zip(spans) {
            exported_excerpts.insert(row.0);
            let codings = codings_of
                .get(&row.0)
                .map(|list| {
                    list.iter()
                        .map(|c| RefiCoding {
                            guid: row_guid("coding", c.0),
                            code: row_guid("code", c.2),
                            created_by: user_guid(c.3, &mut users_used),
                        })
                        .collect()
                })
                .unwrap_or_default();
            excerpts.push(RefiExcerpt {
                guid: row_guid("excerpt", row.0),
                name: None,
                description: None,
                start,
                end,
                created_by: user_guid(row.4, &mut users_used),
                codings,
            });
        }
        let mut values = vec![value(4, Value::Text(decode::<SourceKind>(kind)?.label().to_owned()))];
        if let Some(date) = collected_on {
            values.push(value(5, Value::Date(*date)));
        }
        sources.push(RefiSource {
            guid: row_guid("source", *id),
            name: title.clone(),
            description: None,
            text,
            created_by: user_guid(*created_by, &mut users_used),
            excerpts,
            codings: Vec::new(),
            values,
        });
    }

    let mut memos = Vec::with_capacity(data.memos.len());
    for (id, source, code, excerpt, body, writer) in &data.memos {
        let about = match (source, code, excerpt) {
            (Some(s), _, _) => row_guid("source", *s),
            (_, Some(c), _) if included.contains(c) => row_guid("code", *c),
            (_, _, Some(e)) if exported_excerpts.contains(e) => row_guid("excerpt", *e),
            _ => continue,
        };
        memos.push(RefiMemo {
            guid: row_guid("memo", *id),
            name: None,
            description: None,
            text: body.clone(),
            created_by: user_guid(*writer, &mut users_used),
            about: BTreeSet::from([about]),
            about_project: false,
        });
    }

    let users = data
        .users
        .iter()
        .filter(|(id, _)| users_used.contains(id))
        .map(|(id, name)| RefiUser { guid: row_guid("user", *id), name: name.clone() })
        .collect();
    let stale_excerpts = u32::try_from(data.stale_excerpts).unwrap_or(u32::MAX);
    Ok(ProjectExport {
        project: Project {
            name: data.name,
            origin: Some(ORIGIN.to_owned()),
            created_by: None,
            description: None,
            users,
            codes,
            variables: variables(),
            cases,
            sources,
            memos,
        },
        originals: with_originals,
        kept_redacted,
        stale_excerpts,
    })
}

// ---------------------------------------------------------------------------------------------
// Import

/// A source of the file, screened, with each excerpt's place in the redacted text.
struct Prepared {
    screened: Screened,
    places: Vec<Option<(usize, usize)>>,
}

/// Runs the detector over each source's text (with `names` known) and carries its excerpts to
/// the redacted copy.
fn screen_all(names: &[String], texts: Vec<(String, Vec<(usize, usize)>)>) -> Vec<Prepared> {
    let redactor = Redactor::new().with_known_names(names.iter().map(String::as_str));
    texts
        .into_iter()
        .map(|(text, spans)| {
            let screened = Screened::new(&redactor, text);
            let places = carry(screened.original(), screened.redacted(), &spans);
            Prepared { screened, places }
        })
        .collect()
}

/// Looks a variable's value up by the variable's name, as squashed.
fn value_named<'p>(project: &'p Project, values: &'p [VariableValue], name: &str) -> Option<&'p Value> {
    let wanted = squash(name);
    values.iter().find_map(|v| {
        project.variables.iter().find(|var| var.guid == v.variable && squash(&var.name) == wanted).map(|_| &v.value)
    })
}

fn short(name: &str) -> String {
    let mut out: String = name.chars().take(60).collect();
    if name.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// A source to insert inside a transaction of this module's, on whichever backend.
trait SourceInsert {
    async fn insert_source(&mut self, programme_id: i64, new: &NewSource, by: i64) -> Result<i64, StoreError>;
}

impl SourceInsert for sqlx::SqliteConnection {
    async fn insert_source(&mut self, programme_id: i64, new: &NewSource, by: i64) -> Result<i64, StoreError> {
        crate::voice::sources::insert_source_sqlite(self, programme_id, new, Some(by)).await
    }
}

impl SourceInsert for sqlx::PgConnection {
    async fn insert_source(&mut self, programme_id: i64, new: &NewSource, by: i64) -> Result<i64, StoreError> {
        crate::voice::sources::insert_source_postgres(self, programme_id, new, Some(by)).await
    }
}

per_backend! {
    pub(super) async fn export_project(pool: &DbPool, programme_id: i64, originals_by: Option<i64>) -> Result<ProjectExport, StoreError> {
        // With originals the audit row is written in the same transaction as the read.
        let mut tx = if originals_by.is_some() { begin(pool).await? } else { pool.begin().await? };
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(name) = name else { return Err(StoreError::NotFound) };
        let codes: Vec<CodeRow> = sqlx::query_as(
            "SELECT id, parent_id, programme_id, name, description, colour FROM codes
             WHERE merged_into IS NULL AND (programme_id IS NULL OR programme_id = $1) ORDER BY id",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let participants: Vec<ParticipantRow> = sqlx::query_as(
            "SELECT id, pseudonym, kind, age_band, area FROM participants WHERE programme_id = $1 ORDER BY id",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let links: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT sp.source_id, sp.participant_id FROM source_participants sp JOIN sources s ON s.id = sp.source_id
             WHERE s.programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let sources: Vec<SourceRow> = sqlx::query_as(
            "SELECT id, kind, title, collected_on, original_text, redacted_text, created_by FROM sources
             WHERE programme_id = $1 ORDER BY id",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let without_consent: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT sp.source_id FROM source_participants sp JOIN sources s ON s.id = sp.source_id
             WHERE s.programme_id = $1 AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.participant_id = sp.participant_id
             AND c.purpose = 'research' AND c.withdrawn_on IS NULL)",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let excerpts: Vec<ExcerptRow> = sqlx::query_as(
            "SELECT e.id, e.source_id, e.start_char, e.end_char, e.created_by FROM excerpts e
             JOIN sources s ON s.id = e.source_id WHERE s.programme_id = $1 AND e.text_version = s.text_version
             ORDER BY e.source_id, e.start_char, e.end_char, e.id",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let stale_excerpts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM excerpts e JOIN sources s ON s.id = e.source_id
             WHERE s.programme_id = $1 AND e.text_version <> s.text_version",
        )
        .bind(programme_id)
        .fetch_one(&mut *tx)
        .await?;
        let codings: Vec<CodingRow> = sqlx::query_as(
            "SELECT g.id, g.excerpt_id, g.code_id, g.coded_by FROM codings g JOIN excerpts e ON e.id = g.excerpt_id
             JOIN sources s ON s.id = e.source_id WHERE s.programme_id = $1 AND e.text_version = s.text_version
             ORDER BY g.id",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let memos: Vec<MemoRow> = sqlx::query_as(
            "SELECT id, source_id, code_id, excerpt_id, body, written_by FROM memos WHERE programme_id = $1 ORDER BY id",
        )
        .bind(programme_id)
        .fetch_all(&mut *tx)
        .await?;
        let users: Vec<(i64, String)> = sqlx::query_as("SELECT id, display_name FROM users ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        let data = ExportData {
            name,
            codes,
            participants,
            links,
            sources,
            without_consent: without_consent.into_iter().collect(),
            excerpts,
            stale_excerpts,
            codings,
            memos,
            users,
        };
        let export = build_project(data, originals_by.is_some())?;
        if let Some(by) = originals_by {
            let subject = format!("programme {programme_id}, originals of {} sources", export.originals);
            tx.append_audit(&AuditEntry::of_action("project.exported_with_originals", subject).by(by)).await?;
        }
        tx.commit().await?;
        Ok(export)
    }

    /// Maps the file's codes onto the programme's codebook, making those it lacks.
    async fn import_codes(
        conn: &mut Conn,
        programme_id: i64,
        codes: &[RefiCode],
        by: i64,
        report: &mut ImportReport,
    ) -> Result<HashMap<Guid, i64>, StoreError> {
        // id, parent, programme, name key: live codes of the programme's codebook.
        let mut book: Vec<(i64, Option<i64>, Option<i64>, String)> = sqlx::query_as(
            "SELECT id, parent_id, programme_id, name FROM codes
             WHERE merged_into IS NULL AND (programme_id IS NULL OR programme_id = $1)",
        )
        .bind(programme_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, parent, programme, name): (i64, Option<i64>, Option<i64>, String)| (id, parent, programme, code_name_key(&name)))
        .collect();
        let mut mapped = HashMap::new();
        // Parents before children, by an explicit stack.
        let mut stack: Vec<(&RefiCode, Option<i64>)> = codes.iter().rev().map(|c| (c, None)).collect();
        while let Some((code, parent)) = stack.pop() {
            let element = format!("code \"{}\"", short(&code.name));
            let name = code_name("name", &code.name).map_err(|e| refuse(format!("{element}: {e}")))?;
            let key = code_name_key(&name);
            // A new code cannot sit beneath one of the organisation's: it goes to the top.
            let parent_is_ours = parent.is_none_or(|p| book.iter().any(|c| c.0 == p && c.2 == Some(programme_id)));
            let found = book.iter().find(|c| c.1 == parent && c.3 == key).map(|c| c.0);
            let id = match found {
                Some(id) => {
                    report.codes.reused += 1;
                    id
                }
                None => {
                    let parent = if parent_is_ours {
                        parent
                    } else {
                        report.problem(&element, "its parent is one of the organisation's codes, so it was made at the top of the programme's codebook");
                        None
                    };
                    match book.iter().find(|c| c.1 == parent && c.3 == key && parent.is_none()).map(|c| c.0) {
                        Some(id) => {
                            report.codes.reused += 1;
                            id
                        }
                        None => {
                            let mut description = code.description.clone().filter(|d| !d.trim().is_empty());
                            if let Some(d) = &description
                                && d.chars().count() > MAX_CODE_DESCRIPTION_CHARS
                            {
                                description = Some(d.chars().take(MAX_CODE_DESCRIPTION_CHARS).collect());
                                report.problem(&element, format!("its description was cut to {MAX_CODE_DESCRIPTION_CHARS} characters"));
                            }
                            let colour = code.colour.as_deref().and_then(|c| colour("colour", c).ok().flatten());
                            let input = CodeInput { name: name.clone(), description, colour, parent_id: parent };
                            let id = conn
                                .insert_code(Some(programme_id), &input, Some(by), "imported")
                                .await
                                .map_err(|e| match e {
                                    StoreError::Invalid(invalid) => refuse(format!("{element}: {invalid}")),
                                    other => other,
                                })?;
                            book.push((id, parent, Some(programme_id), key));
                            report.codes.created += 1;
                            id
                        }
                    }
                }
            };
            mapped.insert(code.guid.clone(), id);
            stack.extend(code.children.iter().rev().map(|c| (c, Some(id))));
        }
        Ok(mapped)
    }

    /// Maps the file's cases onto the programme's participants by pseudonym, registering those
    /// it lacks.
    async fn import_cases(
        conn: &mut Conn,
        programme_id: i64,
        project: &Project,
        report: &mut ImportReport,
    ) -> Result<HashMap<Guid, i64>, StoreError> {
        let mut mapped = HashMap::new();
        for case in &project.cases {
            let element = format!("case {}", case.guid);
            let Ok(pseudonym) = Pseudonym::parse("pseudonym", &case.name) else {
                report.problem(&element, format!("its name is not a pseudonym Heard can keep (one line, at most {} characters): not imported", Pseudonym::MAX_CHARS));
                continue;
            };
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM participants WHERE programme_id = $1 AND pseudonym_key = $2")
                    .bind(programme_id)
                    .bind(pseudonym.key())
                    .fetch_optional(&mut *conn)
                    .await?;
            if let Some(id) = existing {
                report.participants.reused += 1;
                mapped.insert(case.guid.clone(), id);
                continue;
            }
            let kind = value_named(project, &case.values, KIND)
                .and_then(|v| word(ParticipantKind::ALL, &text_of(v), ParticipantKind::code, ParticipantKind::label))
                .unwrap_or(ParticipantKind::Other);
            let age_band = value_named(project, &case.values, AGE_BAND)
                .and_then(|v| word(AgeBand::ALL, &text_of(v), AgeBand::code, AgeBand::label));
            let area = value_named(project, &case.values, AREA).and_then(|v| area("area", &text_of(v)).ok().flatten());
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO participants (programme_id, pseudonym, pseudonym_key, kind, age_band, area, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(programme_id)
            .bind(pseudonym.as_str())
            .bind(pseudonym.key())
            .bind(kind.code())
            .bind(age_band.map(AgeBand::code))
            .bind(area)
            .bind(now())
            .fetch_one(&mut *conn)
            .await?;
            report.participants.created += 1;
            mapped.insert(case.guid.clone(), id);
        }
        Ok(mapped)
    }

    pub(super) async fn import_project(
        pool: &DbPool,
        programme_id: i64,
        project: &Project,
        prepared: Vec<Prepared>,
        by: i64,
        action: &str,
    ) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport::default();
        let mut tx = begin(pool).await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let users: Vec<(i64, String)> = sqlx::query_as("SELECT id, display_name FROM users ORDER BY id").fetch_all(&mut *tx).await?;
        // A REFI user is the Heard user of the same display name, else the importing researcher.
        let coder: HashMap<&str, i64> = project
            .users
            .iter()
            .filter_map(|u| users.iter().find(|(_, name)| *name == u.name).map(|(id, _)| (u.guid.as_str(), *id)))
            .collect();
        let who = |guid: &Option<Guid>| guid.as_deref().and_then(|g| coder.get(g).copied()).unwrap_or(by);

        let codes = import_codes(&mut tx, programme_id, &project.codes, by, &mut report).await?;
        let cases = import_cases(&mut tx, programme_id, project, &mut report).await?;

        // Who is heard in each source: the cases that hold it, or hold one of its excerpts.
        let mut heard: HashMap<&str, BTreeSet<i64>> = HashMap::new();
        for case in &project.cases {
            let Some(&participant) = cases.get(&case.guid) else { continue };
            for source in &case.sources {
                heard.entry(source.as_str()).or_default().insert(participant);
            }
            for excerpt in &case.excerpts {
                if let Some(source) = project.sources.iter().find(|s| s.excerpts.iter().any(|e| &e.guid == excerpt)) {
                    heard.entry(source.guid.as_str()).or_default().insert(participant);
                }
            }
        }

        let mut sources: HashMap<&str, i64> = HashMap::new();
        // Excerpts by their GUID and by their codings' GUIDs (a memo may be about a coding).
        let mut excerpts: HashMap<Guid, i64> = HashMap::new();
        let mut excerpt_memos: Vec<(i64, String, Option<Guid>, String)> = Vec::new();
        for (source, prep) in project.sources.iter().zip(prepared) {
            let element = format!("source \"{}\"", short(&source.name));
            if source.text.trim().is_empty() {
                report.problem(&element, "it has no text: not imported, nor anything coded in it");
                continue;
            }
            let chars = source.text.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(refuse(format!(
                    "{element} has {chars} characters; Heard keeps sources of at most {MAX_TEXT_CHARS}: split it and try again"
                )));
            }
            let kind = value_named(project, &source.values, SOURCE_KIND)
                .and_then(|v| word(SourceKind::ALL, &text_of(v), SourceKind::code, SourceKind::label))
                .filter(|k| *k != SourceKind::Film)
                .unwrap_or(SourceKind::InterviewTranscript);
            let collected_on = match value_named(project, &source.values, COLLECTED_ON) {
                Some(Value::Date(date)) => Some(*date),
                Some(Value::DateTime(at)) => Some(at.date()),
                _ => None,
            };
            let title = source_title("title", &source.name).unwrap_or_else(|_| {
                report.problem(&element, "its name is too long or not on one line for a title: a title was made from its kind");
                None
            });
            let mut attributes = BTreeMap::new();
            for v in &source.values {
                if let Some(var) = project.variables.iter().find(|var| var.guid == v.variable)
                    && squash(&var.name) != squash(SOURCE_KIND)
                    && squash(&var.name) != squash(COLLECTED_ON)
                {
                    attributes.insert(var.name.clone(), text_of(&v.value));
                }
            }
            let redacted = prep.screened.redacted().to_owned();
            let stored_title = title.clone().unwrap_or_else(|| heard_domain::voice::sources::default_title(kind, collected_on));
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM sources WHERE programme_id = $1 AND title = $2 AND original_text = $3 AND redacted_text = $4",
            )
            .bind(programme_id)
            .bind(&stored_title)
            .bind(&source.text)
            .bind(&redacted)
            .fetch_optional(&mut *tx)
            .await?;
            let source_id = match existing {
                Some(id) => {
                    report.sources.reused += 1;
                    id
                }
                None => {
                    let new = NewSource {
                        kind,
                        title: Some(stored_title),
                        text: prep.screened,
                        collected_on,
                        activity_id: None,
                        participant_ids: heard.get(source.guid.as_str()).map(|p| p.iter().copied().collect()).unwrap_or_default(),
                        attributes,
                        media: None,
                        cue_timings: None,
                    };
                    let id = <Conn as SourceInsert>::insert_source(&mut tx, programme_id, &new, who(&source.created_by)).await?;
                    report.sources.created += 1;
                    id
                }
            };
            sources.insert(source.guid.as_str(), source_id);

            // Whole-source codings become an excerpt of the whole text.
            let whole = (!source.codings.is_empty()).then(|| RefiExcerpt {
                guid: source.guid.clone(),
                name: None,
                description: None,
                start: 0,
                end: redacted.chars().count(),
                created_by: source.created_by.clone(),
                codings: source.codings.clone(),
            });
            let whole_place = whole.as_ref().map(|w| Some((w.start, w.end)));
            let all = source.excerpts.iter().zip(prep.places.iter().copied()).chain(whole.iter().zip(whole_place));
            for (excerpt, place) in all {
                let element = format!("selection {} in {element}", excerpt.guid);
                let Some((start, end)) = place else {
                    let why = if excerpt.start == excerpt.end {
                        "it is empty"
                    } else {
                        "its words include personal data Heard hid in the redacted text, so it has no place there"
                    };
                    report.problem(&element, format!("{why}: not imported, with its {} coding{}", excerpt.codings.len(), if excerpt.codings.len() == 1 { "" } else { "s" }));
                    continue;
                };
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT e.id FROM excerpts e JOIN sources s ON s.id = e.source_id WHERE e.source_id = $1
                     AND e.text_version = s.text_version AND e.start_char = $2 AND e.end_char = $3",
                )
                .bind(source_id)
                .bind(i64_of(start)?)
                .bind(i64_of(end)?)
                .fetch_optional(&mut *tx)
                .await?;
                let excerpt_id = match existing {
                    Some(id) => {
                        report.excerpts.reused += 1;
                        id
                    }
                    None => {
                        report.excerpts.created += 1;
                        tx.find_or_make_excerpt(programme_id, source_id, (start, end), Some(who(&excerpt.created_by))).await?
                    }
                };
                if excerpt.guid != source.guid {
                    excerpts.insert(excerpt.guid.clone(), excerpt_id);
                }
                for coding in &excerpt.codings {
                    excerpts.insert(coding.guid.clone(), excerpt_id);
                    let Some(&code_id) = codes.get(&coding.code) else { continue };
                    let coder = who(&coding.created_by);
                    let done: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM codings WHERE excerpt_id = $1 AND code_id = $2 AND coded_by = $3",
                    )
                    .bind(excerpt_id)
                    .bind(code_id)
                    .bind(coder)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if done.is_some() {
                        report.codings.reused += 1;
                    } else {
                        tx.apply_codes(programme_id, excerpt_id, &[code_id], Some(coder), false).await?;
                        report.codings.created += 1;
                    }
                }
                // QualCoder keeps a coding memo as the selection's description.
                if let Some(description) = excerpt.description.clone().filter(|d| !d.trim().is_empty()) {
                    excerpt_memos.push((excerpt_id, description, excerpt.created_by.clone(), element));
                }
            }
        }

        // Memos: one per thing a note is about.
        let mut memos: Vec<(MemoTarget, i64, String, i64, String)> = Vec::new();
        for memo in &project.memos {
            let element = format!("memo {}", memo.guid);
            let body = if memo.text.trim().is_empty() { memo.description.clone().unwrap_or_default() } else { memo.text.clone() };
            let mut targets = Vec::new();
            for about in &memo.about {
                if let Some(&id) = codes.get(about) {
                    targets.push((MemoTarget::Code, id));
                } else if let Some(&id) = sources.get(about.as_str()) {
                    targets.push((MemoTarget::Source, id));
                } else if let Some(&id) = excerpts.get(about) {
                    targets.push((MemoTarget::Excerpt, id));
                } else {
                    report.problem(&element, format!("it is about {about}, which was not imported: not attached there"));
                }
            }
            if targets.is_empty() {
                if memo.about_project || memo.about.is_empty() {
                    report.problem(&element, "it is about the project as a whole; Heard keeps memos on sources, codes and excerpts: not imported");
                }
                continue;
            }
            for (target, id) in targets {
                memos.push((target, id, body.clone(), who(&memo.created_by), element.clone()));
            }
        }
        for (excerpt_id, body, writer, element) in excerpt_memos {
            memos.push((MemoTarget::Excerpt, excerpt_id, body, who(&writer), element));
        }
        for (target, target_id, body, writer, element) in memos {
            let Ok(body) = memo_text("memo", &body) else {
                report.problem(&element, "its text is empty, too long or holds control characters: not imported");
                continue;
            };
            let column = match target {
                MemoTarget::Source => "source_id",
                MemoTarget::Code => "code_id",
                MemoTarget::Excerpt => "excerpt_id",
            };
            let existing: Option<i64> = sqlx::query_scalar(&format!(
                "SELECT id FROM memos WHERE programme_id = $1 AND {column} = $2 AND body = $3"
            ))
            .bind(programme_id)
            .bind(target_id)
            .bind(&body)
            .fetch_optional(&mut *tx)
            .await?;
            if existing.is_some() {
                report.memos.reused += 1;
                continue;
            }
            sqlx::query(&format!(
                "INSERT INTO memos (programme_id, {column}, body, written_by, written_at) VALUES ($1, $2, $3, $4, $5)"
            ))
            .bind(programme_id)
            .bind(target_id)
            .bind(&body)
            .bind(writer)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            report.memos.created += 1;
        }

        tx.append_audit(&AuditEntry::of_action(action, format!("programme {programme_id}")).by(by)).await?;
        tx.commit().await?;
        Ok(report)
    }
}

impl Store {
    /// The programme as a REFI-QDA project (see the module's notes). With `originals_by`, the
    /// researcher who asked for original text: the export is then audited in the same
    /// transaction, and refused (`Invalid` naming `include_originals`) if an excerpt cannot be
    /// placed in its original text. `NotFound` if there is no such programme.
    pub async fn export_project(
        &self,
        programme_id: i64,
        originals_by: Option<i64>,
    ) -> Result<ProjectExport, StoreError> {
        dispatch!(self, export_project(programme_id, originals_by))
    }

    /// The programme's codebook (its codes and the organisation's it uses) as a REFI-QDA codebook.
    pub async fn export_codebook(&self, programme_id: i64) -> Result<Codebook, StoreError> {
        let export = self.export_project(programme_id, None).await?;
        Ok(Codebook { origin: Some(ORIGIN.to_owned()), codes: export.project.codes })
    }

    /// Reads a project into the programme as `by`, in one transaction: all or nothing. What could
    /// not be taken in as it was is in the report's problems; a file Heard cannot keep at all is
    /// refused with `Invalid` naming `file` (the message says what and where), and nothing is
    /// stored.
    pub async fn import_project(
        &self,
        programme_id: i64,
        project: &Project,
        by: i64,
    ) -> Result<ImportReport, StoreError> {
        let mut names = self.known_names(programme_id).await?;
        names.extend(project.cases.iter().map(|c| c.name.trim().to_owned()).filter(|n| !n.is_empty()));
        let texts: Vec<(String, Vec<(usize, usize)>)> = project
            .sources
            .iter()
            .map(|s| (s.text.clone(), s.excerpts.iter().map(|e| (e.start, e.end)).collect()))
            .collect();
        // The detector is the costly part: it runs on a thread of its own, not the caller's task.
        let (sender, receiver) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = sender.send(screen_all(&names, texts));
        });
        let prepared = receiver.await.map_err(|_| refuse("the texts could not be screened".to_owned()))?;
        dispatch!(self, import_project(programme_id, project, prepared, by, "project.imported"))
    }

    /// Reads a codebook's codes into the programme's codebook as `by`, in one transaction; codes
    /// of the same name under the same parent are reused.
    pub async fn import_codebook(
        &self,
        programme_id: i64,
        codebook: &Codebook,
        by: i64,
    ) -> Result<ImportReport, StoreError> {
        let project = Project { codes: codebook.codes.clone(), ..Project::default() };
        dispatch!(self, import_project(programme_id, &project, Vec::new(), by, "codebook.imported"))
    }
}
