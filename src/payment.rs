//! How a city pays an invoice: IBANs checked by their country's length and the mod-97
//! check (ISO 13616), and structured creditor references (ISO 11649, `RF` + two check
//! digits) derived from an invoice number. Pure functions; no I/O, no formatting beyond
//! the groups of four that banks print.

/// The length of an IBAN in each country that issues them (the SWIFT IBAN registry).
#[rustfmt::skip]
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16),
    ("BG", 22), ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22),
    ("CY", 28), ("CZ", 24), ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20),
    ("EG", 29), ("ES", 24), ("FI", 18), ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22),
    ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HN", 28), ("HR", 21),
    ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30),
    ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20), ("LU", 20),
    ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
    ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23),
    ("PK", 24), ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22),
    ("RU", 33), ("SA", 24), ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24),
    ("SM", 27), ("SO", 23), ("ST", 25), ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26),
    ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20), ("YE", 30),
];

/// An IBAN without spaces, upper case (`GB33BUKB20201555555555`), or why it is not one.
pub fn iban(text: &str) -> Result<String, String> {
    let iban: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !iban.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("an IBAN has only letters and digits".into());
    }
    let country = iban.get(..2).unwrap_or("");
    let Some(&(_, length)) = IBAN_LENGTHS.iter().find(|(c, _)| *c == country) else {
        return Err(format!(
            "{country:?} is not a country that issues IBANs (an IBAN starts with one, like GB or DE)"
        ));
    };
    if iban.len() != length {
        return Err(format!(
            "an IBAN of {country} has {length} characters, this one {}",
            iban.len()
        ));
    }
    if !iban[2..4].bytes().all(|b| b.is_ascii_digit()) {
        return Err("the third and fourth characters of an IBAN are its check digits".into());
    }
    let (head, tail) = iban.split_at(4);
    if mod97(&format!("{tail}{head}")) != Some(1) {
        return Err("its check digits are wrong (mod 97): a character is mistyped".into());
    }
    Ok(iban)
}

/// The ISO 11649 creditor reference of `reference` (its letters and digits; other
/// characters such as dashes are dropped): `RF` + two check digits + the reference, at
/// most 25 characters. `None` when nothing is left or it is too long.
pub fn creditor_reference(reference: &str) -> Option<String> {
    let body: String = reference
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if body.is_empty() || body.len() > 21 {
        return None;
    }
    let check = 98 - mod97(&format!("{body}RF00"))?;
    Some(format!("RF{check:02}{body}"))
}

/// Whether `text` (spaces allowed) is a valid ISO 11649 creditor reference.
pub fn is_creditor_reference(text: &str) -> bool {
    let r: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    r.len() >= 5
        && r.len() <= 25
        && r.starts_with("RF")
        && r.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && mod97(&format!("{}{}", &r[4..], &r[..4])) == Some(1)
}

/// `RF45 G72U UR`, `GB33 BUKB 2020 1555 5555 55`: groups of four, as printed.
pub fn grouped(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The remainder mod 97 of the number spelled by `text`, letters counting A = 10 …
/// Z = 35; `None` for any other character.
fn mod97(text: &str) -> Option<u32> {
    let mut remainder = 0u32;
    for c in text.chars() {
        let value = c.to_digit(36)?;
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    Some(remainder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creditor_references_match_the_iso_11649_examples() {
        assert_eq!(
            creditor_reference("539007547034").as_deref(),
            Some("RF18539007547034")
        );
        assert_eq!(
            creditor_reference("0000 0000 0539 0075 4703 4").as_deref(),
            Some("RF18000000000539007547034")
        );
        assert_eq!(creditor_reference("G72UUR").as_deref(), Some("RF45G72UUR"));
        assert_eq!(creditor_reference("18K5").as_deref(), Some("RF6518K5"));
        assert_eq!(grouped("RF18539007547034"), "RF18 5390 0754 7034");
    }

    #[test]
    fn an_invoice_number_gives_a_reference_that_checks() {
        let r = creditor_reference("INV-2026-Q3").expect("a reference");
        assert!(r.starts_with("RF") && r.ends_with("INV2026Q3"), "{r}");
        assert!(is_creditor_reference(&r));
        assert!(is_creditor_reference(&grouped(&r)));
        assert!(!is_creditor_reference(&r.replace("Q3", "Q4")));
        assert!(!is_creditor_reference("RF19539007547034"));
        assert_eq!(creditor_reference("---"), None);
        assert_eq!(creditor_reference(&"9".repeat(22)), None);
    }

    #[test]
    fn ibans_are_checked_by_length_and_mod_97() {
        assert_eq!(
            iban("GB33 BUKB 2020 1555 5555 55").as_deref(),
            Ok("GB33BUKB20201555555555")
        );
        assert_eq!(
            iban("de89370400440532013000").as_deref(),
            Ok("DE89370400440532013000")
        );
        assert!(
            iban("GB34BUKB20201555555555")
                .unwrap_err()
                .contains("mod 97")
        );
        assert!(
            iban("GB33BUKB2020155555555")
                .unwrap_err()
                .contains("22 characters")
        );
        assert!(
            iban("UK33BUKB20201555555555")
                .unwrap_err()
                .contains("\"UK\"")
        );
        assert!(iban("GB33-BUKB").is_err());
        assert!(iban("").is_err());
    }
}
