-- Propositions: proposed changes to what is commissioned or how, each with its versions (every edit
-- of title or change kept), its status history, the people who shaped it by kind, its explicit
-- links to insights, cause-map factors and signals, and the lineage of merges and splits (SQLite).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE propositions (
    id              INTEGER PRIMARY KEY,
    programme_id    INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    -- The current version's title and change; every version is in proposition_versions.
    title           TEXT NOT NULL,
    -- The title folded for comparison (case and spacing), unique within a programme.
    title_key       TEXT NOT NULL,
    proposed_change TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'open_for_deliberation', 'recommended', 'commissioned', 'declined', 'withdrawn')),
    -- Optimistic versioning: an edit names the version it started from.
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (programme_id, title_key)
);
CREATE INDEX propositions_programme ON propositions (programme_id, status);

-- Every version of a proposition's title and change, version 1 its creation.
CREATE TABLE proposition_versions (
    proposition_id  INTEGER NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    title           TEXT NOT NULL,
    proposed_change TEXT NOT NULL,
    -- What the editor said about the edit, if anything.
    note            TEXT,
    edited_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    edited_at       TEXT NOT NULL,
    PRIMARY KEY (proposition_id, version)
);

-- Every change of status; the first row (from_status NULL) is the proposition's creation.
CREATE TABLE proposition_status_changes (
    id             INTEGER PRIMARY KEY,
    proposition_id INTEGER NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    from_status    TEXT CHECK (from_status IN ('draft', 'open_for_deliberation', 'recommended', 'commissioned', 'declined', 'withdrawn')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('draft', 'open_for_deliberation', 'recommended', 'commissioned', 'declined', 'withdrawn')),
    note           TEXT,
    changed_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    changed_at     TEXT NOT NULL
);
CREATE INDEX proposition_status_changes_proposition ON proposition_status_changes (proposition_id, id);

-- The people who shaped a proposition: a head count per kind of person, optionally at an activity
-- of the programme (never zero). The store keeps one row per kind and activity; an activity deleted
-- leaves its counts without a place, so counts are summed per kind when read.
CREATE TABLE proposition_shapers (
    id             INTEGER PRIMARY KEY,
    proposition_id INTEGER NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('service_user', 'carer', 'parent', 'young_person', 'practitioner', 'commissioner', 'other')),
    activity_id    INTEGER REFERENCES activities (id) ON DELETE SET NULL,
    count          INTEGER NOT NULL CHECK (count > 0),
    added_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    added_at       TEXT NOT NULL
);
CREATE INDEX proposition_shapers_proposition ON proposition_shapers (proposition_id, kind);

-- What a proposition stands on: an insight, a cause-map factor or a signal (exactly one of the three).
CREATE TABLE proposition_evidence (
    id             INTEGER PRIMARY KEY,
    proposition_id INTEGER NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    insight_id     INTEGER REFERENCES insights (id) ON DELETE CASCADE,
    factor_id      INTEGER REFERENCES factors (id) ON DELETE CASCADE,
    signal_id      INTEGER REFERENCES signals (id) ON DELETE CASCADE,
    added_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    added_at       TEXT NOT NULL,
    CHECK ((insight_id IS NOT NULL) + (factor_id IS NOT NULL) + (signal_id IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX proposition_evidence_insight ON proposition_evidence (proposition_id, insight_id) WHERE insight_id IS NOT NULL;
CREATE UNIQUE INDEX proposition_evidence_factor ON proposition_evidence (proposition_id, factor_id) WHERE factor_id IS NOT NULL;
CREATE UNIQUE INDEX proposition_evidence_signal ON proposition_evidence (proposition_id, signal_id) WHERE signal_id IS NOT NULL;
CREATE INDEX proposition_evidence_insight_id ON proposition_evidence (insight_id);
CREATE INDEX proposition_evidence_factor_id ON proposition_evidence (factor_id);
CREATE INDEX proposition_evidence_signal_id ON proposition_evidence (signal_id);

-- Merges and splits, one row per part: merging A and B into a new C is (A, C) and (B, C); splitting
-- A into new B and C is (A, B) and (A, C). The parts merged and the whole split are withdrawn and
-- stay readable, so a merge is known by its one result and a split by its one origin.
CREATE TABLE proposition_lineage (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
    from_proposition_id INTEGER NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    to_proposition_id   INTEGER NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    note                TEXT,
    recorded_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_at         TEXT NOT NULL,
    CHECK (from_proposition_id <> to_proposition_id),
    UNIQUE (from_proposition_id, to_proposition_id)
);
CREATE INDEX proposition_lineage_to ON proposition_lineage (to_proposition_id);
