//! The bytes of an export → text: its encoding (`encoding_rs`), and the hints given
//! when a file is read with the wrong encoding or delimiter. No CSV parsing here.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// The encoding named by a source's `encoding`: any WHATWG label (`utf-8`,
/// `windows-1252`, `iso-8859-1`, `utf-16`…), and `latin-1`.
pub fn encoding(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().to_ascii_lowercase();
    let label = match label.as_str() {
        "latin-1" | "latin_1" => "latin1",
        "utf16" => "utf-16",
        other => other,
    };
    Encoding::for_label(label.as_bytes())
}

/// Decodes a whole file. UTF-8 is strict: the first invalid byte is reported with its
/// line and, when the bytes read as Windows-1252, a hint. Other encodings replace what
/// they cannot decode; a byte-order mark chooses UTF-16LE or BE.
/// UTF-8 text is borrowed, not copied.
pub fn decode<'b>(
    bytes: &'b [u8],
    encoding: &'static Encoding,
) -> Result<Cow<'b, str>, (usize, String)> {
    if encoding == UTF_8 {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        return match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(e) => {
                let valid = e.valid_up_to();
                let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                Err((line, not_utf8(bytes)))
            }
        };
    }
    let (text, _, _) = encoding.decode(bytes);
    Ok(text)
}

/// "not valid UTF-8 text", with the encoding hint when the bytes read as Windows-1252.
pub fn not_utf8(bytes: &[u8]) -> String {
    if reads_as_windows_1252(bytes) {
        format!("not valid UTF-8 text; {ENCODING_HINT}")
    } else {
        "not valid UTF-8 text".to_string()
    }
}

/// The hint for text that is Windows-1252 (or Latin-1), not UTF-8.
pub const ENCODING_HINT: &str = "it reads as Windows-1252 (Latin-1) text: set `encoding = \"windows-1252\"` for its source in a [[ledger.sources]] block";

/// Whether `bytes` decode as Windows-1252 into text without control characters: the
/// bytes a spreadsheet on Windows writes.
pub fn reads_as_windows_1252(bytes: &[u8]) -> bool {
    let (text, errors) = WINDOWS_1252.decode_without_bom_handling(bytes);
    !errors
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The delimiters a header of one field may hold instead of the one it is read with.
const DELIMITERS: [(char, &str); 4] = [(';', ";"), ('\t', "\\t"), ('|', "|"), (',', ",")];

/// When a header read as one field holds another delimiter: "this file looks
/// `;`-separated: set `delimiter = ";"` for its source".
pub fn delimiter_hint(header: &[&str], delimiter: u8) -> Option<String> {
    let [only] = header else { return None };
    DELIMITERS
        .into_iter()
        .filter(|(c, _)| *c as u32 != u32::from(delimiter))
        .max_by_key(|(c, _)| only.matches(*c).count())
        .filter(|(c, _)| only.contains(*c))
        .map(|(_, shown)| {
            format!(
                "this file looks `{shown}`-separated: set `delimiter = \"{shown}\"` for its source"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_1_text_is_reported_with_its_line_and_the_encoding_to_set() {
        let bytes = b"Datum;Betrag\n01.11.2026;M\xfcller\n";
        let (line, message) = decode(bytes, UTF_8).unwrap_err();
        assert_eq!(line, 2);
        assert!(
            message.contains("set `encoding = \"windows-1252\"`"),
            "{message}"
        );
        let text = decode(bytes, encoding("latin-1").unwrap()).unwrap();
        assert!(text.contains("Müller"));
    }

    #[test]
    fn utf_16_with_a_byte_order_mark_is_read() {
        let mut bytes = vec![0xff, 0xfe];
        for u in "a,b\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            decode(&bytes, encoding("utf-16").unwrap()).unwrap(),
            "a,b\n"
        );
    }

    #[test]
    fn a_header_of_one_field_names_the_delimiter_it_holds() {
        let hint = delimiter_hint(&["Buchungstag;Betrag;Waehrung"], b',').unwrap();
        assert_eq!(
            hint,
            "this file looks `;`-separated: set `delimiter = \";\"` for its source"
        );
        assert!(delimiter_hint(&["a\tb"], b',').unwrap().contains("\"\\t\""));
        assert_eq!(delimiter_hint(&["date", "cell"], b','), None);
        assert_eq!(delimiter_hint(&["date"], b','), None);
    }
}
