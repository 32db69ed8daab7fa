//! Why the server could not start: one type for every start-up failure, each naming what the
//! operator has to fix, and the exit code it ends with.

use std::process::ExitCode;

use crate::store::OpenError;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting has a value the server cannot use (named in the sentence).
    #[error("{0}")]
    Settings(String),
    /// The store (the data directory, or PostgreSQL) cannot be opened or prepared.
    #[error(transparent)]
    Store(#[from] OpenError),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
}

impl StartError {
    /// 2 for a bad setting (what command-line tools answer to a bad argument), else 1.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            StartError::Settings(_) => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }
}
