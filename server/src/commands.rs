//! `server staff ...`: the staff accounts from the command line, against the same store as
//! the server (`DATA_DIR` or `DATABASE_URL`), while servers run on it or not. Passwords come
//! from the first line of standard input, never from the arguments (which every local user can
//! read with `ps`).

use std::io::BufRead;
use std::process::ExitCode;

use crate::auth::Passwords;
use crate::settings::StaffCommand;
use crate::store::{self, AccountError, Location};
use crate::team::{Team, TeamError};
use app::domain::staff::NewAccount;

/// Runs `command` and says how it went: exit 0, or a message naming the problem on standard
/// error and exit 1.
pub fn run(command: StaffCommand, location: Location) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    match runtime.block_on(staff(command, location)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn staff(command: StaffCommand, location: Location) -> Result<(), String> {
    let accounts = store::open_accounts(&location)
        .await
        .map_err(|e| e.to_string())?;
    let team = Team::new(accounts, Passwords::default());
    match command {
        StaffCommand::Add { email, role } => {
            let password = password_from_stdin()?;
            let new = NewAccount::new(&email, &role, &password).map_err(|invalid| {
                let problems: Vec<String> = invalid
                    .fields
                    .iter()
                    .map(|(field, problem)| format!("{field} {problem}"))
                    .collect();
                format!("the account was not added: {}", problems.join("; "))
            })?;
            let added = team.add(new).await.map_err(|e| said(e, &email))?;
            println!("added {} {}", added.email, added.role.name());
        }
        StaffCommand::List => {
            for account in team.list().await.map_err(|e| said(e, ""))? {
                println!("{} {}", account.email, account.role.name());
            }
        }
        StaffCommand::Remove { email } => {
            team.remove(&email).await.map_err(|e| said(e, &email))?;
            println!("removed {email}: its sessions and API token ended");
        }
        StaffCommand::Password { email } => {
            let password = password_from_stdin()?;
            team.set_password(&email, &password)
                .await
                .map_err(|e| match e {
                    TeamError::Password(problem) => format!("the password {problem}"),
                    TeamError::Store(e) => said(e, &email),
                })?;
            println!("password of {email} changed: its sessions and API token ended");
        }
        StaffCommand::Token { email } => {
            let token = team.new_token(&email).await.map_err(|e| said(e, &email))?;
            println!("API token of {email} (shown only this once; it replaces any earlier one):");
            println!("{token}");
        }
    }
    Ok(())
}

/// The first line of standard input, without its line ending.
fn password_from_stdin() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err("no password on the first line of standard input".into());
    }
    Ok(password)
}

/// An account error, said for the operator.
fn said(error: AccountError, email: &str) -> String {
    match error {
        AccountError::Taken => format!("an account with the email {email} exists already"),
        AccountError::NotFound => format!("no account has the email {email}"),
        AccountError::LastAdmin => {
            format!("{email} is the last admin: add another admin before removing it")
        }
        AccountError::Unavailable(problem) => format!("the store is unavailable: {problem}"),
    }
}
