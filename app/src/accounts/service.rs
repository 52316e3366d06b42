//! Account rules and SQL: sign-up, login (throttled), password change, cooperative
//! applications and their review, and the demo accounts. Time is passed in as `now`.
use tracing::instrument;

use super::auth::RequestSession;
use super::model::{Application, ApplicationForm, CoopStatus, Decision, DistrictOption, Role, Viewer};
use super::password::Gate;
use super::{password, session, throttle};
use crate::audit::AuditAction;
use crate::audit::{Audit, record};
use crate::db::{Db, Sql};
use crate::error::{AppError, FieldError};
use crate::lang::Text;
use crate::live::hub::Hub;
use crate::search::fold::slugify;

pub use super::rules::{
    PASSWORD_MAX, PASSWORD_MIN, check_email, check_password, check_text, normalize_email,
};
const NAME_MAX: usize = 80;

fn validated(errors: impl IntoIterator<Item = Option<FieldError>>) -> Result<(), AppError> {
    let errors: Vec<FieldError> = errors.into_iter().flatten().collect();
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

async fn email_taken(db: &Db, email: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&db.pool)
        .await?
        > 0)
}

/// The new user's fields, validated.
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password: String,
    /// The language of the account's emails (changed on `/account`).
    pub lang: crate::lang::Lang,
}

impl NewUser {
    fn validate(&self) -> Result<(), AppError> {
        validated([
            check_email(&self.email),
            check_text("display_name", &self.display_name, NAME_MAX),
            check_password("password", &self.password),
        ])
    }
}

/// Registers a shopper signing up from `ip` (at most `SIGN_UPS` per address per hour). Returns
/// the new user's id.
#[instrument(skip(db, user), fields(email = %user.email))]
pub async fn sign_up(db: &Db, mut user: NewUser, ip: &str, now: i64) -> Result<i64, AppError> {
    user.email = normalize_email(&user.email);
    user.validate()?;
    if email_taken(db, &user.email).await? {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            crate::error::FieldCode::EmailTaken,
        )]));
    }
    let turn = Gate::global().turn(ip).await?;
    throttle::take_quota(db, throttle::SIGN_UPS, ip, now).await?;
    let hash = password::hash(&turn, user.password).await?;
    let email = user.email.clone();
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO users (email, display_name, password_hash, role, preferred_lang, email_verified, created_at, \
         updated_at) VALUES ($1, $2, $3, 'shopper', $6, 0, $4, $5) RETURNING id",
    )
    .bind(user.email)
    .bind(user.display_name.trim())
    .bind(hash)
    .bind(now)
    .bind(now)
    .bind(user.lang.code())
    .fetch_one(&db.pool)
    .await
    .map_err(unique_email)?;
    // The account can browse and fill a cart at once; it orders once this link is opened.
    super::links::send_verification(db, id, &email, now).await?;
    Ok(id)
}

/// Two sign-ups racing for one address: the loser gets the same answer as if it had checked.
fn unique_email(e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            AppError::Validation(vec![FieldError::new("email", crate::error::FieldCode::EmailTaken)])
        }
        _ => AppError::from(e),
    }
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    email: String,
    password_hash: String,
    status: String,
}

/// Checks the credentials (throttled per account, slowed per address) and starts a session.
/// Returns the session token. A wrong password, an unknown email and a disabled account all give
/// the same answer, after the same work. The attempt is counted before the password is checked,
/// so simultaneous attempts cannot get past the account's limits.
#[instrument(skip(db, password))]
pub async fn login(db: &Db, email: &str, password: &str, ip: &str, now: i64) -> Result<String, AppError> {
    let account = normalize_email(email);
    let (attempt, turn) = throttle::attempt_with_turn(db, &account, ip, now).await?;
    let found: Option<Credentials> =
        sqlx::query_as("SELECT id, email, password_hash, status FROM users WHERE email = $1")
            .bind(&account)
            .fetch_optional(&db.pool)
            .await?;
    let (hash, user) = match &found {
        Some(c) => (c.password_hash.clone(), Some(c)),
        None => (password::decoy_hash().to_owned(), None),
    };
    let matches = password::verify(&turn, password.to_owned(), hash).await?;
    drop(turn);
    match user {
        Some(c) if matches && c.status == "active" => {
            throttle::clear_account(db, &account).await?;
            Ok(session::create(db, c.id, now).await?)
        }
        _ => {
            // The reservation stays as the failure; an address that fails a lot waits here.
            tokio::time::sleep(attempt.failure_delay).await;
            Err(AppError::Validation(vec![FieldError::new(
                "password",
                crate::error::FieldCode::BadCredentials,
            )]))
        }
    }
}

