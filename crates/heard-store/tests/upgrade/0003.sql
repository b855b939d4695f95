-- Upgrade fixture for 0003 (sources): a listening event note with a phone number hidden and its
-- redaction confirmed, heard from a participant; a field note with an import's extra column; a
-- film's media and cue timings. Synthetic.

INSERT INTO sources (programme_id, activity_id, kind, title, collected_on, original_text, redacted_text, detected_spans,
                     attributes, created_by, created_at)
SELECT p.id, a.id, 'listening_event_note', 'Waiting for a call back (synthetic)', '2024-01-24',
       'I waited six weeks for a call back from the health visitor. Ring me on 07700 900123 if you need more. Nobody asked my mum, who does the school run. (Synthetic fixture story.)',
       'I waited six weeks for a call back from the health visitor. Ring me on [PHONE-1] if you need more. Nobody asked my mum, who does the school run. (Synthetic fixture story.)',
       '[[71,83,"PHONE"]]', '{}', u.id, '2024-01-25T10:00:00Z'
FROM programmes p, activities a, users u
WHERE p.slug = 'upgrade-trial' AND a.title = 'Fixture listening event (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO sources (programme_id, activity_id, kind, title, collected_on, original_text, redacted_text, detected_spans,
                     attributes, created_by, created_at)
SELECT p.id, NULL, 'field_note', 'Notes from the clinic waiting room (synthetic)', NULL,
       'Three families waited over an hour; two left before being seen. (Synthetic fixture note.)',
       'Three families waited over an hour; two left before being seen. (Synthetic fixture note.)',
       '[]', '{"ward":"North (synthetic)"}', u.id, '2024-01-30T15:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO sources (programme_id, activity_id, kind, title, collected_on, original_text, redacted_text, detected_spans,
                     attributes, media_address, media_type, media_bytes, cue_timings, created_by, created_at)
SELECT p.id, NULL, 'film', 'A short film of the drop-in (synthetic)', '2024-02-05',
       'Welcome to the drop-in.
We meet every Tuesday. (Synthetic fixture film.)',
       'Welcome to the drop-in.
We meet every Tuesday. (Synthetic fixture film.)',
       '[]', '{}', '733226681a8f85e355a1474fb098dc6a59c2c118216e46771e09e5ba63829b19', 'audio/wav', 4096,
       '[[0,2500],[3000,6000]]', u.id, '2024-02-05T12:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO source_participants (source_id, participant_id)
SELECT s.id, p.id FROM sources s, participants p
WHERE s.title = 'Waiting for a call back (synthetic)' AND p.pseudonym_key = 'parent fixture-a (synthetic)';

INSERT INTO redaction_reviews (source_id, start_char, end_char, kind, decision, reviewed_by, reviewed_at)
SELECT s.id, 71, 83, 'PHONE', 'confirmed', u.id, '2024-01-25T11:00:00Z' FROM sources s, users u
WHERE s.title = 'Waiting for a call back (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
