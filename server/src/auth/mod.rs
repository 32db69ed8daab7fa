//! Staff access: who a request or a socket acts as, and what their role lets them do.
//!
//! Staff access is on when `STAFF_PASSWORD` is set or the store holds a staff account; off,
//! everyone may edit (the classroom case). On, a request acts as staff with
//! `Authorization: Bearer <STAFF_PASSWORD or an account's API token>`, or with the session
//! cookie `POST /login` sets, unless it comes from a page of another site: a foreign `Origin`
//! gets no rights from the cookie, which the browser sends on its own.
//!
//! Sessions and tokens are kept in the store (`store::Accounts`), the cookie holding only a
//! random token, and are looked up each time they are used: a logout, a removed account or a
//! new password ends them at once on every instance, sockets included (a socket's rights are
//! looked up when it acts). The lookup is one read by key, no password hash (and no read at
//! all on SQLite, whose server remembers what it looked up: `store::sqlite::LocalAccounts`).

mod passwords;
mod tokens;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::guard::credentials::CredentialFailures;
use crate::store::{AccountError, Accounts, CredentialKind};
use app::domain::access::{Member, Role};
use app::domain::history::SHARED_PASSWORD_ACTOR;
use app::domain::staff::account_email;
use app::domain::Access;
pub use passwords::Passwords;
pub use tokens::{digest, new_token};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tiempo_real_staff";
/// How long a login lasts.
pub const SESSION_HOURS: i64 = 12;

/// Who may do what, shared by every handler and socket.
pub struct Policy {
    shared: Option<SharedPassword>,
    accounts: Arc<dyn Accounts>,
    failures: CredentialFailures,
    passwords: Passwords,
    /// Set once the store was seen holding an account: staff access stays on from then on
    /// (removing every account does not open the catalog to everyone until a restart).
    accounts_seen: AtomicBool,
}

/// The shared `STAFF_PASSWORD`, which acts as an admin named `staff`.
struct SharedPassword {
    /// SHA-256 of the password: bearer tokens are hashed and compared in constant time.
    digest: [u8; 32],
    /// Who its sessions are kept for: `staff:` and a tag derived from the password (PBKDF2),
    /// so that a new password ends the sessions of the old one, and the store never holds
    /// anything that makes guessing the password cheap.
    holder: String,
}

/// What a request (or the upgrade of a socket) carries to act as staff.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    bearer: Option<String>,
    /// The session cookie's token, unless the request came from a page of another site.
    session: Option<String>,
}

impl Credentials {
    pub fn of(headers: &HeaderMap) -> Credentials {
        let session = (origin(headers) != Origin::Foreign)
            .then(|| CookieJar::from_headers(headers))
            .and_then(|jar| jar.get(SESSION_COOKIE).map(|c| c.value().to_string()))
            .filter(|token| !token.is_empty());
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(|token| token.trim().to_string());
        Credentials { bearer, session }
    }

    /// The bearer token, right or wrong.
    pub fn bearer(&self) -> Option<&str> {
        self.bearer.as_deref()
    }

    /// The session token of the cookie (only when not from another site).
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }
}

/// A login that succeeded: who, and the token of their new session.
pub struct Login {
    pub member: Member,
    pub token: String,
}

impl Policy {
    pub fn new(password: Option<&str>, accounts: Arc<dyn Accounts>) -> Policy {
        Policy {
            shared: password.map(|password| SharedPassword {
                digest: Sha256::digest(password.as_bytes()).into(),
                holder: format!("{SHARED_PASSWORD_ACTOR}:{}", tag(password)),
            }),
            accounts,
            failures: CredentialFailures::default(),
            passwords: Passwords::default(),
            accounts_seen: AtomicBool::new(false),
        }
    }

    /// What `credentials` may do now.
    pub async fn access(&self, credentials: &Credentials) -> Result<Access, AccountError> {
        if let Some(token) = credentials.bearer() {
            if self.is_shared_password(token) {
                return Ok(Access::Staff(self.shared_member()));
            }
            if let Some(member) = self.holder_of(token).await? {
                return Ok(Access::Staff(member));
            }
        }
        if let Some(token) = credentials.session() {
            if let Some(member) = self.holder_of(token).await? {
                return Ok(Access::Staff(member));
            }
        }
        Ok(if self.staff_on().await? {
            Access::Visitor
        } else {
            Access::Open
        })
    }

    /// Whether staff access is on: a shared password, or an account in the store.
    pub async fn staff_on(&self) -> Result<bool, AccountError> {
        if self.shared.is_some() || self.accounts_seen.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let any = self.accounts.any().await?;
        if any {
            self.accounts_seen.store(true, Ordering::Relaxed);
        }
        Ok(any)
    }

    /// Whether `token` is the shared password (in constant time).
    pub fn is_shared_password(&self, token: &str) -> bool {
        self.shared.as_ref().is_some_and(|shared| {
            let given: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            bool::from(given.ct_eq(&shared.digest))
        })
    }

