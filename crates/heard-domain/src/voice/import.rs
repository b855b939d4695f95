//! Importing sources from CSV, XLSX and JSON Lines with a column mapping.
//!
//! This is the parsing and checking half of `heard import sources` and the web upload: it turns a
//! file into [`SourceRow`]s and [`Problem`]s and leaves storing them to the caller, who inserts
//! every row in one transaction or none (or, with `--skip-invalid`, the good rows and a list of
//! the rejects). Problems say where (row and column, as a spreadsheet user counts them) and what,
//! and never quote a cell, which may hold personal data.
//!
//! CSV and JSON Lines are read row by row from any [`Read`], so a large file is never held whole
//! in memory (one CSV cell is, however long: the caller's upload limit bounds it). An XLSX file is
//! a zip archive, which needs [`Seek`]: [`read_sheet`] takes a seekable reader, and [`read_each`]
//! reads XLSX input into memory first.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Cursor, Read, Seek};

use time::{Date, Month};

pub use super::sources::{MAX_TEXT_CHARS, SourceKind};

/// The longest any other cell may be, in bytes of UTF-8.
pub const MAX_CELL_BYTES: usize = 1024 * 1024;
/// The longest line of a JSON Lines file, in bytes: a line holds a whole row.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    Csv,
    Xlsx,
    JsonLines,
}

impl ImportFormat {
    /// The format a file name or extension names (`csv`, `xlsx`, `jsonl` or `ndjson`), any case,
    /// with or without the dot.
    pub fn from_extension(name: &str) -> Option<Self> {
        let extension = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            _ => None,
        }
    }
}

/// The columns (CSV and XLSX header cells; JSON Lines keys) holding each field of a source. Every
/// other column is kept as an attribute.
///
/// Names match case-insensitively, ignoring surrounding spaces, with `_`, `-` and space alike.
/// A field named as in [`ColumnMapping::default`] also matches common alternatives: text matches
/// `story`, `comment`, `comments` or `response`; kind matches `type`; the participant's
/// pseudonym matches `participant`. A field named otherwise must be found as named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    pub text: String,
    pub kind: Option<String>,
    pub date: Option<String>,
    pub participant_pseudonym: Option<String>,
    pub participant_kind: Option<String>,
    pub title: Option<String>,
}

impl Default for ColumnMapping {
    fn default() -> Self {
        Self {
            text: "text".to_owned(),
            kind: Some("kind".to_owned()),
            date: Some("date".to_owned()),
            participant_pseudonym: Some("pseudonym".to_owned()),
            participant_kind: Some("participant_kind".to_owned()),
            title: Some("title".to_owned()),
        }
    }
}

/// The alternatives each default column name also matches.
const ALTERNATIVES: [(&str, &[&str]); 6] = [
    ("text", &["story", "comment", "comments", "response"]),
    ("kind", &["type", "source kind"]),
    ("date", &[]),
    ("pseudonym", &["participant", "participant pseudonym"]),
    ("participant_kind", &["participant type"]),
    ("title", &[]),
];

/// One source read from a file, checked and ready to store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceRow {
    /// Where it came from: the spreadsheet row (the header is row 1), or the JSON Lines line.
    pub row: usize,
    pub text: String,
    pub kind: SourceKind,
    pub date: Option<Date>,
    /// The participant's pseudonym and, if given, their kind as written.
    pub participant: Option<(String, Option<String>)>,
    pub title: Option<String>,
    /// Every other non-empty cell, by its column's name.
    pub attributes: BTreeMap<String, String>,
}

