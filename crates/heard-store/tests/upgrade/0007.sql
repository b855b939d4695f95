-- Upgrade fixture for 0007 (horizon scanning): a signal scored twice (the later one current), in
-- two categories, linked to the programme and a factor, and a driver grouping it. Synthetic.

INSERT INTO signals (title, summary, source_url, source_publication, spotted_on, spotted_by, kind, so_what, review_on,
                     created_by, created_at, updated_at)
SELECT 'Grandparents doing the school run (synthetic)', 'A made-up survey finds more grandparents taking children to school.',
       'https://example.org/upgrade/signal/1', 'Example Fixture Digest (synthetic)', '2024-02-13', 'Fixture scanning group (synthetic)',
       'trend', 'Support may need to reach grandparents too.', '2024-08-13', id, '2024-02-13T09:00:00Z', '2024-02-20T09:00:00Z'
FROM users WHERE email = 'rae.researcher@upgrade.heard.example';

INSERT INTO signal_categories (signal_id, position, category)
SELECT id, 1, 'social' FROM signals WHERE title = 'Grandparents doing the school run (synthetic)';
INSERT INTO signal_categories (signal_id, position, category)
SELECT id, 2, 'economic' FROM signals WHERE title = 'Grandparents doing the school run (synthetic)';

INSERT INTO signal_scores (signal_id, horizon, impact, uncertainty, confidence, note, scored_by, scored_at)
SELECT s.id, 'h2', 3, 4, 'low', NULL, u.id, '2024-02-13T09:00:00Z' FROM signals s, users u
WHERE s.title = 'Grandparents doing the school run (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO signal_scores (signal_id, horizon, impact, uncertainty, confidence, note, scored_by, scored_at)
SELECT s.id, 'h1', 4, 2, 'medium', 'Seen in two more places (synthetic).', u.id, '2024-02-20T09:00:00Z' FROM signals s, users u
WHERE s.title = 'Grandparents doing the school run (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO signal_programmes (signal_id, programme_id)
SELECT s.id, p.id FROM signals s, programmes p WHERE s.title = 'Grandparents doing the school run (synthetic)' AND p.slug = 'upgrade-trial';
INSERT INTO signal_factors (signal_id, factor_id, added_by, added_at)
SELECT s.id, f.id, u.id, '2024-02-14T09:00:00Z' FROM signals s, factors f, users u
WHERE s.title = 'Grandparents doing the school run (synthetic)' AND f.label_key = 'families wait weeks for help (synthetic)'
  AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO drivers (programme_id, name, name_key, description, impact, uncertainty, created_by, created_at)
SELECT p.id, 'Stretched family time (synthetic)', 'stretched family time (synthetic)', 'Families have less time for appointments.', NULL, 3, u.id, '2024-02-15T09:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO driver_signals (driver_id, signal_id)
SELECT d.id, s.id FROM drivers d, signals s WHERE d.name_key = 'stretched family time (synthetic)' AND s.title = 'Grandparents doing the school run (synthetic)';
