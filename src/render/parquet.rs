//! `data/weekly.parquet` and `data/ledger.parquet` (cargo feature `parquet`): the same
//! rows and columns as the CSVs beside them, typed from their Data Package fields, so
//! an engine (DuckDB, DataFusion) can query a region's members' files in place. Text
//! stays text (as in the CSV), dates are `DATE`, counts `INT64`, and every number is an
//! exact `DECIMAL(38, s)`, `s` the largest scale in its column: never a float. Written
//! with parquet's own column writers (no Arrow), Snappy-compressed, one row group; the
//! same CSV always gives the same bytes. No file I/O.

use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{
    ByteArray, ByteArrayType, FixedLenByteArray, FixedLenByteArrayType, Int32Type, Int64Type,
};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use rust_decimal::Decimal;

use super::data_package::DataFile;
use crate::error::{Error, Result};

/// One column's values, typed, `None` for an empty cell.
enum Column {
    Text(Vec<Option<ByteArray>>),
    Date(Vec<Option<i32>>),
    Count(Vec<Option<i64>>),
    /// Mantissas at `scale`, as 16-byte big-endian two's complement.
    Number {
        scale: u32,
        values: Vec<Option<FixedLenByteArray>>,
    },
}

/// The Parquet file of the CSV `csv` described by `file` (`data/<name>.parquet`).
pub fn of_csv(file: &DataFile, csv: &[u8]) -> Result<Vec<u8>> {
    let path = format!("data/{}.parquet", file.name);
    let problem = |message: String| Error::Template {
        template: path.clone(),
        message,
    };
    let table = read_columns(file, csv).map_err(&problem)?;
    let columns: Vec<Column> = file
        .fields
        .iter()
        .zip(table)
        .map(|(field, cells)| {
            typed(field.kind, &cells).map_err(|why| format!("{}: {why}", field.name))
        })
        .collect::<std::result::Result<_, _>>()
        .map_err(&problem)?;
    write(file, &columns).map_err(|e| problem(e.to_string()))
}

/// The CSV's cells column by column (the header skipped).
fn read_columns(file: &DataFile, csv: &[u8]) -> std::result::Result<Vec<Vec<String>>, String> {
    let mut reader = csv::Reader::from_reader(csv);
    let mut columns = vec![Vec::new(); file.fields.len()];
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        for (column, cell) in columns.iter_mut().zip(record.iter()) {
            column.push(cell.to_string());
        }
    }
    Ok(columns)
}

fn typed(kind: &str, cells: &[String]) -> std::result::Result<Column, String> {
    fn present(c: &str) -> Option<&str> {
        (!c.is_empty()).then_some(c)
    }
    Ok(match kind {
        "date" => Column::Date(
            cells
                .iter()
                .map(|c| present(c).map(days_since_epoch).transpose())
                .collect::<std::result::Result<_, _>>()?,
        ),
        "integer" => Column::Count(
            cells
                .iter()
                .map(|c| {
                    present(c)
                        .map(|t| t.parse::<i64>().map_err(|e| format!("{t:?}: {e}")))
                        .transpose()
                })
                .collect::<std::result::Result<_, _>>()?,
        ),
        "number" => numbers(cells)?,
        _ => Column::Text(
            cells
                .iter()
                .map(|c| present(c).map(ByteArray::from))
                .collect(),
        ),
    })
}

fn days_since_epoch(text: &str) -> std::result::Result<i32, String> {
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|_| format!("{text:?} is not a date"))?;
    let epoch = jiff::civil::date(1970, 1, 1);
    Ok((date - epoch).get_days())
}

/// Exact decimals at the column's largest scale.
fn numbers(cells: &[String]) -> std::result::Result<Column, String> {
    let parsed: Vec<Option<Decimal>> = cells
        .iter()
        .map(|c| {
            (!c.is_empty())
                .then(|| {
                    c.parse::<Decimal>()
                        .map_err(|_| format!("{c:?} is not a decimal"))
                })
                .transpose()
        })
        .collect::<std::result::Result<_, _>>()?;
    let scale = parsed
        .iter()
        .flatten()
        .map(|d| d.scale())
        .max()
        .unwrap_or(0);
    let values = parsed
        .into_iter()
        .map(|d| {
            d.map(|mut d| {
                d.rescale(scale);
                FixedLenByteArray::from(d.mantissa().to_be_bytes().to_vec())
            })
        })
        .collect();
    Ok(Column::Number { scale, values })
}

