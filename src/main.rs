//! The `tally` binary: parse the command line, call the library, print the error once,
//! exit 0 on success, 1 on bad input, 2 on bad usage.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tally::cli::{Cli, Command, ManualCommand, NewCommand};
use tally::{BuildOptions, Error, Signing};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // The work is done and only its summary could not be printed: a reader that
        // closed the pipe early (`| head`) is not a failure.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints one line on standard output; a write error (a full disk, a closed pipe) is
/// returned, never a panic.
fn say(line: std::fmt::Arguments) -> Result<(), Error> {
    put(&format!("{line}\n"))
}

/// Prints `text` as it is on standard output; like [`say`], errors are returned.
fn put(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("write to", std::path::Path::new("standard output"), e))
}

/// Prints one line on standard error, ignoring failure: there is nowhere left to say it.
fn note(line: std::fmt::Arguments) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(line).and_then(|()| err.write_all(b"\n"));
}

/// `println!` for the commands' output: written through [`say`], so a closed pipe or a
/// full disk becomes an error, never a panic. Used only where `?` can return it.
macro_rules! println {
    ($($arg:tt)*) => {
        say(format_args!($($arg)*))?
    };
}

fn run(command: Command) -> Result<(), Error> {
    match command {
        Command::Build(args) => build(args)?,
        Command::Check { site, timings } => check(&site, timings)?,
        Command::Seal {
            site,
            yes,
            dry_run,
            until,
            rekey,
        } => {
            let summary = tally::seal::seal_with(
                &site,
                &tally::seal::SealOptions {
                    confirmed: yes,
                    dry_run,
                    until,
                    rekey,
                },
            )?;
            print_seal(&summary)?;
        }
        Command::Fetch { site } => fetch(&site)?,
        Command::Status { site } => {
            put(&tally::status::status(&site)?.to_text())?;
        }
        Command::Amend {
            week,
            reason,
            date,
            site,
        } => {
            let amended = tally::amend::amend(&tally::amend::AmendRequest {
                site,
                week,
                reason,
                date,
            })?;
            print_amended(&amended)?;
        }
        Command::Verify(args) => verify(args)?,
        Command::Draw(args) => draw(args)?,
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
        Command::Release(args) => release(args)?,
        Command::Keygen { dir } => keygen(&dir)?,
        Command::Import { file, site } => {
            put(&tally::import::import(&file, &site)?)?;
        }
        Command::New { what, dir } => new(what, dir)?,
        Command::Manual {
            command:
                ManualCommand::Import {
                    src,
                    slug,
                    version,
                    git_ref,
                    site,
                },
        } => manual_import(&tally::manual_import::ImportRequest {
            site,
            source: src,
            slug,
            version,
            git_ref,
        })?,
    }
    Ok(())
}

/// `tally check`: everything a build checks, and what it found.
fn check(site: &std::path::Path, timings: bool) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let mut stages = tally::timings::Timings::default();
    let model = tally::check_timed(site, &mut stages)?;
    use tally::model::seal::SealState;
    say(format_args!(
        "ok: {} pages, {} minutes, {} weeks sealed ({} amended), {} provisional; nothing written",
        model.pages.len(),
        model.minutes.len(),
        model.seals.count(SealState::Sealed) + model.seals.count(SealState::Amended),
        model.seals.count(SealState::Amended),
        model.seals.count(SealState::Provisional),
    ))?;
    for warning in &model.warnings {
        note(format_args!("warning: {warning}"));
    }
    if timings {
        let counts = (
            model.pages.len() + model.minutes.len(),
            model.ledger.entries.len(),
        );
        put(&timings_text(&stages, counts, started.elapsed()))?;
    }
    Ok(())
}

/// `tally fetch`: the federation's members' published files, checked.
fn fetch(site: &std::path::Path) -> Result<(), Error> {
    for m in tally::federation::fetch::fetch(site)? {
        put(&format!(
            "{}: {} files, {} bytes, seal chain {}{}\n",
            m.name,
            m.files,
            m.bytes,
            m.seal_chain,
            if m.new_seals {
                " (new)"
            } else {
                " (unchanged)"
            }
        ))?;
    }
    Ok(())
}

