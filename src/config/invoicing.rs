//! The keys of `tally.toml` that an e-invoice depends on, checked as the file is read:
//! country codes against ISO 3166-1, the IBAN by its length and mod-97 digits, unit
//! codes against UN/ECE Recommendation 20, endpoints as `scheme:id` with a known scheme,
//! the invoice prefix as a safe file name. With an `[invoices]` table the site issues
//! invoices, and then what EN 16931 (or Peppol) requires must be there. Each problem
//! names `tally.toml` and the line of its key (or of its table when the key is missing).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Config, InvoiceConfig, InvoiceProfile, Party, line_column};
use crate::codes;
use crate::error::Diagnostic;
use crate::payment;

/// Where each key of the three tables stands in the file.
#[derive(Deserialize, Default)]
struct Located {
    #[serde(default)]
    network: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    municipality: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    invoices: Option<BTreeMap<String, Spanned<toml::Value>>>,
}

struct Problems<'a> {
    path: &'a Path,
    text: &'a str,
    located: Located,
    found: Vec<Diagnostic>,
}

impl Problems<'_> {
    /// The line of `table.key`, or of the `[table]` header, or the first line.
    fn line(&self, table: &str, key: &str) -> usize {
        let keys = match table {
            "network" => Some(&self.located.network),
            "municipality" => Some(&self.located.municipality),
            _ => self.located.invoices.as_ref(),
        };
        if let Some(value) = keys.and_then(|k| k.get(key)) {
            return line_column(self.text, value.span().start).0;
        }
        let header = format!("[{table}]");
        self.text
            .lines()
            .position(|l| l.trim_start().starts_with(&header))
            .map_or(1, |i| i + 1)
    }

    fn push(&mut self, table: &str, key: &str, message: String) {
        let line = self.line(table, key);
        self.found.push(Diagnostic::at(
            self.path,
            line,
            format!("[{table}] {key}: {message}"),
        ));
    }
}

/// Every problem of the invoicing keys of `config`, read from `text`.
pub fn check(config: &Config, text: &str, path: &Path) -> Vec<Diagnostic> {
    let located: Located = toml::from_str(text).unwrap_or_default();
    let enabled = located.invoices.is_some();
    let mut p = Problems {
        path,
        text,
        located,
        found: Vec::new(),
    };
    let network = &config.network;
    let city = &config.municipality;
    country(&mut p, "network", network.country.as_deref(), enabled);
    country(&mut p, "municipality", city.country.as_deref(), enabled);
    bank_details(&mut p, network);
    for (table, value) in [
        ("network", network.endpoint.as_deref()),
        ("municipality", city.endpoint.as_deref()),
    ] {
        if let Some(endpoint) = value
            && let Err(why) = check_endpoint(endpoint)
        {
            p.push(table, "endpoint", format!("{endpoint:?}: {why}"));
        }
    }
    invoice_keys(&mut p, &config.invoices);
    if enabled {
        required(&mut p, config);
    }
    p.found
}

/// The network's IBAN, BIC and VAT identifier, where given, have their shapes.
fn bank_details(p: &mut Problems<'_>, network: &Party) {
    if let Some(iban) = &network.iban
        && let Err(why) = payment::iban(iban)
    {
        p.push("network", "iban", format!("{iban:?} is not an IBAN: {why}"));
    }
    if let Some(bic) = &network.bic
        && !is_bic(bic)
    {
        p.push(
            "network",
            "bic",
            format!("{bic:?} is not a BIC (8 or 11 letters and digits, like BUKBGB22)"),
        );
    }
    if let Some(vat) = &network.vat_id
        && !is_vat_id(vat)
    {
        p.push(
            "network",
            "vat_id",
            format!(
                "{vat:?} is not a VAT identifier: it starts with its country code, like DE123456789"
            ),
        );
    }
}

/// The invoice prefix names files and fits a payment reference; unit codes are UN/ECE's.
fn invoice_keys(p: &mut Problems<'_>, invoices: &InvoiceConfig) {
    let prefix = &invoices.prefix;
    if !is_prefix(prefix) {
        p.push(
            "invoices",
            "prefix",
            format!(
                "{prefix:?} may hold only letters, digits and dashes (it names the invoice files and URLs)"
            ),
        );
    } else if prefix.bytes().filter(u8::is_ascii_alphanumeric).count() > MAX_PREFIX {
        p.push(
            "invoices",
            "prefix",
            format!(
                "{prefix:?} is too long: at most {MAX_PREFIX} letters and digits, so that the payment reference (ISO 11649) holds the whole invoice number"
            ),
        );
    }
    for (unit, code) in &invoices.unit_codes {
        if !codes::is_unit(code) {
            p.push(
                "invoices",
                "unit_codes",
                format!(
                    "{unit} = {code:?}: {code:?} is not a UN/ECE Recommendation 20 unit code (hours are \"HUR\", kilograms \"KGM\")"
                ),
            );
        }
    }
}