/// A session just begun: the token for the cookie, and who it is for.
pub struct Started {
    pub token: String,
    pub viewer: Viewer,
}

/// Logs in on a request that came with `previous`: a new session in place of the one the browser
/// had (ended, and the live sockets of the account it was for lose their topics at once).
#[instrument(skip(db, hub, password, previous))]
pub async fn log_in(
    db: &Db,
    hub: &Hub,
    email: &str,
    password: &str,
    previous: &RequestSession,
    now: i64,
) -> Result<Started, AppError> {
    let token = login(db, email, password, &previous.ip, now).await?;
    if let Some(old) = &previous.token {
        session::delete(db, old).await?;
    }
    if let Some(before) = &previous.viewer {
        hub.revoke_user(before.id);
    }
    let viewer = session::resolve(db, &token, now).await?.ok_or(AppError::Internal)?;
    Ok(Started { token, viewer })
}

/// Signs up and starts the new account's session (the password was just hashed, so it is not
/// checked a second time).
#[instrument(skip(db, user))]
pub async fn sign_up_and_start(db: &Db, user: NewUser, ip: &str, now: i64) -> Result<Started, AppError> {
    let id = sign_up(db, user, ip, now).await?;
    let token = session::create(db, id, now).await?;
    let viewer = session::resolve(db, &token, now).await?.ok_or(AppError::Internal)?;
    Ok(Started { token, viewer })
}

/// Ends the request's session; the live sockets of its account stop hearing its topics at once.
#[instrument(skip(db, hub, request))]
pub async fn log_out(db: &Db, hub: &Hub, request: &RequestSession) -> Result<(), AppError> {
    if let Some(token) = &request.token {
        session::delete(db, token).await?;
    }
    if let Some(viewer) = &request.viewer {
        hub.revoke_user(viewer.id);
    }
    Ok(())
}

