//! The command line (clap derive). Parsing only; the work is in the library.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

use crate::model::week::WeekId;

#[derive(Debug, Parser)]
#[command(
    name = "tally",
    version,
    about = "Static transparency reports for a mutual-aid network"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into its output folder (default SITE/public).
    Build(BuildArgs),
    /// Check everything a build checks, writing nothing.
    Check {
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Print the time of each stage, rows per second and peak memory.
        #[arg(long)]
        timings: bool,
    },
    /// Seal every closed week not sealed yet into tally.lock (append-only). Weeks after
    /// the latest ledger row are never sealed.
    Seal {
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Seal even when more than 8 weeks would be sealed at once (a typo in a date
        /// can make a ledger look years long).
        #[arg(long)]
        yes: bool,
        /// Print what would be sealed and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Seal no week after this one (like 2026-W47).
        #[arg(long, value_name = "WEEK", value_parser = week)]
        until: Option<WeekId>,
        /// Seal again with the seal key (data/seal.key) every week sealed before the
        /// site had one; the unkeyed entries stay in the chain.
        #[arg(long, conflicts_with = "until")]
        rekey: bool,
    },
    /// Federation: copy each member's published data into data/members/<name>/ (over
    /// HTTP or from a folder) and check it as `tally verify` does. A member that fails
    /// keeps its previous copy.
    Fetch {
        #[arg(default_value = ".")]
        site: PathBuf,
    },
    /// Show where the site stands: the week in progress, provisional weeks, what
    /// `tally seal` would seal, draft invoices, what is missing, and what to run next.
    Status {
        #[arg(default_value = ".")]
        site: PathBuf,
    },
    /// Record a correction of a sealed week: appends to data/amendments.csv, seals the
    /// corrected rows into tally.lock and prints the rows that changed.
    Amend {
        /// The sealed week that was corrected (like 2026-W47).
        #[arg(value_parser = week)]
        week: WeekId,
        /// Why the sealed week was changed (shown on its report).
        #[arg(long)]
        reason: String,
        /// The amendment's date (default: today, UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// The site folder (holding tally.toml).
        #[arg(long, default_value = ".")]
        site: PathBuf,
    },
    /// Check a published copy of a site against its manifest and seal chain.
    Verify(VerifyArgs),
    /// Build the site and record a release: releases/<V>.json and an entry appended to
    /// releases.toml.
    Release(ReleaseArgs),
    /// Write an Ed25519 key pair in minisign's formats: DIR/tally.key (secret, keep it
    /// outside the site) and DIR/tally.pub.
    Keygen {
        /// The folder for the key files (created if missing; not inside a site).
        dir: PathBuf,
    },
    /// Draw a role by verifiable lottery and print the [[draws]] block for the minutes.
    ///
    /// Unsteerable (preferred): fix the pool, announce a future drand quicknet round
    /// (`--next-round`), then draw with that round's randomness and signature. Each
    /// ticket is SHA-256(POOL_DIGEST:RANDOMNESS:ID); the lowest tickets win. Check one
    /// with: printf '%s:%s:%s' POOL_DIGEST RANDOMNESS ID | sha256sum
    ///
    /// With --seed, the ticket is SHA-256(SEED:ID): checkable, not proof against steering.
    Draw(DrawArgs),
    /// Build the site into memory, serve it, rebuild on change and reload the browser.
    Serve {
        #[arg(default_value = ".")]
        site: PathBuf,
        /// The port to listen on (0: any free port).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// The address to listen on; 0.0.0.0 serves the whole network.
        #[arg(long, short, default_value = "127.0.0.1")]
        interface: std::net::IpAddr,
        /// Open the site in a web browser, if one is found.
        #[arg(long, short)]
        open: bool,
    },
    /// Sniff an export and print a [[ledger.sources]] block to paste into tally.toml,
    /// with the first rows as tally would read them. Writes nothing.
    Import {
        /// The export (CSV) to read.
        file: PathBuf,
        /// The site the block is for: `files` is written relative to it.
        #[arg(long, default_value = ".")]
        site: PathBuf,
    },
    /// Create a new site with example content, or (`tally new minutes`) a file in a site.
    #[command(args_conflicts_with_subcommands = true)]
    New {
        #[command(subcommand)]
        what: Option<NewCommand>,
        /// The folder to create (must not exist or be empty).
        #[arg(required = true)]
        dir: Option<PathBuf>,
    },
    /// Work with the site's manuals.
    Manual {
        #[command(subcommand)]
        command: ManualCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Write content/minutes/<date>-<slug>.md with the documented fields, to fill in.
    Minutes {
        /// The assembly's title, like "North ward assembly".
        title: String,
        /// The date of the assembly (default: today, UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// The site folder (holding tally.toml).
        #[arg(long, default_value = ".")]
        site: PathBuf,
    },
}

/// Parses `2026-W47`.
fn week(text: &str) -> Result<WeekId, String> {
    WeekId::parse(text).ok_or_else(|| format!("{text:?} is not an ISO week like 2026-W47"))
}

#[derive(Debug, Subcommand)]
pub enum ManualCommand {
    /// Bring an mdBook or GitBook handbook in as a version of a manual:
    /// content/manuals/SLUG/VERSION/, with its SUMMARY.md, images and links as they are.
    Import {
        /// The handbook: a folder, or a git repository (with --git-ref).
        src: PathBuf,
        /// The manual's URL name: /manuals/SLUG/.
        #[arg(long)]
        slug: String,
        /// The version folder to create, like 1.0.
        #[arg(long)]
        version: String,
        /// Read SRC as a git repository at this tag or commit (needs git).
        #[arg(long, value_name = "REF")]
        git_ref: Option<String>,
        /// The site folder (holding tally.toml).
        #[arg(long, default_value = ".")]
        site: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder (holding tally.toml).
    #[arg(default_value = ".")]
    pub site: PathBuf,
    /// Write the output here instead of SITE/public.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use this base URL instead of the one in tally.toml.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
    /// Sign manifest.json (writes manifest.json.minisig) with the secret key from
    /// --key or TALLY_SIGNING_KEY.
    #[arg(long)]
    pub sign: bool,
    /// The secret key file (from `tally keygen`), outside the site; implies --sign.
    /// With --sign alone, the file named by TALLY_SIGNING_KEY.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Print the time of each stage, pages and ledger rows per second, and the peak
    /// memory.
    #[arg(long)]
    pub timings: bool,
    /// Also write public/releases/<V>.zip, the whole built site of the current
    /// release V (the build's sources must be those of a recorded release).
    #[arg(long)]
    pub archive: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The folder holding the copy (with manifest.json at its top).
    pub dir: PathBuf,
    /// A chain hash seen before (on a report, in seals.json or manifest.json): the
    /// copy's seal chain must still contain it.
    #[arg(long, value_name = "HASH")]
    pub chain: Option<String>,
    /// The network's public key file (tally.pub): manifest.json.minisig must verify
    /// with it. Without a key the copy is unauthenticated.
    #[arg(long, value_name = "PUB", conflicts_with = "key")]
    pub key_file: Option<PathBuf>,
    /// The network's public key itself (RW…), as in tally.toml's [signing].
    #[arg(long, value_name = "RW…")]
    pub key: Option<String>,
    /// The site's sources: rebuild them and compare the copy byte for byte.
    #[arg(long, value_name = "SITE")]
    pub source: Option<PathBuf>,
    /// A site (with releases/<V>.json) or a newer copy (with
    /// releases/<V>/manifest.json): tell which release this copy is.
    #[arg(long, value_name = "DIR")]
    pub releases: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("candidates").args(["pool", "pool_file"])))]
