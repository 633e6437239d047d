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
    /// Unsteerable (preferred): fix the pool, announce a future drand quicknet round
    /// (`--next-round`), then draw with that round's randomness and signature. Each
    /// ticket is SHA-256(POOL_DIGEST:RANDOMNESS:ID); the lowest tickets win. Check one
    /// with: printf '%s:%s:%s' POOL_DIGEST RANDOMNESS ID | sha256sum
    ///
    /// With --seed, the ticket is SHA-256(SEED:ID): checkable, not proof against steering.
    #[command(group(ArgGroup::new("candidates").args(["pool", "pool_file"])))]
    #[command(group(ArgGroup::new("randomness_source").args(["seed", "beacon_round", "next_round"]).required(true)))]
    Draw {
        /// A seed chosen by the assembly (e.g. "minutes:2026-11-02:north-ward:steward").
        #[arg(long)]
        seed: Option<String>,
        /// The drand quicknet round drawn on, published after the pool was fixed.
        #[arg(long, value_name = "ROUND", requires_all = ["randomness", "signature"])]
        beacon_round: Option<u64>,
        /// The round's randomness (64 hex digits, from the beacon's endpoint).
        #[arg(long, value_name = "HEX", requires = "beacon_round")]
        randomness: Option<String>,
        /// The round's signature (96 hex digits), checked against the network's key.
        #[arg(long, value_name = "HEX", requires = "beacon_round")]
        signature: Option<String>,
        /// Print the first drand quicknet round published after --at (default: now).
        #[arg(long, conflicts_with_all = ["pool", "pool_file", "seats", "role"])]
        next_round: bool,
        /// The moment the pool is fixed: 2026-11-02T19:30:00Z, or a date (its end, UTC).
        #[arg(long, value_name = "TIME", requires = "next_round")]
        at: Option<String>,
        /// How many candidates to select.
        #[arg(long)]
        seats: Option<usize>,
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
    /// Create a new site with example content.
    New {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
    },
}
