//! Coding: codebooks ([`codebook`]), excerpts with their codings and memos ([`excerpts`]),
//! insights with their evidence and the programme's gaps ([`insights`]), matrices and agreement
//! ([`analysis`]), and what assisted coding and theme discovery read and keep ([`assist`]).

pub mod analysis;
pub mod assist;
pub mod codebook;
pub mod excerpts;
pub mod exchange;
pub mod insights;

use heard_domain::coding::codebook::CodeInput;

use crate::StoreError;

/// Coding steps that other modules take inside a transaction of their own, on whichever backend
/// the connection is.
pub(crate) trait CodingConn {
    async fn find_or_make_excerpt(
        &mut self,
        programme_id: i64,
        source_id: i64,
        span: (usize, usize),
        by: Option<i64>,
    ) -> Result<i64, StoreError>;
    async fn apply_codes(
        &mut self,
        programme_id: i64,
        excerpt_id: i64,
        code_ids: &[i64],
        by: Option<i64>,
        assisted: bool,
    ) -> Result<(), StoreError>;
    async fn insert_code(
        &mut self,
        programme_id: Option<i64>,
        input: &CodeInput,
        by: Option<i64>,
        event: &str,
    ) -> Result<i64, StoreError>;
    /// Keeps a coded source's text as a version and carries its excerpts to `new_text`.
    async fn carry_excerpts(
        &mut self,
        source_id: i64,
        old_text: &str,
        new_text: &str,
        by: Option<i64>,
    ) -> Result<(), StoreError>;
}

macro_rules! coding_conn {
    ($conn:ty, $backend:ident) => {
        impl CodingConn for $conn {
            async fn find_or_make_excerpt(
                &mut self,
                programme_id: i64,
                source_id: i64,
                span: (usize, usize),
                by: Option<i64>,
            ) -> Result<i64, StoreError> {
                excerpts::$backend::find_or_make_excerpt(self, programme_id, source_id, span.0, span.1, by).await
            }
            async fn apply_codes(
                &mut self,
                programme_id: i64,
                excerpt_id: i64,
                code_ids: &[i64],
                by: Option<i64>,
                assisted: bool,
            ) -> Result<(), StoreError> {
                excerpts::$backend::apply_codes(self, programme_id, excerpt_id, code_ids, by, assisted).await
            }
            async fn insert_code(
                &mut self,
                programme_id: Option<i64>,
                input: &CodeInput,
                by: Option<i64>,
                event: &str,
            ) -> Result<i64, StoreError> {
                codebook::$backend::insert_code(self, programme_id, input, by, event).await
            }
            async fn carry_excerpts(
                &mut self,
                source_id: i64,
                old_text: &str,
                new_text: &str,
                by: Option<i64>,
            ) -> Result<(), StoreError> {
                excerpts::$backend::carry_excerpts(self, source_id, old_text, new_text, by).await
            }
        }
    };
}

coding_conn!(sqlx::SqliteConnection, sqlite_steps);
coding_conn!(sqlx::PgConnection, postgres_steps);

pub use analysis::{Attribute, AttributeMatrix, CoOccurrence};
pub use assist::{Example, NewTheme, Suggestion, Theme, ThemeRun, Uncoded};
pub use codebook::{Code, CodeEvent};
pub use excerpts::{Coding, CodingRecord, Excerpt, ExcerptInContext, Memo};
pub use insights::{Breadth, Evidence, Gap, Insight, InsightSummary, Voice};
