//! Links relative to the page that holds them, so a copy of the site works from disk
//! (`file://`, a USB stick, an archive) as well as on any host and under any path.
//!
//! Templates and Markdown write site links from the root (`/reports/2026-W47/`); this
//! pass rewrites every `href`, `src` and `action` attribute of a rendered page that
//! starts with the site's root path into a path relative to the page
//! (`../../reports/2026-W47/index.html`). A folder link gains `index.html`, which a
//! browser reading from disk needs and every static host serves. Absolute URLs
//! (`https://…`, `mailto:`), fragments and protocol-relative links are left alone.
//! The not-found page keeps root links: a host serves it at any depth.

/// The attributes whose values are links.
const ATTRIBUTES: [&str; 3] = ["href=\"", "src=\"", "action=\""];

/// `html`, the page at `page` (`reports/2026-W47/index.html`), with every link that
/// starts with `root` (`/` or `/riverside/`) made relative to the page.
pub fn relative_links(page: &str, html: &str, root: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some((at, attribute)) = next_attribute(rest) {
        let value_start = at + attribute.len();
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let Some(end) = rest.find('"') else {
            break;
        };
        let value = &rest[..end];
        match value.strip_prefix(root) {
            Some(target) if !value.starts_with("//") => {
                out.push_str(&relative(page, target));
            }
            _ if is_relative_folder(value) => {
                let split = value.find(['#', '?']).unwrap_or(value.len());
                out.push_str(&value[..split]);
                out.push_str("index.html");
                out.push_str(&value[split..]);
            }
            _ => out.push_str(value),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A link already relative that names a folder (`../methodology/`, `./`): a browser
/// reading from disk needs its `index.html`.
fn is_relative_folder(value: &str) -> bool {
    let path = value.split(['#', '?']).next().unwrap_or("");
    let scheme = path
        .split_once(':')
        .is_some_and(|(before, _)| !before.contains('/'));
    !path.is_empty() && path.ends_with('/') && !path.starts_with('/') && !scheme
}

/// The next link attribute in `html` (preceded by white space, so `data-href` is not
/// one): its offset and its `name="`. One pass over the `="` of the page, so that a
/// page of ten thousand links is read once, not once a link.
fn next_attribute(html: &str) -> Option<(usize, &'static str)> {
    let bytes = html.as_bytes();
    memchr::memmem::find_iter(bytes, b"=\"").find_map(|eq| {
        ATTRIBUTES.iter().find_map(|a| {
            let at = (eq + 2).checked_sub(a.len())?;
            let before = bytes.get(at.checked_sub(1)?)?;
            (bytes.get(at..eq + 2) == Some(a.as_bytes()) && before.is_ascii_whitespace())
                .then_some((at, *a))
        })
    })
}

/// `target` (a path under the root, perhaps with `?query` or `#fragment`) as seen from
/// the page at `page`.
pub fn relative(page: &str, target: &str) -> String {
    let split = target.find(['#', '?']).unwrap_or(target.len());
    let (path, suffix) = target.split_at(split);
    let mut file = path.to_string();
    if file.is_empty() || file.ends_with('/') {
        file.push_str("index.html");
    }
    let from: Vec<&str> = page.split('/').collect();
    let from_dirs = &from[..from.len() - 1];
    let to: Vec<&str> = file.split('/').collect();
    let to_dirs = &to[..to.len() - 1];
    let common = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to[common..].join("/"));
    out.push_str(suffix);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_climb_to_the_root_and_name_the_index_file() {
        assert_eq!(
            relative("reports/2026-W47/index.html", "minutes/x/"),
            "../../minutes/x/index.html"
        );
        assert_eq!(relative("index.html", ""), "index.html");
        assert_eq!(
            relative("index.html", "assets/style.css"),
            "assets/style.css"
        );
        assert_eq!(
            relative("reports/2026-W47/index.html", "reports/2026-W46/"),
            "../2026-W46/index.html"
        );
        assert_eq!(
            relative(
                "manuals/a/1.1/print/index.html",
                "manuals/a/1.1/print/#intro"
            ),
            "index.html#intro"
        );
        assert_eq!(relative("reports/index.html", "?q=x"), "../index.html?q=x");
    }

    #[test]
    fn only_site_links_in_link_attributes_change() {
        let html = r##"<a href="/about/">About</a> <a href="https://x.example/">x</a> <a data-href="/no/">n</a> <img src="/assets/a.png"> <a href="#top">t</a> <a href="//cdn.example/x">c</a> <p>href="/text/"</p>"##;
        assert_eq!(
            relative_links("minutes/m/index.html", html, "/"),
            r##"<a href="../../about/index.html">About</a> <a href="https://x.example/">x</a> <a data-href="/no/">n</a> <img src="../../assets/a.png"> <a href="#top">t</a> <a href="//cdn.example/x">c</a> <p>href="/text/"</p>"##
        );
    }

    #[test]
    fn relative_folder_links_from_content_name_their_index_file() {
        let html = r#"<a href="../methodology/#x">m</a> <a href="https://x.example/a/">x</a> <a href="mailto:a@b/">e</a> <a href="notes.txt">n</a>"#;
        assert_eq!(
            relative_links("about/index.html", html, "/"),
            r#"<a href="../methodology/index.html#x">m</a> <a href="https://x.example/a/">x</a> <a href="mailto:a@b/">e</a> <a href="notes.txt">n</a>"#
        );
    }

    #[test]
    fn a_site_under_a_path_rewrites_only_links_under_it() {
        let html = r#"<a href="/riverside/data/">d</a> <a href="/other/">o</a>"#;
        assert_eq!(
            relative_links("data/index.html", html, "/riverside/"),
            r#"<a href="index.html">d</a> <a href="/other/">o</a>"#
        );
    }

    #[test]
    fn a_page_of_many_links_is_read_once() {
        // 40,000 links without any `action=`: searching each attribute again from every
        // link took minutes here; one pass takes milliseconds even unoptimised.
        let link = r#"<li><a href="/minutes/2000-01-01-north-ward/">North</a> <img alt="" src="x.png"></li>"#;
        let html = link.repeat(40_000);
        let started = std::time::Instant::now();
        let out = relative_links("minutes/index.html", &html, "/");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            out.matches(r#"href="2000-01-01-north-ward/index.html""#)
                .count(),
            40_000
        );
        assert_eq!(out.matches(r#"src="x.png""#).count(), 40_000);
    }
}
