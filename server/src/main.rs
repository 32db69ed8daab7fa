//! The `server` binary (see the library's documentation, and `server --help`).

fn main() -> std::process::ExitCode {
    server::main()
}
