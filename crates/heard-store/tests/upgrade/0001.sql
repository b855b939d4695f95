-- Upgrade fixture for 0001 (foundation): an organisation with its accounts, partners, a journey
-- template of its own, one programme with stages, activities and head counts, and audit entries.
-- Synthetic throughout. Rows refer to each other by natural keys (email, slug, title), never by
-- id, so the same file runs on SQLite and PostgreSQL (identity columns).

INSERT INTO organisation (id, name) VALUES (1, 'Upgradeshire County Council (synthetic)');

-- Password of every account: upgrade-fixture-password (argon2id, hashed once by heard admin).
INSERT INTO users (email, display_name, role, active, password_hash, created_at, last_signed_in_at) VALUES
    ('ada.fixture@upgrade.heard.example', 'Ada Fixture (synthetic)', 'administrator', TRUE,
     '$argon2id$v=19$m=19456,t=2,p=1$0r+JzT+thULh3pwWF4HVIQ$21NcZKL1VG4Ns/iLB9rJPaB5mW639fE4C4nFJMhhKvY',
     '2024-01-08T09:00:00Z', '2024-03-01T08:30:00Z'),
    ('cal.commissioner@upgrade.heard.example', 'Cal Commissioner (synthetic)', 'commissioner', TRUE,
     '$argon2id$v=19$m=19456,t=2,p=1$0r+JzT+thULh3pwWF4HVIQ$21NcZKL1VG4Ns/iLB9rJPaB5mW639fE4C4nFJMhhKvY',
     '2024-01-08T09:05:00Z', NULL),
    ('rae.researcher@upgrade.heard.example', 'Rae Researcher (synthetic)', 'researcher', TRUE,
     '$argon2id$v=19$m=19456,t=2,p=1$0r+JzT+thULh3pwWF4HVIQ$21NcZKL1VG4Ns/iLB9rJPaB5mW639fE4C4nFJMhhKvY',
     '2024-01-08T09:10:00Z', NULL),
    ('fen.facilitator@upgrade.heard.example', 'Fen Facilitator (synthetic)', 'facilitator', TRUE,
     '$argon2id$v=19$m=19456,t=2,p=1$0r+JzT+thULh3pwWF4HVIQ$21NcZKL1VG4Ns/iLB9rJPaB5mW639fE4C4nFJMhhKvY',
     '2024-01-08T09:15:00Z', NULL),
    ('vic.viewer@upgrade.heard.example', 'Vic Viewer (synthetic)', 'viewer', FALSE,
     '$argon2id$v=19$m=19456,t=2,p=1$0r+JzT+thULh3pwWF4HVIQ$21NcZKL1VG4Ns/iLB9rJPaB5mW639fE4C4nFJMhhKvY',
     '2024-01-08T09:20:00Z', NULL);

-- The token's hash: SHA-256 of heard_upgrade_fixture_token.
INSERT INTO api_tokens (user_id, name, token_hash, created_at, last_used_at, revoked_at)
SELECT id, 'Upgrade fixture script (synthetic)', '7d4f35664b94de71704c41c150030bbfaa107de8443f4076fb2d43748aa343df',
       '2024-01-09T10:00:00Z', '2024-02-01T10:00:00Z', NULL
FROM users WHERE email = 'rae.researcher@upgrade.heard.example';

INSERT INTO partners (name, sector) VALUES
    ('Upgradeshire Health Trust (synthetic)', 'health'),
    ('Fixture Family Network (synthetic)', 'voluntary_sector');

INSERT INTO audit_events (at, actor_id, action, subject)
SELECT '2024-01-08T09:00:00Z', id, 'user.created', 'user 2' FROM users WHERE email = 'ada.fixture@upgrade.heard.example';
INSERT INTO audit_events (at, actor_id, action, subject)
SELECT '2024-01-09T10:00:00Z', id, 'api_token.created', 'api token 1' FROM users WHERE email = 'rae.researcher@upgrade.heard.example';
INSERT INTO audit_events (at, actor_id, action, subject)
SELECT '2024-01-10T11:00:00Z', id, 'programme.created', 'programme upgrade-trial' FROM users WHERE email = 'cal.commissioner@upgrade.heard.example';

INSERT INTO journey_template_stages (position, name, description, exit_criteria) VALUES
    (1, 'Listen (synthetic)', 'Hear from people who use the service.', 'Every group of people heard.'),
    (2, 'Decide (synthetic)', 'Commission what was heard.', 'A decision recorded.');

INSERT INTO programmes (slug, name, aim, status, lead_commissioner_id, created_at)
SELECT 'upgrade-trial', 'Upgrade Trial Programme (synthetic)',
       'Show that a schema upgrade keeps every row of a made-up programme.', 'active', id, '2024-01-10T11:00:00Z'
FROM users WHERE email = 'cal.commissioner@upgrade.heard.example';

INSERT INTO programme_partners (programme_id, partner_id)
SELECT p.id, r.id FROM programmes p, partners r WHERE p.slug = 'upgrade-trial';

INSERT INTO stages (programme_id, position, name, description, exit_criteria, status, starts_on, ends_on, notes, updated_at)
SELECT id, 1, 'Listen (synthetic)', 'Hear from people who use the service.', 'Every group of people heard.',
       'complete', '2024-01-15', '2024-02-23', 'Two listening events and a round of stories (synthetic).', '2024-02-23T17:00:00Z'
FROM programmes WHERE slug = 'upgrade-trial';
INSERT INTO stages (programme_id, position, name, description, exit_criteria, status, starts_on, ends_on, notes, updated_at)
SELECT id, 2, 'Decide (synthetic)', 'Commission what was heard.', 'A decision recorded.',
       'in_progress', '2024-02-26', NULL, '', '2024-02-26T09:00:00Z'
FROM programmes WHERE slug = 'upgrade-trial';

INSERT INTO activities (programme_id, stage_position, kind, title, held_on, place, facilitator, notes, created_at)
SELECT id, 1, 'listening_event', 'Fixture listening event (synthetic)', '2024-01-24', 'Upgradeshire Library (synthetic venue)',
       'Fen Facilitator (synthetic)', 'Parents and carers met in the library meeting room.', '2024-01-24T18:00:00Z'
FROM programmes WHERE slug = 'upgrade-trial';
INSERT INTO activities (programme_id, stage_position, kind, title, held_on, place, facilitator, notes, created_at)
SELECT id, NULL, 'workshop', 'Fixture workshop without a stage (synthetic)', '2024-02-07', 'Fixture Town Hall (synthetic venue)',
       'Fen Facilitator (synthetic)', '', '2024-02-07T16:00:00Z'
FROM programmes WHERE slug = 'upgrade-trial';

INSERT INTO activity_attendance (activity_id, dimension, code, count)
SELECT id, 'sector', 'citizen', 14 FROM activities WHERE title = 'Fixture listening event (synthetic)';
INSERT INTO activity_attendance (activity_id, dimension, code, count)
SELECT id, 'sector', 'health', 3 FROM activities WHERE title = 'Fixture listening event (synthetic)';
INSERT INTO activity_attendance (activity_id, dimension, code, count)
SELECT id, 'kind', 'carer', 5 FROM activities WHERE title = 'Fixture listening event (synthetic)';
