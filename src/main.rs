//! The `tally` binary: parse the command line, call the library, print the error once,
//! exit 0 on success, 1 on bad input, 2 on bad usage.

use std::process::ExitCode;

use clap::Parser;
use tally::cli::{Cli, Command};
use tally::{BuildOptions, Error};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(command: Command) -> Result<(), Error> {
    match command {
        Command::Build {
            site,
            out,
            base_url,
            quiet,
        } => {
            let started = std::time::Instant::now();
            let summary = tally::build(&BuildOptions {
                site,
                out,
                base_url,
            })?;
            if !quiet {
                println!(
                    "built {} pages ({} files, {} KiB) into {} in {} ms",
                    summary.pages,
                    summary.files,
                    summary.bytes / 1024,
                    summary.out.display(),
                    started.elapsed().as_millis()
                );
            }
        }
        Command::Check { site } => {
            let model = tally::check(&site)?;
            println!(
                "ok: {} pages, {} minutes; nothing written",
                model.pages.len(),
                model.minutes.len()
            );
        }
        Command::New { dir } => {
            tally::new::create(&dir)?;
            println!(
                "created a new site in {}; build it with: tally build {}",
                dir.display(),
                dir.display()
            );
        }
    }
    Ok(())
}
