//! A programme's open data: everything that is not personal, as CSV files in one zip with a
//! README describing each file and column (`heard export open-data`). Counts and the words staff
//! wrote (stages, activity titles, codes, insight statements, factors, signals, propositions) and
//! Deliberation Day aggregates, decisions (the board or committee that made them, never a
//! person's name) and their outcomes (indicators, measurements and review dates, never who
//! recorded or reviewed them, nor their notes); never a participant, pseudonym, name, contact detail, quote,
//! source text, facilitator, note or anyone's vote. Each table declares its columns with their
//! meaning, and the README is written from those declarations, so it cannot miss one.

use std::io::{Cursor, Write};

use heard_domain::decisions::decision::{DeciderKind, DepartureKind};
use heard_domain::deliberation::days::DeliberationStatus;
use heard_domain::governance::Sector;
use heard_domain::horizon::signals::{Confidence, Horizon, SignalKind};
use heard_domain::journeys::{ActivityKind, AttendeeKind, ProgrammeStatus, StageStatus};
use heard_domain::propositions::proposition::PropositionStatus;
use heard_domain::vocabulary::Vocabulary;
use heard_domain::voice::participants::ParticipantKind;
use heard_store::Store;
use heard_store::horizon::SignalFilter;
use time::OffsetDateTime;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::ReportError;
use crate::deliberation::export::{COLUMNS as RESULT_COLUMNS, to_csv};
use crate::deliberation::live::Live;
use crate::deliberation::results::Figures;

/// One CSV file being written, with what it and each of its columns mean.
struct Table {
    name: String,
    about: String,
    columns: Vec<(String, String)>,
    writer: csv::Writer<Vec<u8>>,
}

impl Table {
    fn new(name: &str, about: &str, columns: &[(&str, &str)]) -> Table {
        let columns = columns.iter().map(|(c, d)| ((*c).to_owned(), (*d).to_owned())).collect();
        Table::with(name, about, columns)
    }

    fn with(name: &str, about: &str, columns: Vec<(String, String)>) -> Table {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing to memory fails only on an allocation failure, which aborts anyway.
        let _ = writer.write_record(columns.iter().map(|(c, _)| c.as_str()));
        Table { name: name.to_owned(), about: about.to_owned(), columns, writer }
    }

    fn row<I, S>(&mut self, values: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let _ = self.writer.write_record(values);
    }
}

/// The columns of attendance by sector and by kind, in vocabulary order.
fn attendance_columns() -> Vec<(String, String)> {
    let sectors = Sector::ALL.iter().map(|s| {
        (format!("sector_{}", s.code()), format!("People counted from the {} sector", s.label().to_lowercase()))
    });
    let kinds = AttendeeKind::ALL.iter().map(|k| (format!("kind_{}", k.code()), format!("{} counted", k.label())));
    sectors.chain(kinds).collect()
}

/// "One of: a (A), b (B)": a vocabulary's codes with their labels.
fn one_of<V: Vocabulary>() -> String {
    let codes: Vec<String> = V::ALL.iter().map(|v| format!("{} ({})", v.code(), v.label())).collect();
    format!("One of: {}", codes.join(", "))
}

fn text(s: impl ToString) -> String {
    s.to_string()
}

fn date(d: Option<time::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A share from 0 to 1 to four places, blank when there is none.
fn share(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.4}")).unwrap_or_default()
}

/// What a progress column means, in the README.
const PROGRESS: &str = "The share of the way from baseline to target by the latest measurement, 0 to 1 (four places)";

