-- Voice: sources with their original and redacted text, the participants heard in them, the
-- review of their redaction, and the search index over the redacted text (SQLite).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE sources (
    id             INTEGER PRIMARY KEY,
    programme_id   INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    activity_id    INTEGER REFERENCES activities (id) ON DELETE SET NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('story', 'interview_transcript', 'field_note', 'observation', 'listening_event_note', 'survey_response', 'film')),
    title          TEXT NOT NULL,
    collected_on   TEXT,
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
    media_bytes    INTEGER,
    -- A film's cue timings, one per line of the text: [[start_ms, end_ms], ...].
    cue_timings    TEXT,
    created_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    CHECK ((media_address IS NULL) = (media_type IS NULL))
);
CREATE INDEX sources_programme ON sources (programme_id, collected_on);
CREATE INDEX sources_activity ON sources (activity_id);
CREATE INDEX sources_media ON sources (media_address);

CREATE TABLE source_participants (
    source_id      INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    PRIMARY KEY (source_id, participant_id)
);
CREATE INDEX source_participants_participant ON source_participants (participant_id);

-- A researcher's decisions on a source's redaction; the latest per span counts.
CREATE TABLE redaction_reviews (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    start_char  INTEGER NOT NULL CHECK (start_char >= 0),
    end_char    INTEGER NOT NULL CHECK (end_char > start_char),
    kind        TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'removed', 'added')),
    reviewed_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at TEXT NOT NULL,
    UNIQUE (source_id, start_char, end_char)
);

-- Full-text search over the redacted text only. An external-content table kept by triggers, so
-- every change to a source changes the index in the same transaction, and the index holds nothing
-- the sources table does not. Secure delete removes a deleted row's terms from the index itself.
CREATE VIRTUAL TABLE sources_search USING fts5 (
    redacted_text,
    content = 'sources',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO sources_search (sources_search, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER sources_search_insert AFTER INSERT ON sources BEGIN
    INSERT INTO sources_search (rowid, redacted_text) VALUES (new.id, new.redacted_text);
END;
CREATE TRIGGER sources_search_delete AFTER DELETE ON sources BEGIN
    INSERT INTO sources_search (sources_search, rowid, redacted_text) VALUES ('delete', old.id, old.redacted_text);
END;
CREATE TRIGGER sources_search_update AFTER UPDATE OF redacted_text ON sources BEGIN
    INSERT INTO sources_search (sources_search, rowid, redacted_text) VALUES ('delete', old.id, old.redacted_text);
    INSERT INTO sources_search (rowid, redacted_text) VALUES (new.id, new.redacted_text);
END;