/// Changes a password after checking the current one (throttled like a login, since it is one),
/// and ends the user's other sessions.
#[instrument(skip(db, hub, current, new, keep_token))]
#[allow(clippy::too_many_arguments)]
pub async fn change_password(
    db: &Db,
    hub: &Hub,
    user_id: i64,
    current: &str,
    new: &str,
    keep_token: Option<&str>,
    ip: &str,
    now: i64,
) -> Result<(), AppError> {
    validated([check_password("new_password", new)])?;
    let c: Credentials = sqlx::query_as("SELECT id, email, password_hash, status FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let (attempt, turn) = throttle::attempt_with_turn(db, &c.email, ip, now).await?;
    if !password::verify(&turn, current.to_owned(), c.password_hash).await? {
        drop(turn);
        tokio::time::sleep(attempt.failure_delay).await;
        return Err(AppError::Validation(vec![FieldError::new(
            "current_password",
            crate::error::FieldCode::WrongPassword,
        )]));
    }
    throttle::clear_account(db, &c.email).await?;
    let hash = password::hash(&turn, new.to_owned()).await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    session::delete_others(db, user_id, keep_token).await?;
    // The other sessions just ended: their live sockets lose the account's topics.
    hub.revoke_user(user_id);
    Ok(())
}

/// Vietnamese phone numbers: 10 digits starting with 0, or +84 and 9 digits; spaces, dots and
/// dashes allowed between digits.
pub fn check_phone(field: &str, phone: &str) -> Option<FieldError> {
    let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    let national = digits.strip_prefix("+84").map(|rest| format!("0{rest}")).unwrap_or(digits);
    let ok =
        national.len() == 10 && national.starts_with('0') && national.chars().all(|c| c.is_ascii_digit());
    (!ok).then(|| FieldError::new(field, crate::error::FieldCode::PhoneInvalid))
}

/// A slug for a new cooperative: its Vietnamese name, with a number added if taken.
async fn free_coop_slug(db: &Db, name: &str) -> Result<String, sqlx::Error> {
    let base = match slugify(name) {
        s if s.is_empty() => "htx".to_owned(),
        s => s,
    };
    let mut candidate = base.clone();
    for n in 2.. {
        let taken = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cooperatives WHERE slug = $1")
            .bind(&candidate)
            .fetch_one(&db.pool)
            .await?;
        if taken == 0 {
            break;
        }
        candidate = format!("{base}-{n}");
    }
    Ok(candidate)
}

/// Records an application: the cooperative (pending) and its first member, the owner, in one
/// transaction. Returns the cooperative's id.
#[instrument(skip(db, hub, form), fields(email = %form.email))]
pub async fn apply(
    db: &Db,
    hub: &Hub,
    mut form: ApplicationForm,
    ip: &str,
    now: i64,
) -> Result<i64, AppError> {
    form.email = normalize_email(&form.email);
    validated([
        check_text("name_vi", &form.name_vi, 160),
        check_text("name_en", &form.name_en, 160),
        check_text("district", &form.district, 80),
        check_text("commune", &form.commune, 80),
        check_text("contact_name", &form.contact_name, NAME_MAX),
        check_phone("contact_phone", &form.contact_phone),
        check_email(&form.email),
        check_password("password", &form.password),
    ])?;
    let Some(district_id) = sqlx::query_scalar::<_, i64>("SELECT id FROM districts WHERE slug = $1")
        .bind(&form.district)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Err(AppError::Validation(vec![FieldError::new(
            "district",
            crate::error::FieldCode::Required,
        )]));
    };
    if email_taken(db, &form.email).await? {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            crate::error::FieldCode::EmailTaken,
        )]));
    }
    let slug = free_coop_slug(db, &form.name_vi).await?;
    let turn = Gate::global().turn(ip).await?;
    throttle::take_quota(db, throttle::SIGN_UPS, ip, now).await?;
    let hash = password::hash(&turn, form.password.clone()).await?;
    drop(turn);

    let mut tx = db.begin_write().await?;
    let coop_id: i64 = sqlx::query_scalar(
        "INSERT INTO cooperatives (slug, name_vi, name_en, district_id, commune, contact_name, \
         contact_email, contact_phone, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9) RETURNING id",
    )
    .bind(slug)
    .bind(form.name_vi.trim())
    .bind(form.name_en.trim())
    .bind(district_id)
    .bind(form.commune.trim())
    .bind(form.contact_name.trim())
    .bind(&form.email)
    .bind(form.contact_phone.trim())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, role, cooperative_id, member_role, \
         created_at, updated_at) VALUES ($1, $2, $3, 'member', $4, 'owner', $5, $6)",
    )
    .bind(form.email)
    .bind(form.contact_name.trim())
    .bind(hash)
    .bind(coop_id)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(unique_email)?;
    tx.commit().await?;
    // "Cooperatives pending" on the admin dashboard.
    hub.kpis_changed();
    Ok(coop_id)
}

pub async fn districts(db: &Db) -> Result<Vec<DistrictOption>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        slug: String,
        name_vi: String,
        name_en: String,
    }
    let rows: Vec<Row> = sqlx::query_as("SELECT slug, name_vi, name_en FROM districts ORDER BY position, id")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| DistrictOption { slug: r.slug, name: Text::new(r.name_vi, r.name_en) })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: i64,
    name_vi: String,
    name_en: String,
    district_vi: Option<String>,
    district_en: Option<String>,
    commune: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    applicant_email: Option<String>,
    status: String,
    review_note: Option<String>,
    created_at: i64,
}

