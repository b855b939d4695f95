//! The audit log's rules: what kind of event an entry records, and the hash chain that makes the
//! log tamper-evident. Each entry carries the SHA-256 of the entry before it and of its own
//! canonical content, so changing, removing or reordering any entry breaks every link after it.
//! Entries name people by user id and things by id, never by what they said or who they are.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

vocabulary! {
    /// What an audit entry records, for reading and filtering the log.
    pub enum AuditKind {
        /// Someone read a source's original (unredacted) text, or a file carrying it left Heard.
        OriginalViewed = ("original_viewed", "View of original text"),
        /// Someone read a participant's contact details.
        ContactViewed = ("contact_viewed", "View of contact details"),
        /// A file left Heard: a project, open data, a report, a deliberation's or a trail's export.
        Export = ("export", "Export"),
        /// Something was erased, for a withdrawal of consent or on request.
        Erasure = ("erasure", "Erasure"),
        /// A run of the retention rules.
        Retention = ("retention", "Retention run"),
        /// Consent given or withdrawn.
        Consent = ("consent", "Consent"),
        /// A user added, their role changed, deactivated or reactivated; an API token issued or revoked.
        AccessChange = ("access_change", "Role or permission change"),
        /// A user signed in.
        SignIn = ("sign_in", "Sign-in"),
        /// A sign-in refused: wrong password, unknown account or deactivated user.
        SignInFailed = ("sign_in_failed", "Failed sign-in"),
        /// An API call made with a user's token.
        ApiTokenUsed = ("api_token_used", "API token use"),
        /// Anything else the log keeps: imports, redaction reviews, stories submitted, forms published.
        Change = ("change", "Other change"),
    }
}

impl AuditKind {
    /// The kind of an entry written with only an action word (`source.original_viewed`,
    /// `user.role_changed`...), as most of Heard records them. Unknown actions are [`Change`].
    ///
    /// [`Change`]: AuditKind::Change
    pub fn of_action(action: &str) -> AuditKind {
        match action {
            "source.original_viewed" | "project.exported_with_originals" => AuditKind::OriginalViewed,
            "participant.contact_viewed" => AuditKind::ContactViewed,
            "consent.given" | "consent.withdrawn" => AuditKind::Consent,
            "sign_in" => AuditKind::SignIn,
            "sign_in.failed" => AuditKind::SignInFailed,
            "api_token.used" => AuditKind::ApiTokenUsed,
            _ if action.starts_with("user.") || action.starts_with("api_token.") => AuditKind::AccessChange,
            _ if action.starts_with("retention.") => AuditKind::Retention,
            _ if action.ends_with(".erased") || action.starts_with("erasure.") => AuditKind::Erasure,
            _ if action.starts_with("export.") || action.ends_with(".exported") => AuditKind::Export,
            _ => AuditKind::Change,
        }
    }
}

/// The `prev_hash` of the first entry in the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry says: hashed into the chain exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent {
    pub id: i64,
    /// UTC, to the microsecond (what both databases keep).
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub kind: AuditKind,
    pub action: String,
    /// What was acted on, by id: `source 12`, `user 3`, a route's path. Never personal content.
    pub object: String,
}

impl AuditContent {
    /// One line per field, in a fixed order, each escaped so no field can pose as another:
    /// the bytes the hash covers.
    pub fn canonical(&self) -> String {
        let at = self.at.to_offset(time::UtcOffset::UTC);
        let at = at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000).unwrap_or(at);
        let at = at.format(&Rfc3339).unwrap_or_else(|_| at.unix_timestamp_nanos().to_string());
        let actor = self.actor_id.map_or_else(|| "-".to_owned(), |id| id.to_string());
        format!(
            "heard-audit-v1\nid:{}\nat:{}\nactor:{}\nkind:{}\naction:{}\nobject:{}\n",
            self.id,
            at,
            actor,
            self.kind.code(),
            escape(&self.action),
            escape(&self.object)
        )
    }

    /// The entry's hash: SHA-256 over the previous entry's hash and this entry's canonical content,
    /// in lowercase hex.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.canonical().as_bytes());
        hex::encode(hasher.finalize())
    }
}

fn escape(field: &str) -> String {
    field.replace('\\', "\\\\").replace('\n', "\\n")
}

/// An entry as stored: its content and the two hashes it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEntry {
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

/// The first place the chain does not hold, and what differs there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenLink {
    /// The entry's content no longer gives the hash it carries: the entry was changed.
    #[error("entry {id}: its content does not match its hash (stored {stored}, computed {computed})")]
    Content { id: i64, stored: String, computed: String },
    /// The entry does not point at the entry before it: one was removed, inserted or reordered,
    /// or the one before was changed together with its hash.
    #[error("entry {id}: it follows {expected} but names {stored} as the entry before it")]
    Link { id: i64, stored: String, expected: String },
}

impl BrokenLink {
    /// The id of the first entry where the chain breaks.
    pub fn id(&self) -> i64 {
        match self {
            BrokenLink::Content { id, .. } | BrokenLink::Link { id, .. } => *id,
        }
    }
}

