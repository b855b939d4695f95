-- Multiple cause analysis: a programme's cause maps, their factors (one of them the central event),
-- the arrows between factors ("contributes to", no polarity), factors' tags, and the insights and
-- excerpts that evidence a factor (PostgreSQL).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE cause_maps (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    -- The title folded for comparison (case and spacing), unique within a programme.
    title_key    TEXT NOT NULL,
    -- Optimistic versioning of the map's own fields (title, central event).
    version      BIGINT NOT NULL DEFAULT 1,
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (programme_id, title_key)
);

CREATE TABLE factors (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    map_id      BIGINT NOT NULL REFERENCES cause_maps (id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    label_key   TEXT NOT NULL,
    description TEXT,
    -- Exactly one factor of a map is its central event (the problem).
    central     BOOLEAN NOT NULL DEFAULT FALSE,
    -- The person's order of factors within a column of the picture, smallest first.
    position    BIGINT NOT NULL,
    -- Optimistic versioning: an edit names the version it started from.
    version     BIGINT NOT NULL DEFAULT 1,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (map_id, label_key),
    -- Lets arrows require both ends on the same map.
    UNIQUE (map_id, id)
);
CREATE UNIQUE INDEX factors_central ON factors (map_id) WHERE central;

CREATE TABLE arrows (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    map_id      BIGINT NOT NULL REFERENCES cause_maps (id) ON DELETE CASCADE,
    from_factor BIGINT NOT NULL,
    to_factor   BIGINT NOT NULL,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (map_id, from_factor) REFERENCES factors (map_id, id) ON DELETE CASCADE,
    FOREIGN KEY (map_id, to_factor) REFERENCES factors (map_id, id) ON DELETE CASCADE,
    CHECK (from_factor <> to_factor),
    UNIQUE (from_factor, to_factor)
);
CREATE INDEX arrows_map ON arrows (map_id);
CREATE INDEX arrows_to ON arrows (to_factor);

CREATE TABLE factor_tags (
    factor_id BIGINT NOT NULL REFERENCES factors (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    tag_key   TEXT NOT NULL,
    PRIMARY KEY (factor_id, tag_key)
);

-- What evidences a factor: an insight or an excerpt (exactly one of the two).
CREATE TABLE factor_evidence (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    factor_id  BIGINT NOT NULL REFERENCES factors (id) ON DELETE CASCADE,
    insight_id BIGINT REFERENCES insights (id) ON DELETE CASCADE,
    excerpt_id BIGINT REFERENCES excerpts (id) ON DELETE CASCADE,
    added_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    added_at   TIMESTAMPTZ NOT NULL,
    CHECK ((insight_id IS NULL) <> (excerpt_id IS NULL))
);
CREATE UNIQUE INDEX factor_evidence_insight ON factor_evidence (factor_id, insight_id) WHERE insight_id IS NOT NULL;
CREATE UNIQUE INDEX factor_evidence_excerpt ON factor_evidence (factor_id, excerpt_id) WHERE excerpt_id IS NOT NULL;
CREATE INDEX factor_evidence_insight_id ON factor_evidence (insight_id);
CREATE INDEX factor_evidence_excerpt_id ON factor_evidence (excerpt_id);
