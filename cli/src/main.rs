fn main() -> std::process::ExitCode {
    roster_cli::main()
}
