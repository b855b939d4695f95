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
}
