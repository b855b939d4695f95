-- Coding: codebooks and their codes, excerpts of sources' redacted text by character offsets, who
-- applied which code to which excerpt, memos, insights with their evidence, assisted-coding
-- suggestions and theme-discovery runs (SQLite).
-- Never edit once landed; add a new numbered migration instead, in both backends.

-- A source's text is fixed once coded: a change to the redacted text of a coded source (a
-- redaction review) keeps the coded version in source_versions and makes a new one, carrying
-- excerpts across where their words are unchanged.
ALTER TABLE sources ADD COLUMN text_version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE source_versions (
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    redacted_text TEXT NOT NULL,
    replaced_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    replaced_at   TEXT NOT NULL,
    PRIMARY KEY (source_id, version)
);

CREATE TABLE codes (
    id           INTEGER PRIMARY KEY,
    -- NULL: the organisation's codebook, shared by every programme.
    programme_id INTEGER REFERENCES programmes (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES codes (id),
    name         TEXT NOT NULL,
    -- The name folded for comparison (case and spacing), unique among a parent's live children.
    name_key     TEXT NOT NULL,
    description  TEXT,
    colour       TEXT NOT NULL,
    -- A merged code is kept for its history; its codings moved to this one.
    merged_into  INTEGER REFERENCES codes (id),
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX codes_name ON codes (coalesce(programme_id, 0), coalesce(parent_id, 0), name_key)
    WHERE merged_into IS NULL;
CREATE INDEX codes_programme ON codes (programme_id);
CREATE INDEX codes_parent ON codes (parent_id);

-- What happened to a code: made, edited, merged, split, imported; with how many codings moved.
CREATE TABLE code_events (
    id            INTEGER PRIMARY KEY,
    code_id       INTEGER NOT NULL REFERENCES codes (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('created', 'edited', 'merged_into', 'merged_from', 'split_into', 'split_from', 'imported')),
    other_code_id INTEGER REFERENCES codes (id) ON DELETE SET NULL,
    codings       INTEGER NOT NULL DEFAULT 0,
    actor_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at            TEXT NOT NULL
);
CREATE INDEX code_events_code ON code_events (code_id, at);

-- A span of a source's redacted text, in characters (Unicode scalar values), half-open, with the
-- words it quoted when made. Shared by every coder who codes the same span.
CREATE TABLE excerpts (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    -- The source's text version the offsets count in; older than the source's when the text
    -- changed inside the excerpt (it then waits for a researcher to place it again).
    text_version INTEGER NOT NULL,
    start_char   INTEGER NOT NULL CHECK (start_char >= 0),
    end_char     INTEGER NOT NULL CHECK (end_char > start_char),
    quote        TEXT NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (source_id, text_version, start_char, end_char)
);

-- A code applied to an excerpt by one coder. Assisted: accepted from a suggestion.
CREATE TABLE codings (
    id         INTEGER PRIMARY KEY,
    excerpt_id INTEGER NOT NULL REFERENCES excerpts (id) ON DELETE CASCADE,
    code_id    INTEGER NOT NULL REFERENCES codes (id),
    coded_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    assisted   BOOLEAN NOT NULL DEFAULT FALSE,
    coded_at   TEXT NOT NULL,
    UNIQUE (excerpt_id, code_id, coded_by)
);
CREATE INDEX codings_code ON codings (code_id);
CREATE INDEX codings_coder ON codings (coded_by);

CREATE TABLE memos (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    source_id    INTEGER REFERENCES sources (id) ON DELETE CASCADE,
    code_id      INTEGER REFERENCES codes (id) ON DELETE CASCADE,
    excerpt_id   INTEGER REFERENCES excerpts (id) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    written_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    written_at   TEXT NOT NULL,
    CHECK ((source_id IS NOT NULL) + (code_id IS NOT NULL) + (excerpt_id IS NOT NULL) = 1)
);
CREATE INDEX memos_programme ON memos (programme_id);
CREATE INDEX memos_source ON memos (source_id);
CREATE INDEX memos_code ON memos (code_id);
CREATE INDEX memos_excerpt ON memos (excerpt_id);

CREATE TABLE insights (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    statement    TEXT NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX insights_programme ON insights (programme_id);

CREATE TABLE insight_evidence (
    insight_id INTEGER NOT NULL REFERENCES insights (id) ON DELETE CASCADE,
    excerpt_id INTEGER NOT NULL REFERENCES excerpts (id) ON DELETE CASCADE,
    stance     TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts')),
    added_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (insight_id, excerpt_id)
);
CREATE INDEX insight_evidence_excerpt ON insight_evidence (excerpt_id);

-- A code the assisted-coding model suggests for a whole source, with its confidence.
CREATE TABLE coding_suggestions (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    code_id      INTEGER NOT NULL REFERENCES codes (id) ON DELETE CASCADE,
    confidence   REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    suggested_at TEXT NOT NULL,
    decided_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at   TEXT,
    UNIQUE (source_id, code_id)
);
CREATE INDEX coding_suggestions_code ON coding_suggestions (code_id, status);

-- A theme-discovery run over a programme's uncoded sources, and the themes it proposed.
CREATE TABLE theme_runs (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    seed         INTEGER NOT NULL,
    sources      INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE themes (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES theme_runs (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    -- JSON arrays: the top terms, the member sources' ids, and the three most representative.
    top_terms      TEXT NOT NULL,
    member_ids     TEXT NOT NULL,
    representative_ids TEXT NOT NULL,
    -- The code a researcher made of this theme, if any.
    code_id        INTEGER REFERENCES codes (id) ON DELETE SET NULL
);
CREATE INDEX themes_run ON themes (run_id, position);
