-- Governance and journeys: the foundation of Heard's schema (PostgreSQL).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE organisation (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL
);

CREATE TABLE users (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email             TEXT NOT NULL CHECK (email = lower(email)),
    display_name      TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('administrator', 'commissioner', 'researcher', 'facilitator', 'viewer')),
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash     TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    last_signed_in_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE partners (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name   TEXT NOT NULL,
    sector TEXT NOT NULL CHECK (sector IN ('health', 'social_care', 'voluntary_sector', 'education', 'police', 'housing', 'citizen', 'other'))
);
CREATE UNIQUE INDEX partners_name_key ON partners (lower(name));

CREATE TABLE audit_events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL
);

CREATE TABLE journey_template_stages (
    position      INTEGER PRIMARY KEY CHECK (position >= 1),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    exit_criteria TEXT NOT NULL
);

CREATE TABLE programmes (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    aim                  TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'paused', 'closed')),
    lead_commissioner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE programme_partners (
    programme_id BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    partner_id   BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    PRIMARY KEY (programme_id, partner_id)
);
CREATE INDEX programme_partners_partner_id ON programme_partners (partner_id);

CREATE TABLE stages (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id  BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 1),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    exit_criteria TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'complete')),
    starts_on     DATE,
    ends_on       DATE,
    notes         TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (programme_id, position)
);

CREATE TABLE activities (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id   BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    stage_position INTEGER,
    kind           TEXT NOT NULL CHECK (kind IN ('workshop', 'listening_event', 'fieldwork_visit', 'deliberation_day', 'film_screening', 'other')),
    title          TEXT NOT NULL,
    held_on        DATE NOT NULL,
    place          TEXT NOT NULL,
    facilitator    TEXT NOT NULL,
    notes          TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (programme_id, stage_position) REFERENCES stages (programme_id, position)
);
CREATE INDEX activities_programme_id ON activities (programme_id, held_on);

-- Head counts of one activity, one row per sector or kind of person counted (never zero).
CREATE TABLE activity_attendance (
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    dimension   TEXT NOT NULL CHECK (dimension IN ('sector', 'kind')),
    code        TEXT NOT NULL,
    count       INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (activity_id, dimension, code),
    CHECK (
        (dimension = 'sector' AND code IN ('health', 'social_care', 'voluntary_sector', 'education', 'police', 'housing', 'citizen', 'other'))
        OR (dimension = 'kind' AND code IN ('professional', 'service_user', 'carer'))
    )
);