/// Something wrong with a file or one of its rows. Never quotes a cell's content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The spreadsheet row, as its user counts (the header is row 1, the first data row 2); in
    /// JSON Lines, the line. `None` for the file as a whole.
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    fn file(message: impl Into<String>) -> Self {
        Self { row: None, column: None, message: message.into() }
    }

    fn row(row: usize, message: impl Into<String>) -> Self {
        Self { row: Some(row), column: None, message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, &self.column) {
            (Some(row), Some(column)) => write!(f, "row {row}, column {column}: {}", self.message),
            (Some(row), None) => write!(f, "row {row}: {}", self.message),
            (None, Some(column)) => write!(f, "column {column}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Everything read from a file: the valid rows and the problems. A row with a problem is not in
/// `rows`, so a dry run prints `problems` and `--skip-invalid` stores `rows`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub rows: Vec<SourceRow>,
    pub problems: Vec<Problem>,
}

impl ImportReport {
    /// True when every row was read and valid, so the whole file may be imported.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads a whole file held in memory. XLSX reads its first sheet.
pub fn read(bytes: &[u8], format: ImportFormat, mapping: &ColumnMapping, default_kind: SourceKind) -> ImportReport {
    let mut report = ImportReport::default();
    let mut collect = |item| collect_into(&mut report, item);
    match format {
        ImportFormat::Xlsx => read_sheet(Cursor::new(bytes), None, mapping, default_kind, &mut collect),
        _ => read_each(bytes, format, mapping, default_kind, &mut collect),
    }
    report
}

/// Reads a file from `reader`, row by row for CSV and JSON Lines, collecting the report.
pub fn read_from<R: Read>(
    reader: R,
    format: ImportFormat,
    mapping: &ColumnMapping,
    default_kind: SourceKind,
) -> ImportReport {
    let mut report = ImportReport::default();
    read_each(reader, format, mapping, default_kind, |item| collect_into(&mut report, item));
    report
}

fn collect_into(report: &mut ImportReport, item: Result<SourceRow, Problem>) {
    match item {
        Ok(row) => report.rows.push(row),
        Err(problem) => report.problems.push(problem),
    }
}

/// Reads a file and hands each valid row or each problem to `each` as soon as it is found, so a
/// caller can store rows (or show progress) without holding them all. A row with several problems
/// gives several `Err`s. XLSX input is read into memory first (see [`read_sheet`]).
pub fn read_each<R: Read>(
    mut reader: R,
    format: ImportFormat,
    mapping: &ColumnMapping,
    default_kind: SourceKind,
    mut each: impl FnMut(Result<SourceRow, Problem>),
) {
    match format {
        ImportFormat::Csv => read_csv(reader, mapping, default_kind, &mut each),
        ImportFormat::JsonLines => read_json_lines(reader, mapping, default_kind, &mut each),
        ImportFormat::Xlsx => {
            let mut bytes = Vec::new();
            match reader.read_to_end(&mut bytes) {
                Ok(_) => read_sheet(Cursor::new(bytes), None, mapping, default_kind, each),
                Err(error) => each(Err(Problem::file(format!("the file could not be read: {error}")))),
            }
        }
    }
}

/// Reads one sheet of an XLSX workbook: the one named `sheet`, or the first. The sheet's first
/// non-empty row is its header row.
pub fn read_sheet<R: Read + Seek>(
    reader: R,
    sheet: Option<&str>,
    mapping: &ColumnMapping,
    default_kind: SourceKind,
    mut each: impl FnMut(Result<SourceRow, Problem>),
) {
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<R> = match calamine::open_workbook_from_rs(reader) {
        Ok(workbook) => workbook,
        Err(_) => return each(Err(damaged())),
    };
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|name| name.as_str() == wanted)
            .or_else(|| names.iter().find(|name| name.trim().eq_ignore_ascii_case(wanted.trim()))),
        None => names.first(),
    };
    let Some(name) = name else {
        let message = match sheet {
            Some(wanted) => format!("there is no sheet named “{wanted}”; the sheets are: {}", names.join(", ")),
            None => "the workbook has no sheets".to_owned(),
        };
        return each(Err(Problem::file(message)));
    };
    let range = match workbook.worksheet_range(name) {
        Ok(range) => range,
        Err(_) => return each(Err(damaged())),
    };
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return each(Err(Problem::file(format!("the sheet “{name}” is empty: expected a header row"))));
    };
    let headers: Vec<String> = header.iter().map(|data| spreadsheet_cell(data).text).collect();
    let columns = match Columns::resolve(mapping, &headers, true) {
        Ok(columns) => columns,
        Err(problem) => return each(Err(problem)),
    };
    for (index, cells) in rows.enumerate() {
        // The header is at first_row (0-based); the sheet's rows count from 1.
        let row = first_row + index + 2;
        let cells: Vec<Cell> = cells.iter().map(spreadsheet_cell).collect();
        emit(build_row(row, &cells, &columns, default_kind), &mut each);
    }
}

/// The names of an XLSX workbook's sheets, in order, so a caller can offer a choice.
pub fn sheet_names<R: Read + Seek>(reader: R) -> Result<Vec<String>, Problem> {
    use calamine::Reader as _;
    let workbook: calamine::Xlsx<R> = calamine::open_workbook_from_rs(reader).map_err(|_| damaged())?;
    Ok(workbook.sheet_names())
}

// Parser errors are not shown: they may quote the file's XML.
fn damaged() -> Problem {
    Problem::file("the file is not an XLSX workbook, or it is damaged: open it and save it again as .xlsx")
}

/// A cell's value as text, and the date an Excel date cell holds.
#[derive(Debug, Default)]
struct Cell {
    text: String,
    date: Option<Date>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), date: None }
    }
}

fn spreadsheet_cell(data: &calamine::Data) -> Cell {
    use calamine::Data;
    match data {
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::text(text.as_str()),
        Data::Int(number) => Cell::text(number.to_string()),
        // Whole numbers as Excel shows them: 42, not 42.0.
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => Cell::text(format!("{number:.0}")),
        Data::Float(number) => Cell::text(number.to_string()),
        Data::Bool(value) => Cell::text(if *value { "TRUE" } else { "FALSE" }),
        Data::DateTime(datetime) if datetime.is_datetime() => {
            let (year, month, day, hour, minute, second, milli) = datetime.to_ymd_hms_milli();
            let date = Month::try_from(month)
                .ok()
                .and_then(|month| Date::from_calendar_date(i32::from(year), month, day).ok());
            let text = if (hour, minute, second, milli) == (0, 0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
            };
            Cell { text, date }
        }
        Data::DateTime(duration) => Cell::text(duration.as_f64().to_string()),
        Data::Error(error) => Cell::text(error.to_string()),
        Data::Empty => Cell::default(),
    }
}

