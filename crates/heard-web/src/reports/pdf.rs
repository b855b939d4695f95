//! The programme report as PDF, typeset in-process with Typst as a library. `report.typ` beside this
//! file lays it out; it reads the [`Report`] as `data.json` (so no text is ever spliced into markup)
//! and draws the pictures from their SVG. The only fonts are DejaVu Sans from the `dejavu` crate,
//! embedded in the binary, so a server with no fonts installed makes the same PDF. Typst gives the
//! headings as PDF bookmarks, a tagged PDF and selectable text.

use std::path::PathBuf;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use super::{Report, ReportError};

/// The layout, in Typst markup.
const TEMPLATE: &str = include_str!("report.typ");
const MAIN: &str = "/report.typ";
const DATA: &str = "/data.json";

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let faces = [dejavu::sans::regular(), dejavu::sans::bold(), dejavu::sans::oblique(), dejavu::sans::bold_oblique()];
    let fonts: Vec<Font> = faces.into_iter().flat_map(|face| Font::iter(Bytes::new(face))).collect();
    Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::builder().build()));

fn file_id(path: &str) -> Result<FileId, ReportError> {
    let path = VirtualPath::new(path).map_err(|e| ReportError::Typeset(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, path).intern())
}

/// What Typst may read: the layout and the report's data, nothing from disk or the network.
struct ReportWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: time::Date,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(not_found(id)) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::new(TEMPLATE.as_bytes()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(self.today.year(), self.today.month().into(), self.today.day())
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(PathBuf::from(id.get().vpath().get_with_slash()))
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; ")
}

/// Typesets the report as PDF.
pub fn typeset(report: &Report) -> Result<Vec<u8>, ReportError> {
    let data = serde_json::to_vec(report).map_err(|e| ReportError::Typeset(e.to_string()))?;
    let world = ReportWorld {
        main: Source::new(file_id(MAIN)?, TEMPLATE.to_owned()),
        data_id: file_id(DATA)?,
        data: Bytes::new(data),
        today: time::OffsetDateTime::now_utc().date(),
    };
    let document = typst::compile::<PagedDocument>(&world).output.map_err(|e| ReportError::Typeset(messages(&e)));
    // Typst memoises across compilations; a server makes many reports, so keep only the last few.
    typst::comemo::evict(4);
    let options =
        PdfOptions { ident: Smart::Custom(format!("heard-report-{}", report.programme.slug)), ..PdfOptions::default() };
    typst_pdf::pdf(&document?, &options).map_err(|e| ReportError::Typeset(messages(&e)))
}
