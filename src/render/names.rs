//! Names residents use in place of slugs: `[cells.<slug>] name` and
//! `[categories.<slug>] name` in `tally.toml`, the slug itself when none is given.

use crate::config::Config;

/// The name of the cell (or fund) `slug`.
pub fn cell(config: &Config, slug: &str) -> String {
    config
        .cells
        .get(slug)
        .map_or_else(|| slug.to_string(), |c| c.name.clone())
}

/// The name of the category (the need met) `slug`.
pub fn category(config: &Config, slug: &str) -> String {
    config
        .categories
        .get(slug)
        .map_or_else(|| slug.to_string(), |c| c.name.clone())
}

/// A name inside a sentence: `Food` → `food`, but `NHS` and `GP visits` keep their
/// capitals (a second capital letter, or none after the first, marks an acronym).
pub fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            let mut out: String = first.to_lowercase().collect();
            out.push_str(&name[first.len_utf8()..]);
            out
        }
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn names_come_from_the_config_and_fall_back_to_the_slug() {
        let c = config(
            "title = \"x\"\nbase_url = \"/\"\n[cells.care-circle]\nname = \"Care Circle\"\n[categories.food]\nname = \"Food\"\n",
        );
        assert_eq!(cell(&c, "care-circle"), "Care Circle");
        assert_eq!(cell(&c, "food-coop"), "food-coop");
        assert_eq!(category(&c, "food"), "Food");
        assert_eq!(category(&c, "care"), "care");
    }

    #[test]
    fn names_in_a_sentence_lose_only_a_leading_capital() {
        assert_eq!(in_sentence("Food"), "food");
        assert_eq!(in_sentence("NHS"), "NHS");
        assert_eq!(in_sentence("care"), "care");
    }
}
