-- Deliberation Days: a programme's deliberations, the propositions they prioritise, their
-- statements (written, seeded from insights or propositions, or added by attendees and moderated),
-- attendees who join with the code and a secret their phone keeps (no account), and what attendees
-- give: votes on statements (the latest counts), pairwise choices, dot votes, and answers to the
-- questionnaire before and after (SQLite). Attendees' votes are read only as aggregates outside
-- the store. Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE deliberations (
    id                  INTEGER PRIMARY KEY,
    programme_id        INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    title               TEXT NOT NULL,
    held_on             TEXT NOT NULL,
    venue               TEXT,
    -- Six characters of Crockford base 32, upper case; shown as ABC-DEF.
    join_code           TEXT NOT NULL UNIQUE,
    status              TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    attendee_statements INTEGER NOT NULL DEFAULT 0 CHECK (attendee_statements IN (0, 1)),
    prioritisation      TEXT NOT NULL DEFAULT 'none' CHECK (prioritisation IN ('none', 'pairwise', 'dots')),
    dots                INTEGER CHECK (dots BETWEEN 1 AND 20),
    -- Where a finished deliberation came from when it was not run in Heard, e.g. 'polis'.
    imported_from       TEXT,
    created_by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    opened_at           TEXT,
    closed_at           TEXT,
    CHECK ((prioritisation = 'dots') = (dots IS NOT NULL))
);
CREATE INDEX deliberations_programme ON deliberations (programme_id, held_on);

-- The propositions a deliberation prioritises, in the order the facilitator listed them.
CREATE TABLE deliberation_propositions (
    deliberation_id INTEGER NOT NULL REFERENCES deliberations (id) ON DELETE CASCADE,
    proposition_id  INTEGER NOT NULL REFERENCES propositions (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (deliberation_id, proposition_id),
    UNIQUE (deliberation_id, position)
);

-- The pre and post questionnaire: statements answered on a scale of 1 (strongly disagree) to 5.
CREATE TABLE deliberation_questions (
    id              INTEGER PRIMARY KEY,
    deliberation_id INTEGER NOT NULL REFERENCES deliberations (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 1),
    text            TEXT NOT NULL,
    UNIQUE (deliberation_id, position),
    UNIQUE (deliberation_id, id)
);

CREATE TABLE attendees (
    id              INTEGER PRIMARY KEY,
    deliberation_id INTEGER NOT NULL REFERENCES deliberations (id) ON DELETE CASCADE,
    -- SHA-256 of the secret the attendee's phone keeps; NULL for an imported attendee.
    token_hash      TEXT UNIQUE,
    kind            TEXT CHECK (kind IN ('service_user', 'carer', 'practitioner', 'commissioner', 'other')),
    sector          TEXT CHECK (sector IN ('health', 'social_care', 'voluntary_sector', 'education', 'police', 'housing', 'citizen', 'other')),
    -- The participant number in an imported export (Pol.is's voter-id).
    external_id     INTEGER,
    joined_at       TEXT NOT NULL,
    UNIQUE (deliberation_id, id),
    UNIQUE (deliberation_id, external_id)
);

CREATE TABLE statements (
    id              INTEGER PRIMARY KEY,
    deliberation_id INTEGER NOT NULL REFERENCES deliberations (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    -- The words folded for comparison, so a statement is not added twice.
    text_key        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('accepted', 'pending', 'rejected')),
    -- Where it came from: an insight, a proposition, an attendee, or written by created_by.
    insight_id      INTEGER REFERENCES insights (id) ON DELETE SET NULL,
    proposition_id  INTEGER REFERENCES propositions (id) ON DELETE SET NULL,
    attendee_id     INTEGER REFERENCES attendees (id) ON DELETE SET NULL,
    -- The comment number in an imported export (Pol.is's comment-id).
    external_id     INTEGER,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    moderated_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    moderated_at    TEXT,
    UNIQUE (deliberation_id, text_key),
    UNIQUE (deliberation_id, id)
);
CREATE INDEX statements_state ON statements (deliberation_id, state);

-- One vote per attendee and statement: changing it replaces it. The composite keys keep a vote
-- inside its deliberation: an attendee cannot vote on another deliberation's statement.
CREATE TABLE votes (
    deliberation_id INTEGER NOT NULL,
    attendee_id     INTEGER NOT NULL,
    statement_id    INTEGER NOT NULL,
    -- 1 agree, -1 disagree, 0 pass (as Pol.is).
    vote            INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    voted_at        TEXT NOT NULL,
    PRIMARY KEY (attendee_id, statement_id),
    FOREIGN KEY (deliberation_id, attendee_id) REFERENCES attendees (deliberation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (deliberation_id, statement_id) REFERENCES statements (deliberation_id, id) ON DELETE CASCADE
);
CREATE INDEX votes_deliberation ON votes (deliberation_id, statement_id);

-- Each pairwise choice as made ("which of these two matters more?"); skip means neither.
CREATE TABLE pairwise_choices (
    id              INTEGER PRIMARY KEY,
    deliberation_id INTEGER NOT NULL,
    attendee_id     INTEGER NOT NULL,
    left_id         INTEGER NOT NULL,
    right_id        INTEGER NOT NULL,
    pick            TEXT NOT NULL CHECK (pick IN ('left', 'right', 'skip')),
    chosen_at       TEXT NOT NULL,
    CHECK (left_id <> right_id),
    FOREIGN KEY (deliberation_id, attendee_id) REFERENCES attendees (deliberation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (deliberation_id, left_id) REFERENCES deliberation_propositions (deliberation_id, proposition_id) ON DELETE CASCADE,
    FOREIGN KEY (deliberation_id, right_id) REFERENCES deliberation_propositions (deliberation_id, proposition_id) ON DELETE CASCADE
);
CREATE INDEX pairwise_choices_deliberation ON pairwise_choices (deliberation_id, attendee_id);

-- An attendee's dots on a proposition; the latest placing replaces the earlier one.
CREATE TABLE dot_votes (
    deliberation_id INTEGER NOT NULL,
    attendee_id     INTEGER NOT NULL,
    proposition_id  INTEGER NOT NULL,
    dots            INTEGER NOT NULL CHECK (dots BETWEEN 1 AND 20),
    PRIMARY KEY (attendee_id, proposition_id),
    FOREIGN KEY (deliberation_id, attendee_id) REFERENCES attendees (deliberation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (deliberation_id, proposition_id) REFERENCES deliberation_propositions (deliberation_id, proposition_id) ON DELETE CASCADE
);
CREATE INDEX dot_votes_deliberation ON dot_votes (deliberation_id);

-- Answers to the questionnaire, before ('pre') and after ('post'); answering again replaces.
CREATE TABLE questionnaire_answers (
    deliberation_id INTEGER NOT NULL,
    attendee_id     INTEGER NOT NULL,
    question_id     INTEGER NOT NULL,
    moment          TEXT NOT NULL CHECK (moment IN ('pre', 'post')),
    value           INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
    answered_at     TEXT NOT NULL,
    PRIMARY KEY (attendee_id, question_id, moment),
    FOREIGN KEY (deliberation_id, attendee_id) REFERENCES attendees (deliberation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (deliberation_id, question_id) REFERENCES deliberation_questions (deliberation_id, id) ON DELETE CASCADE
);