fn schema(file: &DataFile, columns: &[Column]) -> String {
    let mut message = format!("message {} {{\n", file.name);
    for (field, column) in file.fields.iter().zip(columns) {
        let kind = match column {
            Column::Text(_) => "BYTE_ARRAY".to_string() + " " + field.name + " (UTF8)",
            Column::Date(_) => format!("INT32 {} (DATE)", field.name),
            Column::Count(_) => format!("INT64 {}", field.name),
            Column::Number { scale, .. } => format!(
                "FIXED_LEN_BYTE_ARRAY (16) {} (DECIMAL(38,{scale}))",
                field.name
            ),
        };
        message.push_str(&format!("  OPTIONAL {kind};\n"));
    }
    message.push('}');
    message
}

fn write(file: &DataFile, columns: &[Column]) -> parquet::errors::Result<Vec<u8>> {
    let schema = Arc::new(parse_message_type(&schema(file, columns))?);
    let properties = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("tally {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, properties)?;
    let mut group = writer.next_row_group()?;
    let mut columns = columns.iter();
    while let Some(mut writer) = group.next_column()? {
        let Some(column) = columns.next() else { break };
        fn split<T: Clone>(values: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
            let levels = values.iter().map(|v| i16::from(v.is_some())).collect();
            (values.iter().flatten().cloned().collect(), levels)
        }
        match column {
            Column::Text(v) => {
                let (values, levels) = split(v);
                writer
                    .typed::<ByteArrayType>()
                    .write_batch(&values, Some(&levels), None)?;
            }
            Column::Date(v) => {
                let (values, levels) = split(v);
                writer
                    .typed::<Int32Type>()
                    .write_batch(&values, Some(&levels), None)?;
            }
            Column::Count(v) => {
                let (values, levels) = split(v);
                writer
                    .typed::<Int64Type>()
                    .write_batch(&values, Some(&levels), None)?;
            }
            Column::Number { values: v, .. } => {
                let (values, levels) = split(v);
                writer.typed::<FixedLenByteArrayType>().write_batch(
                    &values,
                    Some(&levels),
                    None,
                )?;
            }
        }
        writer.close()?;
    }
    group.close()?;
    writer.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::data_package::field;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn a_csv_becomes_typed_exact_columns_read_back_equal() {
        let file = DataFile {
            name: "weekly",
            path: "weekly.csv",
            title: "Weekly",
            description: String::new(),
            fields: vec![
                field("week", "string", ""),
                field("start", "date", ""),
                field("services", "integer", ""),
                field("value", "number", ""),
            ],
            rows: 2,
            bytes: 0,
            size: String::new(),
            rows_shown: String::new(),
        };
        let csv =
            b"week,start,services,value\n2026-W47,2026-11-16,3,12.5\n2026-W48,2026-11-23,,0.125\n";
        let bytes = of_csv(&file, csv).unwrap();
        assert_eq!(
            bytes,
            of_csv(&file, csv).unwrap(),
            "the same CSV, the same bytes"
        );
        let mut copy = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut copy, &bytes).unwrap();
        let reader = SerializedFileReader::new(copy).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr();
        assert_eq!(
            schema.column(3).type_scale(),
            3,
            "the column's largest scale"
        );
        let rows: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap().to_string())
            .collect();
        assert_eq!(rows.len(), 2);
        assert!(
            rows[0].contains("week: \"2026-W47\"") && rows[0].contains("services: 3"),
            "{rows:?}"
        );
        assert!(rows[0].contains("12.500"), "{rows:?}");
        assert!(
            rows[1].contains("services: null") && rows[1].contains("0.125"),
            "{rows:?}"
        );
    }
}