/// `tally keygen`: a signing key pair, and how to use it.
fn keygen(dir: &std::path::Path) -> Result<(), Error> {
    let files = tally::signing::keygen(dir)?;
    println!(
        "wrote the secret key {} (keep it outside the site, never publish it) and \
         the public key {} (key id {}).\nAdd to tally.toml:\n\n[signing]\npublic_key = \"{}\"\n\nthen sign with: tally build --sign --key {}",
        files.secret.display(),
        files.public.display(),
        files.key.id(),
        files.key.to_base64(),
        files.secret.display()
    );
    Ok(())
}

/// `tally manual import`: a handbook imported as a manual version, and what it could
/// not carry.
fn manual_import(request: &tally::manual_import::ImportRequest) -> Result<(), Error> {
    let imported = tally::manual_import::import(request)?;
    println!(
        "imported {} chapters ({} files) into {}",
        imported.chapters,
        imported.files,
        imported.folder.display()
    );
    match (&imported.manual_toml, &imported.license) {
        (Some(_), Some(license)) => {
            println!("wrote manual.toml (license {license}); check its title and summary")
        }
        (Some(_), None) => println!(
            "wrote manual.toml; no license was recognised: set `license` in it before building"
        ),
        (None, _) => println!("kept the manual's manual.toml"),
    }
    for line in &imported.not_carried {
        println!("not carried: {line}");
    }
    Ok(())
}

/// `tally new DIR` (a site) or `tally new minutes TITLE` (a minutes file).
fn new(what: Option<NewCommand>, dir: Option<PathBuf>) -> Result<(), Error> {
    if let Some(NewCommand::Minutes { title, date, site }) = what {
        let file = tally::new::minutes(&site, &title, date.as_deref())?;
        println!(
            "wrote {}: fill in the attendance and the body, uncomment what the assembly decided, then: tally check {}",
            file.display(),
            site.display()
        );
        return Ok(());
    }
    let Some(dir) = dir else {
        return Err(Error::Usage(
            "tally new DIR: name the folder to create".into(),
        ));
    };
    tally::new::create(&dir)?;
    say(format_args!(
        "created a new site in {}; build it with: tally build {}",
        dir.display(),
        dir.display()
    ))
}

/// `tally build`: builds (and signs, and archives) the site, then says what it made.
fn build(args: tally::cli::BuildArgs) -> Result<(), Error> {
    let tally::cli::BuildArgs {
        site,
        out,
        base_url,
        quiet,
        sign,
        key,
        timings,
        archive,
    } = args;
    let started = std::time::Instant::now();
    let key = secret_key(sign, key)?;
    let options = BuildOptions {
        site,
        out,
        base_url,
    };
    let summary = if archive {
        tally::build_archived(&options, key.as_deref())?
    } else {
        tally::build_signed(&options, key.as_deref())?
    };
    if !quiet {
        say(format_args!(
            "built {} pages ({} files, {} KiB) into {} in {} ms",
            summary.pages,
            summary.files,
            summary.bytes / 1024,
            summary.out.display(),
            started.elapsed().as_millis()
        ))?;
        print_signing(&summary.signing)?;
        for source in &summary.sources {
            println!("{}", tally::load::sources::summary_line(source));
        }
    }
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    if summary.provisional > 0 {
        note(format_args!(
            "{} closed week{} not sealed yet (provisional, figures may change): see `tally status`",
            summary.provisional,
            if summary.provisional == 1 {
                " is"
            } else {
                "s are"
            }
        ));
    }
    if timings {
        let counts = (summary.pages, summary.rows);
        put(&timings_text(&summary.timings, counts, started.elapsed()))?;
    }
    Ok(())
}

/// `tally verify`: checks a built copy against its manifest, seals, key and releases.
fn verify(args: tally::cli::VerifyArgs) -> Result<(), Error> {
    let tally::cli::VerifyArgs {
        dir,
        chain,
        key_file,
        key,
        source,
        releases,
    } = args;
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
        releases: releases.as_deref(),
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
    if let Some(version) = &verified.is_release {
        println!("ok: this copy is release {version} exactly");
    }
    if let (Some(files), Some(source)) = (verified.rebuilt, &source) {
        println!(
            "ok: {files} files equal a rebuild of {} byte for byte",
            source.display()
        );
    }
    Ok(())
}

