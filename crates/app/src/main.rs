//! `yijia`: serve, migrate, load the demo, manage accounts and keys, seed, back up, verify.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = yijia::cli::Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("yijia: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(yijia::cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("yijia: {e:#}");
            ExitCode::FAILURE
        }
    }
}