#[command(group(ArgGroup::new("randomness_source").args(["seed", "beacon_round", "next_round"]).required(true)))]
pub struct DrawArgs {
    /// A seed chosen by the assembly (e.g. "minutes:2026-11-02:north-ward:steward").
    #[arg(long)]
    pub seed: Option<String>,
    /// The drand quicknet round drawn on, published after the pool was fixed.
    #[arg(long, value_name = "ROUND", requires_all = ["randomness", "signature"])]
    pub beacon_round: Option<u64>,
    /// The round's randomness (64 hex digits, from the beacon's endpoint).
    #[arg(long, value_name = "HEX", requires = "beacon_round")]
    pub randomness: Option<String>,
    /// The round's signature (96 hex digits), checked against the network's key.
    #[arg(long, value_name = "HEX", requires = "beacon_round")]
    pub signature: Option<String>,
    /// Print the first drand quicknet round published after --at (default: now).
    #[arg(long, conflicts_with_all = ["pool", "pool_file", "seats", "role"])]
    pub next_round: bool,
    /// The moment the pool is fixed: 2026-11-02T19:30:00Z, or a date (its end, UTC).
    #[arg(long, value_name = "TIME", requires = "next_round")]
    pub at: Option<String>,
    /// How many candidates to select.
    #[arg(long)]
    pub seats: Option<usize>,
    /// The candidates' ids, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        num_args = 1..
    )]
    pub pool: Vec<String>,
    /// A CSV file with an `id` column (path as written in the minutes: relative to the site).
    #[arg(long)]
    pub pool_file: Option<String>,
    /// The role drawn, written into the block (a slug like `facilitator`).
    #[arg(long)]
    pub role: Option<String>,
    /// The site that --pool-file and --append are relative to.
    #[arg(long, default_value = ".")]
    pub site: PathBuf,
    /// Write the block into these minutes (relative to the site), in their own
    /// front-matter language (TOML or YAML), instead of printing it.
    #[arg(long, value_name = "MINUTES.md", conflicts_with = "next_round")]
    pub append: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[arg(default_value = ".")]
    pub site: PathBuf,
    /// The release's version (as `version` in tally.toml).
    #[arg(long)]
    pub version: String,
    /// What the release is, in a sentence.
    #[arg(long, default_value = "")]
    pub note: String,
    /// Sign the release's manifest with the secret key from --key or
    /// TALLY_SIGNING_KEY.
    #[arg(long)]
    pub sign: bool,
    /// The secret key file, outside the site; implies --sign.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}
