//! The minutes' entries about standing rules and what followed an assembly, as
//! written: `[[festivals]]` and `[[acts]]` (a decision's `rule` is on
//! [`super::content::RawDecision`]). Checked in `check::standing`.

use serde::Deserialize;

use super::front_matter::FrontDate;

/// `[[festivals]]`: a day on which every standing rule is dissolved.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFestival {
    pub name: String,
    /// Defaults to the date of the minutes.
    #[serde(default)]
    pub date: Option<FrontDate>,
    /// Standing rules the festival's own assembly adopted again on the day.
    #[serde(default)]
    pub readopted: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `[[acts]]`: something done together after the assembly.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAct {
    pub kind: String,
    #[serde(default = "one")]
    pub count: i64,
    #[serde(default)]
    pub note: Option<String>,
}

fn one() -> i64 {
    1
}