fn read_csv<R: Read>(
    reader: R,
    mapping: &ColumnMapping,
    default_kind: SourceKind,
    each: &mut dyn FnMut(Result<SourceRow, Problem>),
) {
    let not_utf8 = "the file is not UTF-8: save it as CSV UTF-8";
    let mut reader = BufReader::new(reader);
    if let Err(error) = skip_bom(&mut reader) {
        return each(Err(Problem::file(format!("the file could not be read: {error}"))));
    }
    // Flexible, so that a ragged row is this module's problem with its row number, not csv's error.
    let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut record = csv::ByteRecord::new();
    match csv.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return each(Err(Problem::file("the file is empty: expected a header row"))),
        Err(error) => return each(Err(Problem::file(format!("the file could not be read: {error}")))),
    }
    let Ok(headers) = record.iter().map(|h| std::str::from_utf8(h).map(str::to_owned)).collect::<Result<Vec<_>, _>>()
    else {
        return each(Err(Problem::file(not_utf8)));
    };
    let columns = match Columns::resolve(mapping, &headers, true) {
        Ok(columns) => columns,
        Err(problem) => return each(Err(problem)),
    };
    // csv skips blank lines, so rows count records: the same as a spreadsheet's rows unless a
    // quoted cell holds a line break (one record, one row) or the file has blank lines.
    let mut row = 1;
    loop {
        row += 1;
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => return each(Err(Problem::row(row, format!("the file could not be read: {error}")))),
        }
        if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        // Extra cells that are empty (trailing commas) are harmless; missing or extra data is not.
        let used = record.iter().rposition(|cell| !cell.is_empty()).map_or(0, |i| i + 1);
        if record.len() < headers.len() || used > headers.len() {
            let cells = if record.len() < headers.len() { record.len() } else { used };
            let plural = if cells == 1 { "" } else { "s" };
            let message = format!("this row has {cells} cell{plural} but the header row has {}", headers.len());
            each(Err(Problem::row(row, message)));
            continue;
        }
        let mut cells = Vec::with_capacity(headers.len());
        let mut utf8 = true;
        for (index, cell) in record.iter().take(headers.len()).enumerate() {
            match std::str::from_utf8(cell) {
                Ok(text) => cells.push(Cell::text(text)),
                Err(_) => {
                    utf8 = false;
                    each(Err(Problem {
                        row: Some(row),
                        column: Some(columns.names[index].clone()),
                        message: "the cell is not UTF-8 text: save the file as CSV UTF-8".to_owned(),
                    }));
                }
            }
        }
        if utf8 {
            emit(build_row(row, &cells, &columns, default_kind), each);
        }
    }
}

fn skip_bom<R: Read>(reader: &mut BufReader<R>) -> std::io::Result<()> {
    // A buffer of at least 3 bytes holds the whole mark, unless the file is shorter.
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

fn read_json_lines<R: Read>(
    reader: R,
    mapping: &ColumnMapping,
    default_kind: SourceKind,
    each: &mut dyn FnMut(Result<SourceRow, Problem>),
) {
    let mut reader = BufReader::new(reader);
    if let Err(error) = skip_bom(&mut reader) {
        return each(Err(Problem::file(format!("the file could not be read: {error}"))));
    }
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        number += 1;
        line.clear();
        let too_long = match read_line(&mut reader, &mut line, MAX_LINE_BYTES) {
            Ok(None) => break,
            Ok(Some(too_long)) => too_long,
            Err(error) => return each(Err(Problem::row(number, format!("the file could not be read: {error}")))),
        };
        if too_long {
            each(Err(Problem::row(number, "the line is longer than the limit of 16 MB")));
            continue;
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            each(Err(Problem::row(number, "the line is not UTF-8 text")));
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(object)) => object,
            Ok(_) => {
                each(Err(Problem::row(number, "each line must be a JSON object, like {\"text\": \"...\"}")));
                continue;
            }
            Err(error) => {
                each(Err(Problem::row(number, json_message(&error))));
                continue;
            }
        };
        let headers: Vec<String> = object.keys().cloned().collect();
        let columns = match Columns::resolve(mapping, &headers, false) {
            Ok(columns) => columns,
            Err(problem) => {
                each(Err(Problem { row: Some(number), ..problem }));
                continue;
            }
        };
        let cells: Vec<Cell> = object.into_iter().map(|(_, value)| json_cell(value)).collect();
        emit(build_row(number, &cells, &columns, default_kind), each);
    }
}

/// Reads one line (without its `\n` or `\r\n`) into `line`; `None` at the end of the input. A line
/// longer than `limit` is consumed but not kept, and reported as `Some(true)`.
fn read_line<R: BufRead>(reader: &mut R, line: &mut Vec<u8>, limit: usize) -> std::io::Result<Option<bool>> {
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, used, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(end) => (&buffer[..end], end + 1, true),
            None => (buffer, buffer.len(), false),
        };
        if !too_long {
            if line.len() + chunk.len() > limit {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if done {
            break;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(read_any.then_some(too_long))
}

/// serde_json's description of a syntax error, which names what was expected and never the value.
fn json_message(error: &serde_json::Error) -> String {
    let description = error.to_string();
    // "EOF while parsing an object at line 1 column 12": the line is ours, the column is useful.
    let description = description.rfind(" at line ").map_or(description.as_str(), |at| &description[..at]);
    match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not valid JSON: {description} at column {}", error.column())
        }
        _ => "not valid JSON".to_owned(),
    }
}

