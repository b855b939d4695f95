-- Decisions: a programme's commissioning decisions, the propositions each takes up, where each
-- departs from what a Deliberation Day favoured (with the reason asked for), and whether the
-- programme's public "You said, we did" page is published (PostgreSQL).
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE decisions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id    BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    -- The change to what is commissioned or how.
    service_change  TEXT NOT NULL,
    -- In pence, so sums are exact; NULL when no budget was given.
    budget_pence    BIGINT CHECK (budget_pence >= 0),
    period_start    DATE,
    period_end      DATE,
    -- Who decided: a person, a board or a committee, and its name or role.
    decided_by_kind TEXT NOT NULL CHECK (decided_by_kind IN ('person', 'board', 'committee')),
    decided_by      TEXT NOT NULL,
    decided_on      DATE NOT NULL,
    -- Why the decision was made.
    rationale       TEXT NOT NULL,
    -- Optimistic versioning: an edit names the version it started from.
    version         BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- The Deliberation Day whose prioritisation the decision was compared with, if any.
    deliberation_id BIGINT REFERENCES deliberations (id) ON DELETE SET NULL,
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CHECK (period_end IS NULL OR period_start IS NULL OR period_end >= period_start)
);
CREATE INDEX decisions_programme ON decisions (programme_id, decided_on);

-- The propositions a decision takes up.
CREATE TABLE decision_propositions (
    decision_id    BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    proposition_id BIGINT NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, proposition_id)
);
CREATE INDEX decision_propositions_proposition ON decision_propositions (proposition_id);

-- Where a decision departs from what the Deliberation Day favoured: a proposition the room ranked
-- high that no decision takes up ('not_taken_up'), or one taken up that the room did not favour
-- ('not_favoured'); its rank of how many at the time, and the reason given.
CREATE TABLE decision_departures (
    decision_id    BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    proposition_id BIGINT NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('not_taken_up', 'not_favoured')),
    rank           BIGINT NOT NULL CHECK (rank >= 1),
    ranked         BIGINT NOT NULL CHECK (ranked >= rank),
    reason         TEXT NOT NULL,
    PRIMARY KEY (decision_id, proposition_id)
);

-- A programme's public "You said, we did" page: published while published_at is set.
CREATE TABLE publications (
    programme_id BIGINT PRIMARY KEY REFERENCES programmes (id) ON DELETE CASCADE,
    published_at TIMESTAMPTZ,
    published_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
