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
}
