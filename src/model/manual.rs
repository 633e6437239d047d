//! Blueprint manuals as plain data: a [`Manual`] has numbered [`Version`]s of ordered
//! [`Chapter`]s, a license, and a lineage (what it was forked from, which manuals on
//! this site fork it). What changed between versions is in [`diff`]; licenses in plain
//! words are in [`license`]. No file I/O and no HTML here.

pub mod diff;
pub mod license;
pub mod links;
pub mod names;
pub mod title;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use diff::Changes;
pub use license::License;

/// A manual at `/manuals/<slug>/`, from `content/manuals/<slug>/`.
#[derive(Debug, Clone)]
pub struct Manual {
    /// `content/manuals/<slug>`.
    pub path: PathBuf,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub license: License,
    pub authors: Vec<String>,
    /// The manual this one was forked from, as `manual.toml` says.
    pub forked_from: Option<Origin>,
    /// Earlier generations beyond `forked_from`, nearest first, as `manual.toml` says.
    pub ancestors: Vec<Origin>,
    /// Oldest first; never empty.
    pub versions: Vec<Version>,
    /// Filled in by [`resolve_lineage`].
    pub lineage: Lineage,
}

impl Manual {
    /// The newest version.
    pub fn latest(&self) -> &Version {
        // `check` refuses a manual without versions.
        &self.versions[self.versions.len() - 1]
    }

    pub fn version(&self, label: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.label == label)
    }
}

/// Where a manual came from: `[forked_from]` or one of `[[ancestors]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub title: String,
    pub url: Option<String>,
    pub version: Option<String>,
}

/// One version of a manual, from its folder `content/manuals/<slug>/<label>/`.
#[derive(Debug, Clone)]
pub struct Version {
    /// The folder name as written: `1.10`.
    pub label: String,
    pub number: VersionNumber,
    pub path: PathBuf,
    /// In the order of `SUMMARY.md` when the version has one, else by file name.
    pub chapters: Vec<Chapter>,
    /// `SUMMARY.md`, when present: the handbook's own table of contents.
    pub summary: Option<ContentsFile>,
    /// Images and other files beside the chapters, by path; published next to the
    /// chapter pages and carried in the source bundle.
    pub assets: Vec<Asset>,
    /// `CHANGES.md`, when present.
    pub notes: Option<ChangeNotes>,
    /// What changed since the previous version (`None` for the first one).
    pub changes: Option<Changes>,
}

impl Version {
    pub fn chapter_by_file(&self, file_name: &str) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.file_name == file_name)
    }

    pub fn chapter_by_slug(&self, slug: &str) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.slug == slug)
    }
}

/// A version's `CHANGES.md`.
#[derive(Debug, Clone)]
pub struct ChangeNotes {
    pub path: PathBuf,
    pub body: String,
}

/// A version's `SUMMARY.md` (mdBook and GitBook's table of contents).
#[derive(Debug, Clone)]
pub struct ContentsFile {
    pub path: PathBuf,
    pub body: String,
}

/// The name of the table of contents in a version folder.
pub const SUMMARY_FILE: &str = "SUMMARY.md";

/// A file beside the chapters: `img/map.png`.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Its path inside the version folder, with `/`: its URL below the version's.
    pub path: String,
    /// Where it was read, relative to the site.
    pub source: PathBuf,
    pub bytes: Arc<[u8]>,
}

/// One chapter: a Markdown file of a version folder.
#[derive(Debug, Clone)]
pub struct Chapter {
    pub path: PathBuf,
    /// Its path inside the version folder: `02-wiring.md`, `roles/delegate.md`.
    pub file_name: String,
    /// `wiring`: made from the file name (see [`names::chapter_slug`]); its URL segment.
    pub slug: String,
    /// Its entry in `SUMMARY.md`, else its first `# ` heading, else made from the file
    /// name.
    pub title: String,
    /// 0 for a chapter, 1 for a sub-chapter, …: its nesting in `SUMMARY.md`.
    pub depth: usize,
    /// `3`, `3.2`: its number in the contents.
    pub number: String,
    /// The title of the part of the book that starts with this chapter, if any.
    pub part: Option<String>,
    pub body: String,
}

/// The manual's description file in its folder (and in its download bundle).
pub const MANUAL_FILE: &str = "manual.toml";

/// The name of the changes file in a version folder.
pub const CHANGES_FILE: &str = "CHANGES.md";

/// URL segments of a version that a chapter may not take.
pub const RESERVED_CHAPTER_SLUGS: &[&str] = &["print", "changes"];

