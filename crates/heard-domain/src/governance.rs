//! Governance: who may do what. Roles, the one permission table, accounts (emails, passwords and
//! their hashes, API tokens) and the partner organisations with their sectors.

use std::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::Invalid;
use crate::error::required_text;

vocabulary! {
    /// What a person with an account does in Heard (DOMAIN.md, "Who uses it").
    pub enum Role {
        Administrator = ("administrator", "Administrator"),
        Commissioner = ("commissioner", "Commissioner"),
        Researcher = ("researcher", "Researcher"),
        Facilitator = ("facilitator", "Facilitator"),
        Viewer = ("viewer", "Viewer"),
    }
}

vocabulary! {
    /// The part of the system a partner organisation, or a person in the room, comes from.
    pub enum Sector {
        Health = ("health", "Health"),
        SocialCare = ("social_care", "Social care"),
        VoluntarySector = ("voluntary_sector", "Voluntary sector"),
        Education = ("education", "Education"),
        Police = ("police", "Police"),
        Housing = ("housing", "Housing"),
        Citizen = ("citizen", "Citizen"),
        Other = ("other", "Other"),
    }
}

/// Everything a request can ask to do. Each route names exactly one; [`permits`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Open to anyone, signed in or not: the sign-in page, health check, assets, API description.
    Public,
    /// Pages and API calls about the signed-in person themselves: their account, their API tokens.
    OwnAccount,
    /// Read programmes, journeys, activities and who was in the room.
    ViewProgrammes,
    /// Create a programme.
    CreateProgramme,
    /// Change a programme's name, aim, status, lead commissioner or partners.
    EditProgramme,
    /// Move a journey's stages forward or back, and edit their dates, exit criteria and notes.
    UpdateJourney,
    /// Record, edit or remove an activity and its attendance.
    RecordActivity,
    /// Read the partner organisations.
    ViewPartners,
    /// Add and edit partner organisations.
    ManagePartners,
    /// Add users, change their roles, deactivate them, issue and revoke anyone's API tokens.
    ManageUsers,
    /// Rename, add, reorder and remove the stages of the organisation's journey template.
    ManageJourneyTemplate,
    /// Read a programme's participants: pseudonyms, kinds, attributes and consents, never their
    /// contact details.
    ViewParticipants,
    /// Register and edit participants, and record consent given and withdrawn.
    ManageParticipants,
    /// See a participant's contact details (personal data); each time is audited.
    ViewContactDetails,
    /// Read sources in their redacted form, search them, and watch film where consent allows.
    ViewSources,
    /// Add sources (typed, uploaded, imported) to a programme.
    ManageSources,
    /// Read a source's original text where consent allows (each time audited), and review its
    /// redaction: confirm or remove a detected span, mark a missed one.
    ViewOriginalText,
    /// Build, publish and close a programme's story forms, and read their pattern views.
    ManageStoryForms,
    /// Read a programme's codebook, codings, memos, agreement between coders, matrices and themes
    /// (all over redacted text).
    ViewCoding,
    /// Code sources: apply codes to excerpts, write memos, shape the codebook (add, edit, merge,
    /// split codes, import a `.qdc`), take assisted-coding suggestions and discover themes.
    Code,
    /// Read a programme's insights with their breadth, and the quotes behind them that consent
    /// allows this role to read.
    ViewInsights,
    /// State insights and attach the excerpts that support them or cut against them.
    ManageInsights,
    /// Export a programme as a REFI-QDA project and import one; audited.
    ExchangeProjects,
    /// Read a programme's cause maps, their analysis and pictures, and export them.
    ViewCauseMaps,
    /// Build cause maps: factors, arrows, tags and the evidence behind a factor; import a Kumu map.
    EditCauseMaps,
    /// Read the organisation's horizon scanning: signals, drivers, their history and pictures.
    ViewSignals,
    /// Spot, score, re-score and review signals, group them into drivers, import and export them.
    ManageSignals,
    /// Read and download a programme's report (HTML or PDF): counts, pictures, and only quotes
    /// that everyone heard in them consents to be quoted from, redacted.
    ViewReports,
    /// Read a programme's propositions, their evidence and breadth, history, versions and lineage.
    ViewPropositions,
    /// Write and revise propositions, link their evidence and the people who shaped them, merge and
    /// split them, open them for deliberation or withdraw them.
    EditPropositions,
    /// Recommend, commission or decline a proposition.
    DecidePropositions,
    /// Read a programme's deliberations, their results and exports (aggregates only).
    ViewDeliberations,
    /// Set up and run a Deliberation Day: statements, moderation, opening and closing, the projector.
    RunDeliberations,
    /// Read a programme's commissioning decisions, their departures from the Deliberation Day and
    /// their evidence trails (quotes as consent and role allow), and export a trail.
    ViewDecisions,
    /// Record a commissioning decision, with the reason for each departure from what the room favoured.
    RecordDecisions,
    /// Publish or unpublish a programme's public "You said, we did" page.
    PublishDecisions,
    /// Read a programme's learning log and its story of transformation.
    ViewLearning,
    /// Write reflections in a programme's learning log, and change or delete one's own.
    WriteReflections,
    /// Set the retention rules: per source kind, how long sources are kept and what is erased then.
    ManageRetention,
    /// Read and filter the audit log: who saw original text, exported, erased, changed a role,
    /// signed in or used an API token.
    ViewAuditLog,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Public,
        Action::OwnAccount,
        Action::ViewProgrammes,
        Action::CreateProgramme,
        Action::EditProgramme,
        Action::UpdateJourney,
        Action::RecordActivity,
        Action::ViewPartners,
        Action::ManagePartners,
        Action::ManageUsers,
        Action::ManageJourneyTemplate,
        Action::ViewParticipants,
        Action::ManageParticipants,
        Action::ViewContactDetails,
        Action::ViewSources,
        Action::ManageSources,
        Action::ViewOriginalText,
        Action::ManageStoryForms,
        Action::ViewCoding,
        Action::Code,
        Action::ViewInsights,
        Action::ManageInsights,
        Action::ExchangeProjects,
        Action::ViewCauseMaps,
        Action::EditCauseMaps,
        Action::ViewSignals,
        Action::ManageSignals,
        Action::ViewReports,
        Action::ViewPropositions,
        Action::EditPropositions,
        Action::DecidePropositions,
        Action::ViewDeliberations,
        Action::RunDeliberations,
        Action::ViewDecisions,
        Action::RecordDecisions,
        Action::PublishDecisions,
        Action::ViewLearning,
        Action::WriteReflections,
        Action::ManageRetention,
        Action::ViewAuditLog,
    ];
}