/// Walks the chain entry by entry, in id order, so a long log can be read in pages.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    last_hash: String,
    checked: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck { last_hash: GENESIS.to_owned(), checked: 0 }
    }
}

impl ChainCheck {
    pub fn new() -> ChainCheck {
        ChainCheck::default()
    }

    /// Checks the next entry: it must name the last one's hash and its content must give its own.
    pub fn next(&mut self, entry: &ChainedEntry) -> Result<(), BrokenLink> {
        let id = entry.content.id;
        if entry.prev_hash != self.last_hash {
            return Err(BrokenLink::Link { id, stored: entry.prev_hash.clone(), expected: self.last_hash.clone() });
        }
        let computed = entry.content.hash(&entry.prev_hash);
        if computed != entry.hash {
            return Err(BrokenLink::Content { id, stored: entry.hash.clone(), computed });
        }
        self.last_hash = computed;
        self.checked += 1;
        Ok(())
    }

    /// How many entries held.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The hash of the last entry checked: the head of the chain, worth noting down outside
    /// Heard, since removing the newest entries leaves no link to break.
    pub fn head(&self) -> &str {
        &self.last_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn content(id: i64, object: &str) -> AuditContent {
        AuditContent {
            id,
            at: datetime!(2026-03-04 10:11:12.123456 UTC),
            actor_id: Some(7),
            kind: AuditKind::Export,
            action: "export".into(),
            object: object.into(),
        }
    }

    fn chain(objects: &[&str]) -> Vec<ChainedEntry> {
        let mut prev = GENESIS.to_owned();
        let mut entries = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            let content = content(i as i64 + 1, object);
            let hash = content.hash(&prev);
            entries.push(ChainedEntry { content, prev_hash: prev.clone(), hash: hash.clone() });
            prev = hash;
        }
        entries
    }

    fn check(entries: &[ChainedEntry]) -> Result<u64, BrokenLink> {
        let mut check = ChainCheck::new();
        for entry in entries {
            check.next(entry)?;
        }
        Ok(check.checked())
    }

    #[test]
    fn the_hash_is_sha256_of_the_previous_hash_and_the_canonical_content() {
        let content = content(1, "source 12");
        let expected = hex::encode(Sha256::digest(format!("{GENESIS}\n{}", content.canonical()).as_bytes()));
        assert_eq!(content.hash(GENESIS), expected);
        assert_eq!(
            content.canonical(),
            "heard-audit-v1\nid:1\nat:2026-03-04T10:11:12.123456Z\nactor:7\nkind:export\naction:export\nobject:source 12\n"
        );
    }

    #[test]
    fn the_same_moment_in_another_offset_hashes_alike() {
        let utc = content(1, "x");
        let other = AuditContent { at: utc.at.to_offset(time::macros::offset!(+2)), ..utc.clone() };
        assert_eq!(utc.hash(GENESIS), other.hash(GENESIS));
    }

    #[test]
    fn a_field_cannot_pose_as_the_next_one() {
        let a = AuditContent { action: "export\nobject:x".into(), object: "y".into(), ..content(1, "") };
        let b = AuditContent { action: "export".into(), object: "x\nobject:y".into(), ..content(1, "") };
        assert_ne!(a.hash(GENESIS), b.hash(GENESIS));
    }

    #[test]
    fn an_intact_chain_holds() {
        assert_eq!(check(&chain(&["a", "b", "c"])), Ok(3));
    }

    #[test]
    fn a_changed_entry_is_named() {
        let mut entries = chain(&["a", "b", "c"]);
        entries[1].content.object = "changed".into();
        let broken = check(&entries).unwrap_err();
        assert_eq!(broken.id(), 2);
        assert!(matches!(broken, BrokenLink::Content { .. }));
    }

    #[test]
    fn a_removed_entry_breaks_the_link_of_the_one_after() {
        let mut entries = chain(&["a", "b", "c"]);
        entries.remove(1);
        let broken = check(&entries).unwrap_err();
        assert_eq!(broken.id(), 3);
        assert!(matches!(broken, BrokenLink::Link { .. }));
    }

    #[test]
    fn a_changed_entry_rehashed_breaks_the_next_link() {
        let mut entries = chain(&["a", "b", "c"]);
        entries[1].content.actor_id = Some(99);
        entries[1].hash = entries[1].content.hash(&entries[1].prev_hash);
        assert_eq!(check(&entries).unwrap_err().id(), 3);
    }

    #[test]
    fn kinds_of_the_actions_heard_records() {
        assert_eq!(AuditKind::of_action("source.original_viewed"), AuditKind::OriginalViewed);
        assert_eq!(AuditKind::of_action("user.role_changed"), AuditKind::AccessChange);
        assert_eq!(AuditKind::of_action("api_token.revoked"), AuditKind::AccessChange);
        assert_eq!(AuditKind::of_action("api_token.used"), AuditKind::ApiTokenUsed);
        assert_eq!(AuditKind::of_action("participant.erased"), AuditKind::Erasure);
        assert_eq!(AuditKind::of_action("retention.applied"), AuditKind::Retention);
        assert_eq!(AuditKind::of_action("signals.import"), AuditKind::Change);
    }
}
