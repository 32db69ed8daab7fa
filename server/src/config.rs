//! Settings from the environment, each with a default that runs the app locally:
//! `HOST` (127.0.0.1), `PORT` (8080), `DATA_DIR` (./data), `DATABASE_URL` (none: files in
//! `DATA_DIR`; set, PostgreSQL), `SEED_EXAMPLES` (true), `STAFF_PASSWORD` (none: everyone may
//! change the catalog), the
//! socket limits `WS_FRAMES_PER_SEC` (50) and `WS_FRAME_BURST` (100), the fan-out's
//! `FANOUT_REST_RATIO` (0.5, see `fanout::Pacing`), the limits against abuse
//! (`TRUSTED_PROXIES`, `ALLOWED_HOSTS`, `COOKIE_SECURE`, `CHAT_MESSAGES_PER_SEC`,
//! `CHAT_MESSAGES_BURST`, `MAX_SOCKETS_PER_CLIENT`; see `guard`), and the usual
//! `LEPTOS_*` variables cargo-leptos sets (site root, output name).

use std::net::IpAddr;
use std::path::PathBuf;

use leptos::config::LeptosOptions;

use crate::fanout::Pacing;
use crate::guard::bucket::Rate;

pub struct Config {
    /// Host name or address to listen on, and the port.
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    /// PostgreSQL instead of the files in `data_dir`, so several instances can share the data.
    pub database_url: Option<String>,
    /// Whether a brand-new store starts with the example products.
    pub seed_examples: bool,
    /// With it, only staff may change the catalog (see `auth`).
    pub staff_password: Option<String>,
    pub leptos: LeptosOptions,
    pub sockets: SocketLimits,
    pub pacing: Pacing,
    pub limits: AbuseLimits,
}

/// The limits against abuse (see `guard`), each with a default that is safe in public.
#[derive(Clone, Debug)]
pub struct AbuseLimits {
    /// Peers whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`; default none).
    pub trusted_proxies: Vec<IpAddr>,
    /// Host names served (`ALLOWED_HOSTS`); `None`: loopback names on a loopback address,
    /// any name elsewhere.
    pub allowed_hosts: Option<Vec<String>>,
    /// Whether the staff cookie is `Secure` (`COOKIE_SECURE`, default false).
    pub cookie_secure: bool,
    /// Chat messages per client (`CHAT_MESSAGES_PER_SEC` 5, `CHAT_MESSAGES_BURST` 20).
    pub chat: Rate,
    /// Open sockets per client (`MAX_SOCKETS_PER_CLIENT`, 200).
    pub sockets_per_client: u32,
}

/// How much one socket may ask of the server.
#[derive(Clone, Copy, Debug)]
pub struct SocketLimits {
    /// Sustained client frames per second before frames are refused with an error frame.
    pub frames_per_sec: f64,
    /// How many frames may arrive at once above that rate.
    pub burst: f64,
}

/// The bundle name the build writes under `/pkg`, when cargo-leptos did not say.
const OUTPUT_NAME: &str = "tiempo_real";

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let mut leptos = leptos::config::get_configuration(None)
            .map_err(|e| format!("invalid LEPTOS_* settings: {e}"))?
            .leptos_options;
        if leptos.output_name.is_empty() {
            leptos.output_name = OUTPUT_NAME.into();
        }
        let host = var("HOST").unwrap_or_else(|| "127.0.0.1".into());
        let port: u16 = match var("PORT") {
            Some(port) => port
                .parse()
                .map_err(|_| format!("PORT is not a port number: {port}"))?,
            None => 8080,
        };
        Ok(Config {
            host,
            port,
            data_dir: var("DATA_DIR").unwrap_or_else(|| "./data".into()).into(),
            database_url: var("DATABASE_URL"),
            seed_examples: flag("SEED_EXAMPLES", true)?,
            staff_password: std::env::var("STAFF_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty()),
            leptos,
            pacing: Pacing {
                rest_ratio: number("FANOUT_REST_RATIO", 0.5, 0.0)?,
            },
            sockets: SocketLimits {
                frames_per_sec: number("WS_FRAMES_PER_SEC", 50.0, 0.01)?,
                burst: number("WS_FRAME_BURST", 100.0, 1.0)?,
            },
            limits: AbuseLimits {
                trusted_proxies: list("TRUSTED_PROXIES")?
                    .unwrap_or_default()
                    .iter()
                    .map(|raw| {
                        raw.parse()
                            .map_err(|_| format!("TRUSTED_PROXIES: {raw:?} is not an IP address"))
                    })
                    .collect::<Result<_, _>>()?,
                allowed_hosts: list("ALLOWED_HOSTS")?,
                cookie_secure: flag("COOKIE_SECURE", false)?,
                chat: Rate {
                    per_sec: number("CHAT_MESSAGES_PER_SEC", 5.0, 0.001)?,
                    burst: number("CHAT_MESSAGES_BURST", 20.0, 1.0)?,
                },
                sockets_per_client: number("MAX_SOCKETS_PER_CLIENT", 200.0, 1.0)?
                    .min(u32::MAX as f64) as u32,
            },
        })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A comma-separated list setting; `None` when absent.
fn list(name: &str) -> Result<Option<Vec<String>>, String> {
    let Some(raw) = var(name) else {
        return Ok(None);
    };
    let items: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(String::from)
        .collect();
    if items.is_empty() {
        return Err(format!("{name} must list at least one value"));
    }
    Ok(Some(items))
}

fn flag(name: &str, default: bool) -> Result<bool, String> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(format!("{name} must be true or false, not {other}")),
    }
}

/// A number setting of at least `min`.
fn number(name: &str, default: f64, min: f64) -> Result<f64, String> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= min)
            .ok_or_else(|| format!("{name} must be a number of at least {min}, not {raw}")),
    }
}
