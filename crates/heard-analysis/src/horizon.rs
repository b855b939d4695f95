//! The horizon area's algorithms: placing signals on a radar and an impact-by-uncertainty matrix.
