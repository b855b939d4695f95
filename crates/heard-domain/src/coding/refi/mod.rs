//! REFI-QDA interchange, a pure format layer: a project as a `.qdpx` (a zip of `project.qde` and
//! `sources/`) and a codebook as a `.qdc`, read and written from and to plain [`Project`] and
//! [`Codebook`] values, with no storage behind them.
//!
//! The standard is REFI-QDA 1.5 "Project Exchange" (namespace `urn:QDA-XML:project:1.0`, schema
//! `Project-mrt2019.xsd`) and "Codebook Exchange" (`urn:QDA-XML:codebook:1.0`, `Codebook.xsd`),
//! published by the Rotterdam Exchange Format Initiative at <https://www.qdasoftware.org/>.
//!
//! What Heard writes: `project.qde` at the archive's root, each text source as
//! `sources/<guid>.txt` (UTF-8, no byte order mark) referenced as `plainTextPath="internal://..."`
//! and never a `richTextPath`, excerpt offsets counted in Unicode scalar values as the standard
//! says, memos inline as `<PlainTextContent>`. Output depends only on the input: no clock, no
//! random GUIDs, fixed zip timestamps.
//!
//! What Heard reads: the same, plus text inline as `<PlainTextContent>`, QualCoder's shape (a
//! `Sources/` folder, one selection per coding, notes as files) and Taguette's codebook (flat,
//! uppercase GUIDs, an empty `<Sets/>`). An untrusted file is refused whole, never returned half
//! read: see [`Limits`] and [`RefiError`].

mod check;
mod error;
mod model;
mod read;
mod write;
mod xml;

pub use error::RefiError;
pub use model::{
    Case, Code, Codebook, Coding, Excerpt, Guid, Imported, LeftOut, Memo, Project, Source, User, Value, Variable,
    VariableKind, VariableValue,
};
pub use read::{read_qdc, read_qdpx, read_qdpx_with};
pub use write::{codebook_xml, project_xml, write_qdc, write_qdpx};
pub use xml::MAX_DEPTH;

/// The project namespace (REFI-QDA Project Exchange 1.0).
pub const PROJECT_NAMESPACE: &str = "urn:QDA-XML:project:1.0";
/// The codebook namespace (REFI-QDA Codebook Exchange 1.0).
pub const CODEBOOK_NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

/// How much an untrusted `.qdpx` may hold before it is refused. The defaults fit a large
/// qualitative project (thousands of interviews) and stop zip bombs well before memory runs out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Files in the archive, folders included.
    pub max_entries: usize,
    /// Bytes unpacked from the archive in all (only the files Heard reads are unpacked).
    pub max_total_bytes: u64,
    /// Bytes of `project.qde` unpacked.
    pub max_project_bytes: u64,
    /// Bytes of one source's or memo's text, inline or as a file.
    pub max_text_bytes: u64,
    /// Unpacked bytes per packed byte, checked as the bytes come (not from the zip's headers,
    /// which a bomb can fake) once a file passes [`Limits::ratio_floor`].
    pub max_ratio: u64,
    /// Below this many unpacked bytes a file is not checked for ratio: small repetitive files
    /// legitimately pack very well.
    pub ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Limits {
            max_entries: 20_000,
            max_total_bytes: 512 * MIB,
            max_project_bytes: 128 * MIB,
            max_text_bytes: 16 * MIB,
            max_ratio: 200,
            ratio_floor: MIB,
        }
    }
}

/// A new random GUID (UUID version 4) in the canonical form [`Guid`] describes.
pub fn new_guid() -> Guid {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// `text` as a canonical [`Guid`], if it is a GUID in any form the standard's `GUIDType` allows
/// (hyphenated, optionally in braces, either case).
pub fn canonical_guid(text: &str) -> Option<Guid> {
    let text = text.trim();
    let inner = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(text);
    // The schema's pattern wants the hyphenated form; uuid also takes 32 bare hex digits and URNs.
    if inner.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(inner).ok().map(|guid| guid.hyphenated().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_made_canonical() {
        assert_eq!(
            canonical_guid("{0D62985D-B147-5D01-A9B5-CAE5DCD98342}").as_deref(),
            Some("0d62985d-b147-5d01-a9b5-cae5dcd98342")
        );
        assert_eq!(canonical_guid("0d62985db1475d01a9b5cae5dcd98342"), None);
        assert_eq!(canonical_guid("not a guid"), None);
        let guid = new_guid();
        assert_eq!(canonical_guid(&guid), Some(guid));
    }
}
