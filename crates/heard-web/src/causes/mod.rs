//! The causes area's pages and API: cause maps built in the browser, their analysis and pictures.

pub(crate) mod picture;
