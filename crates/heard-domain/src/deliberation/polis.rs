//! A Pol.is open-data export read from its CSV files: `comments.csv` (`comment-id`, `moderated`,
//! `comment-body`), `votes.csv` (`timestamp`, `comment-id`, `voter-id`, `vote`: 1 agree, -1
//! disagree, 0 pass) and, where present, the groups Pol.is computed in `participants-votes.csv`
//! (`participant`, `group-id`). Comments moderated out (-1) are left out with their votes; the
//! latest vote per participant and comment counts. Errors name the file, row (the header is row 1)
//! and column. See github.com/compdemocracy/openData for the format.

use std::collections::HashMap;
use std::io::Read;

use thiserror::Error;

/// A problem in an export, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}{}{}: {message}", row.map(|r| format!(", row {r}")).unwrap_or_default(), column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct ExportError {
    pub file: &'static str,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

/// A comment kept as a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolisVote {
    Agree,
    Disagree,
    Pass,
}

/// A participant's latest vote on a statement, by index into [`Export`]'s lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportVote {
    pub participant: usize,
    pub statement: usize,
    pub vote: PolisVote,
}

/// A conversation as its export holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Comments not moderated out, by id.
    pub statements: Vec<Comment>,
    /// Everyone who voted on a statement, by Pol.is's participant id.
    pub participants: Vec<u64>,
    /// One vote per participant and statement: the latest.
    pub votes: Vec<ExportVote>,
    /// Comments moderated out, and so left out.
    pub moderated_out: usize,
}

pub const COMMENTS: &str = "comments.csv";
pub const VOTES: &str = "votes.csv";
pub const PARTICIPANTS_VOTES: &str = "participants-votes.csv";

fn error(file: &'static str, row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> ExportError {
    ExportError { file, row, column: column.map(str::to_owned), message: message.into() }
}

/// A CSV file with its columns found by name.
struct Table<R: Read> {
    file: &'static str,
    reader: csv::Reader<R>,
    columns: Vec<usize>,
}