impl Chapter {
    /// A top-level chapter, numbered later.
    pub fn new(path: impl Into<PathBuf>, file_name: &str, body: &str, title: String) -> Chapter {
        Chapter {
            path: path.into(),
            file_name: file_name.to_string(),
            slug: Chapter::slug_of(file_name),
            title,
            depth: 0,
            number: String::new(),
            part: None,
            body: body.to_string(),
        }
    }

    /// `02-wiring.md` → `wiring`; `purpose_&_vision.md` → `purpose-vision`;
    /// `README.md` → `introduction`.
    pub fn slug_of(file_name: &str) -> String {
        names::chapter_slug(file_name)
    }

    /// A title for a chapter without a `# ` heading or an entry in `SUMMARY.md`:
    /// `02-co-op_rules.md` → `Co op rules`.
    pub fn title_from_file_name(file_name: &str) -> String {
        let words = Chapter::slug_of(file_name).replace(['-', '_'], " ");
        let mut chars = words.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => file_name.to_string(),
        }
    }
}

/// A version number: dot-separated numbers compared numerically, so `1.10` follows `1.9`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionNumber(Vec<u64>);

impl VersionNumber {
    /// `1`, `1.0`, `2.10.3`; not `v1`, `1.x` or `1..2`.
    pub fn parse(label: &str) -> Option<VersionNumber> {
        let parts: Option<Vec<u64>> = label
            .split('.')
            .map(|p| {
                if !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()) {
                    p.parse().ok()
                } else {
                    None
                }
            })
            .collect();
        parts.map(VersionNumber)
    }

    /// Trailing zeros do not count: `1`, `1.0` and `1.0.0` are the same version.
    fn significant(&self) -> &[u64] {
        let n = self.0.iter().rposition(|&p| p != 0).map_or(0, |i| i + 1);
        &self.0[..n]
    }

    pub fn same_as(&self, other: &VersionNumber) -> bool {
        self.significant() == other.significant()
    }
}

impl Ord for VersionNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.significant()
            .cmp(other.significant())
            .then_with(|| self.0.len().cmp(&other.0.len()))
    }
}

impl PartialOrd for VersionNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// Which manuals on this site a manual descends from and which descend from it.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// The manual on this site that `forked_from` points at, if any.
    pub parent: Option<LocalManual>,
    /// Manuals on this site forked from this one, by slug.
    pub forks: Vec<LocalManual>,
    /// The whole known line, nearest first: `forked_from`, then the ancestors (taken
    /// from the parent's own lineage when the parent is on this site and `manual.toml`
    /// lists none).
    pub chain: Vec<Ancestor>,
}

/// A manual of this site, and optionally one of its versions (only one it has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalManual {
    pub slug: String,
    pub version: Option<String>,
}

/// One generation of a lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ancestor {
    pub origin: Origin,
    /// Set when this generation is a manual of this site.
    pub local: Option<LocalManual>,
}

/// Orders the manuals by slug, works out what changed in each version and resolves
/// their lineage.
pub fn build(mut manuals: Vec<Manual>, config: &crate::config::Config) -> Vec<Manual> {
    manuals.sort_by(|a, b| a.slug.cmp(&b.slug));
    for manual in &mut manuals {
        for i in 1..manual.versions.len() {
            let changes = diff::compare(&manual.versions[i - 1], &manual.versions[i]);
            manual.versions[i].changes = Some(changes);
        }
    }
    resolve_lineage(&mut manuals, &config.base_url, &config.root_path());
    manuals
}

/// Finds each manual's parent and forks on this site and its whole known lineage.
///
/// A `forked_from` is on this site when its `url` is one of this site's manual URLs
/// (absolute under `base_url`, or starting with the site's `root` path), or else when
/// its `title` is the title of another manual here.
pub fn resolve_lineage(manuals: &mut [Manual], base_url: &str, root: &str) {
    let here = LocalIndex::of(manuals, base_url, root);
    let parents: Vec<Option<LocalManual>> = manuals
        .iter()
        .map(|m| m.forked_from.as_ref().and_then(|f| here.find(f, &m.slug)))
        .collect();
    let declared = declared_lines(manuals, &parents);
    for (manual, parent) in manuals.iter_mut().zip(&parents) {
        let chain = full_chain(manual, parent.clone(), &declared);
        manual.lineage.chain = chain
            .into_iter()
            .map(|origin| {
                let local = here.find(&origin, &manual.slug);
                Ancestor { origin, local }
            })
            .collect();
        manual.lineage.parent = parent.clone();
    }
    record_forks(manuals, &parents);
}