/// Applications, pending first (oldest first among them), then the decided ones, newest first.
#[instrument(skip(db))]
pub async fn list_applications(db: &Db) -> Result<Vec<Application>, sqlx::Error> {
    let rows: Vec<ApplicationRow> = sqlx::query_as(
        "SELECT c.id, c.name_vi, c.name_en, d.name_vi AS district_vi, d.name_en AS district_en, c.commune, \
         c.contact_name, c.contact_email, c.contact_phone, c.status, c.review_note, c.created_at, \
         (SELECT MIN(u.email) FROM users u WHERE u.cooperative_id = c.id AND u.member_role = 'owner') \
         AS applicant_email \
         FROM cooperatives c LEFT JOIN districts d ON d.id = c.district_id \
         WHERE c.reviewed_at IS NOT NULL OR c.status = 'pending' \
         ORDER BY CASE WHEN c.status = 'pending' THEN 0 ELSE 1 END, \
         CASE WHEN c.status = 'pending' THEN c.created_at ELSE -c.reviewed_at END, c.id LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Application {
            cooperative_id: r.id,
            name: Text::new(r.name_vi, r.name_en),
            district: r.district_vi.zip(r.district_en).map(|(vi, en)| Text::new(vi, en)),
            commune: r.commune.unwrap_or_default(),
            contact_name: r.contact_name.unwrap_or_default(),
            contact_email: r.contact_email.unwrap_or_default(),
            contact_phone: r.contact_phone.unwrap_or_default(),
            applicant_email: r.applicant_email.unwrap_or_default(),
            status: CoopStatus::from_db(&r.status).unwrap_or(CoopStatus::Pending),
            review_note: r.review_note,
            submitted_at: r.created_at,
        })
        .collect())
}

/// Approves or rejects a pending application; a rejection needs a reason. Deciding twice is a
/// conflict, not a second decision.
#[instrument(skip(db, hub))]
pub async fn review_application(
    db: &Db,
    hub: &Hub,
    admin_id: i64,
    cooperative_id: i64,
    decision: Decision,
    note: &str,
    now: i64,
) -> Result<(), AppError> {
    let note = note.trim();
    if decision == Decision::Reject && note.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "note",
            crate::error::FieldCode::ReasonRequired,
        )]));
    }
    if note.chars().count() > 1000 {
        return Err(AppError::Validation(vec![FieldError::new("note", crate::error::FieldCode::TooLong)]));
    }
    let status = match decision {
        Decision::Approve => CoopStatus::Approved,
        Decision::Reject => CoopStatus::Rejected,
    };
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE cooperatives SET status = $1, review_note = $2, reviewed_at = $3, reviewed_by = $4 \
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(status.as_db())
    .bind((!note.is_empty()).then(|| note.to_owned()))
    .bind(now)
    .bind(admin_id)
    .bind(cooperative_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 1 {
        let action = match decision {
            Decision::Approve => AuditAction::CooperativeApprove,
            Decision::Reject => AuditAction::CooperativeReject,
        };
        let audit = Audit {
            actor: admin_id,
            action,
            target_id: cooperative_id,
            before: Some(serde_json::json!({ "status": CoopStatus::Pending.as_db() })),
            after: Some(serde_json::json!({ "status": status.as_db(), "note": note })),
            at: now,
        };
        record(&mut tx, audit).await?;
        let (name_vi, name_en): (String, String) =
            sqlx::query_as("SELECT name_vi, name_en FROM cooperatives WHERE id = $1")
                .bind(cooperative_id)
                .fetch_one(&mut *tx)
                .await?;
        let decided = crate::messages::model::Message::ApplicationDecided {
            cooperative: crate::lang::Text::new(name_vi, name_en),
            approved: decision == Decision::Approve,
            note: note.to_owned(),
        };
        let told = crate::messages::service::tell(
            &mut tx,
            crate::messages::service::To::Cooperative(cooperative_id),
            &decided,
            now,
        )
        .await?;
        tx.commit().await?;
        crate::messages::service::announce(db, hub, told);
        crate::changes::catalogue_changed(db);
        // "Cooperatives pending" on the admin dashboard.
        hub.kpis_changed();
        return Ok(());
    }
    tx.rollback().await?;
    let found = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cooperatives WHERE id = $1")
        .bind(cooperative_id)
        .fetch_one(&db.pool)
        .await?;
    if found == 0 {
        Err(AppError::NotFound)
    } else {
        Err(AppError::Conflict(crate::error::ConflictCode::ApplicationDecided))
    }
}