impl<R: Read> Table<R> {
    fn open(file: &'static str, reader: R, names: &[&str]) -> Result<Table<R>, ExportError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = reader.headers().map_err(|e| error(file, Some(1), None, e.to_string()))?.clone();
        let columns = names
            .iter()
            .map(|name| {
                headers.iter().position(|h| h.trim() == *name).ok_or_else(|| {
                    error(file, Some(1), Some(name), "the header row has no such column, and it is required")
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Table { file, reader, columns })
    }

    /// Calls `each` with the row number and the wanted cells of every row.
    fn rows(
        mut self,
        names: &[&str],
        mut each: impl FnMut(usize, &[&str]) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let mut record = csv::StringRecord::new();
        let mut row = 1;
        loop {
            row += 1;
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => return Err(error(self.file, Some(row), None, e.to_string())),
            }
            let mut cells: Vec<&str> = Vec::with_capacity(self.columns.len());
            for (&c, name) in self.columns.iter().zip(names) {
                match record.get(c) {
                    Some(cell) => cells.push(cell.trim()),
                    None => return Err(error(self.file, Some(row), Some(name), "the row ends before this column")),
                }
            }
            each(row, &cells)?;
        }
    }
}

fn number<T: std::str::FromStr>(file: &'static str, row: usize, column: &str, cell: &str) -> Result<T, ExportError> {
    cell.parse().map_err(|_| error(file, Some(row), Some(column), format!("expected a whole number, found {cell:?}")))
}

/// Reads `comments.csv` and `votes.csv`. A vote on a comment the export does not list is an error;
/// votes on comments moderated out are left out with them.
pub fn read_export(comments: impl Read, votes: impl Read) -> Result<Export, ExportError> {
    const COMMENT_COLUMNS: [&str; 3] = ["comment-id", "moderated", "comment-body"];
    let mut kept: Vec<Comment> = Vec::new();
    let mut moderated: HashMap<u64, bool> = HashMap::new();
    Table::open(COMMENTS, comments, &COMMENT_COLUMNS)?.rows(&COMMENT_COLUMNS, |row, cells| {
        let id: u64 = number(COMMENTS, row, "comment-id", cells[0])?;
        let out = match cells[1] {
            "-1" => true,
            "0" | "1" | "" => false,
            other => {
                return Err(error(
                    COMMENTS,
                    Some(row),
                    Some("moderated"),
                    format!("expected 1, 0 or -1, found {other:?}"),
                ));
            }
        };
        if moderated.insert(id, out).is_some() {
            return Err(error(COMMENTS, Some(row), Some("comment-id"), format!("comment {id} is listed twice")));
        }
        if !out {
            kept.push(Comment { id, text: cells[2].to_owned() });
        }
        Ok(())
    })?;
    kept.sort_by_key(|c| c.id);
    let statement_of: HashMap<u64, usize> = kept.iter().enumerate().map(|(i, c)| (c.id, i)).collect();

    const VOTE_COLUMNS: [&str; 4] = ["timestamp", "comment-id", "voter-id", "vote"];
    // (voter, statement, timestamp, row, vote)
    let mut raw: Vec<(u64, usize, i64, usize, PolisVote)> = Vec::new();
    Table::open(VOTES, votes, &VOTE_COLUMNS)?.rows(&VOTE_COLUMNS, |row, cells| {
        let timestamp: i64 = number(VOTES, row, "timestamp", cells[0])?;
        let comment: u64 = number(VOTES, row, "comment-id", cells[1])?;
        let voter: u64 = number(VOTES, row, "voter-id", cells[2])?;
        let vote = match cells[3] {
            "1" => PolisVote::Agree,
            "-1" => PolisVote::Disagree,
            "0" => PolisVote::Pass,
            other => {
                return Err(error(VOTES, Some(row), Some("vote"), format!("expected 1, -1 or 0, found {other:?}")));
            }
        };
        match (statement_of.get(&comment), moderated.contains_key(&comment)) {
            (Some(&s), _) => raw.push((voter, s, timestamp, row, vote)),
            (None, true) => {}
            (None, false) => {
                return Err(error(
                    VOTES,
                    Some(row),
                    Some("comment-id"),
                    format!("comment {comment} is not in {COMMENTS}"),
                ));
            }
        }
        Ok(())
    })?;
    // Latest last within each participant and statement; equal times by row.
    raw.sort_unstable_by_key(|&(voter, s, time, row, _)| (voter, s, time, row));
    let mut participants: Vec<u64> = Vec::new();
    let mut votes = Vec::with_capacity(raw.len());
    for (i, &(voter, s, _, _, vote)) in raw.iter().enumerate() {
        if raw.get(i + 1).is_some_and(|next| next.0 == voter && next.1 == s) {
            continue;
        }
        if participants.last() != Some(&voter) {
            participants.push(voter);
        }
        votes.push(ExportVote { participant: participants.len() - 1, statement: s, vote });
    }
    let moderated_out = moderated.values().filter(|&&out| out).count();
    Ok(Export { statements: kept, participants, votes, moderated_out })
}

/// Reads the groups Pol.is computed from `participants-votes.csv`: each participant's id and
/// group, `None` where Pol.is left them out.
pub fn read_groups(participants_votes: impl Read) -> Result<Vec<(u64, Option<usize>)>, ExportError> {
    const COLUMNS: [&str; 2] = ["participant", "group-id"];
    let mut groups = Vec::new();
    Table::open(PARTICIPANTS_VOTES, participants_votes, &COLUMNS)?.rows(&COLUMNS, |row, cells| {
        let participant = number(PARTICIPANTS_VOTES, row, "participant", cells[0])?;
        let group =
            if cells[1].is_empty() { None } else { Some(number(PARTICIPANTS_VOTES, row, "group-id", cells[1])?) };
        groups.push((participant, group));
        Ok(())
    })?;
    Ok(groups)
}

/// How a statement stands in moderation, as `comments.csv`'s `moderated` column codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderated {
    /// 1: accepted.
    In,
    /// 0: not yet moderated (shown, as in a conversation without strict moderation).
    Unmoderated,
    /// -1: moderated out.
    Out,
}

impl Moderated {
    fn code(self) -> i8 {
        match self {
            Moderated::In => 1,
            Moderated::Unmoderated => 0,
            Moderated::Out => -1,
        }
    }
}

/// A statement to write: Pol.is's comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingStatement {
    /// Its `comment-id`: unique within the export.
    pub id: u64,
    pub text: String,
    /// The participant number of the attendee who wrote it; `None` for a facilitator's, written
    /// as an empty `author-id`.
    pub author: Option<u64>,
    /// When it was written, in milliseconds since 1970 (UTC).
    pub created_ms: i64,
    pub moderated: Moderated,
}

/// A vote to write. Every vote may be given, changes included: the latest per participant and
/// statement counts in the totals, as the reader counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingVote {
    /// A participant number, nothing more: no name, code or kind leaves in an export.
    pub participant: u64,
    /// The statement's `comment-id`.
    pub statement: u64,
    pub vote: PolisVote,
    /// When it was cast, in milliseconds since 1970 (UTC).
    pub at_ms: i64,
}

