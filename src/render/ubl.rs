//! An invoice as a UBL 2.1 Invoice document shaped by EN 16931, the European
//! e-invoicing core: what an accounting system at the town hall can read. Text only;
//! no file I/O.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::Decimal;

use super::views::xml_escape;
use crate::config::{InvoiceProfile, Municipality, Party};
use crate::model::invoice::issued::DocumentKind;
use crate::model::invoice::{Invoice, InvoiceLine, unit_code};

/// EN 16931 without extensions.
pub const CUSTOMIZATION_ID: &str = "urn:cen.eu:en16931:2017";

/// Peppol BIS Billing 3.0: EN 16931 with Peppol's rules.
pub const PEPPOL_CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";

/// Peppol's business process for billing.
pub const PEPPOL_PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// UNCL 4461 code 58: SEPA credit transfer.
const SEPA_CREDIT_TRANSFER: &str = "58";

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

/// The UBL document, UTF-8, ending in a newline: an `Invoice` (type 380; a supplementary
/// invoice with a `BillingReference` to the invoice it adds to) or a `CreditNote` (381)
/// whose amounts are what it credits.
pub fn invoice_xml(invoice: &Invoice, site_codes: &BTreeMap<String, String>) -> String {
    let cur = xml_escape(&invoice.currency);
    let credit = invoice.kind == DocumentKind::CreditNote;
    let root = if credit { "CreditNote" } else { "Invoice" };
    // A credit note states what it credits: its (negative) differences turned positive.
    let sign = if credit { -Decimal::ONE } else { Decimal::ONE };
    let mut x = String::with_capacity(4096 + 1024 * invoice.lines.len());
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(
        x,
        concat!(
            "<{root} xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:{root}-2\"\n",
            "         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\"\n",
            "         xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n",
        ),
        root = root
    );
    document_head(&mut x, invoice);
    supplier_party(&mut x, &invoice.issuer);
    customer_party(&mut x, &invoice.addressee);
    if !credit {
        payment_terms(&mut x, invoice);
    }
    totals(&mut x, invoice.total * sign, &cur);
    for (i, line) in invoice.lines.iter().enumerate() {
        let line = Signed { line, sign, credit };
        invoice_line(&mut x, i + 1, &line, &cur, site_codes);
    }
    let _ = writeln!(x, "</{root}>");
    x
}

/// The document's identity: profile, number, dates and type, note, currency, the
/// city's reference, the period invoiced and, for a correction, the invoice corrected.
fn document_head(x: &mut String, invoice: &Invoice) {
    match invoice.profile {
        InvoiceProfile::En16931 => leaf(x, 1, "cbc:CustomizationID", CUSTOMIZATION_ID),
        InvoiceProfile::Peppol => {
            leaf(x, 1, "cbc:CustomizationID", PEPPOL_CUSTOMIZATION_ID);
            leaf(x, 1, "cbc:ProfileID", PEPPOL_PROFILE_ID);
        }
    }
    leaf(x, 1, "cbc:ID", &invoice.number);
    leaf(x, 1, "cbc:IssueDate", &invoice.issue_date.to_string());
    if invoice.kind == DocumentKind::CreditNote {
        leaf(x, 1, "cbc:CreditNoteTypeCode", invoice.kind.type_code());
    } else {
        leaf(x, 1, "cbc:DueDate", &invoice.due_date.to_string());
        leaf(x, 1, "cbc:InvoiceTypeCode", invoice.kind.type_code());
    }
    leaf(x, 1, "cbc:Note", NOTE);
    leaf(x, 1, "cbc:DocumentCurrencyCode", &invoice.currency);
    if let Some(reference) = &invoice.addressee.buyer_reference {
        leaf(x, 1, "cbc:BuyerReference", reference);
    }
    open(x, 1, "cac:InvoicePeriod");
    leaf(x, 2, "cbc:StartDate", &invoice.period.start().to_string());
    leaf(x, 2, "cbc:EndDate", &invoice.period.end().to_string());
    close(x, 1, "cac:InvoicePeriod");
    if let Some(original) = &invoice.references {
        open(x, 1, "cac:BillingReference");
        open(x, 2, "cac:InvoiceDocumentReference");
        leaf(x, 3, "cbc:ID", original);
        close(x, 2, "cac:InvoiceDocumentReference");
        close(x, 1, "cac:BillingReference");
    }
}