/// `tally draw`: performs a lottery draw and prints or appends its block.
fn draw(args: tally::cli::DrawArgs) -> Result<(), Error> {
    if args.next_round {
        put(&tally::unsteerable::next_round_text(args.at.as_deref())?)?;
        return Ok(());
    }
    let Some(seats) = args.seats else {
        return Err(Error::Usage("--seats is needed to draw".into()));
    };
    let (site, append) = (args.site.clone(), args.append.clone());
    let (performed, rule) = perform_draw(args, seats)?;
    match append {
        Some(minutes) => {
            let path = tally::append::append_draw(&site, &minutes, &performed.block)?;
            note(format_args!("wrote the draw into {}", path.display()));
        }
        None => put(&performed.block.toml())?,
    }
    note(format_args!("draw order (lowest SHA-256 of {rule} first):"));
    for (rank, ticket) in performed.ranking.iter().enumerate() {
        let mark = if rank < seats { "  selected" } else { "" };
        note(format_args!(
            "{:>4}  {}  {}{mark}",
            rank + 1,
            ticket.hash,
            ticket.id
        ));
    }
    Ok(())
}

/// Draws `seats` from the pool with a verified drand round or with the assembly's seed;
/// also says what each ticket's hash is taken of.
fn perform_draw(
    args: tally::cli::DrawArgs,
    seats: usize,
) -> Result<(tally::draw::Performed, &'static str), Error> {
    let tally::cli::DrawArgs {
        seed,
        beacon_round,
        randomness,
        signature,
        pool,
        pool_file,
        role,
        site,
        ..
    } = args;
    if pool.is_empty() && pool_file.is_none() {
        return Err(Error::Usage(
            "--pool a,b,c or --pool-file F is needed to draw".into(),
        ));
    }
    let pool = match pool_file {
        Some(file) => tally::draw::PoolSpec::File(file),
        None => tally::draw::PoolSpec::Inline(pool),
    };
    match (seed, beacon_round, randomness, signature) {
        (_, Some(round), Some(randomness), Some(signature)) => {
            let (performed, checked) =
                tally::unsteerable::perform(&tally::unsteerable::BeaconDrawRequest {
                    round,
                    randomness,
                    signature,
                    seats,
                    role,
                    pool,
                    site,
                })?;
            note(format_args!(
                "drand quicknet round {} verified: published {}; the minutes' pool_fixed must be earlier",
                checked.round, checked.time
            ));
            Ok((performed, "pool_digest:randomness:id"))
        }
        (Some(seed), ..) => Ok((
            tally::draw::perform(&tally::draw::DrawRequest {
                seed,
                seats,
                role,
                pool,
                site,
            })?,
            "seed:id",
        )),
        _ => Err(Error::Usage(
            "give --beacon-round with --randomness and --signature, or --seed".into(),
        )),
    }
}

/// `tally release`: builds and records a release.
fn release(args: tally::cli::ReleaseArgs) -> Result<(), Error> {
    let tally::cli::ReleaseArgs {
        site,
        version,
        note,
        sign,
        key,
    } = args;
    let key = secret_key(sign, key)?;
    let summary = tally::release::release(&tally::release::ReleaseOptions {
        site: site.clone(),
        version,
        note,
        key,
    })?;
    let release = &summary.release;
    println!(
        "released {} (as of {}): {} files built into {}; manifest {}, seal chain {}; \
         recorded in {} and {}",
        release.version,
        release.date,
        summary.build.files,
        summary.build.out.display(),
        release.manifest,
        release.seal_chain,
        site.join(tally::release::RELEASES_FILE).display(),
        site.join(tally::release::RELEASES_DIR)
            .join(format!("{}.json", release.version))
            .display()
    );
    print_signing(&summary.build.signing)?;
    Ok(())
}

/// The secret key file: `--key`, or with `--sign` alone the file named by
/// `TALLY_SIGNING_KEY`.
fn secret_key(sign: bool, key: Option<PathBuf>) -> Result<Option<PathBuf>, Error> {
    match key {
        Some(key) => Ok(Some(key)),
        None if sign => match std::env::var_os(tally::signing::KEY_ENV) {
            Some(file) if !file.is_empty() => Ok(Some(PathBuf::from(file))),
            _ => Err(Error::Usage(format!(
                "--sign needs the secret key: --key FILE or {}=FILE",
                tally::signing::KEY_ENV
            ))),
        },
        None => Ok(None),
    }
}

