-- Voice: participants under pseudonyms and their consent per purpose (PostgreSQL).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE participants (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id    BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    pseudonym       TEXT NOT NULL,
    -- The pseudonym in lower case as heard-domain's `Pseudonym::key` makes it, written by the
    -- application on both backends so that uniqueness ignores case the same way on each.
    pseudonym_key   TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('parent', 'carer', 'service_user', 'young_person', 'practitioner', 'leader', 'other')),
    age_band        TEXT CHECK (age_band IN ('under_18', '18_24', '25_34', '35_49', '50_64', '65_79', '80_plus')),
    area            TEXT,
    -- Personal data: shown only to researchers and administrators.
    contact_details TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (programme_id, pseudonym_key)
);

-- One row per consent given; a withdrawal sets withdrawn_on, and giving again makes a new row.
CREATE TABLE consents (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL CHECK (purpose IN ('research', 'anonymous_quotation', 'filming', 'sharing_with_partners')),
    given_on       DATE NOT NULL,
    how            TEXT NOT NULL CHECK (how IN ('written', 'verbal', 'online_form', 'other')),
    note           TEXT NOT NULL DEFAULT '',
    withdrawn_on   DATE CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on),
    recorded_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    recorded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX consents_participant_id ON consents (participant_id);
-- At most one current consent per participant and purpose.
CREATE UNIQUE INDEX consents_current ON consents (participant_id, purpose) WHERE withdrawn_on IS NULL;