/// The network as seller.
fn supplier_party(x: &mut String, issuer: &Party) {
    open(x, 1, "cac:AccountingSupplierParty");
    party(
        x,
        &PartyFields {
            name: &issuer.name,
            address: &issuer.address,
            country: issuer.country.as_deref(),
            endpoint: issuer.endpoint.as_deref(),
            // Tax category O forbids the seller's VAT identifier (BR-O-02): without a
            // registration number, the VAT number identifies the seller (BT-29).
            identifier: issuer
                .vat_id
                .as_deref()
                .filter(|_| issuer.registration_id.is_none()),
            registration: issuer.registration_id.as_deref(),
            contact_name: None,
            email: issuer.email.as_deref(),
        },
    );
    close(x, 1, "cac:AccountingSupplierParty");
}

/// The municipality as buyer, its addressee as contact.
fn customer_party(x: &mut String, city: &Municipality) {
    open(x, 1, "cac:AccountingCustomerParty");
    party(
        x,
        &PartyFields {
            name: &city.name,
            address: &city.address,
            country: city.country.as_deref(),
            endpoint: city.endpoint.as_deref(),
            identifier: None,
            registration: None,
            contact_name: city.addressee.as_deref(),
            email: None,
        },
    );
    close(x, 1, "cac:AccountingCustomerParty");
}

/// What the city pays, how, and by when.
fn payment_terms(x: &mut String, invoice: &Invoice) {
    payment_means(x, invoice);
    open(x, 1, "cac:PaymentTerms");
    leaf(
        x,
        2,
        "cbc:Note",
        &format!(
            "Due within {} days of the issue date, by {}.",
            invoice.payment_terms_days, invoice.due_date
        ),
    );
    close(x, 1, "cac:PaymentTerms");
}

/// No VAT, and the document's total.
fn totals(x: &mut String, total: Decimal, cur: &str) {
    let zero = money(Decimal::ZERO);
    let total = money(total);
    open(x, 1, "cac:TaxTotal");
    amount(x, 2, "cbc:TaxAmount", &zero, cur);
    open(x, 2, "cac:TaxSubtotal");
    amount(x, 3, "cbc:TaxableAmount", &total, cur);
    amount(x, 3, "cbc:TaxAmount", &zero, cur);
    open(x, 3, "cac:TaxCategory");
    tax_category_id(x, 4);
    leaf(x, 4, "cbc:TaxExemptionReason", TAX_EXEMPTION_REASON);
    tax_scheme(x, 4);
    close(x, 3, "cac:TaxCategory");
    close(x, 2, "cac:TaxSubtotal");
    close(x, 1, "cac:TaxTotal");

    open(x, 1, "cac:LegalMonetaryTotal");
    amount(x, 2, "cbc:LineExtensionAmount", &total, cur);
    amount(x, 2, "cbc:TaxExclusiveAmount", &total, cur);
    amount(x, 2, "cbc:TaxInclusiveAmount", &total, cur);
    amount(x, 2, "cbc:PayableAmount", &total, cur);
    close(x, 1, "cac:LegalMonetaryTotal");
}

/// A line as its document states it: a credit note's line with its sign turned.
struct Signed<'a> {
    line: &'a InvoiceLine,
    sign: Decimal,
    credit: bool,
}

fn invoice_line(
    x: &mut String,
    id: usize,
    signed: &Signed<'_>,
    cur: &str,
    site_codes: &BTreeMap<String, String>,
) {
    let line = signed.line;
    let (element, quantity_element) = if signed.credit {
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
    } else {
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    };
    let code = unit_code(&line.unit, site_codes).unwrap_or(MUTUALLY_DEFINED);
    open(x, 1, element);
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
        "    <{quantity_element} unitCode=\"{}\">{}</{quantity_element}>",
        xml_escape(code),
        (line.quantity * signed.sign).normalize()
    );
    amount(
        x,
        2,
        "cbc:LineExtensionAmount",
        &money(line.amount * signed.sign),
        cur,
    );
    open(x, 2, "cac:InvoicePeriod");
    leaf(x, 3, "cbc:StartDate", &line.from.to_string());
    leaf(x, 3, "cbc:EndDate", &line.to.to_string());
    close(x, 2, "cac:InvoicePeriod");
    item(x, line);
    open(x, 2, "cac:Price");
    amount(
        x,
        3,
        "cbc:PriceAmount",
        &line.rate.normalize().to_string(),
        cur,
    );
    close(x, 2, "cac:Price");
    close(x, 1, element);
}

