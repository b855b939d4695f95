-- Data protection (issue 8): what an erasure leaves for the record, media files waiting to be
-- removed after an erasure committed, and the administrator's retention rules (SQLite).
-- Never edit once landed; add a new numbered migration instead, in both backends.

-- One row per erasure: a consent withdrawn (by a researcher or with a receipt code) or a retention
-- run. Counts without content: no text, no pseudonym, only ids and numbers.
CREATE TABLE erasures (
    id             INTEGER PRIMARY KEY,
    programme_id   INTEGER REFERENCES programmes (id) ON DELETE CASCADE,
    -- The participant whose consent was withdrawn; NULL for a retention run.
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    reason         TEXT NOT NULL CHECK (reason IN ('withdrawal', 'receipt', 'retention')),
    -- The purpose withdrawn, for a withdrawal.
    purpose        TEXT CHECK (purpose IN ('research', 'anonymous_quotation', 'filming', 'sharing_with_partners')),
    sources        INTEGER NOT NULL DEFAULT 0,
    originals      INTEGER NOT NULL DEFAULT 0,
    excerpts       INTEGER NOT NULL DEFAULT 0,
    codings        INTEGER NOT NULL DEFAULT 0,
    quotes         INTEGER NOT NULL DEFAULT 0,
    form_answers   INTEGER NOT NULL DEFAULT 0,
    media_files    INTEGER NOT NULL DEFAULT 0,
    actor_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at             TEXT NOT NULL,
    -- When the database's free pages and WAL (SQLite) or dead rows (PostgreSQL VACUUM) were
    -- cleared after it; NULL until then, and retried until done.
    scrubbed_at    TEXT
);
CREATE INDEX erasures_participant ON erasures (participant_id);
CREATE INDEX erasures_programme ON erasures (programme_id, at);

-- Media files an erasure took from every source, to be removed from the media store once the
-- erasure committed. Written in the erasure's transaction, so a crash before the files go leaves
-- them listed here, and the next run removes them.
CREATE TABLE media_erasures (
    address   TEXT PRIMARY KEY,
    queued_at TEXT NOT NULL
);

-- The administrator's retention rules: per source kind, how many days a source is kept (from the
-- day it was collected, or received if that is not known), and what goes then: its original text
-- (the redacted copy stays) or the whole source.
CREATE TABLE retention_rules (
    source_kind TEXT PRIMARY KEY CHECK (source_kind IN ('story', 'interview_transcript', 'field_note', 'observation', 'listening_event_note', 'survey_response', 'film')),
    keep_days   INTEGER NOT NULL CHECK (keep_days >= 1 AND keep_days <= 36500),
    erase       TEXT NOT NULL CHECK (erase IN ('original', 'source')),
    set_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    set_at      TEXT NOT NULL
);

-- A source whose original text a retention rule erased: it then holds the redacted copy only.
ALTER TABLE sources ADD COLUMN original_erased_at TEXT;
