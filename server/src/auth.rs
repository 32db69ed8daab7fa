//! Staff access: who may change the catalog.
//!
//! Without `STAFF_PASSWORD` everyone may (the classroom case). With it, a request is staff's
//! when it carries `Authorization: Bearer <STAFF_PASSWORD>`, or the signed session cookie that
//! `POST /login` sets, and (for the cookie, which a browser sends on its own) does not come from
//! a page of another site: a foreign `Origin` gets no staff rights, so another site cannot act
//! with a logged-in person's cookie.
//!
//! The cookie is signed with a key derived from the password (PBKDF2), so every instance that
//! shares the password accepts every other's cookies, and changing the password ends every
//! session. It holds only when it was issued, and is good for [`SESSION_HOURS`].

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::guard::credentials::CredentialFailures;
use app::domain::Access;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tiempo_real_staff";
/// How long a login lasts.
pub const SESSION_HOURS: u64 = 12;

/// The catalog's access rule, shared by every handler.
#[derive(Clone)]
pub enum Policy {
    Open,
    Staff(Arc<StaffAccess>),
}

pub struct StaffAccess {
    /// SHA-256 of the password: bearer tokens are hashed and compared in constant time.
    digest: [u8; 32],
    key: Key,
    failures: CredentialFailures,
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

/// The rule itself, on facts already established.
pub fn decide(password_set: bool, bearer_ok: bool, cookie_ok: bool, origin: Origin) -> Access {
    if !password_set {
        Access::Open
    } else if bearer_ok || (cookie_ok && origin != Origin::Foreign) {
        Access::Staff
    } else {
        Access::Visitor
    }
}

impl Policy {
    pub fn new(password: Option<&str>) -> Policy {
        match password {
            None => Policy::Open,
            Some(password) => Policy::Staff(Arc::new(StaffAccess {
                digest: Sha256::digest(password.as_bytes()).into(),
                key: derive_key(password),
                failures: CredentialFailures::default(),
            })),
        }
    }

    /// What a request with these headers may do with the catalog.
    pub fn access(&self, headers: &HeaderMap) -> Access {
        match self {
            Policy::Open => Access::Open,
            Policy::Staff(staff) => decide(
                true,
                staff.bearer_ok(headers),
                staff.session_ok(headers),
                origin(headers),
            ),
        }
    }

    pub fn staff(&self) -> Option<&StaffAccess> {
        match self {
            Policy::Open => None,
            Policy::Staff(staff) => Some(staff),
        }
    }
}

impl StaffAccess {
    /// Whether `password` is the staff password (in constant time).
    pub fn password_ok(&self, password: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(password.as_bytes()).into();
        bool::from(given.ct_eq(&self.digest))
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        Self::bearer(headers).is_some_and(|token| self.password_ok(token))
    }

    fn session_ok(&self, headers: &HeaderMap) -> bool {
        let jar = SignedCookieJar::from_headers(headers, self.key.clone());
        let Some(issued) = jar
            .get(SESSION_COOKIE)
            .and_then(|cookie| cookie.value().strip_prefix("staff:")?.parse::<u64>().ok())
        else {
            return false;
        };
        let now = unix_now();
        issued <= now + 300 && now - issued.min(now) < SESSION_HOURS * 3600
    }

    /// A jar that sets a fresh session cookie (`secure` over HTTPS).
    pub fn log_in(&self, secure: bool) -> SignedCookieJar {
        let cookie = Cookie::build((SESSION_COOKIE, format!("staff:{}", unix_now())))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(cookie::time::Duration::hours(SESSION_HOURS as i64));
        SignedCookieJar::new(self.key.clone()).add(cookie)
    }

    /// A jar that removes the session cookie the request carried.
    pub fn log_out(&self, headers: &HeaderMap) -> SignedCookieJar {
        SignedCookieJar::from_headers(headers, self.key.clone())
            .remove(Cookie::build(SESSION_COOKIE).path("/"))
    }

    /// Failed staff credentials per client (bearer tokens and passwords together).
    pub fn failures(&self) -> &CredentialFailures {
        &self.failures
    }

    /// The bearer token a request carries, if any (right or wrong).
    pub fn bearer(headers: &HeaderMap) -> Option<&str> {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
    }
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

/// The signing key: PBKDF2 of the password, so it is the same on every instance that shares
/// the password, and a stolen cookie does not make guessing the password cheap.
fn derive_key(password: &str) -> Key {
    let mut master = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        b"tiempo-real staff session v1",
        100_000,
        &mut master,
    );
    Key::from(&master)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_rule() {
        use Origin::*;
        assert_eq!(
            decide(false, false, false, Foreign),
            Access::Open,
            "no password: open"
        );
        assert_eq!(
            decide(true, true, false, Foreign),
            Access::Staff,
            "bearer, from anywhere"
        );
        assert_eq!(decide(true, false, true, SameSite), Access::Staff);
        assert_eq!(decide(true, false, true, Absent), Access::Staff);
        assert_eq!(
            decide(true, false, true, Foreign),
            Access::Visitor,
            "cookie from another site"
        );
        assert_eq!(decide(true, false, false, SameSite), Access::Visitor);
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn bearer_cookie_and_origin() {
        let policy = Policy::new(Some("secreto"));
        let staff = policy.staff().unwrap();
        assert_eq!(policy.access(&headers(&[])), Access::Visitor);
        assert_eq!(
            policy.access(&headers(&[("authorization", "Bearer secreto")])),
            Access::Staff
        );
        assert_eq!(
            policy.access(&headers(&[("authorization", "Bearer secret")])),
            Access::Visitor
        );
        // The cookie as a browser would send it back: the signed value of `Set-Cookie`.
        let response = axum::response::IntoResponse::into_response((staff.log_in(false), ()));
        let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        let same = headers(&[
            ("cookie", &cookie),
            ("host", "shop.ar:8080"),
            ("origin", "http://shop.ar:8080"),
        ]);
        assert_eq!(policy.access(&same), Access::Staff);
        let foreign = headers(&[
            ("cookie", &cookie),
            ("host", "shop.ar:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(policy.access(&foreign), Access::Visitor);
        // Another instance with the same password accepts it; one with another does not.
        assert_eq!(Policy::new(Some("secreto")).access(&same), Access::Staff);
        assert_eq!(Policy::new(Some("otro")).access(&same), Access::Visitor);
        let forged = headers(&[("cookie", "tiempo_real_staff=staff:1")]);
        assert_eq!(policy.access(&forged), Access::Visitor, "unsigned");
    }
}
