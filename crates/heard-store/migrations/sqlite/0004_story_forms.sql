-- Voice: story forms, their versions, and the answers contributors gave under each version (SQLite).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE story_forms (
    id              INTEGER PRIMARY KEY,
    programme_id    INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    -- The form's part of its public URL: random, not guessable, says nothing of anyone.
    public_id       TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'published', 'closed')),
    -- The version the public form shows; answers keep their own.
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX story_forms_programme ON story_forms (programme_id);

-- One row per version; a draft's version is edited in place, a published form's edit adds one.
CREATE TABLE story_form_versions (
    id           INTEGER PRIMARY KEY,
    form_id      INTEGER NOT NULL REFERENCES story_forms (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    -- heard-domain's FormDefinition as JSON: title, prompt, signifiers, consent statements.
    definition   TEXT NOT NULL,
    published_at TEXT,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (form_id, version)
);

-- A contributor's answer: the story itself is a source (kind story); withdrawing deletes the
-- source, and this row with it.
CREATE TABLE story_answers (
    id              INTEGER PRIMARY KEY,
    form_version_id INTEGER NOT NULL REFERENCES story_form_versions (id) ON DELETE CASCADE,
    source_id       INTEGER NOT NULL UNIQUE REFERENCES sources (id) ON DELETE CASCADE,
    participant_id  INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    -- SHA-256 of the contributor's receipt code, in hex; the code itself is never stored.
    receipt_hash    TEXT NOT NULL UNIQUE,
    -- The signifiers' answers as JSON, by signifier key.
    answers         TEXT NOT NULL,
    submitted_at    TEXT NOT NULL
);
CREATE INDEX story_answers_version ON story_answers (form_version_id);