/// A deliberation as a Pol.is export holds it.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub statements: &'a [OutgoingStatement],
    pub votes: &'a [OutgoingVote],
    /// Each participant's opinion group where the analysis placed them; the others get an empty
    /// `group-id`.
    pub groups: &'a [(u64, usize)],
}

/// Why an export could not be written.
#[derive(Debug, Error)]
pub enum WriteError {
    #[error("{0}")]
    Invalid(ExportError),
    #[error("writing {file}: {source}")]
    Csv {
        file: &'static str,
        #[source]
        source: csv::Error,
    },
}

/// Writes a deliberation in the Pol.is open-data format: `comments.csv`, `votes.csv` and
/// `participants-votes.csv`, with the columns of Pol.is's own exports, in their order (those of
/// github.com/compdemocracy/openData; the newest exports add an `xid` column, an external
/// identity, which Heard has no use for and leaves out).
///
/// Participants appear only as numbers. A statement moderated out is listed with `moderated` -1
/// and no text, and its votes are not written: what was moderated out does not leave. Times are
/// written as Pol.is writes them, milliseconds since 1970 and a readable date (here in UTC).
/// [`read_export`] reads the files back to the same statements and latest votes.
pub fn write_export(
    export: &Outgoing,
    comments: impl std::io::Write,
    votes: impl std::io::Write,
    participants_votes: impl std::io::Write,
) -> Result<(), WriteError> {
    let mut statements: Vec<&OutgoingStatement> = export.statements.iter().collect();
    statements.sort_by_key(|s| s.id);
    if let Some(pair) = statements.windows(2).find(|pair| pair[0].id == pair[1].id) {
        return Err(WriteError::Invalid(error(
            COMMENTS,
            None,
            Some("comment-id"),
            format!("comment {} is given twice", pair[0].id),
        )));
    }
    let moderation: HashMap<u64, Moderated> = statements.iter().map(|s| (s.id, s.moderated)).collect();
    for vote in export.votes {
        if !moderation.contains_key(&vote.statement) {
            return Err(WriteError::Invalid(error(
                VOTES,
                None,
                Some("comment-id"),
                format!("a vote is on comment {}, which is not among the statements", vote.statement),
            )));
        }
    }
    // Votes on statements kept, in Pol.is's order: by comment, then voter, then time.
    let mut kept: Vec<&OutgoingVote> =
        export.votes.iter().filter(|v| moderation.get(&v.statement) != Some(&Moderated::Out)).collect();
    kept.sort_by_key(|v| (v.statement, v.participant, v.at_ms));
    // The latest vote per participant and statement: the last of each run (equal times keep the
    // order given, as the sort is stable and the reader breaks ties by row).
    let latest: Vec<&OutgoingVote> = kept
        .iter()
        .enumerate()
        .filter(|&(i, v)| {
            kept.get(i + 1).is_none_or(|next| (next.statement, next.participant) != (v.statement, v.participant))
        })
        .map(|(_, v)| *v)
        .collect();

    // Agrees and disagrees per statement, from the latest votes.
    let mut tally: HashMap<u64, (usize, usize)> = HashMap::new();
    for v in &latest {
        let t = tally.entry(v.statement).or_default();
        match v.vote {
            PolisVote::Agree => t.0 += 1,
            PolisVote::Disagree => t.1 += 1,
            PolisVote::Pass => {}
        }
    }

    let csv_error = |file: &'static str| move |source: csv::Error| WriteError::Csv { file, source };
    let io_error = |file: &'static str| move |e: std::io::Error| WriteError::Csv { file, source: e.into() };

    let mut w = csv::Writer::from_writer(comments);
    w.write_record([
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ])
    .map_err(csv_error(COMMENTS))?;
    for s in &statements {
        let (agrees, disagrees) = tally.get(&s.id).copied().unwrap_or_default();
        let out = s.moderated == Moderated::Out;
        w.write_record([
            s.created_ms.to_string(),
            datetime(s.created_ms),
            s.id.to_string(),
            s.author.map(|a| a.to_string()).unwrap_or_default(),
            agrees.to_string(),
            disagrees.to_string(),
            s.moderated.code().to_string(),
            if out { String::new() } else { s.text.clone() },
        ])
        .map_err(csv_error(COMMENTS))?;
    }
    w.flush().map_err(io_error(COMMENTS))?;

    let mut w = csv::Writer::from_writer(votes);
    w.write_record(["timestamp", "datetime", "comment-id", "voter-id", "vote"]).map_err(csv_error(VOTES))?;
    for v in &kept {
        w.write_record([
            v.at_ms.to_string(),
            datetime(v.at_ms),
            v.statement.to_string(),
            v.participant.to_string(),
            code(v.vote).to_owned(),
        ])
        .map_err(csv_error(VOTES))?;
    }
    w.flush().map_err(io_error(VOTES))?;

    // One row per participant (voter or author), one column per statement kept.
    let columns: Vec<u64> = statements.iter().filter(|s| s.moderated != Moderated::Out).map(|s| s.id).collect();
    let column_of: HashMap<u64, usize> = columns.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let group_of: HashMap<u64, usize> = export.groups.iter().copied().collect();
    let mut participants: Vec<u64> =
        export.votes.iter().map(|v| v.participant).chain(statements.iter().filter_map(|s| s.author)).collect();
    participants.sort_unstable();
    participants.dedup();
    let mut row_of: HashMap<u64, Vec<Option<PolisVote>>> =
        participants.iter().map(|&p| (p, vec![None; columns.len()])).collect();
    for v in &latest {
        if let (Some(row), Some(&c)) = (row_of.get_mut(&v.participant), column_of.get(&v.statement)) {
            row[c] = Some(v.vote);
        }
    }
    let mut authored: HashMap<u64, usize> = HashMap::new();
    for author in statements.iter().filter_map(|s| s.author) {
        *authored.entry(author).or_default() += 1;
    }
    let mut w = csv::Writer::from_writer(participants_votes);
    let mut header: Vec<String> =
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"].map(str::to_owned).to_vec();
    header.extend(columns.iter().map(u64::to_string));
    w.write_record(&header).map_err(csv_error(PARTICIPANTS_VOTES))?;
    for p in &participants {
        let row = &row_of[p];
        let count = |vote: PolisVote| row.iter().filter(|v| **v == Some(vote)).count();
        let mut record = vec![
            p.to_string(),
            group_of.get(p).map(usize::to_string).unwrap_or_default(),
            authored.get(p).copied().unwrap_or_default().to_string(),
            row.iter().filter(|v| v.is_some()).count().to_string(),
            count(PolisVote::Agree).to_string(),
            count(PolisVote::Disagree).to_string(),
        ];
        record.extend(row.iter().map(|v| v.map(code).unwrap_or_default().to_owned()));
        w.write_record(&record).map_err(csv_error(PARTICIPANTS_VOTES))?;
    }
    w.flush().map_err(io_error(PARTICIPANTS_VOTES))?;
    Ok(())
}

