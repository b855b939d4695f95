//! Reading a programme's codings whole for analysis: the co-occurrence matrix, codes by a
//! participant attribute, and agreement between coders. The arithmetic is
//! `heard_analysis::coding`'s; this module reads what it needs in a few flat queries.

use std::collections::{BTreeSet, HashMap};

use heard_analysis::coding::agreement::{self, Agreement};
use heard_analysis::coding::matrices::{self, Placed};
use serde::Serialize;

use crate::coding::codebook::Code;
use crate::coding::excerpts::CodingRecord;
use crate::{Store, StoreError};

/// A participant attribute a matrix can spread codes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Kind,
    AgeBand,
    Area,
}

impl Attribute {
    pub const ALL: [Attribute; 3] = [Attribute::Kind, Attribute::AgeBand, Attribute::Area];

    pub fn code(self) -> &'static str {
        match self {
            Attribute::Kind => "kind",
            Attribute::AgeBand => "age_band",
            Attribute::Area => "area",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Attribute::Kind => "Kind of participant",
            Attribute::AgeBand => "Age band",
            Attribute::Area => "Area",
        }
    }

    pub fn parse(code: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.code() == code)
    }

    fn column(self) -> &'static str {
        match self {
            Attribute::Kind => "p.kind",
            Attribute::AgeBand => "p.age_band",
            Attribute::Area => "p.area",
        }
    }
}

/// Codes against codes: how many excerpts each pair meets on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoOccurrence {
    pub codes: Vec<Code>,
    /// `(a, b, excerpts)` with `a <= b`; `(a, a, n)` is how many excerpts carry `a`.
    pub cells: Vec<(i64, i64, usize)>,
}

/// Codes against the values of a participant attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AttributeMatrix {
    pub attribute: Attribute,
    pub codes: Vec<Code>,
    /// The values found, in order, as `(value, label)`.
    pub values: Vec<(String, String)>,
    /// `(code, value, excerpts)`.
    pub cells: Vec<(i64, String, usize)>,
}

fn placed(records: &[CodingRecord]) -> Vec<Placed> {
    records
        .iter()
        .map(|r| Placed {
            excerpt: r.excerpt_id,
            source: r.source_id,
            code: r.code_id,
            start: usize::try_from(r.start).unwrap_or(0),
            end: usize::try_from(r.end).unwrap_or(0),
        })
        .collect()
}

fn value_label(attribute: Attribute, value: &str) -> String {
    use heard_domain::voice::participants::{AgeBand, ParticipantKind};
    match attribute {
        Attribute::Kind => {
            value.parse::<ParticipantKind>().map(|k| k.label().to_owned()).unwrap_or_else(|_| value.to_owned())
        }
        Attribute::AgeBand => {
            value.parse::<AgeBand>().map(|b| b.label().to_owned()).unwrap_or_else(|_| value.to_owned())
        }
        Attribute::Area => value.to_owned(),
    }
}

per_backend! {
    pub(super) async fn attribute_values(
        pool: &DbPool,
        programme_id: i64,
        attribute: Attribute,
    ) -> Result<HashMap<i64, BTreeSet<String>>, StoreError> {
        let column = attribute.column();
        let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT sp.source_id, {column} FROM source_participants sp JOIN participants p ON p.id = sp.participant_id
             WHERE p.programme_id = $1 AND {column} IS NOT NULL"
        ))
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        let mut values: HashMap<i64, BTreeSet<String>> = HashMap::new();
        for (source, value) in rows {
            values.entry(source).or_default().insert(value);
        }
        Ok(values)
    }

    pub(super) async fn source_lengths(pool: &DbPool, programme_id: i64) -> Result<Vec<(i64, usize)>, StoreError> {
        // Only sources someone has coded; length() counts characters on both backends.
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT s.id, CAST(length(s.redacted_text) AS BIGINT) FROM sources s WHERE s.programme_id = $1
             AND EXISTS (SELECT 1 FROM excerpts e WHERE e.source_id = s.id)",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        Ok(rows.into_iter().map(|(id, n)| (id, usize::try_from(n).unwrap_or(0))).collect())
    }
}