/// A line's item (BT-153): what was provided, at which rate and from which source.
fn item(x: &mut String, line: &InvoiceLine) {
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
}

/// SEPA credit transfer to the network's account, quoting the creditor reference.
fn payment_means(x: &mut String, invoice: &Invoice) {
    open(x, 1, "cac:PaymentMeans");
    indent(x, 2);
    let _ = writeln!(
        x,
        "<cbc:PaymentMeansCode name=\"SEPA credit transfer\">{SEPA_CREDIT_TRANSFER}</cbc:PaymentMeansCode>"
    );
    if !invoice.payment_reference.is_empty() {
        leaf(x, 2, "cbc:PaymentID", &invoice.payment_reference);
    }
    if let Some(iban) = &invoice.issuer.iban {
        open(x, 2, "cac:PayeeFinancialAccount");
        leaf(x, 3, "cbc:ID", &compact(iban));
        leaf(x, 3, "cbc:Name", &invoice.issuer.name);
        if let Some(bic) = &invoice.issuer.bic {
            open(x, 3, "cac:FinancialInstitutionBranch");
            leaf(x, 4, "cbc:ID", bic);
            close(x, 3, "cac:FinancialInstitutionBranch");
        }
        close(x, 2, "cac:PayeeFinancialAccount");
    }
    close(x, 1, "cac:PaymentMeans");
}

/// An IBAN as banks' systems read it: no spaces, upper case.
fn compact(iban: &str) -> String {
    iban.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// What a party shows in the document.
struct PartyFields<'a> {
    name: &'a str,
    address: &'a [String],
    country: Option<&'a str>,
    /// `scheme:id` (checked at load).
    endpoint: Option<&'a str>,
    /// The seller identifier (BT-29).
    identifier: Option<&'a str>,
    /// The legal registration identifier (BT-30).
    registration: Option<&'a str>,
    contact_name: Option<&'a str>,
    email: Option<&'a str>,
}

/// A party: electronic address, name, postal address (first line the street, last line
/// the town, lines between as additional street and address lines), legal name and
/// registration, contact.
fn party(x: &mut String, fields: &PartyFields<'_>) {
    let PartyFields {
        name,
        address,
        country,
        endpoint,
        identifier,
        registration,
        contact_name,
        email,
    } = *fields;
    open(x, 2, "cac:Party");
    if let Some((scheme, id)) = endpoint.and_then(|e| e.split_once(':')) {
        indent(x, 3);
        let _ = writeln!(
            x,
            "<cbc:EndpointID schemeID=\"{}\">{}</cbc:EndpointID>",
            xml_escape(scheme),
            xml_escape(id)
        );
    }
    if let Some(id) = identifier {
        open(x, 3, "cac:PartyIdentification");
        leaf(x, 4, "cbc:ID", id);
        close(x, 3, "cac:PartyIdentification");
    }
    open(x, 3, "cac:PartyName");
    leaf(x, 4, "cbc:Name", name);
    close(x, 3, "cac:PartyName");
    postal_address(x, address, country);
    open(x, 3, "cac:PartyLegalEntity");
    leaf(x, 4, "cbc:RegistrationName", name);
    if let Some(registration) = registration {
        leaf(x, 4, "cbc:CompanyID", registration);
    }
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

/// A party's address: the first line is the street and the last the town; of three or
/// more, the second is an additional street name and any others are address lines.
fn postal_address(x: &mut String, address: &[String], country: Option<&str>) {
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

/// An amount with two decimals, as the schema wants it: `-12345.60`.
fn money(value: Decimal) -> String {
    super::numbers::machine(value, 2)
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
