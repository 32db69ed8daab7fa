//! Every setting, as a flag and as an environment variable (clap with its `env` feature), so
//! `server --help` lists them all with their variables and defaults, and a bad value stops
//! the server at once naming the setting (exit code 2). An empty variable counts as unset.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::parser::ValueSource;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "server",
    about = "tiempo real: el catálogo en vivo y el chat",
    long_about = None,
    after_help = "Also read from the environment: RUST_LOG (the log filter, default \"info\") and \
                  LEPTOS_SITE_ROOT (where the built JS, WASM and CSS are, default target/site)."
)]
pub struct Settings {
    /// Address or host name to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port (0: any free one; the log line "escuchando en" says which).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Where the SQLite database lives.
    #[arg(long, env = "DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// postgres://USER@HOST:PORT/DB: keep everything in PostgreSQL instead (several instances
    /// can share it).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Only staff may change the catalog; without it everyone may. On the command line it is
    /// visible to every local user (`ps`): prefer the variable or --staff-password-file.
    #[arg(long, env = "STAFF_PASSWORD", hide_env_values = true)]
    pub staff_password: Option<String>,
    /// A file whose first line is the staff password (as container platforms mount secrets),
    /// instead of STAFF_PASSWORD.
    #[arg(long, env = "STAFF_PASSWORD_FILE", conflicts_with = "staff_password")]
    pub staff_password_file: Option<PathBuf>,
    /// A brand-new store starts with three example products.
    #[arg(long, env = "SEED_EXAMPLES", default_value = "true", value_parser = BoolishValueParser::new(), action = ArgAction::Set)]
    pub seed_examples: bool,
    /// Frames one socket may send per second, sustained.
    #[arg(long, env = "WS_FRAMES_PER_SEC", default_value = "50", value_parser = at_least(0.01))]
    pub ws_frames_per_sec: f64,
    /// Frames one socket may send at once above that rate.
    #[arg(long, env = "WS_FRAME_BURST", default_value = "100", value_parser = at_least(1.0))]
    pub ws_frame_burst: f64,
    /// Chat messages per client per second, HTTP and sockets together.
    #[arg(long, env = "CHAT_MESSAGES_PER_SEC", default_value = "5", value_parser = at_least(0.001))]
    pub chat_messages_per_sec: f64,
    /// Chat messages one client may send at once above that rate.
    #[arg(long, env = "CHAT_MESSAGES_BURST", default_value = "20", value_parser = at_least(1.0))]
    pub chat_messages_burst: f64,
    /// Open sockets per client.
    #[arg(long, env = "MAX_SOCKETS_PER_CLIENT", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_sockets_per_client: u32,
    /// Comma-separated addresses of proxies whose X-Forwarded-For names the client.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// Comma-separated host names served; without it a loopback server serves only loopback
    /// names.
    #[arg(long, env = "ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Mark the staff session cookie Secure (when users reach the site over HTTPS).
    #[arg(long, env = "COOKIE_SECURE", default_value = "false", value_parser = BoolishValueParser::new(), action = ArgAction::Set)]
    pub cookie_secure: bool,
    /// How long a socket writer rests after each pass, relative to the pass (0: never).
    #[arg(long, env = "FANOUT_REST_RATIO", default_value = "0.5", value_parser = at_least(0.0))]
    pub fanout_rest_ratio: f64,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9090); off without it.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Log lines as text for people, or one JSON object per line for collectors.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Whether the staff password was given on the command line (said in the log: it is
    /// visible to every local user there).
    #[arg(skip)]
    pub password_on_command_line: bool,
    /// Without one, the server runs.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What the binary does instead of serving.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The staff accounts, in the store of DATA_DIR or DATABASE_URL (safe while servers run
    /// on it: they see every change at once).
    #[command(subcommand)]
    Staff(StaffCommand),
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Adds an account; its password is the first line of standard input.
    Add {
        email: String,
        /// admin (everything, accounts included), editor (the catalog) or moderator (the chat).
        #[arg(long)]
        role: String,
    },
    /// One line per account: EMAIL ROLE.
    List,
    /// Removes an account, ending its sessions and its API token.
    Remove { email: String },
    /// Sets a new password (the first line of standard input), ending the account's sessions
    /// and API token.
    Password { email: String },
    /// Prints a new API token for the account (alone on the last line; shown only this once),
    /// replacing its earlier one.
    Token { email: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The variables above: an empty one is taken as unset (as a shell's `PORT= server` means).
const VARIABLES: &[&str] = &[
    "HOST",
    "PORT",
    "DATA_DIR",
    "DATABASE_URL",
    "STAFF_PASSWORD",
    "STAFF_PASSWORD_FILE",
    "SEED_EXAMPLES",
    "WS_FRAMES_PER_SEC",
    "WS_FRAME_BURST",
    "CHAT_MESSAGES_PER_SEC",
    "CHAT_MESSAGES_BURST",
    "MAX_SOCKETS_PER_CLIENT",
    "TRUSTED_PROXIES",
    "ALLOWED_HOSTS",
    "COOKIE_SECURE",
    "FANOUT_REST_RATIO",
    "METRICS_ADDR",
    "LOG_FORMAT",
];

impl Settings {
    /// The settings from the command line and the environment; on a bad value, prints what is
    /// wrong and exits with code 2 (`--help` prints them all and exits 0).
    ///
    /// Call it before any thread starts: it removes the empty variables it reads.
    pub fn from_args_and_env() -> Settings {
        for name in VARIABLES {
            if std::env::var_os(name).is_some_and(|value| value.to_string_lossy().trim().is_empty())
            {
                std::env::remove_var(name);
            }
        }
        let matches = Settings::command().get_matches();
        let mut settings = Settings::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        settings.password_on_command_line =
            matches.value_source("staff_password") == Some(ValueSource::CommandLine);
        settings
    }
}

/// A value parser for a number of at least `min`.
fn at_least(min: f64) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
    move |raw| {
        raw.trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= min)
            .ok_or_else(|| format!("must be a number of at least {min}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definition_is_consistent_and_every_variable_is_listed() {
        Settings::command().debug_assert();
        let named: Vec<String> = Settings::command()
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .map(|env| env.to_string_lossy().into_owned())
            .collect();
        assert_eq!(named, VARIABLES);
    }

    #[test]
    fn flags_parse_with_their_defaults() {
        let settings = Settings::try_parse_from([
            "server",
            "--port",
            "9000",
            "--trusted-proxies",
            "10.0.0.1,10.0.0.2",
        ])
        .unwrap();
        assert_eq!(settings.port, 9000);
        assert_eq!(settings.trusted_proxies.len(), 2);
        assert!(settings.seed_examples);
        assert_eq!(settings.log_format, LogFormat::Text);
        let refused = Settings::try_parse_from(["server", "--fanout-rest-ratio=-1"]).unwrap_err();
        assert!(
            refused.to_string().contains("--fanout-rest-ratio"),
            "{refused}"
        );
    }
}
