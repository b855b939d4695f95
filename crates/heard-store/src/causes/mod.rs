//! Cause maps in the store: maps, factors, arrows, tags and evidence, with optimistic versioning.
