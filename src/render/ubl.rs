//! An invoice as a UBL 2.1 Invoice document shaped by EN 16931, the European
//! e-invoicing core: what an accounting system at the town hall can read. Text only;
//! no file I/O.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::Decimal;

use super::views::xml_escape;
use crate::model::invoice::{Invoice, InvoiceLine, unit_code};

/// EN 16931 without extensions.
pub const CUSTOMIZATION_ID: &str = "urn:cen.eu:en16931:2017";

/// The note every document carries: what it is, and what it is not.
pub const NOTE: &str = "Statement of services rendered to residents by the network's cells, \
valued at replacement cost. Every line is traced to commons receipts in the network's \
published ledger.";

/// Why no VAT is charged.
pub const TAX_EXEMPTION_REASON: &str =
    "Not subject to VAT: a statement of services rendered to residents, not a supply to the buyer";

/// UN/ECE Recommendation 20 code for "mutually defined", used only for a unit that
/// neither the built-in table nor `[invoices] unit_codes` names (the check prevents it).
const MUTUALLY_DEFINED: &str = "ZZ";

/// The UBL document, UTF-8, ending in a newline.
pub fn invoice_xml(invoice: &Invoice, site_codes: &BTreeMap<String, String>) -> String {
    let cur = xml_escape(&invoice.currency);
    let mut x = String::with_capacity(4096 + 1024 * invoice.lines.len());
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(concat!(
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"\n",
        "         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\"\n",
        "         xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n",
    ));
    leaf(&mut x, 1, "cbc:CustomizationID", CUSTOMIZATION_ID);
    leaf(&mut x, 1, "cbc:ID", &invoice.number);
    leaf(&mut x, 1, "cbc:IssueDate", &invoice.issue_date.to_string());
    leaf(&mut x, 1, "cbc:DueDate", &invoice.due_date.to_string());
    leaf(&mut x, 1, "cbc:InvoiceTypeCode", "380");
    leaf(&mut x, 1, "cbc:Note", NOTE);
    leaf(&mut x, 1, "cbc:DocumentCurrencyCode", &invoice.currency);
    leaf(&mut x, 1, "cbc:BuyerReference", &invoice.number);
    open(&mut x, 1, "cac:InvoicePeriod");
    leaf(
        &mut x,
        2,
        "cbc:StartDate",
        &invoice.period.start().to_string(),
    );
    leaf(&mut x, 2, "cbc:EndDate", &invoice.period.end().to_string());
    close(&mut x, 1, "cac:InvoicePeriod");

    open(&mut x, 1, "cac:AccountingSupplierParty");
    party(
        &mut x,
        &invoice.issuer.name,
        &invoice.issuer.address,
        invoice.issuer.country.as_deref(),
        None,
        invoice.issuer.email.as_deref(),
    );
    close(&mut x, 1, "cac:AccountingSupplierParty");
    open(&mut x, 1, "cac:AccountingCustomerParty");
    party(
        &mut x,
        &invoice.addressee.name,
        &invoice.addressee.address,
        invoice.addressee.country.as_deref(),
        invoice.addressee.addressee.as_deref(),
        None,
    );
    close(&mut x, 1, "cac:AccountingCustomerParty");

    open(&mut x, 1, "cac:PaymentTerms");
    leaf(
        &mut x,
        2,
        "cbc:Note",
        &format!(
            "Due within {} days of the issue date, by {}.",
            invoice.payment_terms_days, invoice.due_date
        ),
    );
    close(&mut x, 1, "cac:PaymentTerms");

    let zero = money(Decimal::ZERO);
    let total = money(invoice.total);
    open(&mut x, 1, "cac:TaxTotal");
    amount(&mut x, 2, "cbc:TaxAmount", &zero, &cur);
    open(&mut x, 2, "cac:TaxSubtotal");
    amount(&mut x, 3, "cbc:TaxableAmount", &total, &cur);
    amount(&mut x, 3, "cbc:TaxAmount", &zero, &cur);
    open(&mut x, 3, "cac:TaxCategory");
    tax_category_id(&mut x, 4);
    leaf(&mut x, 4, "cbc:TaxExemptionReason", TAX_EXEMPTION_REASON);
    tax_scheme(&mut x, 4);
    close(&mut x, 3, "cac:TaxCategory");
    close(&mut x, 2, "cac:TaxSubtotal");
    close(&mut x, 1, "cac:TaxTotal");

    open(&mut x, 1, "cac:LegalMonetaryTotal");
    amount(&mut x, 2, "cbc:LineExtensionAmount", &total, &cur);
    amount(&mut x, 2, "cbc:TaxExclusiveAmount", &total, &cur);
    amount(&mut x, 2, "cbc:TaxInclusiveAmount", &total, &cur);
    amount(&mut x, 2, "cbc:PayableAmount", &total, &cur);
    close(&mut x, 1, "cac:LegalMonetaryTotal");

    for (i, line) in invoice.lines.iter().enumerate() {
        invoice_line(&mut x, i + 1, line, &cur, site_codes);
    }
    x.push_str("</Invoice>\n");
    x
}

