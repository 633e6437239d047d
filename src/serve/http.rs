//! HTTP for `tally serve`: maps a request target to a file of the in-memory output,
//! strictly. Only paths made of plain segments are looked up: `.` and `..` segments,
//! percent-encoded slashes and backslashes, backslashes, NUL and other control
//! characters, and bad percent-encoding are refused with 400 before any lookup. The
//! output is a map of the built files, so no request can reach a file outside it (no
//! file system path is ever formed from a URL, so no symlink can be followed).

use super::rebuild::Output;

/// Where a request target leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the output, by output path (`minutes/x/index.html`).
    File(String),
    /// A folder asked for without its trailing slash: redirect to this location.
    Redirect(String),
    /// No such file: answer with the site's 404 page.
    NotFound,
    /// A target that is not a plain path; the reason is for the response body.
    BadRequest(&'static str),
}

/// Resolves a request target such as `/minutes/x/?a=b` against `output`.
pub fn resolve(output: &Output, target: &str) -> Resolved {
    let segments = match segments(target) {
        Ok(segments) => segments,
        Err(why) => return Resolved::BadRequest(why),
    };
    let is_folder = segments.last().is_none_or(|s| s.is_empty());
    let joined = segments.join("/");
    if is_folder {
        let path = format!("{joined}index.html");
        return if output.contains(&path) {
            Resolved::File(path)
        } else {
            Resolved::NotFound
        };
    }
    if output.contains(&joined) {
        return Resolved::File(joined);
    }
    if output.contains(&format!("{joined}/index.html")) {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        let path = path.split('#').next().unwrap_or(path);
        return Resolved::Redirect(match query {
            Some(q) => format!("{path}/?{q}"),
            None => format!("{path}/"),
        });
    }
    Resolved::NotFound
}

/// The output paths `target` would be served from, if it were there: what a
/// not-found page waits for.
pub fn wanted(target: &str) -> Vec<String> {
    let Ok(segments) = segments(target) else {
        return Vec::new();
    };
    let joined = segments.join("/");
    if segments.last().is_none_or(|s| s.is_empty()) {
        vec![format!("{joined}index.html")]
    } else {
        vec![format!("{joined}/index.html"), joined]
    }
}

/// The decoded path segments of `target`; a trailing slash gives a last empty segment.
fn segments(target: &str) -> Result<Vec<String>, &'static str> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(path) = path.strip_prefix('/') else {
        return Err("the request target must be a path starting with /");
    };
    let mut segments = Vec::new();
    let raw: Vec<&str> = path.split('/').collect();
    for (i, raw) in raw.iter().enumerate() {
        let segment = decode(raw)?;
        let last = i + 1 == path.split('/').count();
        if segment.is_empty() && !last {
            return Err("empty path segment (//)");
        }
        if segment == "." || segment == ".." {
            return Err("the path holds a . or .. segment");
        }
        segments.push(segment);
    }
    Ok(segments)
}

/// Percent-decodes one segment; refuses encoded `/` and `\`, and control characters.
fn decode(raw: &str) -> Result<String, &'static str> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or("bad percent-encoding")?;
            let hex = std::str::from_utf8(hex).map_err(|_| "bad percent-encoding")?;
            let value = u8::from_str_radix(hex, 16).map_err(|_| "bad percent-encoding")?;
            if value == b'/' {
                return Err("the path holds an encoded slash");
            }
            out.push(value);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    let text = String::from_utf8(out).map_err(|_| "the path is not UTF-8")?;
    if text.contains('\\') {
        return Err("the path holds a backslash");
    }
    if text.chars().any(char::is_control) {
        return Err("the path holds a control character");
    }
    Ok(text)
}

/// The `Content-Type` of an output file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "feed.xml" {
        return "application/atom+xml; charset=utf-8";
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output() -> Output {
        Output::from_files([
            ("index.html", "home"),
            ("minutes/index.html", "list"),
            ("minutes/a b/index.html", "spaced"),
            ("assets/style.css", "css"),
            ("404.html", "missing"),
        ])
    }

    #[test]
    fn folders_serve_their_index() {
        let out = output();
        assert_eq!(resolve(&out, "/"), Resolved::File("index.html".into()));
        assert_eq!(
            resolve(&out, "/minutes/?page=2"),
            Resolved::File("minutes/index.html".into())
        );
        assert_eq!(
            resolve(&out, "/minutes"),
            Resolved::Redirect("/minutes/".into())
        );
        assert_eq!(
            resolve(&out, "/minutes/a%20b/"),
            Resolved::File("minutes/a b/index.html".into())
        );
        assert_eq!(
            resolve(&out, "/assets/style.css#x"),
            Resolved::File("assets/style.css".into())
        );
        assert_eq!(resolve(&out, "/nothing/"), Resolved::NotFound);
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        let out = output();
        for target in [
            "/../etc/passwd",
            "/minutes/../index.html",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/.%2e/x",
            "/minutes%2findex.html",
            "/minutes%5cindex.html",
            "/minutes\\index.html",
            "/index.html%00",
            "/./index.html",
            "//etc/passwd",
            "/%zz",
            "/%c0%ae%c0%ae/",
            "etc/passwd",
            "http://x/../",
        ] {
            assert!(
                matches!(resolve(&out, target), Resolved::BadRequest(_)),
                "{target} → {:?}",
                resolve(&out, target)
            );
        }
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("feed.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("charts/a.SVG"), "image/svg+xml");
        assert_eq!(content_type("data/ledger.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("manifest.json"), "application/json");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
