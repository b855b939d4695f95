-- Single sign-on by OpenID Connect: the identity an account signs in with at an identity provider,
-- named as the provider names a person (its issuer URL and the subject, an opaque id that never
-- changes or is reused there). An email address is not a link: a provider may let people set it.
-- Never edit once landed; add a new numbered migration instead, in both backends.

CREATE TABLE user_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user_id ON user_identities (user_id);
