//! `TestApp`: the real router on 127.0.0.1 port 0 over a fresh database with the demo loaded, and
//! clients that act as each demo role, through the API (a token) or the pages (a signed-in session).

use heard_domain::governance::{ApiToken, Email, Role};
use heard_store::Store;
use heard_store::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use heard_web::{AppState, WebSettings};

use crate::{TestBackend, TestStore, fresh_store};

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub store: Store,
    /// Where the app keeps film recordings (a temporary folder).
    pub media_dir: std::path::PathBuf,
    _database: TestStore,
    _media: tempfile::TempDir,
}

impl TestApp {
    /// Heard on SQLite with the demo data.
    pub async fn spawn() -> TestApp {
        Self::spawn_on(TestBackend::Sqlite).await
    }

    pub async fn spawn_on(backend: TestBackend) -> TestApp {
        Self::spawn_with(backend, WebSettings::default()).await
    }

    pub async fn spawn_with(backend: TestBackend, settings: WebSettings) -> TestApp {
        let database = fresh_store(backend).await;
        let store = database.store.clone();
        heard_store::demo::load(&store).await.expect("the demo loads");
        let media_folder = tempfile::Builder::new().prefix("heard-media-").tempdir().expect("a temporary directory");
        let media_dir = media_folder.path().join("media");
        let media = heard_store::media::FsMediaStore::open(&media_dir).expect("the media store opens");
        heard_store::media::load_demo_film(&store, &media).await.expect("the demo film loads");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port on loopback");
        let address = format!("http://{}", listener.local_addr().expect("a bound address"));
        let state = AppState::new(store.clone(), std::sync::Arc::new(media), settings);
        tokio::spawn(heard_web::serve(listener, state));
        TestApp { address, store, media_dir, _database: database, _media: media_folder }
    }

    /// The app's database: its SQLite file or PostgreSQL URL.
    pub fn database(&self) -> &TestStore {
        &self._database
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The demo user who has `role`.
    pub async fn demo_user(&self, role: Role) -> heard_store::User {
        let email =
            DEMO_ACCOUNTS.iter().find(|(r, _)| *r == role).map(|(_, email)| *email).expect("a demo account per role");
        let email = Email::parse("email", email).expect("demo emails are valid");
        self.store.user_by_email(&email).await.expect("the store answers").expect("the demo user exists")
    }

    /// A new API token for the demo user with `role`.
    pub async fn token(&self, role: Role) -> String {
        let user = self.demo_user(role).await;
        let token = ApiToken::generate();
        self.store.create_api_token(user.id, "test", &token.hash()).await.expect("a token is stored");
        token.expose().to_owned()
    }

    /// A client for the API; add `.bearer_auth(token)` per request.
    pub fn api_client(&self) -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client")
    }

    /// A browser-like client (cookies, no automatic redirects), not signed in.
    pub fn browser(&self) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Browser { client, address: self.address.clone() }
    }

    /// A browser signed in as the demo user with `role`.
    pub async fn signed_in(&self, role: Role) -> Browser {
        let user = self.demo_user(role).await;
        let browser = self.browser();
        let response =
            browser.submit("/sign-in", "/sign-in", &[("email", &user.email), ("password", DEMO_PASSWORD)]).await;
        assert_eq!(response.status(), 303, "signing in as {role:?} redirects");
        browser
    }
}

/// A cookie-keeping client that fills in each form's CSRF token as a browser would.
pub struct Browser {
    pub client: reqwest::Client,
    address: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{}", self.address, path)).send().await.expect("the server answers")
    }

    /// The text of a page that must answer 200.
    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("a body")
    }

    /// The CSRF token of the session, read from a form on `form_page`.
    pub async fn csrf_token(&self, form_page: &str) -> String {
        let html = self.get(form_page).await.text().await.expect("a body");
        csrf_token_in(&html).unwrap_or_default()
    }

    /// Posts `fields` to `action` as the form on `form_page` would, with its CSRF token.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token(form_page).await;
        self.post(action, &token, fields).await
    }

    /// Posts `fields` with a given CSRF token.
    pub async fn post(&self, action: &str, csrf_token: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf_token)];
        form.extend_from_slice(fields);
        self.client.post(format!("{}{}", self.address, action)).form(&form).send().await.expect("the server answers")
    }
}

/// Finds `name="csrf_token" value="…"` in a page.
pub fn csrf_token_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf_token\"")?;
    let rest = &html[at..];
    let value = rest.find("value=\"")? + "value=\"".len();
    let end = rest[value..].find('"')?;
    Some(rest[value..value + end].to_owned())
}
