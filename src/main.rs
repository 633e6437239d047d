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
                for source in &summary.sources {
                    println!("{}", tally::load::sources::summary_line(source));
                }
            }
        }
        Command::Check { site } => {
            let model = tally::check(&site)?;
            use tally::model::seal::SealState;
            println!(
                "ok: {} pages, {} minutes, {} weeks sealed ({} amended), {} provisional; nothing written",
                model.pages.len(),
                model.minutes.len(),
                model.seals.count(SealState::Sealed) + model.seals.count(SealState::Amended),
                model.seals.count(SealState::Amended),
                model.seals.count(SealState::Provisional),
            );
        }
        Command::Seal { site } => {
            let summary = tally::seal::seal(&site)?;
            match (summary.sealed.first(), summary.sealed.last()) {
                (Some(first), Some(last)) => println!(
                    "sealed {} {} ({} to {}) into {}; chain {}",
                    summary.sealed.len(),
                    if summary.sealed.len() == 1 {
                        "entry"
                    } else {
                        "entries"
                    },
                    first.week,
                    last.week,
                    summary.lock.display(),
                    summary.head
                ),
                _ => println!(
                    "nothing to seal: every closed week is sealed; chain {}",
                    summary.head
                ),
            }
        }
        Command::Verify { dir, chain } => {
            let verified = tally::verify::verify(&dir, chain.as_deref())?;
            println!(
                "ok: {} files match manifest.json ({}); seal chain of {} {} intact, ending {}",
                verified.files,
                verified.generator,
                verified.seals,
                if verified.seals == 1 {
                    "entry"
                } else {
                    "entries"
                },
                verified.head
            );
        }
        Command::Draw {
            seed,
            seats,
            pool,
            pool_file,
            role,
        } => {
            let pool = match pool_file {
                Some(file) => tally::draw::PoolSpec::File(file),
                None => tally::draw::PoolSpec::Inline(pool),
            };
            let performed = tally::draw::perform(&tally::draw::DrawRequest {
                seed,
                seats,
                role,
                pool,
            })?;
            print!("{}", performed.block);
            eprintln!("draw order (lowest SHA-256 of seed:id first):");
            for (rank, ticket) in performed.ranking.iter().enumerate() {
                let mark = if rank < seats { "  selected" } else { "" };
                eprintln!("{:>4}  {}  {}{mark}", rank + 1, ticket.hash, ticket.id);
            }
        }
        Command::Serve {
            site,
            port,
            interface,
            open,
        } => {
            let options = tally::serve::ServeOptions {
                site,
                interface,
                port,
                quiet: false,
            };
            tally::serve::serve(&options, open)?;
        }
        Command::Import { file, site } => {
            print!("{}", tally::import::import(&file, &site)?);
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
