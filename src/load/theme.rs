//! The theme: the built-in files compiled into the binary, overridden one file at a time
//! by `themes/<theme>/` (when `tally.toml` names one) and then by the site's own
//! `templates/` and `static/`.

use std::collections::BTreeMap;
use std::path::Path;

use super::{FileCache, read_bytes, relative, sorted_files};
use crate::config::Config;
use crate::error::Diagnostics;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));
}

/// Template sources by name (`base.html`) and static files by output path (`assets/style.css`).
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub templates: BTreeMap<String, String>,
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The built-in theme alone.
    pub fn builtin() -> Theme {
        let mut theme = Theme::default();
        for (path, bytes) in builtin::BUILTIN {
            theme.insert(path, bytes.to_vec());
        }
        theme
    }

    fn insert(&mut self, path: &str, bytes: Vec<u8>) {
        if let Some(name) = path.strip_prefix("templates/") {
            self.templates.insert(
                name.to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            );
        } else if let Some(name) = path.strip_prefix("static/") {
            self.statics.insert(name.to_string(), bytes);
        }
    }
}

/// The built-in theme with the site's overrides applied.
pub fn load(site: &Path, config: &Config, cache: &FileCache, problems: &mut Diagnostics) -> Theme {
    let mut theme = Theme::builtin();
    let mut layers = Vec::new();
    if let Some(name) = &config.theme {
        layers.push(site.join("themes").join(name));
    }
    layers.push(site.to_path_buf());
    for layer in layers {
        for kind in ["templates", "static"] {
            let dir = layer.join(kind);
            for file in sorted_files(&dir, "", problems) {
                let bytes = cache.parse(&file, problems, |problems| {
                    read_bytes(site, &file, &relative(site, &file), problems)
                });
                let Some(bytes) = bytes else {
                    continue;
                };
                let rel = relative(&layer, &file);
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                theme.insert(&rel, bytes);
            }
        }
    }
    theme
}
