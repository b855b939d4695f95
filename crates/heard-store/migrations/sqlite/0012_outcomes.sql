-- Outcomes of decisions: each an indicator with a baseline, a target (different from it; below it
-- when the aim is to bring something down) and a weight in its decision's progress; its dated
-- measurements; and its review dates, each done once reviewed (SQLite).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE outcomes (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    indicator   TEXT NOT NULL,
    unit        TEXT,
    baseline    REAL NOT NULL,
    target      REAL NOT NULL CHECK (target <> baseline),
    weight      INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX outcomes_decision ON outcomes (decision_id);

CREATE TABLE outcome_measurements (
    id          INTEGER PRIMARY KEY,
    outcome_id  INTEGER NOT NULL REFERENCES outcomes (id) ON DELETE CASCADE,
    value       REAL NOT NULL,
    measured_on TEXT NOT NULL,
    note        TEXT,
    recorded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX outcome_measurements_outcome ON outcome_measurements (outcome_id, measured_on);

-- A review is due from review_on until someone records it as reviewed.
CREATE TABLE outcome_reviews (
    id          INTEGER PRIMARY KEY,
    outcome_id  INTEGER NOT NULL REFERENCES outcomes (id) ON DELETE CASCADE,
    review_on   TEXT NOT NULL,
    reviewed_at TEXT,
    reviewed_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note        TEXT
);
CREATE INDEX outcome_reviews_due ON outcome_reviews (review_on) WHERE reviewed_at IS NULL;
CREATE INDEX outcome_reviews_outcome ON outcome_reviews (outcome_id);