/// Writes the programme `slug`'s open data as a zip; deliberations are analysed through `live`.
pub async fn write(store: &Store, live: &Live, slug: &str) -> Result<Vec<u8>, ReportError> {
    let programme = store.programme(slug).await?.ok_or(ReportError::NoProgramme)?;
    let id = programme.id;
    let progress = store.programme_progress(id).await?;
    let mut tables = Vec::new();

    let mut t = Table::new(
        "programme.csv",
        "The programme: one row.",
        &[
            ("slug", "The programme's short name, as in its web address"),
            ("name", "The programme's name"),
            ("aim", "What the programme sets out to do"),
            ("status", &one_of::<ProgrammeStatus>()),
            ("partners", "Partner organisations, separated by semicolons"),
            ("exported_on", "The date of this export (YYYY-MM-DD)"),
            (
                "outcomes_progress",
                "Every outcome of every decision rolled up by weight (see outcomes.csv), 0 to 1; an outcome not \
                 yet measured counts as 0; blank with no outcomes",
            ),
        ],
    );
    let partners: Vec<&str> = programme.partners.iter().map(|p| p.name.as_str()).collect();
    t.row([
        programme.slug.clone(),
        programme.name.clone(),
        programme.aim.clone(),
        text(programme.status.code()),
        partners.join("; "),
        OffsetDateTime::now_utc().date().to_string(),
        share(progress.progress),
    ]);
    tables.push(t);

    let mut t = Table::new(
        "stages.csv",
        "The stages of the programme's innovation journey, in order.",
        &[
            ("position", "1 for the first stage"),
            ("name", "The stage's name"),
            ("description", "What happens in the stage"),
            ("exit_criteria", "When the stage is done"),
            ("status", &one_of::<StageStatus>()),
            ("starts_on", "When it began or begins (YYYY-MM-DD), if set"),
            ("ends_on", "When it ended or ends (YYYY-MM-DD), if set"),
        ],
    );
    for s in store.stages(id).await? {
        t.row([
            text(s.position),
            s.name,
            s.description,
            s.exit_criteria,
            text(s.status.code()),
            date(s.starts_on),
            date(s.ends_on),
        ]);
    }
    tables.push(t);

    let mut columns: Vec<(String, String)> = [
        ("id", "The activity's number in Heard"),
        ("held_on", "When it was held (YYYY-MM-DD)"),
        ("kind", &one_of::<ActivityKind>()),
        ("title", "The activity's title"),
        ("place", "Where it was held"),
        ("stage_position", "The journey stage it belongs to (see stages.csv), if any"),
        ("people", "People counted: the larger of the two breakdowns below"),
    ]
    .iter()
    .map(|(c, d)| ((*c).to_owned(), (*d).to_owned()))
    .collect();
    columns.extend(attendance_columns());
    let mut t =
        Table::with("activities.csv", "Activities with their attendance, oldest first. Counts, never names.", columns);
    let mut activities = store.activities(id).await?;
    activities.sort_by_key(|a| (a.held_on, a.id));
    for a in activities {
        let mut row = vec![
            text(a.id),
            a.held_on.to_string(),
            text(a.kind.code()),
            a.title,
            a.place,
            a.stage_position.map(text).unwrap_or_default(),
            text(a.attendance.total()),
        ];
        row.extend(Sector::ALL.iter().map(|s| text(a.attendance.by_sector.get(s).copied().unwrap_or(0))));
        row.extend(AttendeeKind::ALL.iter().map(|k| text(a.attendance.by_kind.get(k).copied().unwrap_or(0))));
        t.row(row);
    }
    tables.push(t);

    let mut t = Table::new(
        "codebook.csv",
        "The codes used to code the programme's evidence: the programme's own and the organisation's shared ones.",
        &[
            ("id", "The code's number in Heard"),
            ("parent_id", "The code it sits under, if any"),
            ("name", "The code's name"),
            ("description", "What the code is for"),
            ("depth", "0 for a top-level code"),
            ("codings", "How many times it was applied in this programme"),
        ],
    );
    for c in store.codebook(Some(id)).await? {
        t.row([
            text(c.id),
            c.parent_id.map(text).unwrap_or_default(),
            c.name,
            c.description.unwrap_or_default(),
            text(c.depth),
            text(c.codings),
        ]);
    }
    tables.push(t);

    let mut columns: Vec<(String, String)> = [
        ("id", "The insight's number in Heard"),
        ("statement", "The finding, in a sentence"),
        ("supporting", "Excerpts that support it"),
        ("contradicting", "Excerpts that cut against it"),
        ("participants", "Distinct people heard in the supporting excerpts"),
        ("sources", "Distinct sources of the supporting excerpts"),
        ("activities", "Distinct activities where the supporting excerpts were heard"),
        ("heard_from", "The earliest date a supporting excerpt was collected (YYYY-MM-DD)"),
        ("heard_to", "The latest such date"),
    ]
    .iter()
    .map(|(c, d)| ((*c).to_owned(), (*d).to_owned()))
    .collect();
    columns.extend(ParticipantKind::ALL.iter().map(|k| {
        (
            format!("participants_{}", k.code()),
            format!("Of the participants, how many are: {}", k.label().to_lowercase()),
        )
    }));
    let mut t = Table::with(
        "insights.csv",
        "Insight statements with their breadth: how many people, of which kinds, stand behind each. No quotes.",
        columns,
    );
    for summary in store.insights(id).await? {
        let Some(insight) = store.insight(id, summary.id).await? else { continue };
        let b = &insight.breadth;
        let mut row = vec![
            text(insight.id),
            insight.statement.clone(),
            text(summary.supporting),
            text(summary.contradicting),
            text(b.participants),
            text(b.sources),
            text(b.activities),
            date(b.from),
            date(b.to),
        ];
        row.extend(
            ParticipantKind::ALL
                .iter()
                .map(|k| text(b.by_kind.iter().find(|(kind, _)| kind == k).map(|(_, n)| *n).unwrap_or(0))),
        );
        t.row(row);
    }
    tables.push(t);

    let mut factors = Table::new(
        "cause_map_factors.csv",
        "The factors of each cause map (a multiple cause diagram), one of them the central event.",
        &[
            ("map_id", "The cause map's number in Heard"),
            ("map_title", "The cause map's title"),
            ("factor_id", "The factor's number in Heard"),
            ("label", "The factor's words"),
            ("description", "More about the factor"),
            ("central", "true for the map's central event (the problem)"),
            ("tags", "The factor's tags, separated by semicolons"),
            ("insights", "Insights linked as its evidence"),
            ("excerpts", "Excerpts linked directly as its evidence"),
            ("participants", "Distinct people heard in that evidence"),
        ],
    );
    let mut arrows = Table::new(
        "cause_map_arrows.csv",
        "The arrows of each cause map: each reads \"from contributes to to\".",
        &[
            ("map_id", "The cause map's number (see cause_map_factors.csv)"),
            ("from_factor_id", "The contributing factor"),
            ("to_factor_id", "The factor it contributes to"),
        ],
    );
    for summary in store.cause_maps(id).await? {
        let Some(map) = store.cause_map(id, summary.id).await? else { continue };
        for f in &map.factors {
            factors.row([
                text(map.id),
                map.title.clone(),
                text(f.id),
                f.label.clone(),
                f.description.clone().unwrap_or_default(),
                text(f.central),
                f.tags.join("; "),
                text(f.insights),
                text(f.excerpts),
                text(f.participants),
            ]);
        }
        for a in &map.arrows {
            arrows.row([text(map.id), text(a.from), text(a.to)]);
        }
    }
    tables.push(factors);
    tables.push(arrows);

    let mut t = Table::new(
        "signals.csv",
        "Horizon scanning: the signals of change linked to this programme, with their current scoring.",
        &[
            ("id", "The signal's number in Heard"),
            ("title", "The signal's title"),
            ("summary", "What was seen"),
            ("source_url", "Where it was seen, if on the web"),
            ("source_publication", "The publication it came from, if any"),
            ("spotted_on", "When it was spotted (YYYY-MM-DD)"),
            ("categories", "STEEP categories (and values, legal), primary first, separated by semicolons"),
            ("kind", &one_of::<SignalKind>()),
            ("horizon", &one_of::<Horizon>()),
            ("impact", "1 to 5"),
            ("uncertainty", "1 to 5"),
            ("confidence", &one_of::<Confidence>()),
            ("so_what", "What it means for the programme"),
            ("review_on", "When it is next to be reviewed (YYYY-MM-DD), if set"),
        ],
    );
    let signals = store.signals(SignalFilter { programme_id: Some(id), ..Default::default() }).await?;
    for s in signals {
        let categories: Vec<&str> = s.categories.iter().map(|c| c.code()).collect();
        t.row([
            text(s.id),
            s.title,
            s.summary,
            s.source_url.unwrap_or_default(),
            s.source_publication.unwrap_or_default(),
            s.spotted_on.to_string(),
            categories.join("; "),
            text(s.kind.code()),
            text(s.current.horizon.code()),
            text(u8::from(s.current.impact)),
            text(u8::from(s.current.uncertainty)),
            text(s.current.confidence.code()),
            s.so_what.unwrap_or_default(),
            date(s.review_on),
        ]);
    }
    tables.push(t);

    let mut t = Table::new(
        "propositions.csv",
        "Propositions: changes proposed to what is commissioned or how, with what they stand on.",
        &[
            ("id", "The proposition's number in Heard"),
            ("title", "The proposition's title"),
            ("status", &one_of::<PropositionStatus>()),
            ("version", "How many versions its words have had"),
            ("insights", "Insights linked as its evidence"),
            ("factors", "Cause-map factors linked as its evidence"),
            ("signals", "Signals linked as its evidence"),
            ("shapers", "People counted as shaping it, all kinds"),
            ("citizen_shapers", "Of them, service users, carers, parents and young people"),
            ("participants", "Distinct people heard in its evidence"),
            ("no_citizen_evidence", "true when no citizen is heard in its evidence at all"),
        ],
    );
    for p in store.propositions(id).await? {
        t.row([
            text(p.id),
            p.title.clone(),
            text(p.status.code()),
            text(p.version),
            text(p.insights),
            text(p.factors),
            text(p.signals),
            text(p.shapers),
            text(p.citizen_shapers),
            text(p.breadth.participants),
            text(p.breadth.no_citizen_evidence),
        ]);
    }
    tables.push(t);

    let mut t = Table::new(
        "deliberations.csv",
        "Deliberation Days: each one's results are in deliberation-ID-results.csv.",
        &[
            ("id", "The deliberation's number in Heard"),
            ("title", "Its title"),
            ("held_on", "When it was held (YYYY-MM-DD)"),
            ("status", &one_of::<DeliberationStatus>()),
            ("attendees", "People who joined"),
            ("votes", "Votes given on statements"),
            ("results_file", "The file with its results, when anyone took part"),
        ],
    );
    let mut results = Vec::new();
    for d in store.deliberations(id).await? {
        let file = if d.attendees > 0 || d.votes > 0 {
            let snapshot = live.current(store, d.id).await?;
            let csv = to_csv(&Figures::of(&snapshot)).map_err(|e| ReportError::Export(e.to_string()))?;
            let name = format!("deliberation-{}-results.csv", d.id);
            results.push((name.clone(), csv));
            name
        } else {
            String::new()
        };
        t.row([
            text(d.id),
            d.title,
            d.held_on.to_string(),
            text(d.status.code()),
            text(d.attendees),
            text(d.votes),
            file,
        ]);
    }
    tables.push(t);

    let mut t = Table::new(
        "decisions.csv",
        "Commissioning decisions: what was decided, by whom, when and why.",
        &[
            ("id", "The decision's number in Heard"),
            ("title", "The decision's title"),
            ("decided_on", "When it was decided (YYYY-MM-DD)"),
            ("decided_by_kind", &one_of::<DeciderKind>()),
            ("decided_by", "The board or committee that decided; blank when one person did (no one is named)"),
            ("service_change", "The change to what is commissioned or how"),
            ("budget_pence", "Its budget in pence, if set"),
            ("period_start", "When the change begins (YYYY-MM-DD), if set"),
            ("period_end", "When it ends (YYYY-MM-DD), if set"),
            ("rationale", "Why it was made"),
            ("propositions", "How many propositions it takes up (see decision_propositions.csv)"),
            ("departures", "How many departures from what the Deliberation Day favoured (see decision_departures.csv)"),
            ("outcomes", "How many outcomes it has (see outcomes.csv)"),
            (
                "outcomes_progress",
                "Its outcomes rolled up by weight, 0 to 1; an outcome not yet measured counts as 0; blank with no \
                 outcomes",
            ),
        ],
    );
    let mut taken_up = Table::new(
        "decision_propositions.csv",
        "The propositions each decision takes up.",
        &[
            ("decision_id", "The decision (see decisions.csv)"),
            ("proposition_id", "The proposition it takes up (see propositions.csv)"),
        ],
    );
    let mut departures = Table::new(
        "decision_departures.csv",
        "Where a decision departs from what the Deliberation Day favoured, and why.",
        &[
            ("decision_id", "The decision (see decisions.csv)"),
            ("proposition_id", "The proposition (see propositions.csv)"),
            ("kind", &one_of::<DepartureKind>()),
            ("rank", "Where the room ranked the proposition when the decision was recorded"),
            ("ranked", "Of how many propositions the room ranked"),
            ("reason", "The reason given for departing"),
        ],
    );
    for summary in store.decisions(id).await? {
        let Some(d) = store.decision(id, summary.id).await? else { continue };
        let by = if d.decided_by_kind == DeciderKind::Person { String::new() } else { d.decided_by.clone() };
        let rolled = progress.decisions.iter().find(|p| p.decision_id == d.id);
        t.row([
            text(d.id),
            d.title.clone(),
            d.decided_on.to_string(),
            text(d.decided_by_kind.code()),
            by,
            d.service_change.clone(),
            d.budget_pence.map(text).unwrap_or_default(),
            date(d.period_start),
            date(d.period_end),
            d.rationale.clone(),
            text(d.propositions.len()),
            text(d.departures.len()),
            text(rolled.map_or(0, |p| p.outcomes)),
            share(rolled.and_then(|p| p.progress)),
        ]);
        for p in &d.propositions {
            taken_up.row([text(d.id), text(p.id)]);
        }
        for x in &d.departures {
            departures.row([
                text(d.id),
                text(x.proposition_id),
                text(x.kind.code()),
                text(x.rank),
                text(x.ranked),
                x.reason.clone(),
            ]);
        }
    }
    tables.push(t);
    tables.push(taken_up);
    tables.push(departures);
    tables.extend(outcomes(store, id).await?);

    zip(&programme.name, tables, results).map_err(|e| ReportError::Export(e.to_string()))
}

