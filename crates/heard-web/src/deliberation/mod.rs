//! The deliberation area's pages and pictures: a Deliberation Day's opinion map, what each group
//! stands for, and the room's live view.

pub mod live;
pub mod picture;