/// A demo account the server prints at first start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub role: Role,
    pub email: &'static str,
    pub password: &'static str,
}

/// One account per role; the member belongs to Binh Minh. Listed in the README.
pub const DEMO_ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount { role: Role::Admin, email: "admin@ocop.demo", password: "admin-demo-2026" },
    DemoAccount { role: Role::Member, email: "binhminh@ocop.demo", password: "member-demo-2026" },
    DemoAccount { role: Role::Shopper, email: "shopper@ocop.demo", password: "shopper-demo-2026" },
];

/// Creates the demo accounts when there are no users yet; returns those it created.
#[instrument(skip(db))]
pub async fn seed_demo_accounts(db: &Db, now: i64) -> Result<Vec<DemoAccount>, AppError> {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    if users > 0 {
        return Ok(Vec::new());
    }
    let mut created = Vec::new();
    for account in DEMO_ACCOUNTS {
        let hash = password::hash(&Gate::global().turn("seed").await?, account.password.to_owned()).await?;
        let mut sql = Sql::new(
            "INSERT INTO users (email, display_name, password_hash, role, cooperative_id, member_role, \
             is_demo, created_at, updated_at) VALUES (",
        );
        let name = match account.role {
            Role::Admin => "Sở NN&PTNT Tuyên Quang (demo)",
            Role::Member => "Nguyễn Thị Minh (demo)",
            Role::Shopper => "Trần Văn An (demo)",
        };
        sql.bind(account.email.to_owned()).push(", ").bind(name.to_owned()).push(", ").bind(hash).push(", ");
        sql.bind(account.role.as_db().to_owned()).push(", ");
        if account.role == Role::Member {
            sql.push("(SELECT id FROM cooperatives WHERE slug = 'binh-minh'), 'owner'");
        } else {
            sql.push("NULL, NULL");
        }
        sql.push(", 1, ").bind(now).push(", ").bind(now).push(") ON CONFLICT (email) DO NOTHING");
        if sql.query()?.execute(&db.pool).await?.rows_affected() == 1 {
            created.push(account);
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  An.Tran@Example.VN "), "an.tran@example.vn");
    }

    #[test]
    fn email_validation_refuses_what_cannot_be_an_address() {
        assert_eq!(check_email("an@example.vn"), None);
        for bad in
            ["", "an", "an@", "@example.vn", "an@example", "an@@example.vn", "a n@example.vn", "an@.vn"]
        {
            assert_eq!(
                check_email(bad),
                Some(FieldError::new("email", crate::error::FieldCode::EmailInvalid)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn passwords_need_ten_to_128_characters_counted_as_characters() {
        assert_eq!(
            check_password("password", "123456789").map(|e| e.code),
            Some(crate::error::FieldCode::PasswordShort)
        );
        assert_eq!(check_password("password", "mật khẩu đẹp"), None);
        assert_eq!(
            check_password("password", &"x".repeat(129)).map(|e| e.code),
            Some(crate::error::FieldCode::PasswordLong)
        );
    }

    #[test]
    fn vietnamese_phone_numbers_are_accepted_in_their_usual_forms() {
        for ok in ["0912345678", "091 234 5678", "+84912345678", "0912.345.678"] {
            assert_eq!(check_phone("p", ok), None, "{ok}");
        }
        for bad in ["", "12345", "091234567", "+1 912345678", "09123456789", "09123x5678"] {
            assert!(check_phone("p", bad).is_some(), "{bad}");
        }
    }
}
