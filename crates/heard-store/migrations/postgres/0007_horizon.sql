-- Horizon scanning: signals of change (the organisation's: Heard has one organisation row), their
-- ordered categories, every scoring kept (the latest is current, so movement shows), the
-- programmes and cause-map factors they are linked to, and drivers that group them (PostgreSQL).
-- Propositions do not exist yet; the issue that adds them links them to signals.
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE signals (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title              TEXT NOT NULL,
    summary            TEXT NOT NULL,
    source_url         TEXT,
    source_publication TEXT,
    spotted_on         DATE NOT NULL,
    -- Who spotted it, as written (a person or a group); created_by is the account that entered it.
    spotted_by         TEXT,
    kind               TEXT NOT NULL CHECK (kind IN ('signal', 'trend', 'driver', 'wild_card')),
    so_what            TEXT,
    review_on          DATE,
    created_by         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX signals_review_on ON signals (review_on);

-- A signal's categories in order; position 1 is the primary category.
CREATE TABLE signal_categories (
    signal_id BIGINT NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    position  BIGINT NOT NULL CHECK (position >= 1),
    category  TEXT NOT NULL CHECK (category IN ('social', 'technological', 'economic', 'environmental', 'political', 'values', 'legal')),
    PRIMARY KEY (signal_id, category),
    UNIQUE (signal_id, position)
);

-- Every scoring of a signal; the one with the greatest id is current.
CREATE TABLE signal_scores (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    signal_id   BIGINT NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    horizon     TEXT NOT NULL CHECK (horizon IN ('h1', 'h2', 'h3')),
    impact      BIGINT NOT NULL CHECK (impact BETWEEN 1 AND 5),
    uncertainty BIGINT NOT NULL CHECK (uncertainty BETWEEN 1 AND 5),
    confidence  TEXT NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
    note        TEXT,
    scored_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    scored_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX signal_scores_signal ON signal_scores (signal_id, id);

CREATE TABLE signal_programmes (
    signal_id    BIGINT NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    programme_id BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    PRIMARY KEY (signal_id, programme_id)
);
CREATE INDEX signal_programmes_programme ON signal_programmes (programme_id);

CREATE TABLE signal_factors (
    signal_id BIGINT NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    factor_id BIGINT NOT NULL REFERENCES factors (id) ON DELETE CASCADE,
    added_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    added_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (signal_id, factor_id)
);
CREATE INDEX signal_factors_factor ON signal_factors (factor_id);

-- A driver groups signals. Its impact and uncertainty are the means of its signals' current
-- scores unless set here by hand.
CREATE TABLE drivers (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The programme it was made in; NULL: the organisation's, shown in every programme.
    programme_id BIGINT REFERENCES programmes (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- The name folded for comparison (case and spacing).
    name_key     TEXT NOT NULL,
    description  TEXT,
    impact       BIGINT CHECK (impact BETWEEN 1 AND 5),
    uncertainty  BIGINT CHECK (uncertainty BETWEEN 1 AND 5),
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX drivers_name ON drivers (coalesce(programme_id, 0), name_key);

CREATE TABLE driver_signals (
    driver_id BIGINT NOT NULL REFERENCES drivers (id) ON DELETE CASCADE,
    signal_id BIGINT NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    PRIMARY KEY (driver_id, signal_id)
);
CREATE INDEX driver_signals_signal ON driver_signals (signal_id);