fn json_cell(value: serde_json::Value) -> Cell {
    match value {
        serde_json::Value::String(text) => Cell::text(text),
        serde_json::Value::Null => Cell::default(),
        other => Cell::text(other.to_string()),
    }
}

/// The mapping's fields found among one file's (or one JSON line's) column names.
struct Columns {
    /// Each column's name for attributes and problems: trimmed, unique, never empty.
    names: Vec<String>,
    text: usize,
    kind: Option<usize>,
    date: Option<usize>,
    pseudonym: Option<usize>,
    participant_kind: Option<usize>,
    title: Option<usize>,
}

/// How column names compare: case, surrounding spaces, and `_`/`-`/space do not matter.
fn normalise(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Columns {
    /// `strict`: a field the mapping names explicitly must be present (CSV and XLSX headers);
    /// in JSON Lines a key may be missing from a line.
    fn resolve(mapping: &ColumnMapping, headers: &[String], strict: bool) -> Result<Self, Problem> {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h.trim_start_matches('\u{FEFF}'))).collect();
        let mut names: Vec<String> = Vec::with_capacity(headers.len());
        for (index, header) in headers.iter().enumerate() {
            let header = header.trim_start_matches('\u{FEFF}').trim();
            let base = if header.is_empty() { format!("column {}", index + 1) } else { header.to_owned() };
            let mut name = base.clone();
            let mut copy = 1;
            while names.contains(&name) {
                copy += 1;
                name = format!("{base} ({copy})");
            }
            names.push(name);
        }
        let found = |wanted: &str| -> Option<usize> {
            let position = |name: &str| normalised.iter().position(|h| *h == normalise(name));
            position(wanted).or_else(|| {
                let (_, alternatives) =
                    ALTERNATIVES.iter().find(|(default, _)| normalise(default) == normalise(wanted))?;
                alternatives.iter().find_map(|alternative| position(alternative))
            })
        };
        let listed = || {
            let listed: Vec<&str> = headers.iter().map(|h| h.trim()).filter(|h| !h.is_empty()).collect();
            if listed.is_empty() { "none".to_owned() } else { listed.join(", ") }
        };
        let Some(text) = found(&mapping.text) else {
            let alternatives = ALTERNATIVES
                .iter()
                .find(|(default, _)| normalise(default) == normalise(&mapping.text))
                .map(|(_, alternatives)| format!(" (or {})", alternatives.join(", ")))
                .unwrap_or_default();
            let message = format!(
                "there is no text column: expected a column named {}{alternatives}; the columns are: {}",
                mapping.text,
                listed()
            );
            return Err(Problem::file(message));
        };
        let defaults = ColumnMapping::default();
        let optional = |wanted: &Option<String>, default: &Option<String>| -> Result<Option<usize>, Problem> {
            let Some(wanted) = wanted else { return Ok(None) };
            match found(wanted) {
                Some(index) => Ok(Some(index)),
                None if !strict || default.as_deref().map(normalise) == Some(normalise(wanted)) => Ok(None),
                None => Err(Problem::file(format!("there is no column named {wanted}; the columns are: {}", listed()))),
            }
        };
        Ok(Self {
            text,
            kind: optional(&mapping.kind, &defaults.kind)?,
            date: optional(&mapping.date, &defaults.date)?,
            pseudonym: optional(&mapping.participant_pseudonym, &defaults.participant_pseudonym)?,
            participant_kind: optional(&mapping.participant_kind, &defaults.participant_kind)?,
            title: optional(&mapping.title, &defaults.title)?,
            names,
        })
    }
}

fn emit(result: Result<SourceRow, Vec<Problem>>, each: &mut dyn FnMut(Result<SourceRow, Problem>)) {
    match result {
        Ok(row) => each(Ok(row)),
        Err(problems) => problems.into_iter().for_each(|problem| each(Err(problem))),
    }
}

