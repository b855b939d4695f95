-- Upgrade fixture for 0002 (participants): two pseudonymous participants, consents given, one
-- withdrawn. Synthetic.

INSERT INTO participants (programme_id, pseudonym, pseudonym_key, kind, age_band, area, contact_details, created_at)
SELECT id, 'Parent Fixture-A (synthetic)', 'parent fixture-a (synthetic)', 'parent', '25_34', 'North Upgradeshire (synthetic)',
       'Phone the family centre and ask for the fixture team (synthetic)', '2024-01-24T19:00:00Z'
FROM programmes WHERE slug = 'upgrade-trial';
INSERT INTO participants (programme_id, pseudonym, pseudonym_key, kind, age_band, area, contact_details, created_at)
SELECT id, 'Carer Fixture-B (synthetic)', 'carer fixture-b (synthetic)', 'carer', NULL, NULL, NULL, '2024-01-24T19:05:00Z'
FROM programmes WHERE slug = 'upgrade-trial';

INSERT INTO consents (participant_id, purpose, given_on, how, note, withdrawn_on, recorded_by, recorded_at)
SELECT p.id, 'research', '2024-01-24', 'written', 'Signed form kept by the fixture team (synthetic).', NULL, u.id, '2024-01-24T19:10:00Z'
FROM participants p, users u WHERE p.pseudonym_key = 'parent fixture-a (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO consents (participant_id, purpose, given_on, how, note, withdrawn_on, recorded_by, recorded_at)
SELECT p.id, 'anonymous_quotation', '2024-01-24', 'verbal', '', NULL, u.id, '2024-01-24T19:11:00Z'
FROM participants p, users u WHERE p.pseudonym_key = 'parent fixture-a (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO consents (participant_id, purpose, given_on, how, note, withdrawn_on, recorded_by, recorded_at)
SELECT p.id, 'research', '2024-01-24', 'verbal', '', NULL, u.id, '2024-01-24T19:12:00Z'
FROM participants p, users u WHERE p.pseudonym_key = 'carer fixture-b (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO consents (participant_id, purpose, given_on, how, note, withdrawn_on, recorded_by, recorded_at)
SELECT p.id, 'filming', '2024-01-24', 'written', '', '2024-02-02', u.id, '2024-01-24T19:13:00Z'
FROM participants p, users u WHERE p.pseudonym_key = 'carer fixture-b (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO audit_events (at, actor_id, action, subject)
SELECT '2024-01-24T19:10:00Z', id, 'consent.given', 'participant 1, consent to research' FROM users WHERE email = 'rae.researcher@upgrade.heard.example';
INSERT INTO audit_events (at, actor_id, action, subject)
SELECT '2024-02-02T09:00:00Z', id, 'consent.withdrawn', 'participant 2, consent to filming' FROM users WHERE email = 'rae.researcher@upgrade.heard.example';