/// This site's manuals, as a `forked_from` or ancestor may point at them: by URL
/// (absolute under `base_url`, or starting with `root`), by title, and by version.
struct LocalIndex<'a> {
    base_url: &'a str,
    root: &'a str,
    titles: BTreeMap<String, String>,
    slugs: Vec<String>,
    /// A version that the manual has, compared as numbers (`1` is `1.0`), in its own
    /// spelling.
    versions: BTreeMap<String, Vec<(VersionNumber, String)>>,
}

impl<'a> LocalIndex<'a> {
    /// The index of `manuals` on a site at `base_url` and `root`.
    fn of(manuals: &[Manual], base_url: &'a str, root: &'a str) -> Self {
        let versions = manuals
            .iter()
            .map(|m| {
                let labels = m
                    .versions
                    .iter()
                    .map(|v| (v.number.clone(), v.label.clone()))
                    .collect();
                (m.slug.clone(), labels)
            })
            .collect();
        Self {
            base_url,
            root,
            titles: manuals
                .iter()
                .map(|m| (normal_title(&m.title), m.slug.clone()))
                .collect(),
            slugs: manuals.iter().map(|m| m.slug.clone()).collect(),
            versions,
        }
    }

    /// The label of `version` in the manual `slug`, when that manual has it.
    fn existing(&self, slug: &str, version: Option<String>) -> Option<String> {
        let wanted = VersionNumber::parse(version?.trim())?;
        self.versions
            .get(slug)?
            .iter()
            .find(|(number, _)| number.same_as(&wanted))
            .map(|(_, label)| label.clone())
    }

    /// The manual here (other than `own`) that `origin` names, by URL first, then title.
    fn find(&self, origin: &Origin, own: &str) -> Option<LocalManual> {
        if let Some(found) = self.find_by_url(origin, own) {
            return Some(found);
        }
        self.titles
            .get(&normal_title(&origin.title))
            .filter(|slug| slug.as_str() != own)
            .map(|slug| LocalManual {
                slug: slug.clone(),
                version: self.existing(slug, origin.version.clone()),
            })
    }

    /// The manual here (other than `own`) whose URL `origin` gives; its version from
    /// `origin` or else from the URL's next segment.
    fn find_by_url(&self, origin: &Origin, own: &str) -> Option<LocalManual> {
        let url = origin.url.as_deref()?;
        let path = url
            .strip_prefix(self.base_url)
            .or_else(|| url.strip_prefix(self.root))
            .and_then(|p| p.strip_prefix("manuals/"))?;
        let mut segments = path.split('/');
        let slug = segments.next().unwrap_or("");
        if slug == own || !self.slugs.iter().any(|s| s == slug) {
            return None;
        }
        let version = origin
            .version
            .clone()
            .or_else(|| segments.next().map(str::to_string));
        Some(LocalManual {
            slug: slug.to_string(),
            version: self.existing(slug, version),
        })
    }
}

/// Each manual's declared line (forked_from, then ancestors), whether it declares
/// ancestors, and its parent here.
type DeclaredLines = BTreeMap<String, (Vec<Origin>, bool, Option<LocalManual>)>;

/// The declared line of every manual, by slug.
fn declared_lines(manuals: &[Manual], parents: &[Option<LocalManual>]) -> DeclaredLines {
    manuals
        .iter()
        .zip(parents)
        .map(|(m, parent)| {
            let line = m.forked_from.iter().chain(&m.ancestors).cloned().collect();
            (
                m.slug.clone(),
                (line, !m.ancestors.is_empty(), parent.clone()),
            )
        })
        .collect()
}

/// A manual's own line, and, when it has a parent here and declares no ancestors,
/// the parent's line and its parent's, never visiting a manual twice.
fn full_chain(
    manual: &Manual,
    parent: Option<LocalManual>,
    declared: &DeclaredLines,
) -> Vec<Origin> {
    let mut chain: Vec<Origin> = manual
        .forked_from
        .iter()
        .chain(&manual.ancestors)
        .cloned()
        .collect();
    let mut seen = vec![manual.slug.clone()];
    let mut cursor = if manual.ancestors.is_empty() {
        parent
    } else {
        None
    };
    while let Some(parent) = cursor.take() {
        if seen.contains(&parent.slug) {
            break;
        }
        seen.push(parent.slug.clone());
        let Some((line, has_ancestors, grandparent)) = declared.get(&parent.slug) else {
            break;
        };
        chain.extend(line.iter().cloned());
        if !has_ancestors {
            cursor = grandparent.clone();
        }
    }
    chain
}

