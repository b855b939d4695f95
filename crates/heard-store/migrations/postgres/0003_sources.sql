-- Voice: sources with their original and redacted text, the participants heard in them, the
-- review of their redaction, and the search index over the redacted text (PostgreSQL).
-- Never edit once landed; add a new numbered migration instead, in both backends.

-- The search configuration: English stemming, with accents folded (so "cafe" finds "café"), as
-- SQLite's unicode61 tokenizer with remove_diacritics does. unaccent is a trusted extension.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION heard (COPY = english);
ALTER TEXT SEARCH CONFIGURATION heard ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

CREATE TABLE sources (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id   BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    activity_id    BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('story', 'interview_transcript', 'field_note', 'observation', 'listening_event_note', 'survey_response', 'film')),
    title          TEXT NOT NULL,
    collected_on   DATE,
    -- Personal data: shown only to researchers, and only where consent allows.
    original_text  TEXT NOT NULL,
    -- The original with every hidden span replaced by its placeholder; what everyone else reads.
    redacted_text  TEXT NOT NULL,
    -- The detector's spans in characters of the original: [[start, end, "KIND"], ...].
    detected_spans TEXT NOT NULL,
    -- Extra columns of an import or answers of a form, as a JSON object of strings.
    attributes     TEXT NOT NULL DEFAULT '{}',
    -- A film's media file: its content address (SHA-256, hex) in the media store, type and size.
    media_address  TEXT,
    media_type     TEXT,
    media_bytes    BIGINT,
    -- A film's cue timings, one per line of the text: [[start_ms, end_ms], ...].
    cue_timings    TEXT,
    created_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    -- The search index's document: derived from the redacted text in the same row, so it changes
    -- in the same transaction and never holds what the row no longer holds.
    search_vector  TSVECTOR GENERATED ALWAYS AS (to_tsvector('heard', redacted_text)) STORED,
    CHECK ((media_address IS NULL) = (media_type IS NULL))
);
CREATE INDEX sources_programme ON sources (programme_id, collected_on);
CREATE INDEX sources_activity ON sources (activity_id);
CREATE INDEX sources_media ON sources (media_address);
CREATE INDEX sources_search ON sources USING GIN (search_vector);

CREATE TABLE source_participants (
    source_id      BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    PRIMARY KEY (source_id, participant_id)
);
CREATE INDEX source_participants_participant ON source_participants (participant_id);

-- A researcher's decisions on a source's redaction; the latest per span counts.
CREATE TABLE redaction_reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id   BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    start_char  BIGINT NOT NULL CHECK (start_char >= 0),
    end_char    BIGINT NOT NULL CHECK (end_char > start_char),
    kind        TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'removed', 'added')),
    reviewed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at TIMESTAMPTZ NOT NULL,
    UNIQUE (source_id, start_char, end_char)
);
