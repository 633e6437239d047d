//! An invoice as PDF, typeset in-process with typst (feature `pdf`): the invoice's view
//! as JSON, read by a fixed typst template, with typst's embedded fonts. Nothing is read
//! from disk and no clock is consulted, so the same invoice gives the same bytes.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::invoice_view::InvoiceView;

/// The typst template; it reads the invoice from `invoice.json`.
const TEMPLATE: &str = include_str!("invoice.typ");
const MAIN: &str = "/invoice.typ";
const DATA: &str = "/invoice.json";

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// The PDF of one invoice. The document id is derived from the invoice number and
/// there is no creation date, so the bytes depend on the invoice alone.
pub fn invoice_pdf(view: &InvoiceView) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(view).map_err(|e| e.to_string())?;
    let world = InvoiceWorld {
        main: Source::new(file_id(MAIN), TEMPLATE.to_string()),
        data: Bytes::new(json),
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| messages(&errors))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(view.number.clone()),
        creator: Smart::Custom(Some("tally".to_string())),
        timestamp: None,
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| messages(&errors))
}

fn messages(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| unreachable!("a fixed, valid path"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// The template and the invoice's data; nothing else exists.
struct InvoiceWorld {
    main: Source,
    data: Bytes,
}

impl World for InvoiceWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == file_id(DATA) {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    /// No clock: a template asking for today's date gets an error, not the build's date.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
