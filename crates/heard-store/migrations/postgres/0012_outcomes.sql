-- Outcomes of decisions: each an indicator with a baseline, a target (different from it; below it
-- when the aim is to bring something down) and a weight in its decision's progress; its dated
-- measurements; and its review dates, each done once reviewed (PostgreSQL).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE outcomes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    indicator   TEXT NOT NULL,
    unit        TEXT,
    baseline    DOUBLE PRECISION NOT NULL,
    target      DOUBLE PRECISION NOT NULL CHECK (target <> baseline),
    weight      BIGINT NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX outcomes_decision ON outcomes (decision_id);

CREATE TABLE outcome_measurements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outcome_id  BIGINT NOT NULL REFERENCES outcomes (id) ON DELETE CASCADE,
    value       DOUBLE PRECISION NOT NULL,
    measured_on DATE NOT NULL,
    note        TEXT,
    recorded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX outcome_measurements_outcome ON outcome_measurements (outcome_id, measured_on);

-- A review is due from review_on until someone records it as reviewed.
CREATE TABLE outcome_reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outcome_id  BIGINT NOT NULL REFERENCES outcomes (id) ON DELETE CASCADE,
    review_on   DATE NOT NULL,
    reviewed_at TIMESTAMPTZ,
    reviewed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    note        TEXT
);
CREATE INDEX outcome_reviews_due ON outcome_reviews (review_on) WHERE reviewed_at IS NULL;
CREATE INDEX outcome_reviews_outcome ON outcome_reviews (outcome_id);