/// Checks one data row's cells against the columns. A blank row gives `Err` with no problems.
fn build_row(
    row: usize,
    cells: &[Cell],
    columns: &Columns,
    default_kind: SourceKind,
) -> Result<SourceRow, Vec<Problem>> {
    let empty = Cell::default();
    let cell = |index: usize| cells.get(index).unwrap_or(&empty);
    let value = |index: Option<usize>| index.map(|i| cell(i).text.trim()).filter(|text| !text.is_empty());
    if cells.iter().all(|cell| cell.text.trim().is_empty()) {
        // A blank row, as spreadsheets often have at the end: nothing to import, nothing wrong.
        return Err(Vec::new());
    }
    let mut problems = Vec::new();
    let mut problem = |index: usize, message: String| {
        problems.push(Problem { row: Some(row), column: Some(columns.names[index].clone()), message });
    };
    for (index, cell) in cells.iter().enumerate() {
        if index != columns.text && cell.text.len() > MAX_CELL_BYTES {
            problem(index, "the cell is longer than the limit of 1 MB".to_owned());
        }
    }
    let text = cell(columns.text).text.trim();
    if text.is_empty() {
        problem(columns.text, "the text is empty".to_owned());
    } else if text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS {
        problem(columns.text, "the cell is longer than the limit of 100,000 characters".to_owned());
    }
    let kind = match value(columns.kind) {
        None => Some(default_kind),
        Some(raw) => {
            let kind = SourceKind::ALL
                .iter()
                .copied()
                .find(|kind| normalise(raw) == normalise(kind.code()) || normalise(raw) == normalise(kind.label()));
            if kind.is_none()
                && let Some(index) = columns.kind
            {
                let codes: Vec<&str> = SourceKind::ALL.iter().map(|kind| kind.code()).collect();
                problem(index, format!("not a known kind of source (use one of: {})", codes.join(", ")));
            }
            kind
        }
    };
    let date = match columns.date {
        Some(index) if cell(index).date.is_some() => cell(index).date,
        Some(index) => match value(Some(index)) {
            None => None,
            Some(raw) => {
                let date = parse_date(raw);
                if date.is_none() {
                    problem(index, "not a date: use the form YYYY-MM-DD or DD/MM/YYYY".to_owned());
                }
                date
            }
        },
        None => None,
    };
    let pseudonym = value(columns.pseudonym);
    let participant =
        pseudonym.map(|pseudonym| (pseudonym.to_owned(), value(columns.participant_kind).map(str::to_owned)));
    let title = value(columns.title).map(str::to_owned);
    // A participant's kind with no pseudonym has no participant to describe: keep it as an attribute.
    let mapped = [
        Some(columns.text),
        columns.kind,
        columns.date,
        columns.pseudonym,
        columns.participant_kind.filter(|_| pseudonym.is_some()),
        columns.title,
    ];
    let attributes = cells
        .iter()
        .enumerate()
        .filter(|(index, cell)| !mapped.contains(&Some(*index)) && !cell.text.trim().is_empty())
        .map(|(index, cell)| (columns.names[index].clone(), cell.text.trim().to_owned()))
        .collect();
    match kind {
        Some(kind) if problems.is_empty() => {
            Ok(SourceRow { row, text: text.to_owned(), kind, date, participant, title, attributes })
        }
        _ => Err(problems),
    }
}