/// What `tally seal` sealed, or with `--dry-run` would seal.
fn print_seal(summary: &tally::seal::SealSummary) -> Result<(), Error> {
    if let Some(key) = &summary.key_created {
        note(format_args!(
            "created the seal key {}: the weeks' digests are keyed with it, so that no one can \
             test a guess of a private column against them. Never publish or commit it; keep \
             it with the treasurer, back it up, and give it to an auditor",
            key.display()
        ));
    }
    print_sealed(summary)?;
    if let (Some(first), Some(last)) = (summary.held_back.first(), summary.held_back.last()) {
        note(format_args!(
            "not sealed: {} week{} after the latest ledger row ({first} to {last}); if a date in the minutes is a typo, fix it",
            summary.held_back.len(),
            if summary.held_back.len() == 1 {
                ""
            } else {
                "s"
            },
        ));
    }
    for record in &summary.issued {
        println!(
            "issued {} {} ({}, total {}), recorded in tally.lock",
            record.kind.title().to_lowercase(),
            record.number,
            record.issued,
            record.total
        );
    }
    Ok(())
}

/// The weeks sealed (or that would be, with `--dry-run`), or why none was.
fn print_sealed(summary: &tally::seal::SealSummary) -> Result<(), Error> {
    let verb = match (summary.dry_run, summary.rekey) {
        (true, false) => "would seal",
        (false, false) => "sealed",
        (true, true) => "would seal again with the key",
        (false, true) => "sealed again with the key",
    };
    match (summary.sealed.first(), summary.sealed.last()) {
        (Some(first), Some(last)) => {
            println!(
                "{verb} {} {} ({} to {}) into {}; chain {}",
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
            );
            if summary.dry_run {
                for entry in &summary.sealed {
                    let amended = entry
                        .amended
                        .map(|d| format!(", amended {d}"))
                        .or_else(|| entry.rekeyed.map(|d| format!(", rekeyed {d}")))
                        .unwrap_or_default();
                    println!("  {}: {} rows{amended}", entry.week, entry.rows);
                }
                println!("nothing written (--dry-run)");
            }
        }
        _ if summary.rekey => println!(
            "nothing to seal again: every sealed week is sealed with the key; chain {}",
            summary.head
        ),
        _ => println!(
            "nothing to seal: every closed week is sealed; chain {}",
            summary.head
        ),
    }
    Ok(())
}

/// What `tally amend` recorded, and the row diff against the week's latest seal.
fn print_amended(amended: &tally::amend::Amended) -> Result<(), Error> {
    let entry = &amended.entry;
    println!(
        "recorded the amendment of {} dated {} in {}:{}",
        amended.week,
        amended.date,
        tally::load::seal::AMENDMENTS_FILE,
        amended.line
    );
    println!(
        "sealed the corrected rows into {} ({} rows, sealed with {} before); chain {}",
        tally::load::seal::LOCK_FILE,
        entry.rows,
        amended.sealed_rows,
        entry.chain
    );
    match &amended.diff {
        Some(diff) if diff.is_empty() => {
            println!("only private columns (counterparty, memo) changed")
        }
        Some(diff) => {
            println!("--- {} as sealed", amended.week);
            println!("+++ {} now", amended.week);
            put(&diff.to_text(""))?;
        }
        None => println!(
            "the rows as sealed were not kept (no data/sealed/ file), so the changed rows cannot be listed"
        ),
    }
    Ok(())
}

/// `tally build --timings` and `tally check --timings`: each stage's time, the rates of
/// `(pages, rows)` and the peak memory.
fn timings_text(
    stages: &tally::timings::Timings,
    (pages, rows): (usize, usize),
    elapsed: std::time::Duration,
) -> String {
    let per_second = |n: usize| n as f64 / elapsed.as_secs_f64().max(1e-9);
    let mut text = String::from("timings:\n");
    for (stage, took) in &stages.0 {
        text.push_str(&format!(
            "  {stage:<28} {:>9.1} ms\n",
            took.as_secs_f64() * 1000.0
        ));
    }
    text.push_str(&format!(
        "  {:<28} {:>9.1} ms\n",
        "total",
        elapsed.as_secs_f64() * 1000.0
    ));
    text.push_str(&format!(
        "  {} pages, {:.0} pages/s; {} ledger rows, {:.0} rows/s\n",
        pages,
        per_second(pages),
        rows,
        per_second(rows)
    ));
    match tally::timings::peak_memory() {
        Some(bytes) => text.push_str(&format!(
            "  peak memory (VmHWM) {:.1} MB\n",
            bytes as f64 / 1e6
        )),
        None => text.push_str("  peak memory: not known on this system\n"),
    }
    text
}

/// The build summary's line on signing.
fn print_signing(signing: &Signing) -> Result<(), Error> {
    match signing {
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
    Ok(())
}