/// The permission table: may a person with `role` (or an anonymous visitor, `None`) do `action`?
///
/// Every route checks this on the server; the HTTP tests try every route as every role against it.
pub fn permits(role: Option<Role>, action: Action) -> bool {
    use Action::*;
    use Role::*;
    let Some(role) = role else {
        return action == Public;
    };
    match action {
        Public | OwnAccount | ViewProgrammes | ViewPartners => true,
        CreateProgramme | EditProgramme | UpdateJourney => matches!(role, Administrator | Commissioner),
        RecordActivity => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        ManagePartners | ManageUsers | ManageJourneyTemplate => role == Administrator,
        // Commissioners need to know whose voices are in the evidence (pseudonym, kind, consent),
        // and facilitators who is in the room; neither needs to reach the person. Viewers read
        // only what is published, and the register of participants is not.
        ViewParticipants => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        // Researchers gather the material and the consent that goes with it.
        ManageParticipants | ViewContactDetails => matches!(role, Administrator | Researcher),
        // Everyone who works with the evidence reads it redacted; viewers read only what is
        // published. Facilitators write up listening events and workshops.
        ViewSources => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        ManageSources => matches!(role, Administrator | Researcher | Facilitator),
        // Original text is special category data: only the researchers who gather and code it.
        ViewOriginalText => role == Researcher,
        ManageStoryForms => matches!(role, Administrator | Researcher | Facilitator),
        // Coding is researchers' work; facilitators and administrators follow it. Commissioners
        // read insights instead, where quotes are filtered by consent to anonymous quotation.
        ViewCoding => matches!(role, Administrator | Researcher | Facilitator),
        Code | ManageInsights | ExchangeProjects => role == Researcher,
        ViewInsights => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        // Cause maps and horizon scanning are drawn together in workshops: commissioners,
        // researchers and facilitators build them; administrators follow.
        ViewCauseMaps | ViewSignals => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        EditCauseMaps | ManageSignals => matches!(role, Commissioner | Researcher | Facilitator),
        // A programme's report is for taking to a board: whoever works on the programme makes it.
        // Viewers read only what is published inside the installation, and a report is not.
        ViewReports => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        // Propositions are shaped with service users and carers in workshops that commissioners,
        // researchers and facilitators run; only commissioners decide on them.
        ViewPropositions | ViewDeliberations => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        EditPropositions => matches!(role, Commissioner | Researcher | Facilitator),
        DecidePropositions => role == Commissioner,
        // Facilitators run Deliberation Days; commissioners may run their own.
        RunDeliberations => matches!(role, Commissioner | Facilitator),
        // Decisions are read by whoever works on the programme; only commissioners make them and
        // say what the public page tells contributors. Viewers read the public page, like anyone.
        ViewDecisions => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        RecordDecisions | PublishDecisions => role == Commissioner,
        // Anyone who works on a programme keeps its learning log; administrators follow it.
        ViewLearning => matches!(role, Administrator | Commissioner | Researcher | Facilitator),
        WriteReflections => matches!(role, Commissioner | Researcher | Facilitator),
        // Retention rules are the installation's, as users and partners are (DOMAIN.md).
        ManageRetention => role == Administrator,
        // The audit log is for the administrator who answers to the data protection officer.
        ViewAuditLog => role == Administrator,
    }
}