/// What an invoice cannot do without, once the site issues invoices.
fn required(p: &mut Problems<'_>, config: &Config) {
    let network = &config.network;
    let city = &config.municipality;
    if network.registration_id.is_none() && network.vat_id.is_none() {
        p.push(
            "network",
            "registration_id",
            "an invoice names its issuer's legal registration (registration_id) or VAT identifier (vat_id); set one".into(),
        );
    }
    if network.iban.is_none() {
        p.push(
            "network",
            "iban",
            "an invoice says where to pay: set the network's IBAN".into(),
        );
    }
    if config.invoices.profile == InvoiceProfile::Peppol {
        for (table, value) in [
            ("network", &network.endpoint),
            ("municipality", &city.endpoint),
        ] {
            if value.is_none() {
                p.push(
                    table,
                    "endpoint",
                    "profile \"peppol\" needs the electronic address (scheme:id) of both parties"
                        .into(),
                );
            }
        }
        if city.buyer_reference.is_none() {
            p.push(
                "municipality",
                "buyer_reference",
                "profile \"peppol\" needs the city's order or contract reference".into(),
            );
        }
    }
}

fn country(p: &mut Problems<'_>, table: &str, value: Option<&str>, enabled: bool) {
    match value {
        Some(code) if !codes::is_country(code) => {
            let hint = if code == "UK" {
                " (the United Kingdom is \"GB\")"
            } else {
                ""
            };
            p.push(
                table,
                "country",
                format!("{code:?} is not an ISO 3166-1 alpha-2 country code{hint}"),
            );
        }
        None if enabled => p.push(
            table,
            "country",
            "an invoice names the country of both parties: set an ISO 3166-1 alpha-2 code like \"GB\"".into(),
        ),
        _ => {}
    }
}

/// A creditor reference holds 21 letters and digits; the period takes 6 (`2026Q3`).
const MAX_PREFIX: usize = 15;

/// Letters, digits and dashes: safe as a file name and in a URL.
pub fn is_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_bic(bic: &str) -> bool {
    let b = bic.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A country prefix (ISO 3166-1, or `EL` for Greece) and 2 to 13 letters and digits.
fn is_vat_id(vat: &str) -> bool {
    let prefix = vat.get(..2).unwrap_or("");
    let rest = vat.get(2..).unwrap_or("");
    (codes::is_country(prefix) || prefix == "EL")
        && (2..=13).contains(&rest.len())
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// `scheme:id` with a known electronic address scheme; a GLN (`0088`) by its check digit.
pub fn check_endpoint(endpoint: &str) -> Result<(&str, &str), String> {
    let Some((scheme, id)) = endpoint.split_once(':') else {
        return Err("an endpoint is written scheme:id, like \"0088:5012345678900\"".into());
    };
    if !codes::is_address_scheme(scheme) {
        return Err(format!(
            "{scheme:?} is not a known ISO 6523 / electronic address scheme (0088 is GLN, 0192 a Norwegian organisation number, 9930 a German VAT number)"
        ));
    }
    if id.is_empty() || id.len() > 50 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the identifier after the colon is 1 to 50 characters without spaces".into());
    }
    if scheme == "0088" && !is_gln(id) {
        return Err(format!(
            "{id:?} is not a GLN (13 digits, the last a GS1 check digit)"
        ));
    }
    Ok((scheme, id))
}

fn is_gln(id: &str) -> bool {
    let digits: Vec<u32> = id.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 13 || id.len() != 13 {
        return false;
    }
    let sum: u32 = digits[..12]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == digits[12]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        let config = Config::parse(text, Path::new("tally.toml")).expect("parses");
        check(&config, text, Path::new("tally.toml"))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const HEAD: &str = "title = \"x\"\nbase_url = \"https://x.example/\"\n";

    #[test]
    fn a_site_without_an_invoices_table_needs_no_invoicing_keys() {
        assert!(problems(HEAD).is_empty());
    }

    #[test]
    fn prefixes_are_letters_digits_and_dashes() {
        assert!(is_prefix("INV"));
        assert!(is_prefix("RMA-2"));
        for bad in ["", "../../escape", "a/b", "INV_1", "IN V", "x."] {
            assert!(!is_prefix(bad), "{bad}");
        }
        let found = problems(&format!("{HEAD}[invoices]\nprefix = \"../../escape\"\n"));
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("tally.toml:4: [invoices] prefix:")),
            "{found:?}"
        );
    }

    #[test]
    fn glns_and_endpoints_are_checked() {
        assert!(is_gln("5012345678900"));
        assert!(!is_gln("5012345678901"));
        assert!(check_endpoint("0088:5012345678900").is_ok());
        assert!(check_endpoint("9930:DE123456789").is_ok());
        assert!(check_endpoint("0088:5012345678901").is_err());
        assert!(check_endpoint("1234:abc").is_err());
        assert!(check_endpoint("0088").is_err());
        assert!(check_endpoint("0192:").is_err());
    }

    #[test]
    fn vat_ids_and_bics_have_their_shape() {
        assert!(is_vat_id("DE123456789"));
        assert!(is_vat_id("EL123456789"));
        assert!(!is_vat_id("123456789"));
        assert!(!is_vat_id("UK123456789"));
        assert!(is_bic("BUKBGB22"));
        assert!(is_bic("DEUTDEFF500"));
        assert!(!is_bic("BUKB22"));
        assert!(!is_bic("bukbgb22"));
    }
}