/// `YYYY-MM-DD` or `DD/MM/YYYY` (day and month may have one digit), optionally followed by a time,
/// as spreadsheets and survey tools export dates.
fn parse_date(raw: &str) -> Option<Date> {
    let date = raw.trim().split(['T', ' ']).next()?;
    let number = |part: &str, lengths: std::ops::RangeInclusive<usize>| -> Option<u16> {
        (lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())).then(|| part.parse().ok())?
    };
    let parts: Vec<&str> = date.split(['-', '/']).collect();
    let [first, second, third] = parts.as_slice() else { return None };
    let (year, month, day) = if date.contains('-') && !date.contains('/') {
        (number(first, 4..=4)?, number(second, 1..=2)?, number(third, 1..=2)?)
    } else if date.contains('/') && !date.contains('-') {
        (number(third, 4..=4)?, number(second, 1..=2)?, number(first, 1..=2)?)
    } else {
        return None;
    };
    if !(1900..=2200).contains(&year) {
        return None;
    }
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn csv(text: &str) -> ImportReport {
        read(text.as_bytes(), ImportFormat::Csv, &ColumnMapping::default(), SourceKind::Story)
    }

    fn messages(report: &ImportReport) -> Vec<String> {
        report.problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_csv_with_bom_crlf_and_quoted_multi_line_cells() {
        let file = "\u{FEFF}Story,Type,Date,Participant,Participant kind,Area,Title\r\n\
                    \"We waited, and waited.\r\nThen help came.\",interview transcript,2024-05-01,P-07,carer,North,\"Waiting\"\r\n\
                    Short one,,19/5/2014,,parent,,\r\n\
                    ,,,,,,\r\n\
                    Third,Survey_Response,,,,South,\r\n";
        let report = csv(file);
        assert_eq!(report.problems, []);
        assert!(report.is_clean());
        let [first, second, third] = report.rows.as_slice() else { panic!("three rows: {report:?}") };
        assert_eq!(first.row, 2);
        assert_eq!(first.text, "We waited, and waited.\r\nThen help came.");
        assert_eq!(first.kind, SourceKind::InterviewTranscript);
        assert_eq!(first.date, Some(date!(2024 - 05 - 01)));
        assert_eq!(first.participant, Some(("P-07".to_owned(), Some("carer".to_owned()))));
        assert_eq!(first.title.as_deref(), Some("Waiting"));
        assert_eq!(first.attributes, BTreeMap::from([("Area".to_owned(), "North".to_owned())]));
        assert_eq!((second.row, second.kind, second.date), (3, SourceKind::Story, Some(date!(2014 - 05 - 19))));
        assert_eq!(second.participant, None);
        // A participant's kind with no pseudonym is kept, as an attribute.
        assert_eq!(second.attributes, BTreeMap::from([("Participant kind".to_owned(), "parent".to_owned())]));
        assert_eq!((third.row, third.kind), (5, SourceKind::SurveyResponse));
    }

    #[test]
    fn reports_each_bad_row_without_quoting_it() {
        let file = "text,kind,date,notes\n\
                    fine,story,2024-01-31,\n\
                    Jane Doe of 1 High St,story\n\
                    ,story,,\n\
                    Jane Doe said,Jane Doe,2024-01-01,\n\
                    Jane Doe again,story,31/02/2024,\n\
                    Jane Doe extra,story,2024-01-01,x,Jane Doe\n\
                    \"Jane Doe, alone\"\n\
                    trailing commas are fine,story,,,,\n";
        let report = csv(file);
        assert_eq!(report.rows.iter().map(|row| row.row).collect::<Vec<_>>(), [2, 9]);
        assert_eq!(
            messages(&report),
            [
                "row 3: this row has 2 cells but the header row has 4",
                "row 4, column text: the text is empty",
                "row 5, column kind: not a known kind of source (use one of: story, interview_transcript, field_note, observation, listening_event_note, survey_response, film)",
                "row 6, column date: not a date: use the form YYYY-MM-DD or DD/MM/YYYY",
                "row 7: this row has 5 cells but the header row has 4",
                "row 8: this row has 1 cell but the header row has 4",
            ]
        );
        assert!(!report.is_clean());
        assert!(report.problems.iter().all(|problem| !problem.message.contains("Jane")));
    }

    #[test]
    fn names_the_missing_text_column_and_the_headers_found() {
        let report = csv("id,when,who\n1,2024-01-01,P-1\n");
        assert_eq!(report.rows, []);
        assert_eq!(
            messages(&report),
            [
                "there is no text column: expected a column named text (or story, comment, comments, response); the columns are: id, when, who"
            ]
        );
        let mapping =
            ColumnMapping { text: "Narrative".to_owned(), date: Some("When".to_owned()), ..Default::default() };
        let report = read(b"narrative,when\nhello,01/02/2024\n", ImportFormat::Csv, &mapping, SourceKind::FieldNote);
        assert_eq!((report.rows[0].kind, report.rows[0].date), (SourceKind::FieldNote, Some(date!(2024 - 02 - 01))));
        let mapping = ColumnMapping { date: Some("Recorded on".to_owned()), ..Default::default() };
        let report = read(b"text\nhello\n", ImportFormat::Csv, &mapping, SourceKind::Story);
        assert_eq!(messages(&report), ["there is no column named Recorded on; the columns are: text"]);
        assert_eq!(messages(&csv("")), ["the file is empty: expected a header row"]);
    }

    #[test]
    fn limits_cell_sizes() {
        let big = "x".repeat(2 * 1024 * 1024);
        let report = csv(&format!("text,notes\n\"{big}\",short\nfine,\"{big}\"\n"));
        assert_eq!(report.rows, []);
        assert_eq!(
            messages(&report),
            [
                "row 2, column text: the cell is longer than the limit of 100,000 characters",
                "row 3, column notes: the cell is longer than the limit of 1 MB",
            ]
        );
        let report = csv(&format!("text\n{}\n", "é".repeat(MAX_TEXT_CHARS)));
        assert!(report.is_clean());
    }

    #[test]
    fn reports_a_csv_that_is_not_utf8() {
        // "café" in Windows-1252, as Excel's plain "CSV" saves it.
        let report = read(
            b"text,place\ncaf\xE9,here\nfine,there\n",
            ImportFormat::Csv,
            &ColumnMapping::default(),
            SourceKind::Story,
        );
        assert_eq!(report.rows.len(), 1);
        assert_eq!(messages(&report), ["row 2, column text: the cell is not UTF-8 text: save the file as CSV UTF-8"]);
        let report = read(b"t\xE9xt\nx\n", ImportFormat::Csv, &ColumnMapping::default(), SourceKind::Story);
        assert_eq!(messages(&report), ["the file is not UTF-8: save it as CSV UTF-8"]);
    }

    #[test]
    fn reads_csv_from_a_reader_in_small_pieces() {
        // A reader that gives one byte at a time, to show nothing assumes the file arrives whole.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
                let Some((&first, rest)) = self.0.split_first() else { return Ok(0) };
                buffer[0] = first;
                self.0 = rest;
                Ok(1)
            }
        }
        let file = b"\xEF\xBB\xBFtext,kind\n\"one\ntwo\",story\n";
        let report = read_from(Trickle(file), ImportFormat::Csv, &ColumnMapping::default(), SourceKind::Story);
        assert_eq!(report.problems, []);
        assert_eq!(report.rows[0].text, "one\ntwo");
        let lines = b"{\"text\": \"a\"}\r\n\n{\"text\": \"b\"}";
        let report = read_from(Trickle(lines), ImportFormat::JsonLines, &ColumnMapping::default(), SourceKind::Story);
        assert_eq!(
            report.rows.iter().map(|row| (row.row, row.text.as_str())).collect::<Vec<_>>(),
            [(1, "a"), (3, "b")]
        );
    }

    #[test]
    fn reads_json_lines_and_reports_bad_lines() {
        let file = "{\"story\": \"Jane Doe told us\", \"kind\": \"field_note\", \"age\": 34, \"tags\": [\"a\"], \"pseudonym\": \"P-1\", \"gone\": null}\n\
                    {\"text\": \"Jane Doe said \n\
                    [\"Jane Doe\"]\n\
                    {\"text\": \"ok\", \"date\": \"2024-02-29T10:00:00Z\"}\n\
                    {\"comment\": \"Jane\", \"kind\": \"Jane Doe\"}\n\
                    {\"other\": \"Jane\"}\n";
        let report = read(file.as_bytes(), ImportFormat::JsonLines, &ColumnMapping::default(), SourceKind::Story);
        assert_eq!(report.rows.len(), 2);
        let first = &report.rows[0];
        assert_eq!((first.row, first.kind, first.text.as_str()), (1, SourceKind::FieldNote, "Jane Doe told us"));
        assert_eq!(first.participant, Some(("P-1".to_owned(), None)));
        assert_eq!(
            first.attributes,
            BTreeMap::from([("age".to_owned(), "34".to_owned()), ("tags".to_owned(), "[\"a\"]".to_owned())])
        );
        assert_eq!(report.rows[1].date, Some(date!(2024 - 02 - 29)));
        assert_eq!(
            messages(&report),
            [
                "row 2: not valid JSON: EOF while parsing a string at column 24",
                "row 3: each line must be a JSON object, like {\"text\": \"...\"}",
                "row 5, column kind: not a known kind of source (use one of: story, interview_transcript, field_note, observation, listening_event_note, survey_response, film)",
                "row 6: there is no text column: expected a column named text (or story, comment, comments, response); the columns are: other",
            ]
        );
        assert!(report.problems.iter().all(|problem| !problem.message.contains("Jane")));
    }

    #[test]
    fn skips_an_overlong_json_line_and_goes_on() {
        let mut reader = BufReader::with_capacity(4, &b"0123456789\nabc\r\n"[..]);
        let mut line = Vec::new();
        assert_eq!(read_line(&mut reader, &mut line, 5).unwrap(), Some(true));
        line.clear();
        assert_eq!(read_line(&mut reader, &mut line, 5).unwrap(), Some(false));
        assert_eq!(line, b"abc");
        assert_eq!(read_line(&mut reader, &mut line, 5).unwrap(), None);
    }

    fn workbook() -> Vec<u8> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let notes = workbook.add_worksheet();
        notes.set_name("Notes").unwrap();
        notes.write_string(0, 0, "text").unwrap();
        notes.write_string(1, 0, "from the first sheet").unwrap();
        let stories = workbook.add_worksheet();
        stories.set_name("Stories").unwrap();
        let date_format = Format::new().set_num_format("dd/mm/yyyy");
        for (column, header) in ["Story", "Kind", "Date", "Pseudonym", "Count", "Agreed"].iter().enumerate() {
            stories.write_string(2, column as u16, *header).unwrap();
        }
        stories.write_string(3, 0, "We needed help at night").unwrap();
        stories.write_string(3, 1, "Listening-event note").unwrap();
        let day = ExcelDateTime::from_ymd(2024, 3, 15).unwrap();
        stories.write_datetime_with_format(3, 2, &day, &date_format).unwrap();
        stories.write_string(3, 3, "P-12").unwrap();
        stories.write_number(3, 4, 42.0).unwrap();
        stories.write_boolean(3, 5, true).unwrap();
        stories.write_string(4, 0, "No date here").unwrap();
        stories.write_string(4, 2, "sometime").unwrap();
        stories.write_number(4, 4, 2.5).unwrap();
        stories.write_string(5, 0, "").unwrap();
        stories.write_string(6, 0, "  ").unwrap();
        stories.write_string(6, 1, "story").unwrap();
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn reads_a_real_workbook_with_a_date_cell_and_picks_a_sheet() {
        let bytes = workbook();
        let mut report = ImportReport::default();
        let mapping = ColumnMapping::default();
        read_sheet(Cursor::new(&bytes), Some("stories"), &mapping, SourceKind::Story, |item| {
            collect_into(&mut report, item)
        });
        let [first] = report.rows.as_slice() else { panic!("one row: {report:?}") };
        assert_eq!(first.row, 4);
        assert_eq!(first.text, "We needed help at night");
        assert_eq!(first.kind, SourceKind::ListeningEventNote);
        assert_eq!(first.date, Some(date!(2024 - 03 - 15)));
        assert_eq!(first.participant, Some(("P-12".to_owned(), None)));
        assert_eq!(
            first.attributes,
            BTreeMap::from([("Agreed".to_owned(), "TRUE".to_owned()), ("Count".to_owned(), "42".to_owned())])
        );
        assert_eq!(
            messages(&report),
            [
                "row 5, column Date: not a date: use the form YYYY-MM-DD or DD/MM/YYYY",
                "row 7, column Story: the text is empty"
            ]
        );
        // The first sheet, by default.
        let report = read(&bytes, ImportFormat::Xlsx, &mapping, SourceKind::Story);
        assert_eq!(report.rows[0].text, "from the first sheet");
        assert_eq!(report.rows[0].row, 2);
        let mut problems = Vec::new();
        read_sheet(Cursor::new(&bytes), Some("Films"), &mapping, SourceKind::Story, |item| problems.extend(item.err()));
        assert_eq!(problems[0].to_string(), "there is no sheet named “Films”; the sheets are: Notes, Stories");
        assert_eq!(sheet_names(Cursor::new(&bytes)), Ok(vec!["Notes".to_owned(), "Stories".to_owned()]));
    }

    #[test]
    fn reports_a_corrupt_workbook() {
        let bytes = workbook();
        let damaged = "the file is not an XLSX workbook, or it is damaged: open it and save it again as .xlsx";
        for corrupt in [&bytes[..bytes.len() / 2], b"PK\x03\x04 not really a zip", b"text\nhello\n", b""] {
            let report = read(corrupt, ImportFormat::Xlsx, &ColumnMapping::default(), SourceKind::Story);
            assert_eq!(messages(&report), [damaged]);
            assert_eq!(sheet_names(Cursor::new(corrupt)).map_err(|problem| problem.message), Err(damaged.to_owned()));
        }
        let report = read_from(&bytes[..100], ImportFormat::Xlsx, &ColumnMapping::default(), SourceKind::Story);
        assert_eq!(messages(&report), [damaged]);
    }

    #[test]
    fn parses_dates_as_people_write_them() {
        assert_eq!(parse_date("2024-05-01"), Some(date!(2024 - 05 - 01)));
        assert_eq!(parse_date(" 2024-5-1 10:30 "), Some(date!(2024 - 05 - 01)));
        assert_eq!(parse_date("01/05/2024"), Some(date!(2024 - 05 - 01)));
        assert_eq!(parse_date("1/5/2024 09:00"), Some(date!(2024 - 05 - 01)));
        for bad in ["2024-13-01", "29/02/2023", "05/01/24", "2024/05/01", "01-05-2024", "1899-01-01", "yesterday", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn knows_formats_and_kinds() {
        assert_eq!(ImportFormat::from_extension("Stories.CSV"), Some(ImportFormat::Csv));
        assert_eq!(ImportFormat::from_extension(".xlsx"), Some(ImportFormat::Xlsx));
        assert_eq!(ImportFormat::from_extension("jsonl"), Some(ImportFormat::JsonLines));
        assert_eq!(ImportFormat::from_extension("a.ndjson"), Some(ImportFormat::JsonLines));
        assert_eq!(ImportFormat::from_extension("a.xls"), None);
        assert_eq!("listening_event_note".parse(), Ok(SourceKind::ListeningEventNote));
        assert_eq!(SourceKind::SurveyResponse.label(), "Survey response");
    }

    proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for format in [ImportFormat::Csv, ImportFormat::Xlsx, ImportFormat::JsonLines] {
                let report = read(&bytes, format, &ColumnMapping::default(), SourceKind::Story);
                for row in &report.rows {
                    prop_assert!(!row.text.trim().is_empty());
                }
            }
        }

        #[test]
        fn csv_written_by_a_csv_writer_reads_back(
            rows in proptest::collection::vec(
                ("\\PC{0,5}[a-z][a-z,\"\n]{0,5}\\PC{0,5}", proptest::sample::select(SourceKind::ALL), proptest::option::of(0u16..400)),
                1..10,
            ),
        ) {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(["text", "kind", "date", "note"]).unwrap();
            for (text, kind, day) in &rows {
                let date = day.map(|day| (date!(2020 - 01 - 01) + time::Duration::days(day.into())).to_string());
                writer.write_record([text.as_str(), kind.label(), date.as_deref().unwrap_or(""), "n"]).unwrap();
            }
            let file = writer.into_inner().unwrap();
            let report = read(&file, ImportFormat::Csv, &ColumnMapping::default(), SourceKind::Story);
            prop_assert_eq!(&report.problems, &[]);
            prop_assert_eq!(report.rows.len(), rows.len());
            for ((index, row), (text, kind, day)) in report.rows.iter().enumerate().zip(&rows) {
                prop_assert_eq!(row.row, index + 2);
                prop_assert_eq!(&row.text, text.trim());
                prop_assert_eq!(row.kind, *kind);
                prop_assert_eq!(row.date, day.map(|day| date!(2020 - 01 - 01) + time::Duration::days(day.into())));
            }
        }

        #[test]
        fn never_panics_on_csv_like_text(
            cells in proptest::collection::vec("[a-z,\"\r\n\u{FEFF}é/0-9-]{0,12}", 0..30),
        ) {
            let file = format!("text,kind,date,pseudonym\n{}", cells.concat());
            let report = read(file.as_bytes(), ImportFormat::Csv, &ColumnMapping::default(), SourceKind::Story);
            for row in &report.rows {
                prop_assert!(row.row >= 2 && !row.text.is_empty());
            }
            for problem in &report.problems {
                prop_assert!(problem.row.is_none_or(|row| row >= 2));
            }
        }

        #[test]
        fn never_panics_on_json_like_lines(lines in proptest::collection::vec("[{}\\[\\]\":, a-z0-9\\\\]{0,30}", 0..10)) {
            let file = lines.join("\n");
            let _ = read(file.as_bytes(), ImportFormat::JsonLines, &ColumnMapping::default(), SourceKind::Story);
        }

        #[test]
        fn never_panics_on_damaged_workbooks(cut in 0usize..4000, flip in any::<u8>()) {
            let mut bytes = workbook();
            let at = cut % bytes.len();
            bytes[at] ^= flip;
            let _ = read(&bytes, ImportFormat::Xlsx, &ColumnMapping::default(), SourceKind::Story);
            let _ = read(&bytes[..at], ImportFormat::Xlsx, &ColumnMapping::default(), SourceKind::Story);
        }
    }
}