/// The decisions' outcomes, their measurements and their review dates: numbers, dates and the
/// indicators' words. Who recorded a measurement or did a review is a person, and the notes are
/// free text: neither leaves.
async fn outcomes(store: &Store, programme_id: i64) -> Result<[Table; 3], ReportError> {
    let mut t = Table::new(
        "outcomes.csv",
        "The outcomes of each decision: an indicator with its baseline and target, and progress by its latest measurement.",
        &[
            ("id", "The outcome's number in Heard"),
            ("decision_id", "The decision it is an outcome of (see decisions.csv)"),
            ("indicator", "What is measured"),
            ("unit", "The indicator's unit, if any"),
            ("baseline", "Where the indicator stood when the outcome was set"),
            ("target", "Where it is to get to; below the baseline when it is to come down"),
            ("weight", "1 to 100: what the outcome counts for in its decision's and the programme's progress"),
            ("measurements", "How many measurements it has (see outcome_measurements.csv)"),
            ("latest_value", "The latest measurement by date, if any"),
            ("latest_measured_on", "Its date (YYYY-MM-DD)"),
            ("progress", PROGRESS),
        ],
    );
    let mut measurements = Table::new(
        "outcome_measurements.csv",
        "Every measurement of each outcome's indicator, by date. Never who recorded it.",
        &[
            ("outcome_id", "The outcome (see outcomes.csv)"),
            ("measured_on", "When it was measured (YYYY-MM-DD)"),
            ("value", "The indicator's value, in the outcome's unit"),
        ],
    );
    let mut reviews = Table::new(
        "outcome_reviews.csv",
        "The dates each outcome is to be reviewed on, and whether it was. Never who reviewed it or what they noted.",
        &[
            ("outcome_id", "The outcome (see outcomes.csv)"),
            ("review_on", "When it is to be reviewed (YYYY-MM-DD)"),
            ("reviewed_on", "When the review was recorded as done (YYYY-MM-DD, UTC); blank while it is still to do"),
        ],
    );
    for o in store.outcomes(programme_id, None).await? {
        let latest = o.latest();
        t.row([
            text(o.id),
            text(o.decision_id),
            o.indicator.clone(),
            o.unit.clone().unwrap_or_default(),
            text(o.baseline),
            text(o.target),
            text(o.weight),
            text(o.measurements.len()),
            latest.map(|m| text(m.value)).unwrap_or_default(),
            date(latest.map(|m| m.measured_on)),
            share(o.progress),
        ]);
        for m in &o.measurements {
            measurements.row([text(o.id), m.measured_on.to_string(), text(m.value)]);
        }
        for r in &o.reviews {
            reviews.row([
                text(o.id),
                r.review_on.to_string(),
                date(r.reviewed_at.map(|at| at.to_offset(time::UtcOffset::UTC).date())),
            ]);
        }
    }
    Ok([t, measurements, reviews])
}

