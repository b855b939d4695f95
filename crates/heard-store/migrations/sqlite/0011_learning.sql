-- The learning log: reflections (an up, a down, a surprise, a lesson) written by anyone on a
-- programme, dated, each optionally linked to one of the programme's stages, activities and
-- decisions (SQLite). Outcomes of decisions are in 0012.
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE reflections (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('up', 'down', 'surprise', 'lesson')),
    text         TEXT NOT NULL,
    written_on   TEXT NOT NULL,
    -- The account that wrote it, and alone may change or delete it.
    written_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    stage_id     INTEGER REFERENCES stages (id) ON DELETE SET NULL,
    activity_id  INTEGER REFERENCES activities (id) ON DELETE SET NULL,
    decision_id  INTEGER REFERENCES decisions (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX reflections_programme ON reflections (programme_id, written_on);
CREATE INDEX reflections_stage ON reflections (stage_id);
CREATE INDEX reflections_activity ON reflections (activity_id);
CREATE INDEX reflections_decision ON reflections (decision_id);
