//! The theme: the built-in files compiled into the binary, overridden one file at a time
//! by `themes/<theme>/` (when `tally.toml` names one) and then by the site's own
//! `templates/` and `static/`.

use std::path::Path;

use super::{FileCache, read_bytes, relative, sorted_files};
use crate::config::Config;
use crate::error::Diagnostics;
use crate::model::theme::Theme;

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
                let rel = crate::paths::slash_path(&layer, &file);
                theme.insert(&rel, bytes);
            }
        }
    }
    theme
}
