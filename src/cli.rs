//! The command line (clap derive). Parsing only; the work is in the library.

use std::path::PathBuf;

use clap::{ArgGroup, Parser, Subcommand};

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
    Build {
        /// The site folder (holding tally.toml).
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Write the output here instead of SITE/public.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Use this base URL instead of the one in tally.toml.
        #[arg(long)]
        base_url: Option<String>,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check everything a build checks, writing nothing.
    Check {
        #[arg(default_value = ".")]
        site: PathBuf,
    },
    /// Seal every closed week not sealed yet into tally.lock (append-only).
    Seal {
        #[arg(default_value = ".")]
        site: PathBuf,
    },
    /// Check a published copy of a site against its manifest and seal chain.
    Verify {
        /// The folder holding the copy (with manifest.json at its top).
        dir: PathBuf,
        /// A chain hash seen before (on a report, in seals.json or manifest.json): the
        /// copy's seal chain must still contain it.
        #[arg(long, value_name = "HASH")]
        chain: Option<String>,
    },
    /// Draw a role by verifiable lottery and print the [[draws]] block for the minutes.
    ///
    /// Each candidate's ticket is SHA-256(SEED + ":" + ID) in hex; the lowest tickets
    /// win. Anyone can check one with: printf '%s:%s' 'SEED' 'ID' | sha256sum
    #[command(group(ArgGroup::new("candidates").required(true).args(["pool", "pool_file"])))]
    Draw {
        /// The public seed, fixed before the draw (e.g. "minutes:2026-11-02:north-ward:steward").
        #[arg(long)]
        seed: String,
        /// How many candidates to select.
        #[arg(long)]
        seats: usize,
        /// The candidates' ids, comma-separated.
        #[arg(
            long,
            value_delimiter = ',',
            num_args = 1..
        )]
        pool: Vec<String>,
        /// A CSV file with an `id` column (path as written in the minutes: relative to the site).
        #[arg(long)]
        pool_file: Option<String>,
        /// The role drawn, written into the block (a slug like `facilitator`).
        #[arg(long)]
        role: Option<String>,
    },
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
    /// Create a new site with example content.
    New {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
    },
}
