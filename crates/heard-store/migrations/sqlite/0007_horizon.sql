-- Horizon scanning: signals of change (the organisation's: Heard has one organisation row), their
-- ordered categories, every scoring kept (the latest is current, so movement shows), the
-- programmes and cause-map factors they are linked to, and drivers that group them (SQLite).
-- Propositions do not exist yet; the issue that adds them links them to signals.
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE signals (
    id                 INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    summary            TEXT NOT NULL,
    source_url         TEXT,
    source_publication TEXT,
    spotted_on         TEXT NOT NULL,
    -- Who spotted it, as written (a person or a group); created_by is the account that entered it.
    spotted_by         TEXT,
    kind               TEXT NOT NULL CHECK (kind IN ('signal', 'trend', 'driver', 'wild_card')),
    so_what            TEXT,
    review_on          TEXT,
    created_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX signals_review_on ON signals (review_on);

-- A signal's categories in order; position 1 is the primary category.
CREATE TABLE signal_categories (
    signal_id INTEGER NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 1),
    category  TEXT NOT NULL CHECK (category IN ('social', 'technological', 'economic', 'environmental', 'political', 'values', 'legal')),
    PRIMARY KEY (signal_id, category),
    UNIQUE (signal_id, position)
);

-- Every scoring of a signal; the one with the greatest id is current.
CREATE TABLE signal_scores (
    id          INTEGER PRIMARY KEY,
    signal_id   INTEGER NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    horizon     TEXT NOT NULL CHECK (horizon IN ('h1', 'h2', 'h3')),
    impact      INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    uncertainty INTEGER NOT NULL CHECK (uncertainty BETWEEN 1 AND 5),
    confidence  TEXT NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
    note        TEXT,
    scored_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    scored_at   TEXT NOT NULL
);
CREATE INDEX signal_scores_signal ON signal_scores (signal_id, id);

CREATE TABLE signal_programmes (
    signal_id    INTEGER NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    PRIMARY KEY (signal_id, programme_id)
);
CREATE INDEX signal_programmes_programme ON signal_programmes (programme_id);

CREATE TABLE signal_factors (
    signal_id INTEGER NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    factor_id INTEGER NOT NULL REFERENCES factors (id) ON DELETE CASCADE,
    added_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (signal_id, factor_id)
);
CREATE INDEX signal_factors_factor ON signal_factors (factor_id);

-- A driver groups signals. Its impact and uncertainty are the means of its signals' current
-- scores unless set here by hand.
CREATE TABLE drivers (
    id           INTEGER PRIMARY KEY,
    -- The programme it was made in; NULL: the organisation's, shown in every programme.
    programme_id INTEGER REFERENCES programmes (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- The name folded for comparison (case and spacing).
    name_key     TEXT NOT NULL,
    description  TEXT,
    impact       INTEGER CHECK (impact BETWEEN 1 AND 5),
    uncertainty  INTEGER CHECK (uncertainty BETWEEN 1 AND 5),
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX drivers_name ON drivers (coalesce(programme_id, 0), name_key);

CREATE TABLE driver_signals (
    driver_id INTEGER NOT NULL REFERENCES drivers (id) ON DELETE CASCADE,
    signal_id INTEGER NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    PRIMARY KEY (driver_id, signal_id)
);
CREATE INDEX driver_signals_signal ON driver_signals (signal_id);
