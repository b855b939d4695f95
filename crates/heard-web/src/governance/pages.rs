//! Governance pages: sign in and out, your account and API tokens, and for administrators the
//! users, partner organisations and journey template.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::error::Collector;
use heard_domain::governance::{
    Action, ApiToken, Email, Password, Role, Sector, display_name, partner_name, token_name,
};
use heard_domain::journeys::StageTemplate;
use heard_domain::vocabulary::parse_code;
use heard_store::{NewUser, StoreError, UserChange};
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{AuthSession, ClientAddress, Credentials, mark_signed_in};
use crate::csrf::{CsrfForm, NoFields};
use crate::error::{PageError, PagePath};
use crate::render::{Flash, Page, PageResult, see_other, unprocessable};
use crate::routes::Route;

use super::sso;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/sign-in", Action::Public, sign_in_form),
        Route::post("/sign-in", Action::Public, sign_in),
        Route::post("/sign-out", Action::OwnAccount, sign_out),
        Route::get("/account", Action::OwnAccount, account),
        Route::post("/account/tokens", Action::OwnAccount, create_own_token),
        Route::post("/account/tokens/{id}/revoke", Action::OwnAccount, revoke_own_token),
        Route::get("/admin/users", Action::ManageUsers, users),
        Route::get("/admin/users/new", Action::ManageUsers, new_user_form),
        Route::post("/admin/users/new", Action::ManageUsers, create_user),
        Route::get("/admin/users/{id}", Action::ManageUsers, user_form),
        Route::post("/admin/users/{id}", Action::ManageUsers, update_user),
        Route::post("/admin/users/{id}/tokens", Action::ManageUsers, create_user_token),
        Route::post("/admin/users/{id}/tokens/{token_id}/revoke", Action::ManageUsers, revoke_user_token),
        Route::get("/admin/partners", Action::ManagePartners, partners),
        Route::get("/admin/partners/new", Action::ManagePartners, new_partner_form),
        Route::post("/admin/partners/new", Action::ManagePartners, create_partner),
        Route::get("/admin/partners/{id}", Action::ManagePartners, partner_form),
        Route::post("/admin/partners/{id}", Action::ManagePartners, update_partner),
        Route::get("/admin/journey-template", Action::ManageJourneyTemplate, template_form),
        Route::post("/admin/journey-template", Action::ManageJourneyTemplate, update_template),
    ]
}

// Signing in and out

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    email: String,
    password: String,
}

async fn sign_in_form(State(state): State<AppState>, page: Page) -> PageResult {
    if page.user.is_some() {
        return see_other("/");
    }
    let ctx = context! { values => context! { email => "" }, ..sso::sign_in_options(&state) };
    Ok(page.render("governance/sign_in.html", ctx)?.into_response())
}

async fn sign_in(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ClientAddress(address): ClientAddress,
    page: Page,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> PageResult {
    if !state.settings.password_sign_in {
        return Err(PageError::NotFound);
    }
    let values = context! { email => form.email.trim() };
    let mut errors = Collector::new();
    let email = errors.take(Email::parse("email", &form.email));
    if form.password.is_empty() {
        errors.push("password", "Enter your password");
    }
    let email = match errors.finish(|| email) {
        Ok(Some(email)) => email,
        Ok(None) => return Err(PageError::Internal("a parsed email went missing".into())),
        Err(invalid) => {
            return unprocessable(page.render_invalid(
                "governance/sign_in.html",
                context! { values, ..sso::sign_in_options(&state) },
                &invalid,
            ));
        }
    };
    if !state.sign_in_limits.allow(email.as_str(), address) {
        let too_many = Invalid::one("email", "Too many attempts to sign in. Wait a minute, then try again.");
        let html = page.render_invalid(
            "governance/sign_in.html",
            context! { values, ..sso::sign_in_options(&state) },
            &too_many,
        )?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, html).into_response());
    }
    let user = auth
        .authenticate(Credentials { email, password: form.password })
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let Some(user) = user else {
        let wrong = Invalid::one("email", "Enter a correct email address and password");
        return unprocessable(page.render_invalid(
            "governance/sign_in.html",
            context! { values, ..sso::sign_in_options(&state) },
            &wrong,
        ));
    };
    auth.login(&user).await.map_err(|e| PageError::Internal(e.to_string()))?;
    mark_signed_in(&auth.session).await?;
    state.store.record_sign_in(user.0.id).await?;
    see_other("/")
}

