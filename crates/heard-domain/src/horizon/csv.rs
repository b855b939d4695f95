//! Signals as CSV, in two layouts:
//!
//! - **radar**: the columns of Thoughtworks' Build Your Own Radar sheet, `name, ring, quadrant,
//!   isNew, description`. A ring is a [`Horizon`], a quadrant a signal's primary [`Category`]
//!   (BYOR draws four quadrants; Heard has seven categories, so a sheet with more than four draws
//!   only in Heard). Rings are read as `H1`, `H2`, `H3` or the full label (`H1: 0 to 2 years`),
//!   quadrants as a category's code or label (`Social`), case and spacing ignored. `isNew` is
//!   `TRUE`/`FALSE` (also `yes`/`no`, `1`/`0`, blank for false); on export it is `TRUE` for a
//!   signal never re-scored. A radar sheet carries no impact, uncertainty or date: an imported
//!   row is scored 3 and 3 with low confidence and a note saying so, spotted on the import's date,
//!   of kind signal; a blank description becomes the name. Columns BYOR sheets also carry
//!   (`status`, ...) are ignored.
//! - **full**: every field of a signal with its current scores ([`FULL_COLUMNS`]); categories are
//!   codes or labels separated by `;`, primary first; dates are ISO (`2016-03-31`). A column not
//!   in the layout is an error, since it is most likely a misspelt one.
//!
//! Reading checks the whole file and returns either every row or every problem, each naming its
//! row (the header is row 1) and column, so a caller stores all or nothing. Problems never quote
//! a cell.

use std::io::{Read, Write};

use time::Date;

use super::signals::{
    Category, Confidence, Horizon, Score, Scoring, ScoringFields, SignalFields, SignalInput, SignalKind,
};
use crate::dates::{DateParts, parse_iso};
use crate::vocabulary::Vocabulary;
use crate::voice::import::Problem;

/// The most rows a file may hold.
pub const MAX_ROWS: usize = 20_000;

/// The radar layout's columns, as Build Your Own Radar names them.
pub const RADAR_COLUMNS: [&str; 5] = ["name", "ring", "quadrant", "isNew", "description"];

/// The full layout's columns, in the order written.
pub const FULL_COLUMNS: [&str; 15] = [
    "title",
    "summary",
    "kind",
    "categories",
    "horizon",
    "impact",
    "uncertainty",
    "confidence",
    "score_note",
    "so_what",
    "source_url",
    "source_publication",
    "spotted_on",
    "spotted_by",
    "review_on",
];

/// The full layout's columns that every file must have.
const FULL_REQUIRED: [&str; 9] =
    ["title", "summary", "kind", "categories", "horizon", "impact", "uncertainty", "confidence", "spotted_on"];

/// The note on the scores of a signal imported from a radar sheet.
pub const RADAR_SCORE_NOTE: &str = "Imported from a radar sheet: impact and uncertainty not yet scored";

/// Which layout a CSV file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CsvLayout {
    Radar,
    Full,
}

impl std::str::FromStr for CsvLayout {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "radar" => Ok(CsvLayout::Radar),
            "full" => Ok(CsvLayout::Full),
            _ => Err("the layout is radar or full".to_owned()),
        }
    }
}

/// A signal with its current scores, as a CSV row holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignalRecord {
    pub signal: SignalInput,
    pub scoring: Scoring,
    /// The radar's `isNew`: on export, never re-scored. Read from a radar sheet but not kept.
    pub is_new: bool,
}

