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
            beacon_round,
            randomness,
            signature,
            next_round,
            at,
            seats,
            pool,
            pool_file,
            role,
        } => {
            if next_round {
                print!("{}", tally::unsteerable::next_round_text(at.as_deref())?);
                return Ok(());
            }
            let Some(seats) = seats else {
                return Err(Error::Usage("--seats is needed to draw".into()));
            };
            if pool.is_empty() && pool_file.is_none() {
                return Err(Error::Usage(
                    "--pool a,b,c or --pool-file F is needed to draw".into(),
                ));
            }
            let pool = match pool_file {
                Some(file) => tally::draw::PoolSpec::File(file),
                None => tally::draw::PoolSpec::Inline(pool),
            };
            let (performed, rule) = match (seed, beacon_round, randomness, signature) {
                (_, Some(round), Some(randomness), Some(signature)) => {
                    let (performed, checked) =
                        tally::unsteerable::perform(&tally::unsteerable::BeaconDrawRequest {
                            round,
                            randomness,
                            signature,
                            seats,
                            role,
                            pool,
                        })?;
                    eprintln!(
                        "drand quicknet round {} verified: published {}; the minutes' pool_fixed must be earlier",
                        checked.round, checked.time
                    );
                    (performed, "pool_digest:randomness:id")
                }
                (Some(seed), ..) => (
                    tally::draw::perform(&tally::draw::DrawRequest {
                        seed,
                        seats,
                        role,
                        pool,
                    })?,
                    "seed:id",
                ),
                _ => {
                    return Err(Error::Usage(
                        "give --beacon-round with --randomness and --signature, or --seed".into(),
                    ));
                }
            };
            print!("{}", performed.block);
            eprintln!("draw order (lowest SHA-256 of {rule} first):");
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