fn invoice_line(
    x: &mut String,
    id: usize,
    line: &InvoiceLine,
    cur: &str,
    site_codes: &BTreeMap<String, String>,
) {
    let code = unit_code(&line.unit, site_codes).unwrap_or(MUTUALLY_DEFINED);
    open(x, 1, "cac:InvoiceLine");
    leaf(x, 2, "cbc:ID", &id.to_string());
    leaf(
        x,
        2,
        "cbc:Note",
        &format!(
            "{} commons receipt{}",
            line.receipts,
            if line.receipts == 1 { "" } else { "s" }
        ),
    );
    let _ = writeln!(
        x,
        "    <cbc:InvoicedQuantity unitCode=\"{}\">{}</cbc:InvoicedQuantity>",
        xml_escape(code),
        line.quantity.normalize()
    );
    amount(x, 2, "cbc:LineExtensionAmount", &money(line.amount), cur);
    open(x, 2, "cac:InvoicePeriod");
    leaf(x, 3, "cbc:StartDate", &line.from.to_string());
    leaf(x, 3, "cbc:EndDate", &line.to.to_string());
    close(x, 2, "cac:InvoicePeriod");
    open(x, 2, "cac:Item");
    leaf(
        x,
        3,
        "cbc:Description",
        &format!(
            "{} {} of {} at replacement cost ({})",
            line.quantity.normalize(),
            line.unit,
            line.category,
            line.rate_source
        ),
    );
    leaf(x, 3, "cbc:Name", &line.category);
    open(x, 3, "cac:ClassifiedTaxCategory");
    tax_category_id(x, 4);
    tax_scheme(x, 4);
    close(x, 3, "cac:ClassifiedTaxCategory");
    close(x, 2, "cac:Item");
    open(x, 2, "cac:Price");
    amount(
        x,
        3,
        "cbc:PriceAmount",
        &line.rate.normalize().to_string(),
        cur,
    );
    close(x, 2, "cac:Price");
    close(x, 1, "cac:InvoiceLine");
}

/// A party: name, postal address (first line the street, last line the town, lines
/// between as additional street and address lines), legal name, contact.
fn party(
    x: &mut String,
    name: &str,
    address: &[String],
    country: Option<&str>,
    contact_name: Option<&str>,
    email: Option<&str>,
) {
    open(x, 2, "cac:Party");
    open(x, 3, "cac:PartyName");
    leaf(x, 4, "cbc:Name", name);
    close(x, 3, "cac:PartyName");
    open(x, 3, "cac:PostalAddress");
    match address {
        [] => {}
        [town] => leaf(x, 4, "cbc:CityName", town),
        [street, town] => {
            leaf(x, 4, "cbc:StreetName", street);
            leaf(x, 4, "cbc:CityName", town);
        }
        [street, additional, middle @ .., town] => {
            leaf(x, 4, "cbc:StreetName", street);
            leaf(x, 4, "cbc:AdditionalStreetName", additional);
            leaf(x, 4, "cbc:CityName", town);
            for line in middle {
                open(x, 4, "cac:AddressLine");
                leaf(x, 5, "cbc:Line", line);
                close(x, 4, "cac:AddressLine");
            }
        }
    }
    if let Some(country) = country {
        open(x, 4, "cac:Country");
        leaf(x, 5, "cbc:IdentificationCode", country);
        close(x, 4, "cac:Country");
    }
    close(x, 3, "cac:PostalAddress");
    open(x, 3, "cac:PartyLegalEntity");
    leaf(x, 4, "cbc:RegistrationName", name);
    close(x, 3, "cac:PartyLegalEntity");
    if contact_name.is_some() || email.is_some() {
        open(x, 3, "cac:Contact");
        if let Some(contact) = contact_name {
            leaf(x, 4, "cbc:Name", contact);
        }
        if let Some(email) = email {
            leaf(x, 4, "cbc:ElectronicMail", email);
        }
        close(x, 3, "cac:Contact");
    }
    close(x, 2, "cac:Party");
}

/// Tax category `O`: services outside the scope of tax.
fn tax_category_id(x: &mut String, depth: usize) {
    leaf(x, depth, "cbc:ID", "O");
}

fn tax_scheme(x: &mut String, depth: usize) {
    open(x, depth, "cac:TaxScheme");
    leaf(x, depth + 1, "cbc:ID", "VAT");
    close(x, depth, "cac:TaxScheme");
}

/// An amount with two decimals.
fn money(value: Decimal) -> String {
    let mut v = value;
    v.rescale(2);
    v.to_string()
}

fn indent(x: &mut String, depth: usize) {
    for _ in 0..depth {
        x.push_str("  ");
    }
}

fn open(x: &mut String, depth: usize, tag: &str) {
    indent(x, depth);
    let _ = writeln!(x, "<{tag}>");
}

fn close(x: &mut String, depth: usize, tag: &str) {
    indent(x, depth);
    let _ = writeln!(x, "</{tag}>");
}

fn leaf(x: &mut String, depth: usize, tag: &str, text: &str) {
    indent(x, depth);
    let _ = writeln!(x, "<{tag}>{}</{tag}>", xml_escape(text));
}

fn amount(x: &mut String, depth: usize, tag: &str, value: &str, currency: &str) {
    indent(x, depth);
    let _ = writeln!(x, "<{tag} currencyID=\"{currency}\">{value}</{tag}>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_two_decimals() {
        assert_eq!(money(Decimal::new(5, 0)), "5.00");
        assert_eq!(money(Decimal::new(1234, 2)), "12.34");
    }
}