/// Reads a whole file: every row, or every problem found. `today` is the date spotted given to
/// rows of a radar sheet, which has none.
pub fn read<R: Read>(reader: R, layout: CsvLayout, today: Date) -> Result<Vec<SignalRecord>, Vec<Problem>> {
    let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut records = csv.records();
    let headers: Vec<String> = match records.next() {
        None => return Err(vec![file_problem("the file is empty: expected a header row")]),
        Some(Err(error)) => return Err(vec![file_problem(read_error(&error))]),
        Some(Ok(header)) => header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_owned()).collect(),
    };
    let columns = Columns::resolve(layout, &headers)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut row = 1;
    for record in records {
        row += 1;
        if row > MAX_ROWS + 1 {
            problems.push(Problem {
                row: Some(row),
                column: None,
                message: format!("a file may hold at most {MAX_ROWS} signals"),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(Problem { row: Some(row), column: None, message: read_error(&error) });
                // An I/O or UTF-8 error leaves the rest unreadable.
                break;
            }
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let used =
            record.iter().enumerate().filter(|(_, cell)| !cell.trim().is_empty()).last().map_or(0, |(i, _)| i + 1);
        if used > headers.len() {
            let message = format!("this row has {used} cells but the header row has {}", headers.len());
            problems.push(Problem { row: Some(row), column: None, message });
            continue;
        }
        let cell = |name: &str| columns.cell(name, &record).to_owned();
        let read = match layout {
            CsvLayout::Radar => radar_row(row, &cell, today),
            CsvLayout::Full => full_row(row, &cell),
        };
        match read {
            Ok(record) => rows.push(record),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// Writes `records` in `layout`, header first. Radar rows go in horizon order, so Build Your Own
/// Radar, which orders rings as they first appear, draws H1 innermost.
pub fn write<W: Write>(writer: W, layout: CsvLayout, records: &[SignalRecord]) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    match layout {
        CsvLayout::Radar => {
            csv.write_record(RADAR_COLUMNS)?;
            let mut sorted: Vec<&SignalRecord> = records.iter().collect();
            sorted.sort_by_key(|r| r.scoring.horizon);
            for record in sorted {
                let quadrant = record.signal.primary_category().map_or("", Category::label);
                csv.write_record([
                    record.signal.title.as_str(),
                    record.scoring.horizon.short(),
                    quadrant,
                    if record.is_new { "TRUE" } else { "FALSE" },
                    record.signal.summary.as_str(),
                ])?;
            }
        }
        CsvLayout::Full => {
            csv.write_record(FULL_COLUMNS)?;
            for record in records {
                let (signal, scoring) = (&record.signal, &record.scoring);
                let categories: Vec<&str> = signal.categories.iter().map(|c| c.code()).collect();
                let date = |d: Option<Date>| d.map(iso).unwrap_or_default();
                csv.write_record([
                    signal.title.clone(),
                    signal.summary.clone(),
                    signal.kind.code().to_owned(),
                    categories.join(";"),
                    scoring.horizon.short().to_owned(),
                    scoring.impact.to_string(),
                    scoring.uncertainty.to_string(),
                    scoring.confidence.code().to_owned(),
                    scoring.note.clone().unwrap_or_default(),
                    signal.so_what.clone().unwrap_or_default(),
                    signal.source_url.clone().unwrap_or_default(),
                    signal.source_publication.clone().unwrap_or_default(),
                    iso(signal.spotted_on),
                    signal.spotted_by.clone().unwrap_or_default(),
                    date(signal.review_on),
                ])?;
            }
        }
    }
    csv.flush()?;
    Ok(())
}

/// Reads a ring: `H1`, `h1` or the label `H1: 0 to 2 years`, any case and spacing.
pub fn parse_ring(raw: &str) -> Option<Horizon> {
    let wanted = fold(raw);
    Horizon::ALL.iter().copied().find(|h| wanted == fold(h.short()) || wanted == fold(h.label()))
}

/// What a ring may be, for messages.
pub fn rings_accepted() -> String {
    let labels: Vec<String> = Horizon::ALL.iter().map(|h| format!("“{}”", h.label())).collect();
    format!("H1, H2 or H3 (or in full: {})", labels.join(", "))
}

/// Reads a word of a vocabulary by its code or its label, any case and spacing, `_` as a space.
fn lenient<T: Vocabulary>(raw: &str) -> Option<T> {
    let wanted = fold(raw);
    T::ALL.iter().copied().find(|v| wanted == fold(v.code()) || wanted == fold(v.label()))
}

fn accepted<T: Vocabulary>() -> String {
    let labels: Vec<&str> = T::ALL.iter().map(|v| v.label()).collect();
    labels.join(", ")
}

fn fold(raw: &str) -> String {
    raw.replace('_', " ").split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

fn file_problem(message: impl Into<String>) -> Problem {
    Problem { row: None, column: None, message: message.into() }
}

fn problem(row: usize, column: &str, message: impl Into<String>) -> Problem {
    Problem { row: Some(row), column: Some(column.to_owned()), message: message.into() }
}

// csv's own message can quote bytes of the file; say what kind of failure it was instead.
fn read_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8: save it as CSV UTF-8".to_owned(),
        csv::ErrorKind::Io(_) => "the file could not be read".to_owned(),
        _ => "the file is not well-formed CSV".to_owned(),
    }
}

/// Where each known column is in the header row.
struct Columns {
    /// (column name as the layout spells it, index in the row)
    found: Vec<(&'static str, usize)>,
}

impl Columns {
    fn resolve(layout: CsvLayout, headers: &[String]) -> Result<Columns, Vec<Problem>> {
        let (known, required): (&[&'static str], &[&'static str]) = match layout {
            CsvLayout::Radar => (&RADAR_COLUMNS, &RADAR_COLUMNS[..3]),
            CsvLayout::Full => (&FULL_COLUMNS, &FULL_REQUIRED),
        };
        let mut found = Vec::new();
        let mut problems = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            match known.iter().find(|k| fold(k) == fold(header)) {
                Some(name) if found.iter().any(|(n, _)| n == name) => {
                    problems.push(problem(1, name, "this column appears twice"));
                }
                Some(name) => found.push((*name, index)),
                None if layout == CsvLayout::Full && !header.is_empty() => problems.push(problem(
                    1,
                    header,
                    format!("not a column of the full layout; its columns are {}", FULL_COLUMNS.join(", ")),
                )),
                None => {}
            }
        }
        for name in required {
            if !found.iter().any(|(n, _)| n == name) {
                problems.push(problem(1, name, "the header row has no such column, and it is required"));
            }
        }
        if problems.is_empty() { Ok(Columns { found }) } else { Err(problems) }
    }

    /// The trimmed cell under `name`; empty when the column or the cell is missing.
    fn cell<'r>(&self, name: &str, record: &'r csv::StringRecord) -> &'r str {
        self.found.iter().find(|(n, _)| *n == name).and_then(|(_, i)| record.get(*i)).map_or("", str::trim)
    }
}

