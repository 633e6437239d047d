//! `tally draw --append MINUTES`: writes a draw block into a minutes file's front
//! matter, in the file's own language (a `[[draws]]` table in TOML, an item of the
//! `draws:` list in YAML). The file is read back before it is replaced: a block that
//! would not parse as one more draw is refused and nothing is written.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::draw::Block;
use crate::error::{Error, Result};
use crate::load::front_matter::{self, Format};

/// The draws of a minutes file, counted.
#[derive(Deserialize)]
struct Draws {
    #[serde(default)]
    draws: Vec<IgnoredAny>,
}

/// Writes `block` into the minutes at `minutes` (relative to `site`); returns the path.
pub fn append_draw(site: &Path, minutes: &Path, block: &Block) -> Result<PathBuf> {
    let path = site.join(minutes);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    let before = count_draws(minutes, &text)?;
    let written = with_draw(&text, block)
        .map_err(|why| Error::Usage(format!("--append {}: {why}", minutes.display())))?;
    if count_draws(minutes, &written)? != before + 1 {
        return Err(Error::Usage(format!(
            "--append {}: the block would not read as one more draw; paste it by hand",
            minutes.display()
        )));
    }
    let temporary = path.with_extension("md.tally-draw");
    std::fs::write(&temporary, &written).map_err(|e| Error::io("write", &temporary, e))?;
    std::fs::rename(&temporary, &path).map_err(|e| Error::io("replace", &path, e))?;
    Ok(path)
}

fn count_draws(name: &Path, text: &str) -> Result<usize> {
    let split = front_matter::split(name, text).map_err(|d| Error::Input(vec![d]))?;
    let draws: Draws = front_matter::parse(name, &split).map_err(|d| Error::Input(vec![d]))?;
    Ok(draws.draws.len())
}

/// `text` with `block` written at the end of its draws.
fn with_draw(text: &str, block: &Block) -> std::result::Result<String, String> {
    let split = front_matter::split(Path::new(""), text).map_err(|d| d.to_string())?;
    // The front matter is a slice of `text`: where it starts and ends in it.
    let start = split.front.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + split.front.len();
    let (at, insert) = match split.format {
        Format::Toml => {
            let gap = if split.front.trim().is_empty() {
                ""
            } else {
                "\n"
            };
            (end, format!("{gap}{}", block.toml()))
        }
        Format::Yaml => {
            let (offset, insert) = yaml_insert(split.front, block)?;
            (start + offset, insert)
        }
    };
    let mut out = String::with_capacity(text.len() + insert.len() + 1);
    out.push_str(&text[..at]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&insert);
    out.push_str(&text[at..]);
    Ok(out)
}

/// Where in a YAML front matter the new item goes (after the last line of the
/// `draws:` list, or at the end with a new `draws:` key) and the text to insert there.
fn yaml_insert(front: &str, block: &Block) -> std::result::Result<(usize, String), String> {
    let mut offset = 0;
    let mut lines = front.split_inclusive('\n');
    for line in lines.by_ref() {
        offset += line.len();
        if let Some(rest) = line.trim_end().strip_prefix("draws:") {
            if !rest.trim().is_empty() && !rest.trim_start().starts_with('#') {
                return Err(format!(
                    "its draws are written inline ({}); write the block by hand",
                    line.trim()
                ));
            }
            let mut end = offset;
            let mut indent = None;
            for item in lines {
                let blank = item.trim().is_empty();
                if !blank && !item.starts_with([' ', '-', '#']) {
                    break;
                }
                offset += item.len();
                if !blank {
                    end = offset;
                }
                if indent.is_none() && item.trim_start().starts_with("- ") {
                    indent = Some(item.len() - item.trim_start().len());
                }
            }
            return Ok((end, block.yaml_item(indent.unwrap_or(2))));
        }
    }
    Ok((front.len(), format!("draws:\n{}", block.yaml_item(2))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::{Field, Value};

    fn block() -> Block {
        Block(vec![
            Field::text("role", "steward"),
            Field::new("seats", Value::Number(1)),
            Field::text("seed", "s"),
            Field::new("pool", Value::List(vec!["a".into(), "b".into()])),
            Field::new("selected", Value::List(vec!["a".into()])),
        ])
    }

    #[test]
    fn a_yaml_list_gets_one_more_item_at_its_own_indent() {
        let text = "---\ntitle: T\ndraws:\n- role: a\n  seats: 1\n\nlater: 2\n---\nBody\n";
        let out = with_draw(text, &block()).unwrap();
        assert!(
            out.contains("  seats: 1\n- role: \"steward\"\n  seats: 1\n"),
            "{out}"
        );
        assert!(out.ends_with("\nlater: 2\n---\nBody\n"), "{out}");
    }

    #[test]
    fn yaml_without_draws_gets_the_key_and_inline_draws_are_refused() {
        let out = with_draw("---\ntitle: T\n---\nBody\n", &block()).unwrap();
        assert!(
            out.starts_with("---\ntitle: T\ndraws:\n  - role: \"steward\"\n"),
            "{out}"
        );
        let refused = with_draw("---\ndraws: []\n---\n", &block()).unwrap_err();
        assert!(refused.contains("inline"), "{refused}");
    }

    #[test]
    fn toml_gets_a_table_before_the_closing_fence() {
        let out = with_draw("+++\ntitle = \"T\"\n+++\nBody\n", &block()).unwrap();
        assert!(
            out.starts_with("+++\ntitle = \"T\"\n\n[[draws]]\nrole = \"steward\"\n"),
            "{out}"
        );
        assert!(out.ends_with("selected = [\"a\"]\n+++\nBody\n"), "{out}");
    }
}
