//! Issuing and freezing invoices. `tally seal`, once it has sealed the weeks, records
//! in `tally.lock` every invoice whose period is now sealed and every correction whose
//! amended weeks are now sealed: number, period, issue date (the site's "as of" date,
//! never the wall clock), total, lines and the SHA-256 of its XML and CSV. A build
//! renders a recorded invoice from its record and checks its files against the digests.

use std::path::Path;

use crate::digest::sha256_hex;
use crate::error::{Diagnostic, Error, Result};
use crate::load::seal::LOCK_FILE;
use crate::model::Site;
use crate::model::invoice::Invoice;
use crate::model::invoice::issued::{DocumentKind, IssuedRecord};
use crate::model::invoice_lifecycle::{amendments_sealed, period_sealed};
use crate::render::{OutputFile, invoice, ubl};

/// Appends to `SITE/tally.lock` the records of the invoices and corrections that are
/// due to be issued; returns them (none when nothing is due).
pub fn issue(site_dir: &Path) -> Result<Vec<IssuedRecord>> {
    let site = crate::prepare(site_dir, None)?;
    let records = due(&site)?;
    if records.is_empty() {
        return Ok(records);
    }
    let lock = site_dir.join(LOCK_FILE);
    let mut bytes = std::fs::read(&lock).map_err(|e| Error::io("read", &lock, e))?;
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    for record in &records {
        bytes.extend_from_slice(record.to_toml().as_bytes());
    }
    let tmp = lock.with_file_name(".tally.lock.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, &lock).map_err(|e| Error::io("replace", &lock, e))?;
    Ok(records)
}

/// The records `tally seal` would append now: invoices not recorded whose period is
/// sealed, and draft corrections whose amended weeks are sealed, issued as of the
/// site's date.
pub fn due(site: &Site) -> Result<Vec<IssuedRecord>> {
    let Some(as_of) = site.as_of else {
        return Ok(Vec::new());
    };
    let mut records = Vec::new();
    for invoice in site.invoices.iter().filter(|i| i.frozen.is_none()) {
        let ready = match invoice.kind {
            DocumentKind::Invoice => period_sealed(&site.seals, invoice.period),
            _ => {
                period_sealed(&site.seals, invoice.period)
                    && amendments_sealed(&site.seals, invoice.period)
            }
        };
        if !ready {
            continue;
        }
        let draft = IssuedRecord::of(invoice, as_of, String::new(), String::new());
        let issued = draft.apply(invoice.clone());
        let (xml, csv) = files(site, &issued)?;
        records.push(IssuedRecord::of(
            invoice,
            as_of,
            sha256_hex(&xml),
            sha256_hex(&csv),
        ));
    }
    Ok(records)
}

/// The UBL XML and CSV of an issued invoice, as a build writes them.
fn files(site: &Site, invoice: &Invoice) -> Result<(Vec<u8>, Vec<u8>)> {
    let xml = ubl::invoice_xml(invoice, &site.config.invoices.unit_codes).into_bytes();
    Ok((xml, invoice::lines_csv(invoice)?))
}

/// Checks the files of every recorded invoice against its record: a CSV that differs
/// means its lines were rewritten (an error naming the lock's line); an XML that differs
/// means the issuer, addressee or invoice settings changed since (a warning: the
/// published XML is no longer the one the city received).
pub fn check_files(site: &Site, files: &[OutputFile]) -> (Vec<Diagnostic>, Vec<String>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for invoice in &site.invoices {
        let Some(frozen) = &invoice.frozen else {
            continue;
        };
        let digest_of = |ext: &str| {
            let path = format!("invoices/{0}/{0}.{ext}", invoice.number);
            files
                .iter()
                .find(|f| f.path == path)
                .map(OutputFile::sha256_hex)
        };
        if let Some(csv) = digest_of("csv")
            && csv != frozen.csv_sha256
        {
            errors.push(Diagnostic::at(
                Path::new(LOCK_FILE),
                frozen.line,
                format!(
                    "invoice {:?}: its lines give a CSV with SHA-256 {csv}, but it was issued with csv_sha256 {}; an issued invoice never changes: restore the entry as `tally seal` wrote it",
                    invoice.number, frozen.csv_sha256
                ),
            ));
        }
        if let Some(xml) = digest_of("xml")
            && xml != frozen.xml_sha256
        {
            warnings.push(format!(
                "invoice {}: its UBL XML now has SHA-256 {xml}, but it was issued with {} (tally.lock line {}): the issuer, addressee or invoice settings changed since it was issued",
                invoice.number, frozen.xml_sha256, frozen.line
            ));
        }
    }
    (errors, warnings)
}
