//! Watches a site's sources (`tally.toml`, `tally.lock`, `content/`, `data/`,
//! `templates/`, `static/`, `themes/`) with notify, debounced, and reports batches of
//! changed paths. Hidden files (editors' swap files) and everything else in the site
//! folder (the output, `target/`) are ignored.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::error::{Error, Result};

/// How long the sources must be quiet before a batch is reported.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// The folders watched recursively, relative to the site.
const FOLDERS: &[&str] = &["content", "data", "templates", "static", "themes"];
/// The files watched at the top of the site.
const FILES: &[&str] = &["tally.toml", "tally.lock"];

/// A running watcher; dropping it stops watching.
pub struct SourceWatcher {
    site: PathBuf,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    watched: Vec<PathBuf>,
}

impl SourceWatcher {
    /// Watches `site` (absolute), sending each batch of relevant changed paths to `changes`.
    pub fn start(site: &Path, changes: Sender<Vec<PathBuf>>) -> Result<SourceWatcher> {
        let root = site.to_path_buf();
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let mut paths = Vec::new();
                for event in events {
                    if event.need_rescan() {
                        paths.push(root.clone());
                        continue;
                    }
                    if matches!(event.kind, EventKind::Access(_)) {
                        continue;
                    }
                    for path in &event.paths {
                        if is_source(&root, path) && !paths.contains(path) {
                            paths.push(path.clone());
                        }
                    }
                }
                if !paths.is_empty() {
                    let _ = changes.send(paths);
                }
            }
            Err(errors) => {
                for e in errors {
                    let _ = writeln!(
                        std::io::stderr(),
                        "warning: watching {}: {e}",
                        root.display()
                    );
                }
            }
        };
        let debouncer = new_debouncer(DEBOUNCE, None, handler)
            .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", site.display())))?;
        let mut watcher = SourceWatcher {
            site: site.to_path_buf(),
            debouncer,
            watched: Vec::new(),
        };
        watcher
            .debouncer
            .watch(site, RecursiveMode::NonRecursive)
            .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", site.display())))?;
        watcher.watch_new_folders();
        Ok(watcher)
    }

    /// Starts watching the source folders created since the last call (a new
    /// `templates/`, say). Returns whether any was added.
    pub fn watch_new_folders(&mut self) -> bool {
        let mut added = false;
        for name in FOLDERS {
            let dir = self.site.join(name);
            if dir.is_dir() && !self.watched.contains(&dir) {
                match self.debouncer.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.push(dir);
                        added = true;
                    }
                    Err(e) => {
                        let _ = writeln!(
                            std::io::stderr(),
                            "warning: cannot watch {}: {e}",
                            dir.display()
                        );
                    }
                }
            }
        }
        added
    }
}

/// Whether a change to `path` can change the site.
fn is_source(site: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(site) else {
        return false;
    };
    let names: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let Some(first) = names.first() else {
        return false;
    };
    // As the loaders and the input digest do: files whose name starts with a dot are
    // not sources (editors' swap files among them).
    if names.last().is_some_and(|n| n.starts_with('.')) {
        return false;
    }
    if names.len() == 1 {
        FILES.contains(&first.as_str()) || FOLDERS.contains(&first.as_str())
    } else {
        FOLDERS.contains(&first.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_told_from_droppings() {
        let site = Path::new("/site");
        assert!(is_source(site, Path::new("/site/tally.toml")));
        assert!(is_source(site, Path::new("/site/content/minutes/a.md")));
        assert!(is_source(site, Path::new("/site/templates")));
        assert!(is_source(
            site,
            Path::new("/site/themes/x/templates/base.html")
        ));
        assert!(!is_source(site, Path::new("/site/public/index.html")));
        assert!(!is_source(site, Path::new("/site/target/debug/x")));
        assert!(!is_source(
            site,
            Path::new("/site/content/minutes/.a.md.swp")
        ));
        assert!(!is_source(site, Path::new("/site/content/.hidden")));
        assert!(!is_source(site, Path::new("/elsewhere/content/a.md")));
        assert!(!is_source(site, Path::new("/site/README.md")));
    }
}
