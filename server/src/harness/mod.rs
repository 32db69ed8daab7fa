//! What the tests and the benchmark need to run servers the way an operator does, kept in one
//! place for both (the server itself uses none of it): starting a server process on a socket
//! bound beforehand ([`handover`]), the settings that let one address act as many clients
//! ([`raised_limits`]), and private PostgreSQL clusters ([`pg_cluster`]).

pub mod handover;
pub mod pg_cluster;

/// `scripts/test-limits.env`, the one place the per-client limits are raised for servers
/// under test.
const TEST_LIMITS: &str = include_str!("../../../scripts/test-limits.env");

/// The settings (`NAME`, value) that raise every per-client limit, for servers whose clients
/// all come from one address (tests, the benchmark).
pub fn raised_limits() -> Vec<(&'static str, &'static str)> {
    TEST_LIMITS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_raised_limits_name_settings_of_the_server() {
        let names: Vec<&str> = super::raised_limits().iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"CHAT_MESSAGES_PER_SEC"), "{names:?}");
        assert!(names.contains(&"MAX_SOCKETS_PER_CLIENT"), "{names:?}");
    }
}