/// Moves a parse failure's field errors onto CSV columns.
fn to_problems(row: usize, invalid: crate::Invalid, column_of: &dyn Fn(&str) -> String) -> Vec<Problem> {
    invalid.0.into_iter().map(|e| problem(row, &column_of(&e.field), e.message)).collect()
}

fn radar_row(row: usize, cell: &dyn Fn(&str) -> String, today: Date) -> Result<SignalRecord, Vec<Problem>> {
    let mut problems = Vec::new();
    let ring = cell("ring");
    let horizon = parse_ring(&ring);
    if horizon.is_none() {
        let message = if ring.is_empty() {
            format!("enter a ring: {}", rings_accepted())
        } else {
            format!("not a ring Heard knows; use {}", rings_accepted())
        };
        problems.push(problem(row, "ring", message));
    }
    let quadrant = cell("quadrant");
    let category = lenient::<Category>(&quadrant);
    if category.is_none() {
        let what = if quadrant.is_empty() { "enter a quadrant" } else { "not a quadrant Heard knows" };
        problems.push(problem(row, "quadrant", format!("{what}; use a category: {}", accepted::<Category>())));
    }
    let is_new = match fold(&cell("isNew")).as_str() {
        "" | "false" | "no" | "0" => false,
        "true" | "yes" | "1" => true,
        _ => {
            problems.push(problem(row, "isNew", "use TRUE or FALSE"));
            false
        }
    };
    let name = cell("name");
    let description = cell("description");
    let fields = SignalFields {
        summary: if description.is_empty() { name.clone() } else { description },
        title: name,
        spotted_on: DateParts::from_date(Some(today)),
        categories: category.map(|c| vec![c.code().to_owned()]).unwrap_or_default(),
        kind: SignalKind::Signal.code().to_owned(),
        ..SignalFields::default()
    };
    let column_of = |field: &str| {
        match field {
            "title" => "name",
            "summary" => "description",
            "categories" => "quadrant",
            other => other,
        }
        .to_owned()
    };
    let signal = match SignalInput::parse(&fields) {
        Ok(signal) => Some(signal),
        Err(invalid) => {
            // The quadrant's problem is already told in the radar's words.
            let mut found = to_problems(row, invalid, &column_of);
            found.retain(|p| category.is_some() || p.column.as_deref() != Some("quadrant"));
            problems.append(&mut found);
            None
        }
    };
    match (signal, horizon) {
        (Some(signal), Some(horizon)) if problems.is_empty() => {
            // Neither most nor least: a radar sheet does not say.
            let neutral = Score::MIDDLE;
            let scoring = Scoring {
                horizon,
                impact: neutral,
                uncertainty: neutral,
                confidence: Confidence::Low,
                note: Some(RADAR_SCORE_NOTE.to_owned()),
            };
            Ok(SignalRecord { signal, scoring, is_new })
        }
        _ => Err(problems),
    }
}