/// What each deliberation's results file holds, in the README.
const RESULT_ABOUT: &str = "A Deliberation Day's results as aggregates, one number a row, as Heard's results page \
     exports them: participation, each statement's votes, opinion groups and what sets each apart, what \
     everyone agrees on, views by declared kind, the propositions' prioritisation and the questionnaire's \
     shift. No attendee, token or anyone's vote.";

const RESULT_COLUMN_ABOUT: [&str; 6] = [
    "What the row is about: deliberation, participation, statement, group, representative, consensus, divisive, ...",
    "The statement's, proposition's or question's number, where the row is about one",
    "Its words",
    "The part it is counted in: an opinion group, a declared kind or sector, before or after",
    "What is counted or measured",
    "The number",
];

fn readme(programme: &str, tables: &[Table], results: &[(String, Vec<u8>)]) -> String {
    let mut out = format!(
        "# Open data: {programme}\n\nExported from Heard. Everything here is not personal: counts, and the words \
         staff wrote. No participant, pseudonym, name, contact detail, quote, source text or anyone's vote is \
         included. CSV files are UTF-8 with a header row; dates are YYYY-MM-DD.\n"
    );
    for t in tables {
        out.push_str(&format!("\n## {}\n\n{}\n\n| column | meaning |\n|---|---|\n", t.name, t.about));
        for (c, d) in &t.columns {
            out.push_str(&format!("| {c} | {d} |\n"));
        }
    }
    if !results.is_empty() {
        out.push_str(&format!(
            "\n## deliberation-ID-results.csv\n\n{RESULT_ABOUT}\n\n| column | meaning |\n|---|---|\n"
        ));
        for (c, d) in RESULT_COLUMNS.iter().zip(RESULT_COLUMN_ABOUT) {
            out.push_str(&format!("| {c} | {d} |\n"));
        }
    }
    out
}

fn zip(programme: &str, tables: Vec<Table>, results: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, zip::result::ZipError> {
    // A fixed timestamp and mode keep the archive the same from one export to the next.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("README.md", options)?;
    zip.write_all(readme(programme, &tables, &results).as_bytes())?;
    for t in tables {
        zip.start_file(t.name, options)?;
        let bytes = t.writer.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
        zip.write_all(&bytes)?;
    }
    for (name, bytes) in results {
        zip.start_file(name, options)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
