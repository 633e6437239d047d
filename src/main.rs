//! The `tally` binary: parse the command line, call the library, print the error once,
//! exit 0 on success, 1 on bad input, 2 on bad usage.

use std::process::ExitCode;

use clap::Parser;
use tally::cli::{Cli, Command};
use tally::{BuildOptions, Error, Signing};

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
            sign,
            key,
        } => {
            let started = std::time::Instant::now();
            let key = match key {
                Some(key) => Some(key),
                None if sign => match std::env::var_os(tally::signing::KEY_ENV) {
                    Some(file) if !file.is_empty() => Some(std::path::PathBuf::from(file)),
                    _ => {
                        return Err(Error::Usage(format!(
                            "--sign needs the secret key: --key FILE or {}=FILE",
                            tally::signing::KEY_ENV
                        )));
                    }
                },
                None => None,
            };
            let summary = tally::build_signed(
                &BuildOptions {
                    site,
                    out,
                    base_url,
                },
                key.as_deref(),
            )?;
            if !quiet {
                println!(
                    "built {} pages ({} files, {} KiB) into {} in {} ms",
                    summary.pages,
                    summary.files,
                    summary.bytes / 1024,
                    summary.out.display(),
                    started.elapsed().as_millis()
                );
                match &summary.signing {
                    Signing::NotConfigured => {}
                    Signing::Signed { key_id } => {
                        println!("signed manifest.json with key {key_id} (manifest.json.minisig)")
                    }
                    Signing::Unsigned => println!(
                        "not signed: tally.toml has [signing] but no secret key was given \
                         (--sign --key FILE or {}); this output is unauthenticated",
                        tally::signing::KEY_ENV
                    ),
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
        Command::Verify {
            dir,
            chain,
            key_file,
            key,
            source,
        } => {
            let key = match (key_file, key) {
                (Some(file), _) => Some(tally::signing::PublicKey::from_file(&file)?),
                (None, Some(key)) => Some(
                    tally::signing::PublicKey::parse(&key)
                        .map_err(|e| Error::Usage(format!("--key: {e}")))?,
                ),
                (None, None) => None,
            };
            let verified = tally::verify::verify_with(&tally::verify::VerifyOptions {
                dir: &dir,
                kept: chain.as_deref(),
                key: key.as_ref(),
                source: source.as_deref(),
            })?;
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
            match &verified.signed_by {
                Some(id) => println!(
                    "ok: manifest.json.minisig is a good signature by key {id}; release {}",
                    verified.release.as_deref().unwrap_or("(none)")
                ),
                None if source.is_none() => println!(
                    "unauthenticated: no key given (--key-file tally.pub or --key RW…), so \
                     nothing shows this copy is the network's: whoever holds it could have \
                     rewritten manifest.json along with the files"
                ),
                None => {}
            }
            if let (Some(files), Some(source)) = (verified.rebuilt, &source) {
                println!(
                    "ok: {files} files equal a rebuild of {} byte for byte",
                    source.display()
                );
            }
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
        Command::Keygen { dir } => {
            let files = tally::signing::keygen(&dir)?;
            println!(
                "wrote the secret key {} (keep it outside the site, never publish it) and \
                 the public key {} (key id {}).\nAdd to tally.toml:\n\n[signing]\npublic_key = \"{}\"\n\nthen sign with: tally build --sign --key {}",
                files.secret.display(),
                files.public.display(),
                files.key.id(),
                files.key.to_base64(),
                files.secret.display()
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
