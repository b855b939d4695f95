//! The deliberation area's pages and pictures: a Deliberation Day's opinion map, what each group
//! stands for, and the room's live view.

pub mod api;
pub mod attend;
pub mod export;
pub mod live;
pub mod picture;
pub mod projector;
pub mod results;
pub mod setup;
