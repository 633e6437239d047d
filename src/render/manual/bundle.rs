//! A version's source bundle, `<slug>-<version>.zip`: the version's Markdown (with its
//! `SUMMARY.md`) and the images and other files beside it, a
//! `manual.toml` whose `[forked_from]` points at this version on this site and whose
//! `[[ancestors]]` keep the rest of the lineage, a `LICENSE.md` notice and a `README.md`
//! on how to publish a fork with tally. Unzipped into a site's `content/manuals/`, it
//! builds as is. The bytes depend only on the input: entries sorted, fixed timestamps
//! and permissions.

use std::io::{Cursor, Write};

use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::Urls;
use crate::error::{Error, Result};
use crate::model::manual::{Ancestor, MANUAL_FILE, Manual, Origin, Version, VersionNumber};

/// The bundle of `version`, as (path inside the zip, bytes) pairs in zip order.
pub fn entries(
    manual: &Manual,
    version: &Version,
    urls: &Urls<'_>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let slug = &manual.slug;
    let label = &version.label;
    let mut files = vec![
        (
            format!("{slug}/{MANUAL_FILE}"),
            manual_toml(manual, version, urls)?.into_bytes(),
        ),
        (
            format!("{slug}/LICENSE.md"),
            license(manual, version, urls).into_bytes(),
        ),
        (
            format!("{slug}/README.md"),
            readme(manual, version, urls).into_bytes(),
        ),
    ];
    for chapter in &version.chapters {
        files.push((
            format!("{slug}/{label}/{}", chapter.file_name),
            chapter.body.clone().into_bytes(),
        ));
    }
    if let Some(summary) = &version.summary {
        files.push((
            format!("{slug}/{label}/{}", crate::model::manual::SUMMARY_FILE),
            summary.body.clone().into_bytes(),
        ));
    }
    if let Some(notes) = &version.notes {
        files.push((
            format!("{slug}/{label}/{}", crate::model::manual::CHANGES_FILE),
            notes.body.clone().into_bytes(),
        ));
    }
    for asset in &version.assets {
        files.push((
            format!("{slug}/{label}/{}", asset.path),
            asset.bytes.to_vec(),
        ));
    }
    files.sort();
    Ok(files)
}

/// Zips `entries` with fixed metadata, so that the same input gives the same bytes.
pub fn zip(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, text) in entries {
        writer
            .start_file(path.as_str(), options)
            .map_err(|e| failed(&e))?;
        writer.write_all(text).map_err(|e| failed(&e))?;
    }
    let cursor = writer.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

#[derive(Serialize)]
struct BundleFile<'a> {
    title: &'a str,
    summary: &'a str,
    license: &'a str,
    authors: &'a [String],
    forked_from: BundleOrigin,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ancestors: Vec<BundleOrigin>,
}

#[derive(Serialize)]
struct BundleOrigin {
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
}

/// This version on this site, as a fork's `[forked_from]`.
fn this_version(manual: &Manual, version: &Version, urls: &Urls<'_>) -> Origin {
    Origin {
        title: manual.title.clone(),
        url: Some(urls.absolute(&urls.version(&manual.slug, &version.label))),
        version: Some(version.label.clone()),
    }
}

/// The earlier generations, with this site's manuals as absolute addresses.
fn ancestors(manual: &Manual, urls: &Urls<'_>) -> Vec<Origin> {
    manual
        .lineage
        .chain
        .iter()
        .map(|Ancestor { origin, local }| match local {
            Some(local) => Origin {
                title: origin.title.clone(),
                url: Some(urls.absolute(&match &local.version {
                    Some(v) => urls.version(&local.slug, v),
                    None => urls.manual(&local.slug),
                })),
                version: origin.version.clone().or_else(|| local.version.clone()),
            },
            None => origin.clone(),
        })
        .collect()
}

fn to_bundle(o: Origin) -> BundleOrigin {
    BundleOrigin {
        title: o.title,
        url: o.url,
        version: o.version,
    }
}

fn failed(e: &dyn std::fmt::Display) -> Error {
    Error::Template {
        template: "manual source bundle".into(),
        message: e.to_string(),
    }
}

fn manual_toml(manual: &Manual, version: &Version, urls: &Urls<'_>) -> Result<String> {
    let file = BundleFile {
        title: &manual.title,
        summary: &manual.summary,
        license: &manual.license.expression,
        authors: &manual.authors,
        forked_from: to_bundle(this_version(manual, version, urls)),
        ancestors: ancestors(manual, urls).into_iter().map(to_bundle).collect(),
    };
    let body = toml::to_string(&file).map_err(|e| failed(&e))?;
    Ok(format!(
        "# The source of \"{}\" version {}, from {}.\n\
         # [forked_from] points at that version and [[ancestors]] lists the generations\n\
         # before it, nearest first: keep both so that your fork shows its lineage.\n\
         # Make the title, summary and authors yours.\n\n{body}",
        manual.title.replace('\n', " "),
        version.label,
        urls.absolute(&urls.version(&manual.slug, &version.label)),
    ))
}

