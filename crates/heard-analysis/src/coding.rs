//! The coding area's algorithms: agreement between coders ([`agreement`]), carrying codings across
//! a corrected text ([`versions`]), text features ([`features`]) for assisted coding ([`suggest`])
//! and theme discovery ([`themes`]).

pub mod agreement;
pub mod features;
pub mod matrices;
pub mod suggest;
pub mod themes;
pub mod versions;
