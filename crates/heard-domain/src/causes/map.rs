//! What a cause map, a factor and a tag may be.
