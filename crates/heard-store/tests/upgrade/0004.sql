-- Upgrade fixture for 0004 (story forms): a published form with two versions and a story sent
-- under the first, with its receipt code's hash (the code is 5Y8H-3JKC-2W6N). Synthetic.

INSERT INTO story_forms (programme_id, public_id, status, current_version, created_by, created_at)
SELECT p.id, 'fx7upgrade2trial', 'published', 2, u.id, '2024-01-12T09:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO story_form_versions (form_id, version, definition, published_at, created_by, created_at)
SELECT f.id, 1,
       '{"title":"Finding help (synthetic)","prompt":"Tell us about a time you looked for help. What happened?","signifiers":[{"key":"s1","question":"How long did it take?","kind":"single_choice","labels":["Days","Weeks","Months"]},{"key":"s2","question":"How did it feel?","kind":"slider","labels":["On my own","Well supported"]}],"consents":[{"purpose":"research","text":"My story can be used in research (synthetic form)","required":true},{"purpose":"anonymous_quotation","text":"My words can be quoted without my name","required":false}]}',
       '2024-01-12T10:00:00Z', u.id, '2024-01-12T09:00:00Z'
FROM story_forms f, users u WHERE f.public_id = 'fx7upgrade2trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO story_form_versions (form_id, version, definition, published_at, created_by, created_at)
SELECT f.id, 2,
       '{"title":"Finding help, second version (synthetic)","prompt":"Tell us about a time you looked for help.","signifiers":[{"key":"s1","question":"How long did it take?","kind":"single_choice","labels":["Days","Weeks","Months","Never"]}],"consents":[{"purpose":"research","text":"My story can be used in research (synthetic form)","required":true}]}',
       '2024-02-01T10:00:00Z', u.id, '2024-02-01T09:00:00Z'
FROM story_forms f, users u WHERE f.public_id = 'fx7upgrade2trial' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO sources (programme_id, activity_id, kind, title, collected_on, original_text, redacted_text, detected_spans,
                     attributes, created_by, created_at)
SELECT id, NULL, 'story', 'Finding help (synthetic)', '2024-01-20',
       'The form asked the same questions the clinic had asked. I gave up half way through. (Synthetic fixture story.)',
       'The form asked the same questions the clinic had asked. I gave up half way through. (Synthetic fixture story.)',
       '[]', '{}', NULL, '2024-01-20T20:00:00Z'
FROM programmes WHERE slug = 'upgrade-trial';

INSERT INTO story_answers (form_version_id, source_id, participant_id, receipt_hash, answers, submitted_at)
SELECT v.id, s.id, p.id, '86087e74674cb2fed4151b6ebda39e4d1627edf73bf6383d87e08f80de4bbd06',
       '{"s1":{"choices":["Weeks"]},"s2":{"slider":20}}', '2024-01-20T20:00:00Z'
FROM story_form_versions v, story_forms f, sources s, participants p
WHERE v.form_id = f.id AND f.public_id = 'fx7upgrade2trial' AND v.version = 1
  AND s.title = 'Finding help (synthetic)' AND p.pseudonym_key = 'carer fixture-b (synthetic)';

INSERT INTO source_participants (source_id, participant_id)
SELECT s.id, p.id FROM sources s, participants p
WHERE s.title = 'Finding help (synthetic)' AND p.pseudonym_key = 'carer fixture-b (synthetic)';
