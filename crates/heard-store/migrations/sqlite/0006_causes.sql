-- Multiple cause analysis: a programme's cause maps, their factors (one of them the central event),
-- the arrows between factors ("contributes to", no polarity), factors' tags, and the insights and
-- excerpts that evidence a factor (SQLite).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE cause_maps (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    -- The title folded for comparison (case and spacing), unique within a programme.
    title_key    TEXT NOT NULL,
    -- Optimistic versioning of the map's own fields (title, central event).
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (programme_id, title_key)
);

CREATE TABLE factors (
    id          INTEGER PRIMARY KEY,
    map_id      INTEGER NOT NULL REFERENCES cause_maps (id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    label_key   TEXT NOT NULL,
    description TEXT,
    -- Exactly one factor of a map is its central event (the problem).
    central     INTEGER NOT NULL DEFAULT 0 CHECK (central IN (0, 1)),
    -- The person's order of factors within a column of the picture, smallest first.
    position    INTEGER NOT NULL,
    -- Optimistic versioning: an edit names the version it started from.
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (map_id, label_key),
    -- Lets arrows require both ends on the same map.
    UNIQUE (map_id, id)
);
CREATE UNIQUE INDEX factors_central ON factors (map_id) WHERE central = 1;

CREATE TABLE arrows (
    id          INTEGER PRIMARY KEY,
    map_id      INTEGER NOT NULL REFERENCES cause_maps (id) ON DELETE CASCADE,
    from_factor INTEGER NOT NULL,
    to_factor   INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    FOREIGN KEY (map_id, from_factor) REFERENCES factors (map_id, id) ON DELETE CASCADE,
    FOREIGN KEY (map_id, to_factor) REFERENCES factors (map_id, id) ON DELETE CASCADE,
    CHECK (from_factor <> to_factor),
    UNIQUE (from_factor, to_factor)
);
CREATE INDEX arrows_map ON arrows (map_id);
CREATE INDEX arrows_to ON arrows (to_factor);

CREATE TABLE factor_tags (
    factor_id INTEGER NOT NULL REFERENCES factors (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    tag_key   TEXT NOT NULL,
    PRIMARY KEY (factor_id, tag_key)
);

-- What evidences a factor: an insight or an excerpt (exactly one of the two).
CREATE TABLE factor_evidence (
    id         INTEGER PRIMARY KEY,
    factor_id  INTEGER NOT NULL REFERENCES factors (id) ON DELETE CASCADE,
    insight_id INTEGER REFERENCES insights (id) ON DELETE CASCADE,
    excerpt_id INTEGER REFERENCES excerpts (id) ON DELETE CASCADE,
    added_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    added_at   TEXT NOT NULL,
    CHECK ((insight_id IS NULL) <> (excerpt_id IS NULL))
);
CREATE UNIQUE INDEX factor_evidence_insight ON factor_evidence (factor_id, insight_id) WHERE insight_id IS NOT NULL;
CREATE UNIQUE INDEX factor_evidence_excerpt ON factor_evidence (factor_id, excerpt_id) WHERE excerpt_id IS NOT NULL;
CREATE INDEX factor_evidence_insight_id ON factor_evidence (insight_id);
CREATE INDEX factor_evidence_excerpt_id ON factor_evidence (excerpt_id);