fn lineage_lines(manual: &Manual, version: &Version, urls: &Urls<'_>) -> Vec<String> {
    std::iter::once(this_version(manual, version, urls))
        .chain(ancestors(manual, urls))
        .map(|o| {
            let mut line = format!("\"{}\"", o.title);
            if let Some(v) = &o.version {
                line.push_str(&format!(" version {v}"));
            }
            if let Some(u) = &o.url {
                line.push_str(&format!(", <{u}>"));
            }
            line
        })
        .collect()
}

fn license(manual: &Manual, version: &Version, urls: &Urls<'_>) -> String {
    let l = &manual.license;
    let by = if manual.authors.is_empty() {
        String::new()
    } else {
        format!(", by {},", manual.authors.join(", "))
    };
    let mut text = format!(
        "# License\n\n\"{}\" version {}{by} is published under **{}** ({}).\n\n\
         The license: <{}>\n\n## In plain words\n\n{}\n\n## Credit\n\n\
         Where this text comes from, nearest first:\n\n",
        manual.title,
        version.label,
        l.expression,
        l.name(),
        l.url(),
        l.plain_words(),
    );
    for line in lineage_lines(manual, version, urls) {
        text.push_str(&format!("- {line}\n"));
    }
    text.push_str(
        "\nThis notice is not the license itself: the text at the address above is what applies.\n",
    );
    text
}

fn readme(manual: &Manual, version: &Version, urls: &Urls<'_>) -> String {
    let slug = &manual.slug;
    let label = &version.label;
    let next = next_version(label);
    let mut text = format!(
        "# {}: source of version {label}\n\n",
        manual.title.replace('\n', " ")
    );
    if !manual.summary.is_empty() {
        text.push_str(&format!("{}\n\n", manual.summary));
    }
    text.push_str(&format!(
        "This folder is the source of version {label}, downloaded from <{}>.\n\n## Lineage\n\n",
        urls.absolute(&urls.version(slug, label))
    ));
    for (i, line) in lineage_lines(manual, version, urls).into_iter().enumerate() {
        let how = if i == 0 { "this bundle" } else { "forked from" };
        text.push_str(&format!("{}. {how}: {line}\n", i + 1));
    }
    text.push_str(&format!(
        "\n## License\n\n{} See LICENSE.md.\n\n",
        manual.license.plain_words()
    ));
    if manual.license.allows_changes() {
        text.push_str(&format!(
            "## Publish your own version with tally\n\n\
             1. Make a site, if you have none: `tally new my-site`.\n\
             2. Unzip this bundle into `my-site/content/manuals/`: you get `content/manuals/{slug}/`\n   \
             (rename the folder to change the manual's address).\n\
             3. Edit `manual.toml`: your title, summary and authors. Keep `[forked_from]` and\n   \
             `[[ancestors]]`: they are the lineage, and your site shows them.\n\
             4. Change the chapters in `{label}/`, or copy the folder to `{next}/` and change that,\n   \
             with a `CHANGES.md` saying what you changed.\n\
             5. `tally build my-site` and publish `my-site/public/`.\n\n\
             This README and LICENSE.md are not published; tally leaves them alone.\n"
        ));
    } else {
        text.push_str(
            "## Sharing\n\nThis license does not allow publishing a changed version. You may \
             publish it unchanged with tally: unzip this bundle into a site's `content/manuals/` \
             and run `tally build`.\n",
        );
    }
    text
}

/// The version after `label`: `1.1` → `1.2`, `2` → `3`.
fn next_version(label: &str) -> String {
    let Some(number) = VersionNumber::parse(label) else {
        return format!("{label}.1");
    };
    let mut parts: Vec<u64> = number
        .to_string()
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect();
    if let Some(last) = parts.last_mut() {
        *last += 1;
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_version_bumps_the_last_number() {
        assert_eq!(next_version("1.1"), "1.2");
        assert_eq!(next_version("1.9"), "1.10");
        assert_eq!(next_version("2"), "3");
    }

    #[test]
    fn zips_are_byte_identical_for_the_same_entries() {
        let entries = vec![
            ("a/manual.toml".to_string(), b"title = \"x\"\n".to_vec()),
            (
                "a/1.0/01-x.md".to_string(),
                "# X\n".repeat(100).into_bytes(),
            ),
        ];
        let first = zip(&entries).unwrap();
        assert_eq!(first, zip(&entries).unwrap());
        assert_eq!(&first[..4], b"PK\x03\x04");
    }
}
