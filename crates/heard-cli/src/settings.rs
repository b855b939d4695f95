//! Settings from flags and `HEARD_*` environment variables, in one typed struct. The database URL
//! may hold a password, so it is kept secret and never printed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use secrecy::{ExposeSecret, SecretString};

/// Where Heard keeps its data and how it is reached.
#[derive(Debug, Args)]
pub struct Settings {
    /// Folder for the embedded SQLite database and, under media/, film recordings.
    /// Default: the per-user data folder, e.g. ~/.local/share/heard on Linux.
    #[arg(long, env = "HEARD_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// Use this database instead of SQLite in the data folder, e.g. postgres://user:pass@host/heard.
    #[arg(long, env = "HEARD_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<SecretString>,
}

impl Settings {
    /// The data folder, made if missing (readable by its owner only).
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        let dir = match &self.data_dir {
            Some(dir) => dir.clone(),
            None => directories::ProjectDirs::from("", "", "heard")
                .map(|dirs| dirs.data_dir().to_path_buf())
                .context("no home folder to keep data in: set --data-dir or HEARD_DATA_DIR")?,
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("could not create the data folder {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(dir)
    }

    /// Opens the configured database; the caller migrates it.
    pub async fn open_store(&self) -> anyhow::Result<heard_store::Store> {
        match &self.database_url {
            Some(url) => heard_store::Store::connect(url.expose_secret())
                .await
                .context("could not connect to the database given by --database-url / HEARD_DATABASE_URL"),
            None => {
                let path = self.data_dir()?.join("heard.db");
                heard_store::Store::open_sqlite_file(&path)
                    .await
                    .with_context(|| format!("could not open the SQLite database {}", path.display()))
            }
        }
    }

    /// The store of film recordings, `media/` in the data folder (whichever database is used).
    pub fn media_store(&self) -> anyhow::Result<heard_store::media::FsMediaStore> {
        let dir = self.data_dir()?.join("media");
        heard_store::media::FsMediaStore::open(&dir)
            .with_context(|| format!("could not open the media folder {}", dir.display()))
    }

    /// Opens and migrates the database.
    pub async fn ready_store(&self) -> anyhow::Result<heard_store::Store> {
        let store = self.open_store().await?;
        store.migrate().await.context("could not apply the database migrations")?;
        Ok(store)
    }
}

/// How the web server listens and treats sessions.
#[derive(Debug, Args)]
pub struct ServeSettings {
    /// Address and port to listen on.
    #[arg(long, env = "HEARD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Mark cookies Secure: set this when people reach Heard over HTTPS (through a proxy).
    #[arg(long, env = "HEARD_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "HEARD_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub session_idle_minutes: u64,

    /// Hours after sign-in after which a session ends, however busy.
    #[arg(long, env = "HEARD_SESSION_MAX_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=168))]
    pub session_max_hours: u64,

    /// The largest film recording (video or audio file) accepted for upload, in MB.
    #[arg(long, env = "HEARD_MAX_MEDIA_MB", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_media_mb: u64,

    /// Load the synthetic demonstration organisation first (left as it is if already loaded).
    #[arg(long)]
    pub demo: bool,

    #[command(flatten)]
    pub sso: SsoSettings,
}

/// Single sign-on by OpenID Connect (off unless an issuer is given). The client secret is read
/// from HEARD_OIDC_CLIENT_SECRET or a file, never from a flag (which `ps` shows to everyone).
#[derive(Debug, Args)]
pub struct SsoSettings {
    /// The identity provider's issuer URL; for Microsoft Entra ID
    /// https://login.microsoftonline.com/TENANT-ID/v2.0. Setting it turns single sign-on on.
    #[arg(long, env = "HEARD_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// The client (application) id the identity provider gave Heard.
    #[arg(long, env = "HEARD_OIDC_CLIENT_ID", default_value = "")]
    pub oidc_client_id: String,

    /// A file holding the client secret (else the secret is read from HEARD_OIDC_CLIENT_SECRET).
    #[arg(long, env = "HEARD_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,

    /// The provider's name on the sign-in button: "Sign in with NAME".
    #[arg(long, env = "HEARD_OIDC_NAME", default_value = "your organisation's account")]
    pub oidc_name: String,

    /// The ID token claim whose values map to roles: `roles` (Entra ID app roles) or `groups`.
    #[arg(long, env = "HEARD_OIDC_ROLE_CLAIM", default_value = "roles")]
    pub oidc_role_claim: String,

    /// Claim values and the Heard role each gives, first match wins, e.g.
    /// `Heard.Admin=administrator,Heard.Research=researcher`. No match: no access.
    #[arg(long, env = "HEARD_OIDC_ROLES", default_value = "")]
    pub oidc_roles: String,

    /// Heard's address as people reach it, e.g. https://heard.example.gov.uk; the redirect URI to
    /// register with the provider is this followed by /sign-in/sso/callback.
    #[arg(long, env = "HEARD_PUBLIC_URL", default_value = "")]
    pub public_url: String,

    /// Offer sign-in by email address and password; `false` leaves only single sign-on.
    #[arg(long, env = "HEARD_PASSWORD_SIGN_IN", default_value_t = true, action = clap::ArgAction::Set)]
    pub password_sign_in: bool,
}

impl SsoSettings {
    /// The checked single sign-on, or `None` when no issuer is set. Every problem is named.
    pub fn sso(&self) -> anyhow::Result<Option<heard_web::Sso>> {
        let Some(issuer) = &self.oidc_issuer else {
            anyhow::ensure!(
                self.password_sign_in,
                "--password-sign-in false / HEARD_PASSWORD_SIGN_IN=false needs single sign-on: set --oidc-issuer"
            );
            return Ok(None);
        };
        let client_secret = match &self.oidc_client_secret_file {
            Some(path) => Some(SecretString::from(
                std::fs::read_to_string(path)
                    .with_context(|| format!("could not read the client secret file {}", path.display()))?
                    .trim()
                    .to_owned(),
            )),
            None => std::env::var("HEARD_OIDC_CLIENT_SECRET").ok().map(SecretString::from),
        };
        let config = heard_web::SsoConfig {
            name: self.oidc_name.clone(),
            issuer: issuer.clone(),
            client_id: self.oidc_client_id.clone(),
            client_secret,
            public_url: self.public_url.clone(),
            role_claim: self.oidc_role_claim.clone(),
            roles: self.oidc_roles.clone(),
        };
        let sso = heard_web::Sso::new(config).map_err(|invalid| {
            let problems: Vec<String> = invalid.0.iter().map(|e| format!("--{}: {}", e.field, e.message)).collect();
            anyhow::anyhow!("single sign-on is not configured right:\n  {}", problems.join("\n  "))
        })?;
        Ok(Some(sso))
    }
}

impl ServeSettings {
    pub fn web(&self) -> heard_web::WebSettings {
        heard_web::WebSettings {
            secure_cookies: self.secure_cookies,
            idle_timeout: Duration::from_secs(self.session_idle_minutes * 60),
            absolute_timeout: Duration::from_secs(self.session_max_hours * 3600),
            max_media_bytes: self.max_media_mb * 1024 * 1024,
            ..heard_web::WebSettings::default()
        }
    }

    /// [`Self::web`] with single sign-on, checked.
    pub fn web_with_sso(&self) -> anyhow::Result<heard_web::WebSettings> {
        let sso = self.sso.sso()?.map(std::sync::Arc::new);
        Ok(heard_web::WebSettings { sso, password_sign_in: self.sso.password_sign_in, ..self.web() })
    }
}
