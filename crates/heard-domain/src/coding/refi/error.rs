//! Why a REFI-QDA file was refused or could not be written, in words a researcher understands.
//! Messages name the file part and the object (by GUID and name) but never quote source text.

/// Why a `.qdpx` or `.qdc` was refused, or a project could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RefiError {
    #[error("the file is not a .qdpx archive (a zip file): {0}")]
    NotAnArchive(String),
    #[error("the archive holds {count} files; Heard reads at most {limit}")]
    TooManyEntries { count: usize, limit: usize },
    #[error(
        "the archive holds a file named \"{name}\", which would be written outside its folder \
         (absolute paths, \"..\" and backslashes are refused)"
    )]
    UnsafeEntryName { name: String },
    #[error("the archive holds \"{name}\" twice")]
    DuplicateEntry { name: String },
    #[error("\"{name}\" in the archive is encrypted; Heard reads only unencrypted archives")]
    EncryptedEntry { name: String },
    #[error("\"{name}\" in the archive could not be read: {reason}")]
    UnreadableEntry { name: String, reason: String },
    #[error("\"{name}\" in the archive unpacks to more than {limit} bytes")]
    EntryTooLarge { name: String, limit: u64 },
    #[error("the archive unpacks to more than {limit} bytes in all")]
    ArchiveTooLarge { limit: u64 },
    #[error(
        "\"{name}\" in the archive unpacks to more than {limit} times its packed size, \
         as a zip bomb does"
    )]
    CompressionRatio { name: String, limit: u64 },
    #[error("the archive holds no project.qde, the project's XML")]
    MissingProject,
    #[error("{what} is not valid UTF-8 text")]
    InvalidUtf8 { what: String },
    #[error("{what} is not well-formed XML (near byte {position}): {reason}")]
    Xml { what: String, position: u64, reason: String },
    #[error(
        "{what} declares a document type (<!DOCTYPE>); Heard refuses these, as their entity \
         declarations can expand without bound"
    )]
    DocType { what: String },
    #[error("{what} uses the entity &{entity}; which XML does not define")]
    UnknownEntity { what: String, entity: String },
    #[error("{what} nests elements more than {limit} deep")]
    TooDeep { what: String, limit: usize },
    #[error("{what} is not a REFI-QDA {expected}: its root element is <{found}>")]
    NotRefi { what: String, expected: &'static str, found: String },
    #[error("{what} has no {attribute} attribute, which the standard requires")]
    MissingAttribute { what: String, attribute: &'static str },
    #[error("{what} has {attribute}=\"{value}\", which is not {expected}")]
    InvalidAttribute { what: String, attribute: &'static str, value: String, expected: &'static str },
    #[error("{what} has a value that is not {expected}")]
    InvalidValue { what: String, expected: &'static str },
    #[error("{what} lacks its <{element}> element")]
    MissingElement { what: String, element: &'static str },
    #[error("GUID {guid} is used twice: by {first} and by {second}")]
    DuplicateGuid { guid: String, first: String, second: String },
    #[error("{what} refers to {kind} {guid}, which the project does not hold")]
    UnknownReference { what: String, kind: &'static str, guid: String },
    #[error("{what} in source \"{source_name}\" starts at character {start} but ends at {end}")]
    StartAfterEnd { what: String, source_name: String, start: usize, end: usize },
    #[error(
        "{what} in source \"{source_name}\" ends at character {end} but the text has {length} \
         characters"
    )]
    OutOfRange { what: String, source_name: String, end: usize, length: usize },
    #[error("source \"{source_name}\" has no text: neither <PlainTextContent> nor plainTextPath")]
    NoText { source_name: String },
    #[error("{what} points at {path}, outside the archive; Heard reads only internal:// files")]
    ExternalFile { what: String, path: String },
    #[error("{what} points at {path}, which the archive does not hold")]
    MissingFile { what: String, path: String },
    #[error("{what} is longer than {limit} bytes")]
    TextTooLarge { what: String, limit: u64 },
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
}
