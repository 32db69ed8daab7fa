//! The settings as the server uses them, built from [`Settings`] (the flags and environment
//! variables, see `settings`) and the usual `LEPTOS_*` variables cargo-leptos sets (site
//! root, output name).

use std::net::IpAddr;
use std::path::PathBuf;

use leptos::config::LeptosOptions;

use crate::fanout::Pacing;
use crate::guard::bucket::Rate;
use crate::settings::Settings;

pub struct Config {
    /// Host name or address to listen on, and the port.
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    /// PostgreSQL instead of the SQLite database in `data_dir`, so several instances can share
    /// the data.
    pub database_url: Option<String>,
    /// Whether a brand-new store starts with the example products.
    pub seed_examples: bool,
    /// With it, only staff may change the catalog (see `auth`).
    pub staff_password: Option<String>,
    pub leptos: LeptosOptions,
    pub sockets: SocketLimits,
    pub pacing: Pacing,
    pub limits: AbuseLimits,
    /// Where `/metrics` is served; `None`: nowhere.
    pub metrics_addr: Option<std::net::SocketAddr>,
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

/// The staff password: given as it is, or the first line of a file; `--staff-password ""`
/// means none, like an empty variable, and a file without one stops the start.
fn staff_password(
    given: Option<String>,
    file: Option<&std::path::Path>,
) -> Result<Option<String>, String> {
    let Some(path) = file else {
        return Ok(given.filter(|password| !password.is_empty()));
    };
    let read = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read STAFF_PASSWORD_FILE {}: {e}", path.display()))?;
    // A secret that was meant to be mounted but came up empty must not open the catalog to
    // everyone: the start stops instead.
    match read.lines().next().filter(|line| !line.is_empty()) {
        Some(password) => Ok(Some(password.to_string())),
        None => Err(format!(
            "STAFF_PASSWORD_FILE {} has no password on its first line",
            path.display()
        )),
    }
}

/// The bundle name the build writes under `/pkg`, when cargo-leptos did not say.
const OUTPUT_NAME: &str = "tiempo_real";

impl Config {
    /// What the server uses of `settings`; the error names a bad `LEPTOS_*` setting.
    pub fn new(settings: Settings) -> Result<Config, String> {
        let mut leptos = leptos::config::get_configuration(None)
            .map_err(|e| format!("invalid LEPTOS_* settings: {e}"))?
            .leptos_options;
        if leptos.output_name.is_empty() {
            leptos.output_name = OUTPUT_NAME.into();
        }
        let non_empty = |list: Vec<String>| {
            let list: Vec<String> = list
                .into_iter()
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect();
            (!list.is_empty()).then_some(list)
        };
        Ok(Config {
            metrics_addr: settings.metrics_addr,
            host: settings.host,
            port: settings.port,
            data_dir: settings.data_dir,
            database_url: settings.database_url,
            seed_examples: settings.seed_examples,
            staff_password: staff_password(
                settings.staff_password,
                settings.staff_password_file.as_deref(),
            )?,
            leptos,
            pacing: Pacing {
                rest_ratio: settings.fanout_rest_ratio,
            },
            sockets: SocketLimits {
                frames_per_sec: settings.ws_frames_per_sec,
                burst: settings.ws_frame_burst,
            },
            limits: AbuseLimits {
                trusted_proxies: settings.trusted_proxies,
                allowed_hosts: non_empty(settings.allowed_hosts),
                cookie_secure: settings.cookie_secure,
                chat: Rate {
                    per_sec: settings.chat_messages_per_sec,
                    burst: settings.chat_messages_burst,
                },
                sockets_per_client: settings.max_sockets_per_client,
            },
        })
    }
}
