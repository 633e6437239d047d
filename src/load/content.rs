//! `content/` → raw records: free pages, minutes, weekly commentary and invoice cover
//! letters. Each record remembers its file; nothing here judges cross-references.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::front_matter::{self, FrontDate, Split};
use super::moment::FrontMoment;
use super::standing::{RawAct, RawFestival};
use super::{FileCache, read_text, relative, sorted_files};
use crate::error::{Diagnostic, Diagnostics};
use crate::model::register::{CommitteeAction, Outcome, Votes};

/// A free page's front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFront {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// `content/pages/<slug>.md`.
#[derive(Debug, Clone)]
pub struct RawPage {
    pub path: PathBuf,
    pub slug: String,
    pub front: PageFront,
    pub body: String,
}

/// A minutes file's front matter, as written (validated in `check`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesFront {
    pub title: String,
    pub date: FrontDate,
    pub assembly: String,
    #[serde(default)]
    pub attendance: Option<u32>,
    #[serde(default)]
    pub decisions: Vec<RawDecision>,
    #[serde(default)]
    pub committees: Vec<RawCommitteeAction>,
    #[serde(default)]
    pub draws: Vec<RawDraw>,
    /// When the draws' pools were fixed (defaults to the assembly's date).
    #[serde(default)]
    pub pool_fixed: Option<FrontMoment>,
    #[serde(default)]
    pub delegates: Vec<RawDelegate>,
    /// `"festival"`: the whole assembly is a festival (see [`super::standing`]).
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub festivals: Vec<RawFestival>,
    #[serde(default)]
    pub acts: Vec<RawAct>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecision {
    pub text: String,
    pub outcome: Outcome,
    #[serde(default)]
    pub votes: Option<Votes>,
    /// The standing rule a passed decision adopts (a slug: `quiet-hours`).
    #[serde(default)]
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommitteeAction {
    pub name: String,
    pub action: CommitteeAction,
    #[serde(default)]
    pub mandate: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDraw {
    pub role: String,
    pub seats: u32,
    /// A seed chosen by the assembly (checkable, not proof against steering).
    #[serde(default)]
    pub seed: Option<String>,
    /// The public randomness beacon (`drand-quicknet`) and its round, instead of a seed.
    #[serde(default)]
    pub beacon: Option<String>,
    #[serde(default)]
    pub round: Option<u64>,
    #[serde(default)]
    pub randomness: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    /// SHA-256 of the sorted candidate ids, written when the pool was fixed.
    #[serde(default)]
    pub pool_digest: Option<String>,
    #[serde(default)]
    pub pool: Option<Vec<String>>,
    #[serde(default)]
    pub pool_file: Option<String>,
    pub selected: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDelegate {
    pub name: String,
    pub council: String,
    #[serde(default)]
    pub mandate: Option<String>,
    #[serde(default)]
    pub from: Option<FrontDate>,
    #[serde(default)]
    pub until: Option<FrontDate>,
}

/// `content/minutes/<slug>.md`, with the file line of each array entry for errors.
#[derive(Debug, Clone)]
pub struct RawMinutes {
    pub path: PathBuf,
    pub slug: String,
    pub front: MinutesFront,
    /// The line of the front matter's `date`.
    pub date_line: usize,
    pub decision_lines: Vec<usize>,
    pub committee_lines: Vec<usize>,
    pub draw_lines: Vec<usize>,
    pub delegate_lines: Vec<usize>,
    pub festival_lines: Vec<usize>,
    pub act_lines: Vec<usize>,
    pub body: String,
}

impl RawMinutes {
    /// The file line of entry `i` of an array (the front matter's first line when unknown).
    pub fn line_of(lines: &[usize], i: usize) -> usize {
        lines.get(i).or(lines.last()).copied().unwrap_or(2)
    }
}

/// A Markdown file whose front matter (if any) is left out, keyed by its file stem
/// (`content/reports/2026-W47.md`, `content/invoices/INV-2026-Q3.md`).
#[derive(Debug, Clone)]
pub struct RawNote {
    pub path: PathBuf,
    pub key: String,
    pub body: String,
}

pub fn load_pages(site: &Path, cache: &FileCache, problems: &mut Diagnostics) -> Vec<RawPage> {
    let pages = load_markdown(
        site,
        "content/pages",
        cache,
        problems,
        |path, slug, split| {
            let front: PageFront = front_matter::parse(path, split)?;
            Ok(RawPage {
                path: path.to_path_buf(),
                slug,
                front,
                body: split.body.to_string(),
            })
        },
    );
    pages.into_iter().map(Arc::unwrap_or_clone).collect()
}

/// The minutes, each shared with the cache: an unchanged file is the same [`Arc`] in
/// every build, by which `check` keeps what it found in it.
pub fn load_minutes(
    site: &Path,
    cache: &FileCache,
    problems: &mut Diagnostics,
) -> Vec<Arc<RawMinutes>> {
    load_markdown(
        site,
        "content/minutes",
        cache,
        problems,
        |path, slug, split| {
            let front: MinutesFront = front_matter::parse(path, split)?;
            Ok(RawMinutes {
                path: path.to_path_buf(),
                slug,
                front,
                date_line: front_matter::key_line(split, "date").unwrap_or(split.front_line),
                decision_lines: front_matter::entry_lines(split, "decisions"),
                committee_lines: front_matter::entry_lines(split, "committees"),
                draw_lines: front_matter::entry_lines(split, "draws"),
                delegate_lines: front_matter::entry_lines(split, "delegates"),
                festival_lines: front_matter::entry_lines(split, "festivals"),
                act_lines: front_matter::entry_lines(split, "acts"),
                body: split.body.to_string(),
            })
        },
    )
}

/// Markdown notes in `dir`, with or without front matter, keyed by file stem.
pub fn load_notes(
    site: &Path,
    dir: &str,
    cache: &FileCache,
    problems: &mut Diagnostics,
) -> Vec<RawNote> {
    let mut notes = Vec::new();
    for file in sorted_files(&site.join(dir), "md", problems) {
        let note = cache.parse(&file, problems, |problems| {
            let path = relative(site, &file);
            let text = read_text(site, &file, &path, problems)?;
            let body = note_body(&path, &text).map_err(|d| problems.push(d)).ok()?;
            Some(RawNote {
                key: stem(&file),
                path,
                body,
            })
        });
        notes.extend(note);
    }
    notes
}

/// A note's Markdown: the whole file, or what follows its front matter when it has one
/// (TOML between `+++` or YAML between `---`, as other content). The front matter is
/// checked as TOML or YAML; a note reads no field of it.
fn note_body(path: &Path, text: &str) -> Result<String, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("").trim_end();
    if first != "+++" && first != "---" {
        return Ok(text.to_string());
    }
    let split = front_matter::split(path, text)?;
    let _: serde::de::IgnoredAny = front_matter::parse(path, &split)?;
    Ok(split.body.trim_start_matches(['\r', '\n']).to_string())
}

/// Reads every `*.md` under `dir`, splitting front matter and handing it to `parse`;
/// every failure goes to `problems` and the file is left out.
fn load_markdown<T: Send + Sync + 'static>(
    site: &Path,
    dir: &str,
    cache: &FileCache,
    problems: &mut Diagnostics,
    parse: impl Fn(&Path, String, &Split<'_>) -> Result<T, Diagnostic> + Sync,
) -> Vec<Arc<T>> {
    use rayon::prelude::*;
    // Read and parsed on every core; records and problems kept in file order.
    let files = cache.files(&site.join(dir), "md", problems);
    let loaded: Vec<(Option<Arc<T>>, Diagnostics)> = files
        .par_iter()
        .map(|file| {
            let mut found = Diagnostics::default();
            let record = cache.parse_shared(file, &mut found, |problems| {
                let path = relative(site, file);
                let text = read_text(site, file, &path, problems)?;
                let parsed = front_matter::split(&path, &text)
                    .and_then(|split| parse(&path, stem(file), &split));
                parsed.map_err(|d| problems.push(d)).ok()
            });
            (record, found)
        })
        .collect();
    let mut records = Vec::with_capacity(loaded.len());
    for (record, found) in loaded {
        problems.extend(found.0);
        records.extend(record);
    }
    records
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