/// Lists each manual among its parent's forks, forks in slug order.
fn record_forks(manuals: &mut [Manual], parents: &[Option<LocalManual>]) {
    let slugs: Vec<String> = manuals.iter().map(|m| m.slug.clone()).collect();
    for (slug, parent) in slugs.iter().zip(parents) {
        let Some(parent) = parent else { continue };
        let child = LocalManual {
            slug: slug.clone(),
            version: None,
        };
        if let Some(p) = manuals.iter_mut().find(|m| m.slug == parent.slug) {
            p.lineage.forks.push(child);
        }
    }
    for m in manuals.iter_mut() {
        m.lineage.forks.sort_by(|a, b| a.slug.cmp(&b.slug));
    }
}

fn normal_title(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> VersionNumber {
        VersionNumber::parse(s).unwrap()
    }

    #[test]
    fn versions_order_numerically() {
        let mut all = [v("1.10"), v("1.9"), v("2"), v("1.0"), v("1.2.1")];
        all.sort();
        let shown: Vec<String> = all.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["1.0", "1.2.1", "1.9", "1.10", "2"]);
        assert!(v("1").same_as(&v("1.0.0")));
        assert!(!v("1.1").same_as(&v("1.10")));
    }

    #[test]
    fn version_labels_must_be_numbers() {
        for bad in ["v1", "1.x", "1..2", "", "1.", "draft", "1.0-beta"] {
            assert!(VersionNumber::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn chapter_slugs_drop_the_order_number() {
        assert_eq!(Chapter::slug_of("02-wiring.md"), "wiring");
        assert_eq!(Chapter::slug_of("10_co-op-rules.md"), "co-op-rules");
        assert_eq!(Chapter::slug_of("intro.md"), "intro");
        assert_eq!(Chapter::slug_of("01.md"), "01");
        assert_eq!(
            Chapter::title_from_file_name("04-co-op_rules.md"),
            "Co op rules"
        );
    }

    fn manual(slug: &str, title: &str, forked_from: Option<Origin>) -> Manual {
        Manual {
            path: PathBuf::from(slug),
            slug: slug.into(),
            title: title.into(),
            summary: String::new(),
            license: License::parse("CC0-1.0").unwrap(),
            authors: Vec::new(),
            forked_from,
            ancestors: Vec::new(),
            versions: vec![Version {
                label: "1.0".into(),
                number: v("1.0"),
                path: PathBuf::from("1.0"),
                chapters: Vec::new(),
                summary: None,
                assets: Vec::new(),
                notes: None,
                changes: None,
            }],
            lineage: Lineage::default(),
        }
    }

    fn origin(title: &str, url: Option<&str>, version: Option<&str>) -> Origin {
        Origin {
            title: title.into(),
            url: url.map(str::to_string),
            version: version.map(str::to_string),
        }
    }

    #[test]
    fn lineage_follows_local_parents_up_to_the_outside_origin() {
        let mut all = [
            manual(
                "a",
                "A",
                Some(origin("X", Some("https://x.example/"), None)),
            ),
            manual(
                "b",
                "B",
                Some(origin("A", Some("https://site.example/manuals/a/1/"), None)),
            ),
            manual("c", "C", Some(origin("b", None, Some("1.0")))),
        ];
        resolve_lineage(&mut all, "https://site.example/", "/");
        let chain: Vec<(&str, Option<&str>)> = all[2]
            .lineage
            .chain
            .iter()
            .map(|a| {
                (
                    a.origin.title.as_str(),
                    a.local.as_ref().map(|l| l.slug.as_str()),
                )
            })
            .collect();
        assert_eq!(chain, [("b", Some("b")), ("A", Some("a")), ("X", None)]);
        // The version in the URL is one `a` has (`1` is `1.0`), in `a`'s spelling.
        assert_eq!(
            all[1].lineage.parent,
            Some(LocalManual {
                slug: "a".into(),
                version: Some("1.0".into())
            })
        );
        let forks: Vec<&str> = all[0]
            .lineage
            .forks
            .iter()
            .map(|f| f.slug.as_str())
            .collect();
        assert_eq!(forks, ["b"]);
    }

    #[test]
    fn a_lineage_cycle_ends() {
        let mut all = [
            manual("d", "D", Some(origin("E", None, None))),
            manual("e", "E", Some(origin("D", None, None))),
        ];
        resolve_lineage(&mut all, "https://site.example/", "/");
        let titles: Vec<&str> = all[0]
            .lineage
            .chain
            .iter()
            .map(|a| a.origin.title.as_str())
            .collect();
        assert_eq!(titles, ["E", "D"]);
        assert_eq!(all[0].lineage.forks.len(), 1);
    }
}