/// Pol.is's coding of a vote.
fn code(vote: PolisVote) -> &'static str {
    match vote {
        PolisVote::Agree => "1",
        PolisVote::Disagree => "-1",
        PolisVote::Pass => "0",
    }
}

/// A time as Pol.is's `datetime` column writes it (Java's `Date.toString`), in UTC:
/// "Wed Jul 27 21:56:00 UTC 2022".
fn datetime(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTS_CSV: &str = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
        1,x,0,0,1,0,1,\"Buses, more of them\"\n\
        2,x,1,0,1,0,-1,Moderated out\n\
        3,x,2,0,1,0,0,Quiet streets\n";

    #[test]
    fn reads_the_latest_vote_and_leaves_out_moderated_comments() {
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n\
                     10,x,0,7,1\n\
                     30,x,2,7,-1\n\
                     20,x,0,7,-1\n\
                     5,x,1,9,1\n\
                     5,x,2,9,0\n";
        let export = read_export(COMMENTS_CSV.as_bytes(), votes.as_bytes()).expect("valid");
        assert_eq!(export.statements.iter().map(|c| c.id).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(export.statements[0].text, "Buses, more of them");
        assert_eq!(export.participants, vec![7, 9]);
        assert_eq!(export.moderated_out, 1);
        assert_eq!(
            export.votes,
            vec![
                ExportVote { participant: 0, statement: 0, vote: PolisVote::Disagree },
                ExportVote { participant: 0, statement: 1, vote: PolisVote::Disagree },
                ExportVote { participant: 1, statement: 1, vote: PolisVote::Pass },
            ]
        );
    }

    #[test]
    fn errors_name_file_row_and_column() {
        let unknown = "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,1\n2,x,5,7,1\n";
        let e = read_export(COMMENTS_CSV.as_bytes(), unknown.as_bytes()).expect_err("unknown comment");
        assert_eq!(e.to_string(), "votes.csv, row 3, column comment-id: comment 5 is not in comments.csv");
        let bad = "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,yes\n";
        let e = read_export(COMMENTS_CSV.as_bytes(), bad.as_bytes()).expect_err("bad vote");
        assert_eq!(e.to_string(), "votes.csv, row 2, column vote: expected 1, -1 or 0, found \"yes\"");
        let missing = "timestamp,comment-id,vote\n";
        let e = read_export(COMMENTS_CSV.as_bytes(), missing.as_bytes()).expect_err("no voter-id");
        assert_eq!(
            e.to_string(),
            "votes.csv, row 1, column voter-id: the header row has no such column, and it is required"
        );
    }

    #[test]
    fn reads_pol_is_groups() {
        let csv = "participant,xid,group-id,n-comments\n1,,1,0\n2,,,0\n";
        assert_eq!(read_groups(csv.as_bytes()).expect("valid"), vec![(1, Some(1)), (2, None)]);
    }
    fn statement(id: u64, text: &str, author: Option<u64>, moderated: Moderated) -> OutgoingStatement {
        OutgoingStatement { id, text: text.to_owned(), author, created_ms: 1_700_000_000_000 + id as i64, moderated }
    }

    fn vote(participant: u64, statement: u64, vote: PolisVote, at_ms: i64) -> OutgoingVote {
        OutgoingVote { participant, statement, vote, at_ms }
    }

    /// The three files as strings.
    fn written(export: &Outgoing) -> (String, String, String) {
        let (mut c, mut v, mut p) = (Vec::new(), Vec::new(), Vec::new());
        write_export(export, &mut c, &mut v, &mut p).expect("written");
        let s = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
        (s(c), s(v), s(p))
    }

    fn synthetic() -> (Vec<OutgoingStatement>, Vec<OutgoingVote>) {
        use PolisVote::*;
        let statements = vec![
            statement(4, "Synthetic: evening clinics, \"near\" bus routes\nand more", None, Moderated::In),
            statement(1, "Synthetic: shorter waits", Some(12), Moderated::Unmoderated),
            statement(7, "Synthetic: moderated out", Some(30), Moderated::Out),
            statement(2, "Synthetic: café, naïve, 東京", Some(12), Moderated::In),
        ];
        let votes = vec![
            vote(12, 4, Agree, 100),
            vote(12, 4, Disagree, 300), // changed: the latest counts
            vote(12, 1, Pass, 200),
            vote(30, 4, Agree, 150),
            vote(30, 7, Agree, 160), // on a statement moderated out: not written
            vote(30, 2, Disagree, 170),
            vote(5, 2, Agree, 90),
            vote(5, 4, Agree, 95),
        ];
        (statements, votes)
    }

    #[test]
    fn a_written_export_reads_back_to_the_same_statements_and_latest_votes() {
        let (statements, votes) = synthetic();
        let groups = [(12, 1), (30, 0)];
        let (comments, votes_csv, participants) =
            written(&Outgoing { statements: &statements, votes: &votes, groups: &groups });
        let export = read_export(comments.as_bytes(), votes_csv.as_bytes()).expect("reads back");
        // Statements not moderated out, by id, with their texts whole.
        let kept: Vec<(u64, &str)> = export.statements.iter().map(|c| (c.id, c.text.as_str())).collect();
        assert_eq!(
            kept,
            vec![
                (1, "Synthetic: shorter waits"),
                (2, "Synthetic: café, naïve, 東京"),
                (4, "Synthetic: evening clinics, \"near\" bus routes\nand more"),
            ]
        );
        assert_eq!(export.moderated_out, 1);
        // The latest vote of each participant on each statement kept, worked out by hand.
        let mut got: Vec<(u64, u64, PolisVote)> = export
            .votes
            .iter()
            .map(|v| (export.participants[v.participant], export.statements[v.statement].id, v.vote))
            .collect();
        got.sort_by_key(|&(p, s, _)| (p, s));
        assert_eq!(
            got,
            vec![
                (5, 2, PolisVote::Agree),
                (5, 4, PolisVote::Agree),
                (12, 1, PolisVote::Pass),
                (12, 4, PolisVote::Disagree),
                (30, 2, PolisVote::Disagree),
                (30, 4, PolisVote::Agree),
            ]
        );
        // Groups where known, empty otherwise; a participant who only authored is listed too.
        assert_eq!(read_groups(participants.as_bytes()).expect("reads"), vec![(5, None), (12, Some(1)), (30, Some(0))]);
        // The text of what was moderated out does not leave.
        assert!(!comments.contains("moderated out"));
    }

    #[test]
    fn the_files_have_pol_is_s_columns_and_counts() {
        let (statements, votes) = synthetic();
        let (comments, votes_csv, participants) =
            written(&Outgoing { statements: &statements, votes: &votes, groups: &[(12, 1)] });
        let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
        let comments = lines(&comments);
        assert_eq!(comments[0], "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body");
        assert_eq!(comments[1], "1700000000001,Tue Nov 14 22:13:20 UTC 2023,1,12,0,0,0,Synthetic: shorter waits");
        // Statement 4: 5 and 30 agree, 12 changed to disagree.
        assert!(comments.iter().any(|l| l.starts_with("1700000000004,Tue Nov 14 22:13:20 UTC 2023,4,,2,1,1,")));
        assert!(comments.contains(&"1700000000007,Tue Nov 14 22:13:20 UTC 2023,7,30,0,0,-1,".to_owned()));
        let votes_csv = lines(&votes_csv);
        assert_eq!(votes_csv[0], "timestamp,datetime,comment-id,voter-id,vote");
        assert_eq!(votes_csv[1], "200,Thu Jan 01 00:00:00 UTC 1970,1,12,0");
        assert_eq!(votes_csv.len(), 1 + 7, "every vote on statements kept, changes included");
        let participants = lines(&participants);
        assert_eq!(participants[0], "participant,group-id,n-comments,n-votes,n-agree,n-disagree,1,2,4");
        assert_eq!(participants[1], "5,,0,2,2,0,,1,1");
        assert_eq!(participants[2], "12,1,2,2,0,1,0,,-1");
        assert_eq!(participants[3], "30,,1,2,1,1,,-1,1");
    }

    /// The headers match Pol.is's real exports in ../shared/data/polis (where that folder is
    /// present): comments.csv and votes.csv exactly, participants-votes.csv up to the first
    /// statement column, `xid` aside.
    #[test]
    fn the_headers_match_the_real_exports() {
        let (statements, votes) = synthetic();
        let (comments, votes_csv, participants) =
            written(&Outgoing { statements: &statements, votes: &votes, groups: &[] });
        let first = |s: &str| s.lines().next().unwrap_or_default().to_owned();
        let fixed = |header: &str| -> Vec<String> {
            header
                .split(',')
                .filter(|c| *c != "xid")
                .take_while(|c| c.parse::<u64>().is_err())
                .map(str::to_owned)
                .collect()
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/polis");
        let Ok(dirs) = std::fs::read_dir(&root) else {
            eprintln!("{} is not here: headers checked against the copies in this test only", root.display());
            return;
        };
        let mut compared = 0;
        for dir in dirs.flatten().filter(|d| d.path().is_dir()) {
            let header = |file: &str| {
                let text = std::fs::read_to_string(dir.path().join(file)).expect("readable");
                first(text.trim_start_matches('\u{feff}'))
            };
            assert_eq!(header(COMMENTS), first(&comments), "{}", dir.path().display());
            assert_eq!(header(VOTES), first(&votes_csv), "{}", dir.path().display());
            assert_eq!(fixed(&header(PARTICIPANTS_VOTES)), fixed(&first(&participants)), "{}", dir.path().display());
            compared += 1;
        }
        assert_eq!(compared, 5, "five conversations");
    }

    #[test]
    fn inconsistent_input_is_refused_by_column() {
        let (statements, mut votes) = synthetic();
        votes.push(vote(5, 99, PolisVote::Agree, 1));
        let mut sink = (Vec::new(), Vec::new(), Vec::new());
        let e = write_export(
            &Outgoing { statements: &statements, votes: &votes, groups: &[] },
            &mut sink.0,
            &mut sink.1,
            &mut sink.2,
        )
        .expect_err("unknown statement");
        assert_eq!(
            e.to_string(),
            "votes.csv, column comment-id: a vote is on comment 99, which is not among the statements"
        );
        let mut twice = statements.clone();
        twice.push(statement(2, "Synthetic: again", None, Moderated::In));
        let e = write_export(
            &Outgoing { statements: &twice, votes: &[], groups: &[] },
            &mut sink.0,
            &mut sink.1,
            &mut sink.2,
        )
        .expect_err("twice");
        assert_eq!(e.to_string(), "comments.csv, column comment-id: comment 2 is given twice");
    }
}