impl Store {
    /// Each source's participants' values of `attribute`, by source.
    async fn attribute_values(
        &self,
        programme_id: i64,
        attribute: Attribute,
    ) -> Result<HashMap<i64, BTreeSet<String>>, StoreError> {
        dispatch!(self, attribute_values(programme_id, attribute))
    }

    /// Which codes meet on the same or overlapping excerpts, over the programme's current excerpts.
    pub async fn co_occurrence(&self, programme_id: i64) -> Result<CoOccurrence, StoreError> {
        // Two connections at once: the codebook and the codings are independent reads.
        let (codes, records) = tokio::try_join!(self.codes(Some(programme_id)), self.coding_records(programme_id))?;
        let cells = matrices::co_occurrence_counts(&placed(&records));
        Ok(CoOccurrence { codes, cells: cells.into_iter().map(|((a, b), n)| (a, b, n)).collect() })
    }

    /// The excerpts where codes `a` and `b` meet (`a == b`: the excerpts coded `a`), by id.
    pub async fn co_occurrence_excerpts(&self, programme_id: i64, a: i64, b: i64) -> Result<Vec<i64>, StoreError> {
        // A cell depends only on the codings of its two codes.
        let mut records = self.coding_records(programme_id).await?;
        records.retain(|r| r.code_id == a || r.code_id == b);
        let mut cells = matrices::co_occurrence(&placed(&records));
        Ok(cells.remove(&(a.min(b), a.max(b))).map(|ids| ids.into_iter().collect()).unwrap_or_default())
    }

    /// Codes against the values of a participant attribute: excerpts whose source hears someone
    /// with each value.
    pub async fn attribute_matrix(
        &self,
        programme_id: i64,
        attribute: Attribute,
    ) -> Result<AttributeMatrix, StoreError> {
        let (codes, records, values) = tokio::try_join!(
            self.codes(Some(programme_id)),
            self.coding_records(programme_id),
            self.attribute_values(programme_id, attribute)
        )?;
        let cells = matrices::by_attribute(&placed(&records), &values);
        let found: BTreeSet<String> = values.values().flatten().cloned().collect();
        Ok(AttributeMatrix {
            attribute,
            codes,
            values: found.into_iter().map(|v| (v.clone(), value_label(attribute, &v))).collect(),
            cells: cells.into_iter().map(|((code, value), ids)| (code, value, ids.len())).collect(),
        })
    }

    /// The excerpts coded `code` whose source hears someone with `value` of `attribute`, by id.
    pub async fn attribute_excerpts(
        &self,
        programme_id: i64,
        attribute: Attribute,
        code: i64,
        value: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let (mut records, values) =
            tokio::try_join!(self.coding_records(programme_id), self.attribute_values(programme_id, attribute))?;
        records.retain(|r| r.code_id == code);
        let mut cells = matrices::by_attribute(&placed(&records), &values);
        Ok(cells.remove(&(code, value.to_owned())).map(|ids| ids.into_iter().collect()).unwrap_or_default())
    }

    /// Agreement between the programme's coders on the sources two or more of them coded.
    pub async fn agreement(&self, programme_id: i64) -> Result<Agreement, StoreError> {
        let (records, lengths) = tokio::try_join!(self.coding_records(programme_id), async {
            dispatch!(self, source_lengths(programme_id))
        })?;
        let codings: Vec<agreement::Coding> = records
            .iter()
            .map(|r| agreement::Coding {
                source: r.source_id,
                coder: r.coder,
                code: r.code_id,
                start: usize::try_from(r.start).unwrap_or(0),
                end: usize::try_from(r.end).unwrap_or(0),
            })
            .collect();
        Ok(agreement::agreement(&codings, &lengths))
    }
}
