//! The theme as data: template sources and static files, the built-in ones compiled
//! into the binary. Reading a site's overrides is `load`'s work.

use std::collections::BTreeMap;

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

    /// Adds or replaces one file, by its path under the theme (`templates/base.html`).
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) {
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
