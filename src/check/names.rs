//! Declared names: the cells (`[cells.<slug>]`), categories (`[categories.<slug>]`) and
//! units a ledger row may use, and the verdict on a name a row gives. With `strict =
//! true` in `[ledger]` an undeclared name is an error; without it, only a name within
//! [`NEAR`] edits of a declared one is reported, as a warning (`bike-kitchn` for
//! `bike-kitchen`). Judges names only; reading rows is `check::ledger`'s work.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::load::RawTable;

/// The most edits (insertions, deletions, substitutions, swaps of neighbours) a name
/// may be from a declared one to be taken for a typo of it.
pub const NEAR: usize = 2;

/// What a ledger row's name is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameKind {
    Cell,
    Category,
    Unit,
}

impl NameKind {
    /// The ledger column and the `tally.toml` table that declares it.
    pub fn column(self) -> &'static str {
        match self {
            NameKind::Cell => "cell",
            NameKind::Category => "category",
            NameKind::Unit => "unit",
        }
    }

    fn declared_by(self) -> &'static str {
        match self {
            NameKind::Cell => "a [cells.<slug>] table in tally.toml",
            NameKind::Category => "a [categories.<slug>] table in tally.toml",
            NameKind::Unit => "data/rates.csv, [invoices.unit_codes] or the site's currency",
        }
    }
}

/// What is known of a name a row gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Declared, or nothing to compare it with.
    Fine,
    /// Undeclared under `strict = true`, with the nearest declared name if one is near.
    Undeclared(Option<&'static str>),
    /// Undeclared but for a few letters: most likely a typo of the declared name.
    Near(&'static str),
}

/// The names `tally.toml` and `data/rates.csv` declare.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    strict: bool,
    cells: BTreeSet<String>,
    categories: BTreeSet<String>,
    units: BTreeSet<String>,
}

impl Declared {
    /// Cells and categories from their tables; units from the rates (every row, a
    /// rejected one too), `[invoices.unit_codes]` and the site's currency.
    pub fn from_config(config: &Config, rates: Option<&RawTable>) -> Declared {
        let mut units: BTreeSet<String> = config.invoices.unit_codes.keys().cloned().collect();
        units.insert(config.currency.clone());
        if let Some(table) = rates {
            let unit = table.column("unit");
            units.extend(
                table
                    .rows
                    .iter()
                    .map(|row| row.get(unit))
                    .filter(|u| !u.is_empty())
                    .map(str::to_string),
            );
        }
        Declared {
            strict: config.ledger.strict,
            cells: config.cells.keys().cloned().collect(),
            categories: config.categories.keys().cloned().collect(),
            units,
        }
    }

    fn names(&self, kind: NameKind) -> &BTreeSet<String> {
        match kind {
            NameKind::Cell => &self.cells,
            NameKind::Category => &self.categories,
            NameKind::Unit => &self.units,
        }
    }

    /// The verdict on `text` read as a `kind`. Names are compared as written.
    pub fn judge(&self, kind: NameKind, text: &str) -> Verdict {
        let names = self.names(kind);
        if names.is_empty() || names.contains(text) {
            return Verdict::Fine;
        }
        let near = nearest(text, names.iter().map(String::as_str))
            .map(|name| crate::model::ledger::Name::new(name).as_str());
        match (self.strict, near) {
            (true, near) => Verdict::Undeclared(near),
            (false, Some(near)) => Verdict::Near(near),
            (false, None) => Verdict::Fine,
        }
    }
}

/// The declared name fewest edits from `text`, if it is at most [`NEAR`] edits away
/// and fewer edits than either name has letters (`h` is not a typo of `kg`, nor `kWh`
/// of `h`). Ties go to the first in order.
pub fn nearest<'a>(text: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = NEAR.min(text.chars().count().saturating_sub(1));
    names
        .into_iter()
        .map(|name| (strsim::osa_distance(text, name), name))
        .filter(|(distance, name)| *distance <= limit && *distance < name.chars().count())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// The reason an undeclared name fails its row (under `strict = true`).
pub fn undeclared(kind: NameKind, text: &str, near: Option<&str>) -> String {
    let hint = match near {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("declare it in {}", kind.declared_by()),
    };
    format!(
        "{text:?} is not a declared {} ([ledger] strict = true); {hint}",
        kind.column()
    )
}

/// The warning for a name a few letters from a declared one, given where it is first
/// used and by how many rows.
pub fn near_miss(kind: NameKind, text: &str, near: &str, first: &str, rows: u64) -> String {
    format!(
        "{first}: {}: {text:?} is not declared; did you mean `{near}`? ({} row{} use{} it; \
         declare it in {} if it is new)",
        kind.column(),
        super::root_causes::grouped(rows),
        if rows == 1 { "" } else { "s" },
        if rows == 1 { "s" } else { "" },
        kind.declared_by()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(strict: bool) -> Declared {
        Declared {
            strict,
            cells: ["bike-kitchen", "food-coop"].map(String::from).into(),
            categories: ["transport", "food"].map(String::from).into(),
            units: ["kg", "h", "EUR"].map(String::from).into(),
        }
    }

    #[test]
    fn a_typo_is_near_its_declared_name() {
        let names = declared(false);
        assert_eq!(
            names.judge(NameKind::Cell, "bike-kitchn"),
            Verdict::Near("bike-kitchen")
        );
        // A swap of neighbours is one edit.
        assert_eq!(
            names.judge(NameKind::Category, "transprot"),
            Verdict::Near("transport")
        );
        assert_eq!(names.judge(NameKind::Cell, "food-coop"), Verdict::Fine);
        // Far from every declared name: a new name, not a typo.
        assert_eq!(names.judge(NameKind::Cell, "pantries"), Verdict::Fine);
        // One letter is not a typo of another one-letter or two-letter unit.
        assert_eq!(names.judge(NameKind::Unit, "m"), Verdict::Fine);
        // Nor is a longer unit a typo of a one-letter one.
        assert_eq!(names.judge(NameKind::Unit, "kWh"), Verdict::Fine);
    }

    #[test]
    fn strict_names_are_declared_or_errors() {
        let names = declared(true);
        assert_eq!(
            names.judge(NameKind::Cell, "bike-kitchn"),
            Verdict::Undeclared(Some("bike-kitchen"))
        );
        assert_eq!(
            names.judge(NameKind::Cell, "pantries"),
            Verdict::Undeclared(None)
        );
        assert_eq!(names.judge(NameKind::Unit, "kg"), Verdict::Fine);
        assert_eq!(
            undeclared(NameKind::Cell, "bike-kitchn", Some("bike-kitchen")),
            "\"bike-kitchn\" is not a declared cell ([ledger] strict = true); did you mean `bike-kitchen`?"
        );
    }

    #[test]
    fn nothing_declared_judges_nothing() {
        let names = Declared::default();
        assert_eq!(names.judge(NameKind::Cell, "anything"), Verdict::Fine);
    }
}
