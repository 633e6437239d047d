//! The command line (clap derive). Parsing only; the work is in the library.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    },
    /// Create a new site with example content.
    New {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
    },
}