    /// With `email` empty, the shared password; else that account's. Right: a new session,
    /// kept in the store. The password is checked with the same work whether the account
    /// exists or not.
    pub async fn log_in(&self, email: &str, password: &str) -> Result<Option<Login>, AccountError> {
        let (member, holder) = if email.trim().is_empty() {
            match &self.shared {
                Some(shared) if self.is_shared_password(password) => {
                    (self.shared_member(), shared.holder.clone())
                }
                _ => return Ok(None),
            }
        } else {
            let email = account_email(email).unwrap_or_default();
            let found = if email.is_empty() {
                None
            } else {
                self.accounts.find(&email).await?
            };
            let stored = found.as_ref().map(|(_, hash)| hash.as_str());
            if !self.passwords.verify(password, stored).await {
                return Ok(None);
            }
            let Some((role, _)) = found else {
                return Ok(None);
            };
            let member = Member {
                name: email.clone(),
                role,
            };
            (member, email)
        };
        let token = new_token();
        let expires = chrono::Utc::now().timestamp() + SESSION_HOURS * 3600;
        self.accounts
            .issue(
                &digest(&token),
                &holder,
                CredentialKind::Session,
                Some(expires),
            )
            .await?;
        Ok(Some(Login { member, token }))
    }

    /// Ends the session `credentials` carry, on every instance.
    pub async fn log_out(&self, credentials: &Credentials) -> Result<(), AccountError> {
        match credentials.session() {
            Some(token) => self.accounts.revoke(&digest(token)).await,
            None => Ok(()),
        }
    }

    /// Failed staff credentials per client (bearer tokens and passwords together).
    pub fn failures(&self) -> &CredentialFailures {
        &self.failures
    }

    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// Who holds the session or API token `token`, if it is in force.
    async fn holder_of(&self, token: &str) -> Result<Option<Member>, AccountError> {
        let now = chrono::Utc::now().timestamp();
        let Some(holder) = self.accounts.holder(&digest(token), now).await? else {
            return Ok(None);
        };
        Ok(match holder.role {
            Some(role) => Some(Member {
                name: holder.name,
                role,
            }),
            // A shared password's session: only while that password is the one in use.
            None => self
                .shared
                .as_ref()
                .filter(|shared| shared.holder == holder.name)
                .map(|_| self.shared_member()),
        })
    }

    fn shared_member(&self) -> Member {
        Member {
            name: SHARED_PASSWORD_ACTOR.to_string(),
            role: Role::Admin,
        }
    }
}

/// The cookie that carries a new session's token (`secure` over HTTPS).
pub fn session_cookie(token: String, secure: bool) -> CookieJar {
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::hours(SESSION_HOURS));
    CookieJar::new().add(cookie)
}

/// Removes the session cookie from the browser (an empty one, expired).
pub fn ended_session_cookie() -> CookieJar {
    let mut cookie = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    cookie.make_removal();
    CookieJar::new().add(cookie)
}

/// Where a cookie-carrying request comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// No `Origin` header: not a cross-site browser request (a form post or socket from
    /// another site always carries one).
    Absent,
    SameSite,
    Foreign,
}

/// `Origin` against the host the request was sent to (`Host`, as the browser wrote it; a
/// proxy in front must pass it on, e.g. nginx's `proxy_set_header Host $http_host`).
pub fn origin(headers: &HeaderMap) -> Origin {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Origin::Absent;
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin_host, host) {
        (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host) => {
            Origin::SameSite
        }
        _ => Origin::Foreign,
    }
}

/// A tag of the shared password for its sessions' holder: PBKDF2, so that the tag in the store
/// does not make guessing the password cheap.
fn tag(password: &str) -> String {
    let mut tag = [0u8; 12];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        b"tiempo-real shared staff password",
        100_000,
        &mut tag,
    );
    tag.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn a_cookie_from_another_site_carries_no_session() {
        let cookie = format!("{SESSION_COOKIE}=abc");
        let same = headers(&[
            ("cookie", &cookie),
            ("host", "shop.ar:8080"),
            ("origin", "http://shop.ar:8080"),
        ]);
        assert_eq!(Credentials::of(&same).session(), Some("abc"));
        let absent = headers(&[("cookie", &cookie)]);
        assert_eq!(Credentials::of(&absent).session(), Some("abc"));
        let foreign = headers(&[
            ("cookie", &cookie),
            ("host", "shop.ar:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(Credentials::of(&foreign).session(), None);
        let bearer = headers(&[("authorization", "Bearer  secreto ")]);
        assert_eq!(Credentials::of(&bearer).bearer(), Some("secreto"));
    }

    #[test]
    fn the_session_cookie_is_for_this_site_and_no_script() {
        let response =
            axum::response::IntoResponse::into_response((session_cookie("tok".into(), false), ()));
        let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(
            set_cookie.starts_with("tiempo_real_staff=tok"),
            "{set_cookie}"
        );
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
        assert!(set_cookie.contains("Max-Age=43200"));
    }

    #[test]
    fn the_shared_passwords_sessions_are_tagged_by_password() {
        assert_eq!(tag("secreto"), tag("secreto"));
        assert_ne!(tag("secreto"), tag("otro"));
        assert!(!tag("secreto").contains("secreto"));
    }
}
