//! The Frictionless Data Package vocabulary shared by every published CSV: a file's
//! descriptor and its columns.

use serde::Serialize;

/// One published CSV, described for the Data Package and the `/data/` page.
#[derive(Debug, Clone, Serialize)]
pub struct DataFile {
    /// Frictionless resource name: lowercase, `-`, `_`, `.`.
    pub name: &'static str,
    /// Relative to `/data/`.
    pub path: &'static str,
    pub title: &'static str,
    pub description: String,
    pub fields: Vec<Field>,
    pub rows: usize,
    pub bytes: usize,
    /// `412 KiB`, for reading.
    pub size: String,
    /// `3,565`, for reading.
    pub rows_shown: String,
}

/// A file size for reading: bytes, KiB or MiB.
pub fn size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// A column of a published CSV.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: &'static str,
    /// Table Schema type: `string`, `date`, `number`, `integer`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: String,
    /// The unit of the values, when the column has one.
    pub unit: Option<String>,
}

pub fn field(name: &'static str, kind: &'static str, description: impl Into<String>) -> Field {
    Field {
        name,
        kind,
        description: description.into(),
        unit: None,
    }
}

impl Field {
    pub fn unit(mut self, unit: impl Into<String>) -> Field {
        self.unit = Some(unit.into());
        self
    }
}