async fn sign_out(mut auth: AuthSession, CsrfForm(_): CsrfForm<NoFields>) -> PageResult {
    auth.logout().await.map_err(|e| PageError::Internal(e.to_string()))?;
    Flash::set(&auth.session, "You have signed out").await;
    see_other("/sign-in")
}

// Your account and API tokens

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    name: String,
}

async fn account(State(state): State<AppState>, page: Page) -> PageResult {
    render_account(&state, &page, None, None).await
}

async fn render_account(
    state: &AppState,
    page: &Page,
    new_token: Option<&str>,
    invalid: Option<&Invalid>,
) -> PageResult {
    let me = page.user()?;
    let user = state.store.user(me.id).await?.ok_or(PageError::NotFound)?;
    let tokens = state.store.api_tokens(me.id).await?;
    let ctx = context! { account => user, tokens, new_token, values => context! { name => "" } };
    match invalid {
        Some(invalid) => unprocessable(page.render_invalid("governance/account.html", ctx, invalid)),
        None => Ok(page.render("governance/account.html", ctx)?.into_response()),
    }
}

async fn create_own_token(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> PageResult {
    let me = page.user()?.clone();
    match issue_token(&state, me.id, me.id, &form.name).await? {
        Ok(token) => render_account(&state, &page, Some(token.expose()), None).await,
        Err(invalid) => render_account(&state, &page, None, Some(&invalid)).await,
    }
}

async fn revoke_own_token(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let me = page.user()?;
    state.store.revoke_api_token(me.id, id).await?;
    state.store.record_audit(Some(me.id), "api_token.revoked", &format!("user:{}", me.id)).await?;
    Flash::set(&page.session, "Token revoked").await;
    see_other("/account")
}

/// Makes a token for `owner`, recording who did it; the token is shown once and only its hash kept.
async fn issue_token(
    state: &AppState,
    actor: i64,
    owner: i64,
    name: &str,
) -> Result<Result<ApiToken, Invalid>, PageError> {
    let name = match token_name("name", name) {
        Ok(name) => name,
        Err(invalid) => return Ok(Err(invalid)),
    };
    let token = ApiToken::generate();
    state.store.create_api_token(owner, &name, &token.hash()).await?;
    state.store.record_audit(Some(actor), "api_token.created", &format!("user:{owner}")).await?;
    Ok(Ok(token))
}

// Users and roles

async fn users(State(state): State<AppState>, page: Page) -> PageResult {
    let users = state.store.users().await?;
    Ok(page.render("governance/users.html", context! { users })?.into_response())
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
struct UserForm {
    email: String,
    display_name: String,
    role: String,
    password: String,
    active: Option<String>,
}

async fn new_user_form(page: Page) -> PageResult {
    Ok(page.render("governance/user_new.html", context! { values => UserForm::default() })?.into_response())
}

async fn create_user(State(state): State<AppState>, page: Page, CsrfForm(form): CsrfForm<UserForm>) -> PageResult {
    let mut errors = Collector::new();
    let email = errors.take(Email::parse("email", &form.email));
    let name = errors.take(display_name("display_name", &form.display_name));
    let role = errors.take(parse_code::<Role>("role", "a role", &form.role));
    let password = if form.password.is_empty() {
        Some((Password::generate(), true))
    } else {
        errors.take(Password::new("password", &form.password)).map(|p| (p, false))
    };
    let render_invalid = |invalid: Invalid| {
        let values = form.shown_again();
        unprocessable(page.render_invalid("governance/user_new.html", context! { values }, &invalid))
    };
    let (email, name, role, (password, generated)) = match errors.finish(|| (email, name, role, password)) {
        Ok((Some(e), Some(n), Some(r), Some(p))) => (e, n, r, p),
        Ok(_) => return Err(PageError::Internal("a parsed field went missing".into())),
        Err(invalid) => return render_invalid(invalid),
    };
    let hash = tokio::task::spawn_blocking({
        let password = password.clone();
        move || password.hash()
    })
    .await
    .map_err(|e| PageError::Internal(e.to_string()))?;
    let new_user = NewUser { email, display_name: name, role, password_hash: hash };
    let user = match state.store.create_user(&new_user).await {
        Ok(user) => user,
        Err(StoreError::Duplicate { .. }) => {
            return render_invalid(Invalid::one("email", "There is already an account with that email address"));
        }
        Err(other) => return Err(other.into()),
    };
    let me = page.user()?;
    state.store.record_audit(Some(me.id), "user.created", &format!("user:{} role:{}", user.id, role.code())).await?;
    if generated {
        let ctx = context! { created => user, password => password.expose() };
        return Ok(page.render("governance/user_created.html", ctx)?.into_response());
    }
    Flash::set(&page.session, "User added").await;
    see_other("/admin/users")
}

impl UserForm {
    /// The form as it is shown again after an error: what was typed, but never the password.
    fn shown_again(&self) -> UserForm {
        UserForm { email: self.email.trim().to_owned(), password: String::new(), ..self.clone() }
    }
}

async fn user_form(State(state): State<AppState>, page: Page, PagePath(id): PagePath<i64>) -> PageResult {
    let user = state.store.user(id).await?.ok_or(PageError::NotFound)?;
    let values = UserForm {
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role.code().to_owned(),
        password: String::new(),
        active: user.active.then(|| "yes".to_owned()),
    };
    render_user(&state, &page, &user, values, None, None).await
}

async fn render_user(
    state: &AppState,
    page: &Page,
    user: &heard_store::User,
    values: UserForm,
    new_token: Option<&str>,
    invalid: Option<&Invalid>,
) -> PageResult {
    let tokens = state.store.api_tokens(user.id).await?;
    let ctx = context! { account => user, values, tokens, new_token, myself => page.user()?.id == user.id };
    match invalid {
        Some(invalid) => unprocessable(page.render_invalid("governance/user_edit.html", ctx, invalid)),
        None => Ok(page.render("governance/user_edit.html", ctx)?.into_response()),
    }
}

async fn update_user(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> PageResult {
    let user = state.store.user(id).await?.ok_or(PageError::NotFound)?;
    let me = page.user()?.clone();
    let mut errors = Collector::new();
    let name = errors.take(display_name("display_name", &form.display_name));
    let role = errors.take(parse_code::<Role>("role", "a role", &form.role));
    let active = form.active.is_some();
    if me.id == id && role.is_some_and(|r| r != Role::Administrator) {
        errors.push("role", "You cannot remove your own administrator role: ask another administrator");
    }
    if me.id == id && !active {
        errors.push("active", "You cannot deactivate your own account");
    }
    let (name, role) = match errors.finish(|| (name, role)) {
        Ok((Some(name), Some(role))) => (name, role),
        Ok(_) => return Err(PageError::Internal("a parsed field went missing".into())),
        Err(invalid) => {
            let values = UserForm { email: user.email.clone(), ..form.shown_again() };
            return render_user(&state, &page, &user, values, None, Some(&invalid)).await;
        }
    };
    state.store.update_user(id, &UserChange { display_name: name, role, active }).await?;
    if role != user.role {
        let subject = format!("user:{id} from:{} to:{}", user.role.code(), role.code());
        state.store.record_audit(Some(me.id), "user.role_changed", &subject).await?;
    }
    if active != user.active {
        let action = if active { "user.reactivated" } else { "user.deactivated" };
        state.store.record_audit(Some(me.id), action, &format!("user:{id}")).await?;
    }
    Flash::set(&page.session, "User updated").await;
    see_other("/admin/users")
}

async fn create_user_token(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> PageResult {
    let user = state.store.user(id).await?.ok_or(PageError::NotFound)?;
    let me = page.user()?.id;
    let values = UserForm {
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role.code().to_owned(),
        password: String::new(),
        active: user.active.then(|| "yes".to_owned()),
    };
    match issue_token(&state, me, id, &form.name).await? {
        Ok(token) => render_user(&state, &page, &user, values, Some(token.expose()), None).await,
        Err(invalid) => render_user(&state, &page, &user, values, None, Some(&invalid)).await,
    }
}

async fn revoke_user_token(
    State(state): State<AppState>,
    page: Page,
    PagePath((id, token_id)): PagePath<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    state.store.revoke_api_token(id, token_id).await?;
    state.store.record_audit(Some(page.user()?.id), "api_token.revoked", &format!("user:{id}")).await?;
    Flash::set(&page.session, "Token revoked").await;
    see_other(format!("/admin/users/{id}"))
}

// Partner organisations

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
struct PartnerForm {
    name: String,
    sector: String,
}

async fn partners(State(state): State<AppState>, page: Page) -> PageResult {
    let partners = state.store.partners().await?;
    Ok(page.render("governance/partners.html", context! { partners })?.into_response())
}

async fn new_partner_form(page: Page) -> PageResult {
    let ctx = context! { values => PartnerForm::default(), action => "/admin/partners/new", editing => false };
    Ok(page.render("governance/partner_form.html", ctx)?.into_response())
}

fn parse_partner(form: &PartnerForm) -> Result<(String, Sector), Invalid> {
    let mut errors = Collector::new();
    let name = errors.take(partner_name("name", &form.name));
    let sector = errors.take(parse_code::<Sector>("sector", "a sector", &form.sector));
    match errors.finish(|| (name, sector))? {
        (Some(name), Some(sector)) => Ok((name, sector)),
        _ => Err(Invalid::one("name", "Enter the organisation's name")),
    }
}

async fn create_partner(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<PartnerForm>,
) -> PageResult {
    save_partner(&state, &page, None, &form).await
}

async fn partner_form(State(state): State<AppState>, page: Page, PagePath(id): PagePath<i64>) -> PageResult {
    let partner = state.store.partner(id).await?.ok_or(PageError::NotFound)?;
    let values = PartnerForm { name: partner.name, sector: partner.sector.code().to_owned() };
    let ctx = context! { values, action => format!("/admin/partners/{id}"), editing => true };
    Ok(page.render("governance/partner_form.html", ctx)?.into_response())
}

async fn update_partner(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<PartnerForm>,
) -> PageResult {
    state.store.partner(id).await?.ok_or(PageError::NotFound)?;
    save_partner(&state, &page, Some(id), &form).await
}

/// Adds a partner (`id` is `None`) or changes one, or shows the form again with what is wrong.
async fn save_partner(state: &AppState, page: &Page, id: Option<i64>, form: &PartnerForm) -> PageResult {
    let action = id.map_or_else(|| "/admin/partners/new".to_owned(), |id| format!("/admin/partners/{id}"));
    let ctx = context! { values => form, action, editing => id.is_some() };
    let (name, sector) = match parse_partner(form) {
        Ok(parsed) => parsed,
        Err(invalid) => return unprocessable(page.render_invalid("governance/partner_form.html", ctx, &invalid)),
    };
    let saved = match id {
        Some(id) => state.store.update_partner(id, &name, sector).await,
        None => state.store.create_partner(&name, sector).await,
    };
    match saved {
        Ok(_) => {
            Flash::set(
                &page.session,
                if id.is_some() { "Partner organisation updated" } else { "Partner organisation added" },
            )
            .await;
            see_other("/admin/partners")
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = Invalid::one("name", "There is already a partner organisation with that name");
            unprocessable(page.render_invalid("governance/partner_form.html", ctx, &invalid))
        }
        Err(other) => Err(other.into()),
    }
}

// The journey template

/// One row of the template form as typed.
#[derive(Default, Clone, serde::Serialize)]
struct StageRow {
    order: String,
    name: String,
    description: String,
    exit_criteria: String,
    remove: bool,
}

async fn template_form(State(state): State<AppState>, page: Page) -> PageResult {
    let stages = state.store.journey_template().await?;
    let mut rows: Vec<StageRow> = stages
        .into_iter()
        .map(|s| StageRow {
            order: s.position.to_string(),
            name: s.name,
            description: s.description,
            exit_criteria: s.exit_criteria,
            remove: false,
        })
        .collect();
    rows.push(StageRow { order: (rows.len() + 1).to_string(), ..StageRow::default() });
    Ok(page.render("governance/journey_template.html", context! { rows })?.into_response())
}

/// Reads `stages[3].name`-style fields into rows, in the order of their index.
fn template_rows(fields: Vec<(String, String)>) -> Vec<StageRow> {
    let mut rows: BTreeMap<usize, StageRow> = BTreeMap::new();
    for (key, value) in fields {
        let Some(rest) = key.strip_prefix("stages[") else { continue };
        let Some((index, field)) = rest.split_once("].") else { continue };
        let Ok(index) = index.parse::<usize>() else { continue };
        if index >= 50 {
            continue;
        }
        let row = rows.entry(index).or_default();
        match field {
            "order" => row.order = value,
            "name" => row.name = value,
            "description" => row.description = value,
            "exit_criteria" => row.exit_criteria = value,
            "remove" => row.remove = true,
            _ => {}
        }
    }
    rows.into_values().collect()
}

/// The template a person asked for: kept rows (a blank new row is ignored) sorted by their order.
fn parse_template(rows: &[StageRow]) -> Result<Vec<StageTemplate>, Invalid> {
    let mut errors = Collector::new();
    let mut kept: Vec<(f64, usize, StageTemplate)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let blank =
            row.name.trim().is_empty() && row.description.trim().is_empty() && row.exit_criteria.trim().is_empty();
        if row.remove || (blank && i + 1 == rows.len()) {
            continue;
        }
        let order = match row.order.trim().parse::<f64>() {
            Ok(order) if order.is_finite() => order,
            _ => {
                errors.push(format!("stages[{i}].order"), "Enter the stage's position as a number, like 3");
                0.0
            }
        };
        if let Some(stage) =
            errors.take(StageTemplate::parse(&format!("stages[{i}]"), &row.name, &row.description, &row.exit_criteria))
        {
            kept.push((order, i, stage));
        }
    }
    errors.finish(|| ())?;
    kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let stages: Vec<StageTemplate> = kept.into_iter().map(|(_, _, stage)| stage).collect();
    StageTemplate::check_template(&stages)?;
    Ok(stages)
}

async fn update_template(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let rows = template_rows(fields);
    let stages = match parse_template(&rows) {
        Ok(stages) => stages,
        Err(invalid) => {
            return unprocessable(page.render_invalid("governance/journey_template.html", context! { rows }, &invalid));
        }
    };
    state.store.replace_journey_template(&stages).await?;
    state
        .store
        .record_audit(Some(page.user()?.id), "journey_template.changed", &format!("stages:{}", stages.len()))
        .await?;
    Flash::set(
        &page.session,
        "Journey template saved. New programmes will use it; existing programmes keep their stages.",
    )
    .await;
    see_other("/admin/journey-template")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(order: &str, name: &str) -> StageRow {
        StageRow { order: order.into(), name: name.into(), ..StageRow::default() }
    }

    #[test]
    fn the_template_form_reorders_renames_adds_and_removes() {
        let mut removed = row("2", "Listen");
        removed.remove = true;
        let rows =
            [row("1", "Case for change"), removed, row("0.5", "Prepare"), row("9", "Review and learn"), row("10", "")];
        let names: Vec<_> = parse_template(&rows).expect("valid").into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["Prepare", "Case for change", "Review and learn"]);
    }

    #[test]
    fn the_template_form_names_the_bad_row() {
        let invalid = parse_template(&[row("1", "Listen"), row("x", "Shape"), row("4", ""), row("5", "")]).unwrap_err();
        assert!(invalid.message_for("stages[1].order").is_some());
        assert!(invalid.message_for("stages[2].name").is_some(), "a blank row that is not the last is an error");
        let fields = vec![("stages[1].name".to_owned(), "B".to_owned()), ("stages[0].name".to_owned(), "A".to_owned())];
        let parsed: Vec<_> = template_rows(fields).into_iter().map(|r| r.name).collect();
        assert_eq!(parsed, ["A", "B"]);
    }
}
