//! Heard's domain: the types, validation and rules of each area, with no I/O.
//!
//! Input becomes one of these types at the edge (a form, a JSON body, a CLI flag); code further in
//! trusts it and does not check again.

pub mod dates;
pub mod error;
#[macro_use]
pub mod vocabulary;
pub mod audit;
pub mod causes;
pub mod coding;
pub mod decisions;
pub mod deliberation;
pub mod governance;
pub mod horizon;
pub mod journeys;
pub mod learning;
pub mod propositions;
pub mod protection;
pub mod sso;
pub mod voice;

pub use error::{FieldError, Invalid};
