-- Upgrade fixture for 0016 (single sign-on): an account linked to an identity provider's subject.
-- Synthetic.

INSERT INTO user_identities (issuer, subject, user_id, created_at)
SELECT 'https://login.upgrade.heard.example/tenant/v2.0', 'fixture-subject-1', id, '2024-03-03T09:00:00Z'
FROM users WHERE email = 'rae.researcher@upgrade.heard.example';