fn full_row(row: usize, cell: &dyn Fn(&str) -> String) -> Result<SignalRecord, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut date = |column: &str| -> DateParts {
        let raw = cell(column);
        if raw.is_empty() {
            return DateParts::default();
        }
        match parse_iso(column, &raw) {
            Ok(date) => DateParts::from_date(Some(date)),
            Err(_) => {
                problems.push(problem(row, column, "enter the date as YYYY-MM-DD, like 2016-03-31"));
                // Parsed as blank below, so the date is not reported twice.
                DateParts::default()
            }
        }
    };
    let spotted_on = date("spotted_on");
    let review_on = date("review_on");
    let spotted_missing = spotted_on == DateParts::default() && !cell("spotted_on").is_empty();

    let mut categories = Vec::new();
    for part in cell("categories").split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match lenient::<Category>(part) {
            Some(category) => categories.push(category.code().to_owned()),
            None => problems.push(problem(
                row,
                "categories",
                format!("not a category Heard knows; use {}, separated by ;", accepted::<Category>()),
            )),
        }
    }
    let kind_raw = cell("kind");
    let kind = lenient::<SignalKind>(&kind_raw).map_or(kind_raw, |k| k.code().to_owned());
    let horizon_raw = cell("horizon");
    let horizon = match parse_ring(&horizon_raw) {
        Some(h) => h.code().to_owned(),
        None if horizon_raw.is_empty() => String::new(),
        None => {
            problems.push(problem(row, "horizon", format!("not a horizon Heard knows; use {}", rings_accepted())));
            Horizon::H1.code().to_owned()
        }
    };
    let confidence_raw = cell("confidence");
    let confidence = lenient::<Confidence>(&confidence_raw).map_or(confidence_raw, |c| c.code().to_owned());

    let category_problem = problems.iter().any(|p| p.column.as_deref() == Some("categories"));
    let fields = SignalFields {
        title: cell("title"),
        summary: cell("summary"),
        source_url: cell("source_url"),
        source_publication: cell("source_publication"),
        spotted_on,
        spotted_by: cell("spotted_by"),
        categories,
        primary_category: String::new(),
        kind,
        so_what: cell("so_what"),
        review_on,
    };
    let scores = ScoringFields {
        horizon,
        impact: cell("impact"),
        uncertainty: cell("uncertainty"),
        confidence,
        note: cell("score_note"),
    };
    let column_of = |field: &str| if field == "note" { "score_note".to_owned() } else { field.to_owned() };
    let signal = SignalInput::parse(&fields).map_err(|invalid| {
        let mut found = to_problems(row, invalid, &column_of);
        // A bad date or category is told once, above.
        let told = |p: &Problem| match p.column.as_deref() {
            Some("spotted_on") => spotted_missing,
            Some("categories") => category_problem,
            _ => false,
        };
        found.retain(|p| !told(p));
        found
    });
    let scoring = Scoring::parse(&scores).map_err(|invalid| to_problems(row, invalid, &column_of));
    match (signal, scoring) {
        (Ok(signal), Ok(scoring)) if problems.is_empty() => Ok(SignalRecord { signal, scoring, is_new: false }),
        (signal, scoring) => {
            problems.extend(signal.err().unwrap_or_default());
            problems.extend(scoring.err().unwrap_or_default());
            problems.sort_by_key(|p| FULL_COLUMNS.iter().position(|c| Some(*c) == p.column.as_deref()));
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2016 - 01 - 15);

    fn read_str(text: &str, layout: CsvLayout) -> Result<Vec<SignalRecord>, Vec<Problem>> {
        read(text.as_bytes(), layout, TODAY)
    }

    fn described(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_radar_sheet_reads_rings_as_horizons_and_quadrants_as_categories() {
        let sheet = "\u{feff}name,ring,quadrant,isNew,description,status\n\
                     Remote consultations,H1,Technological,TRUE,More appointments by video,New\n\
                     Grandparent care,h2: 2 TO 5 years,social,false,\n\
                     ,,,,\n\
                     Carbon rules for fleets, H3 ,Environmental,,\"Low-emission zones, \"\"2020s\"\"\"\n";
        let rows = read_str(sheet, CsvLayout::Radar).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].scoring.horizon, Horizon::H1);
        assert_eq!(rows[0].signal.categories, [Category::Technological]);
        assert!(rows[0].is_new);
        assert_eq!(rows[1].scoring.horizon, Horizon::H2);
        assert_eq!(rows[1].signal.summary, "Grandparent care", "a blank description becomes the name");
        assert_eq!(rows[2].signal.summary, "Low-emission zones, \"2020s\"");
        assert_eq!(rows[2].signal.spotted_on, TODAY);
        assert_eq!(rows[2].scoring.note.as_deref(), Some(RADAR_SCORE_NOTE));
    }

    #[test]
    fn unknown_rings_and_quadrants_are_named_by_row_and_column() {
        let sheet = "name,ring,quadrant,isNew,description\n\
                     Fine,H1,Social,TRUE,ok\n\
                     Adopted thing,Adopt,Social,TRUE,ok\n\
                     Odd,H2,Tools,maybe,ok\n";
        let problems = read_str(sheet, CsvLayout::Radar).unwrap_err();
        let text = described(&problems);
        assert_eq!(problems.len(), 3, "{text:?}");
        assert!(text[0].starts_with("row 3, column ring: not a ring Heard knows; use H1, H2 or H3"), "{text:?}");
        assert!(text[0].contains("“H3: 5 years or more”"));
        assert!(text[1].starts_with("row 4, column quadrant: not a quadrant Heard knows; use a category: Social"));
        assert_eq!(text[2], "row 4, column isNew: use TRUE or FALSE");
        assert!(!text.iter().any(|t| t.contains("Adopt")), "problems never quote a cell");
    }

    #[test]
    fn missing_columns_and_empty_files_are_problems_not_panics() {
        let problems = read_str("name,quadrant\nA,Social\n", CsvLayout::Radar).unwrap_err();
        assert_eq!(described(&problems), ["row 1, column ring: the header row has no such column, and it is required"]);
        assert_eq!(
            described(&read_str("", CsvLayout::Radar).unwrap_err()),
            ["the file is empty: expected a header row"]
        );
        let ragged = read_str("name,ring,quadrant\nA,H1,Social,extra,more\n", CsvLayout::Radar).unwrap_err();
        assert_eq!(described(&ragged), ["row 2: this row has 5 cells but the header row has 3"]);
        let bytes: &[u8] = b"name,ring,quadrant\n\xff\xfe,H1,Social\n";
        let not_utf8 = read(bytes, CsvLayout::Radar, TODAY).unwrap_err();
        assert_eq!(described(&not_utf8), ["row 2: the file is not UTF-8: save it as CSV UTF-8"]);
        let unknown = read_str("title,colour\n", CsvLayout::Full).unwrap_err();
        assert!(described(&unknown)[0].starts_with("row 1, column colour: not a column of the full layout"));
    }

    fn record() -> SignalRecord {
        SignalRecord {
            signal: SignalInput {
                title: "Video appointments, \"by default\"".into(),
                summary: "Line one\nline two".into(),
                source_url: Some("https://example.org/a".into()),
                source_publication: Some("Example Review".into()),
                spotted_on: date!(2015 - 05 - 04),
                spotted_by: Some("Horizon group (demo)".into()),
                categories: vec![Category::Technological, Category::Social],
                kind: SignalKind::WildCard,
                so_what: None,
                review_on: Some(date!(2016 - 05 - 04)),
            },
            scoring: Scoring {
                horizon: Horizon::H2,
                impact: Score::new(4).unwrap(),
                uncertainty: Score::new(2).unwrap(),
                confidence: Confidence::High,
                note: Some("Scored at the workshop".into()),
            },
            is_new: false,
        }
    }

    #[test]
    fn the_full_layout_round_trips() {
        let mut out = Vec::new();
        write(&mut out, CsvLayout::Full, &[record()]).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("title,summary,kind,categories,horizon,impact"));
        assert!(text.contains("wild_card,technological;social,H2,4,2,high"));
        let back = read(out.as_slice(), CsvLayout::Full, TODAY).unwrap();
        assert_eq!(back, [record()]);
    }

    #[test]
    fn the_radar_layout_round_trips_its_columns() {
        let mut late = record();
        late.scoring.horizon = Horizon::H3;
        late.signal.title = "Later".into();
        let mut out = Vec::new();
        write(&mut out, CsvLayout::Radar, &[late, record()]).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "name,ring,quadrant,isNew,description");
        assert!(lines[1].starts_with("\"Video appointments, \"\"by default\"\"\",H2,Technological,FALSE,"));
        let back = read(out.as_slice(), CsvLayout::Radar, TODAY).unwrap();
        assert_eq!(back[0].signal.title, record().signal.title);
        assert_eq!(back[0].signal.summary, "Line one\nline two");
        assert_eq!(back[1].scoring.horizon, Horizon::H3);
    }

    #[test]
    fn full_rows_name_each_bad_column() {
        let sheet = "title,summary,kind,categories,horizon,impact,uncertainty,confidence,spotted_on,review_on,source_url\n\
                     A,B,omen,social;weather,H4,9,3,sure,2016-02-30,soon,ftp://x\n";
        let problems = read_str(sheet, CsvLayout::Full).unwrap_err();
        let columns: Vec<&str> = problems.iter().filter_map(|p| p.column.as_deref()).collect();
        assert_eq!(
            columns,
            ["kind", "categories", "horizon", "impact", "confidence", "source_url", "spotted_on", "review_on"],
            "{:?}",
            described(&problems)
        );
        assert!(problems.iter().all(|p| p.row == Some(2)));
    }

    #[test]
    fn rings_fold_case_and_spacing() {
        assert_eq!(parse_ring(" h3 "), Some(Horizon::H3));
        assert_eq!(parse_ring("H1:  0 to 2 YEARS"), Some(Horizon::H1));
        assert_eq!(parse_ring("adopt"), None);
        assert_eq!("Radar".parse::<CsvLayout>(), Ok(CsvLayout::Radar));
    }
}
