//! The code lists an e-invoice is checked against, shipped in the repository as data
//! (`src/codes/*.txt`, taken from the EN 16931 validation artefacts): ISO 3166-1
//! alpha-2 countries, UN/ECE Recommendation 20 units and the electronic address schemes
//! (ISO 6523 ICD and the EAS extensions). Lookups only; no I/O.

const COUNTRIES: &str = include_str!("codes/iso-3166-1-alpha-2.txt");
const UNITS: &str = include_str!("codes/unece-rec20.txt");
const ADDRESS_SCHEMES: &str = include_str!("codes/eas.txt");

fn listed(list: &str, code: &str) -> bool {
    !code.is_empty()
        && list
            .lines()
            .filter(|l| !l.starts_with('#'))
            .any(|l| l == code)
}

/// Whether `code` is an ISO 3166-1 alpha-2 country code (`GB`, `DE`; not `UK`).
pub fn is_country(code: &str) -> bool {
    listed(COUNTRIES, code)
}

/// Whether `code` is a UN/ECE Recommendation 20 unit code (`HUR`, `KGM`; not `HOURS`).
pub fn is_unit(code: &str) -> bool {
    listed(UNITS, code)
}

/// Whether `scheme` is an electronic address scheme (`0088` for GLN, `0192`, `9930`).
pub fn is_address_scheme(scheme: &str) -> bool {
    listed(ADDRESS_SCHEMES, scheme)
}

/// A likely UN/ECE Recommendation 20 code for a unit word a ledger uses, with what
/// the code means: counts of things (`meals`, `visits`, `repairs`) are `C62` ("one"),
/// packages by their kind (`bag` → `XBG`), measures by their measure. `None` when the
/// word says nothing certain; no package code is guessed for a count.
pub fn suggest_unit(unit: &str) -> Option<(&'static str, &'static str)> {
    let word = unit.trim().to_lowercase();
    let singular = word.strip_suffix('s').unwrap_or(&word);
    let found = match singular {
        "bag" | "sack" => ("XBG", "bag"),
        "box" | "boxe" | "crate" => ("XBX", "box"),
        "pallet" => ("XPX", "pallet"),
        "hour" | "hr" => ("HUR", "hour"),
        "day" => ("DAY", "day"),
        "week" | "wk" => ("WEE", "week"),
        "month" => ("MON", "month"),
        "kilogram" | "kilo" => ("KGM", "kilogram"),
        "gram" | "g" => ("GRM", "gram"),
        "litre" | "liter" => ("LTR", "litre"),
        "kilometre" | "kilometer" => ("KMT", "kilometre"),
        "mwh" => ("MWH", "megawatt hour"),
        "m2" | "sqm" | "square-metre" => ("MTK", "square metre"),
        "m3" | "cubic-metre" => ("MTQ", "cubic metre"),
        "pair" => ("PR", "pair"),
        "dozen" => ("DZN", "dozen"),
        "piece" | "pc" | "pce" | "item" | "unit" | "meal" | "portion" | "serving" | "visit"
        | "repair" | "ride" | "trip" | "session" | "lesson" | "night" | "parcel" | "person"
        | "household" | "loaf" | "loave" => ("C62", "one: a count of things"),
        _ => return None,
    };
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_hold_the_real_codes_and_not_the_lookalikes() {
        for country in ["GB", "DE", "FR", "IE", "NL", "XI"] {
            assert!(is_country(country), "{country}");
        }
        for bad in ["UK", "gb", "", "G", "GBR", "#"] {
            assert!(!is_country(bad), "{bad}");
        }
        for unit in ["HUR", "KGM", "KWH", "LTR", "KMT", "XBG", "C62", "H87"] {
            assert!(is_unit(unit), "{unit}");
        }
        for bad in ["HOURS", "kg", "", "h"] {
            assert!(!is_unit(bad), "{bad}");
        }
        for scheme in ["0088", "0192", "9930", "0208"] {
            assert!(is_address_scheme(scheme), "{scheme}");
        }
        for bad in ["0000", "88", "GLN", ""] {
            assert!(!is_address_scheme(bad), "{bad}");
        }
    }

    #[test]
    fn counts_suggest_one_and_packages_their_own_code() {
        for count in ["meals", "meal", "Portions", "visits", "repairs", "pcs"] {
            assert_eq!(suggest_unit(count).map(|s| s.0), Some("C62"), "{count}");
        }
        assert_eq!(suggest_unit("bags").map(|s| s.0), Some("XBG"));
        assert_eq!(suggest_unit("boxes").map(|s| s.0), Some("XBX"));
        assert_eq!(suggest_unit("widgets"), None);
        for word in [
            "bag", "box", "hours", "days", "m3", "pairs", "dozen", "meals",
        ] {
            let code = suggest_unit(word).map(|s| s.0).unwrap_or_default();
            assert!(is_unit(code), "{word} → {code}");
        }
    }
}
