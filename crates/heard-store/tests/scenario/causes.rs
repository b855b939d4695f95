//! Cause maps on both backends: building, versioning, evidence, import and export.
