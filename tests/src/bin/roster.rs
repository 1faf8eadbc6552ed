//! The `roster` command, for the black-box tests to run as a process.

fn main() -> std::process::ExitCode {
    roster_cli::main()
}
