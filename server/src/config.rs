//! Settings from the environment, each with a default that runs the app locally:
//! `HOST` (127.0.0.1), `PORT` (8080), `DATA_DIR` (./data), `DATABASE_URL` (none: files in
//! `DATA_DIR`; set, PostgreSQL), `SEED_EXAMPLES` (true), `STAFF_PASSWORD` (none: everyone may
//! change the catalog), the
//! socket limits `WS_FRAMES_PER_SEC` (50) and `WS_FRAME_BURST` (100), the fan-out's
//! `FANOUT_REST_RATIO` (0.5, see `fanout::Pacing`), and the usual
//! `LEPTOS_*` variables cargo-leptos sets (site root, output name).

use std::path::PathBuf;

use leptos::config::LeptosOptions;

use crate::fanout::Pacing;

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
        })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
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