/// An email address, trimmed and lower-cased, that looks deliverable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(Invalid::one(field, "Enter an email address"));
        }
        let well_formed = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if !well_formed {
            return Err(Invalid::one(field, "Enter an email address in the correct format, like name@example.org"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown to colleagues.
pub fn display_name(field: &str, raw: &str) -> Result<String, Invalid> {
    required_text(field, "a name", raw, 100)
}

/// A new password that meets the policy. Never printed: `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    /// Checks a password someone chose (NCSC guidance: length, not composition rules).
    pub fn new(field: &str, raw: &str) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(Invalid::one(field, "Enter a password"));
        }
        if chars < Self::MIN_CHARS {
            return Err(Invalid::one(field, format!("Password must be {} characters or more", Self::MIN_CHARS)));
        }
        if chars > Self::MAX_CHARS {
            return Err(Invalid::one(field, format!("Password must be {} characters or fewer", Self::MAX_CHARS)));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A random password of four groups of five letters and digits, e.g. for `admin create-user`.
    pub fn generate() -> Self {
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        let mut rng = rand::rng();
        let groups: Vec<String> =
            (0..4).map(|_| (0..5).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()).collect();
        Self(groups.join("-"))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Hashes with argon2id and a fresh salt.
    pub fn hash(&self) -> PasswordHash {
        let salt = SaltString::generate(&mut OsRng);
        let hash = argon2::Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            // Hashing with default parameters and a valid salt cannot fail; keep a value that never verifies.
            .unwrap_or_default();
        PasswordHash(hash)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// An argon2id hash in PHC string form, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `attempt` is the password; takes the same time whether or not the email existed
    /// when called on [`PasswordHash::dummy`].
    pub fn verify(&self, attempt: &str) -> bool {
        match argon2::PasswordHash::new(&self.0) {
            Ok(parsed) => argon2::Argon2::default().verify_password(attempt.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }

    /// A hash of a random password, verified against when an email is unknown so that the time taken
    /// does not reveal which emails have accounts.
    pub fn dummy() -> Self {
        Password::generate().hash()
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

/// A personal API token as given to its owner once: `heard_` and 64 hex digits.
pub struct ApiToken(String);

impl ApiToken {
    const PREFIX: &'static str = "heard_";

    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::rng().random();
        Self(format!("{}{}", Self::PREFIX, hex::encode(bytes)))
    }

    /// Recognises a presented token; anything else is not a token.
    pub fn parse(raw: &str) -> Option<Self> {
        let digits = raw.strip_prefix(Self::PREFIX)?;
        (digits.len() == 64 && digits.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: the SHA-256 of the token, in hex. The token has 256 bits of entropy, so a
    /// fast hash is enough and lets a presented token be found by its hash.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(…)")
    }
}

/// A name given to an API token so its owner can tell tokens apart.
pub fn token_name(field: &str, raw: &str) -> Result<String, Invalid> {
    required_text(field, "a name for the token", raw, 80)
}

/// A partner organisation's name.
pub fn partner_name(field: &str, raw: &str) -> Result<String, Invalid> {
    required_text(field, "the organisation's name", raw, 150)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_visitors_reach_only_public_actions() {
        for &action in Action::ALL {
            assert_eq!(permits(None, action), action == Action::Public, "{action:?}");
        }
    }

    #[test]
    fn only_administrators_manage_the_installation() {
        for &role in Role::ALL {
            for action in [Action::ManageUsers, Action::ManagePartners, Action::ManageJourneyTemplate] {
                assert_eq!(permits(Some(role), action), role == Role::Administrator, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn commissioners_steer_journeys_and_others_do_not() {
        assert!(permits(Some(Role::Commissioner), Action::UpdateJourney));
        assert!(permits(Some(Role::Commissioner), Action::CreateProgramme));
        for role in [Role::Researcher, Role::Facilitator, Role::Viewer] {
            assert!(!permits(Some(role), Action::UpdateJourney), "{role:?}");
            assert!(!permits(Some(role), Action::EditProgramme), "{role:?}");
        }
    }

    #[test]
    fn viewers_only_read() {
        let allowed: Vec<_> = Action::ALL.iter().filter(|&&a| permits(Some(Role::Viewer), a)).collect();
        assert_eq!(allowed, [&Action::Public, &Action::OwnAccount, &Action::ViewProgrammes, &Action::ViewPartners]);
    }

    #[test]
    fn facilitators_and_researchers_record_activities() {
        assert!(permits(Some(Role::Facilitator), Action::RecordActivity));
        assert!(permits(Some(Role::Researcher), Action::RecordActivity));
        assert!(!permits(Some(Role::Viewer), Action::RecordActivity));
    }

    #[test]
    fn only_researchers_and_administrators_manage_participants_or_see_their_contact_details() {
        for &role in Role::ALL {
            let allowed = matches!(role, Role::Researcher | Role::Administrator);
            assert_eq!(permits(Some(role), Action::ManageParticipants), allowed, "{role:?}");
            assert_eq!(permits(Some(role), Action::ViewContactDetails), allowed, "{role:?}");
        }
    }

    #[test]
    fn commissioners_and_facilitators_see_participants_but_viewers_do_not() {
        for role in [Role::Administrator, Role::Commissioner, Role::Researcher, Role::Facilitator] {
            assert!(permits(Some(role), Action::ViewParticipants), "{role:?}");
        }
        assert!(!permits(Some(Role::Viewer), Action::ViewParticipants));
        assert!(!permits(Some(Role::Commissioner), Action::ViewContactDetails));
    }

    #[test]
    fn researchers_code_and_commissioners_read_insights_only() {
        for &role in Role::ALL {
            assert_eq!(permits(Some(role), Action::Code), role == Role::Researcher, "{role:?}");
            assert_eq!(permits(Some(role), Action::ManageInsights), role == Role::Researcher, "{role:?}");
            assert_eq!(permits(Some(role), Action::ExchangeProjects), role == Role::Researcher, "{role:?}");
            assert_eq!(
                permits(Some(role), Action::ViewCoding),
                matches!(role, Role::Administrator | Role::Researcher | Role::Facilitator),
                "{role:?}"
            );
            assert_eq!(permits(Some(role), Action::ViewInsights), role != Role::Viewer, "{role:?}");
            assert_eq!(permits(Some(role), Action::ViewCauseMaps), role != Role::Viewer, "{role:?}");
            assert_eq!(permits(Some(role), Action::ViewSignals), role != Role::Viewer, "{role:?}");
            let builds = matches!(role, Role::Commissioner | Role::Researcher | Role::Facilitator);
            assert_eq!(permits(Some(role), Action::EditCauseMaps), builds, "{role:?}");
            assert_eq!(permits(Some(role), Action::ManageSignals), builds, "{role:?}");
        }
    }

    #[test]
    fn everyone_on_a_programme_but_viewers_makes_its_report() {
        for &role in Role::ALL {
            assert_eq!(permits(Some(role), Action::ViewReports), role != Role::Viewer, "{role:?}");
        }
        assert!(!permits(None, Action::ViewReports));
    }

    #[test]
    fn commissioners_decide_propositions_and_facilitators_run_deliberations() {
        for &role in Role::ALL {
            assert_eq!(permits(Some(role), Action::ViewPropositions), role != Role::Viewer, "{role:?}");
            assert_eq!(permits(Some(role), Action::ViewDeliberations), role != Role::Viewer, "{role:?}");
            let shapes = matches!(role, Role::Commissioner | Role::Researcher | Role::Facilitator);
            assert_eq!(permits(Some(role), Action::EditPropositions), shapes, "{role:?}");
            assert_eq!(permits(Some(role), Action::DecidePropositions), role == Role::Commissioner, "{role:?}");
            let runs = matches!(role, Role::Commissioner | Role::Facilitator);
            assert_eq!(permits(Some(role), Action::RunDeliberations), runs, "{role:?}");
            assert_eq!(permits(Some(role), Action::ViewDecisions), role != Role::Viewer, "{role:?}");
            assert_eq!(permits(Some(role), Action::RecordDecisions), role == Role::Commissioner, "{role:?}");
            assert_eq!(permits(Some(role), Action::PublishDecisions), role == Role::Commissioner, "{role:?}");
        }
        for action in [Action::ViewPropositions, Action::RunDeliberations] {
            assert!(!permits(None, action), "{action:?}");
        }
    }

    #[test]
    fn everyone_on_a_programme_writes_reflections() {
        for &role in Role::ALL {
            assert_eq!(permits(Some(role), Action::ViewLearning), role != Role::Viewer, "{role:?}");
            let writes = matches!(role, Role::Commissioner | Role::Researcher | Role::Facilitator);
            assert_eq!(permits(Some(role), Action::WriteReflections), writes, "{role:?}");
        }
        assert!(!permits(None, Action::ViewLearning));
    }

    #[test]
    fn only_administrators_read_the_audit_log() {
        for &role in Role::ALL {
            assert_eq!(permits(Some(role), Action::ViewAuditLog), role == Role::Administrator, "{role:?}");
        }
        assert!(!permits(None, Action::ViewAuditLog));
    }

    #[test]
    fn only_administrators_set_retention_rules() {
        for &role in Role::ALL {
            assert_eq!(permits(Some(role), Action::ManageRetention), role == Role::Administrator, "{role:?}");
        }
        assert!(!permits(None, Action::ManageRetention));
    }

    #[test]
    fn only_researchers_read_original_text() {
        for role in Role::ALL.iter().copied() {
            assert_eq!(permits(Some(role), Action::ViewOriginalText), role == Role::Researcher, "{role:?}");
            assert_eq!(permits(Some(role), Action::ViewSources), role != Role::Viewer, "{role:?}");
        }
        assert!(!permits(Some(Role::Commissioner), Action::ManageSources));
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("email", "  Ada@Example.ORG ").map(|e| e.to_string()), Ok("ada@example.org".into()));
        for bad in ["", "ada", "ada@", "@example.org", "ada@example", "a da@example.org", "a@b@example.org"] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?}");
        }
        assert_eq!(Email::parse("email", "").unwrap_err().message_for("email"), Some("Enter an email address"));
    }

    #[test]
    fn passwords_follow_the_length_policy_and_hash_with_argon2id() {
        assert!(Password::new("password", "short").is_err());
        let password = Password::new("password", "correct horse battery").expect("long enough");
        let hash = password.hash();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse battery!"));
        assert!(!format!("{password:?}{hash:?}").contains("horse"));
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        let generated = Password::generate();
        assert!(Password::new("password", generated.expose()).is_ok());
        assert_ne!(generated.expose(), Password::generate().expose());
    }

    #[test]
    fn api_tokens_round_trip_and_hash_stably() {
        let token = ApiToken::generate();
        let parsed = ApiToken::parse(token.expose()).expect("a generated token parses");
        assert_eq!(parsed.hash(), token.hash());
        assert_eq!(token.hash().len(), 64);
        assert!(ApiToken::parse("heard_xyz").is_none());
        assert!(ApiToken::parse(&token.expose().replace("heard_", "other_")).is_none());
    }

    #[test]
    fn vocabulary_codes_round_trip() {
        for &sector in Sector::ALL {
            assert_eq!(sector.code().parse::<Sector>(), Ok(sector));
        }
        assert!("nobody".parse::<Role>().is_err());
    }
}
