//! The settings as an operator meets them: `--help` lists every setting the README documents,
//! and a bad value stops the server at once, naming the setting, with exit code 2.

use std::process::Command;

const README: &str = include_str!("../../README.md");

/// The variables of the README's configuration table.
fn documented_variables() -> Vec<String> {
    let section = README
        .split("## Configuration")
        .nth(1)
        .expect("a Configuration section");
    section
        .lines()
        .skip_while(|line| !line.starts_with("| variable"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .flat_map(|row| {
            let first = row.split('|').nth(1).unwrap_or_default();
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn help_lists_every_setting_of_the_readme_with_its_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("--help")
        .output()
        .expect("the server runs");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let variables = documented_variables();
    assert!(variables.len() >= 15, "{variables:?}");
    for variable in variables {
        assert!(
            help.contains(&variable),
            "--help does not mention {variable}:\n{help}"
        );
    }
    assert!(help.contains("[default: 8080]"), "{help}");
}

#[test]
fn a_bad_value_exits_2_naming_the_setting() {
    for (variable, value) in [
        ("PORT", "abc"),
        ("WS_FRAME_BURST", "0"),
        ("COOKIE_SECURE", "maybe"),
    ] {
        let data = tempfile::tempdir().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_server"))
            .env(variable, value)
            .env("DATA_DIR", data.path())
            .env_remove("DATABASE_URL")
            .output()
            .expect("the server runs");
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{variable}={value}: {said}");
        assert!(said.contains(variable), "{variable}={value}: {said}");
    }
}

#[test]
fn log_format_json_writes_one_json_object_per_line() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let data = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("LOG_FORMAT", "json")
        .env("PORT", "0")
        .env("DATA_DIR", data.path())
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut seen = 0;
    for line in lines {
        let line = line.unwrap();
        let entry: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not a JSON object ({e}): {line}"));
        assert!(
            entry["level"].is_string() && entry["fields"]["message"].is_string(),
            "{line}"
        );
        seen += 1;
        if line.contains("escuchando en") {
            break;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(seen >= 2, "the start-up lines were logged");
}
