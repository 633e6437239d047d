//! Names of a manual's files: a chapter's URL slug made from any file name (the way a
//! handbook written elsewhere names them), the closest names for a "did you mean", and
//! positions in words ("3rd"). Pure functions of text.

/// The URL slug of a chapter file, given its path inside the version folder.
///
/// Lower case; `_`, spaces, `&` and other punctuation become `-`; accents are folded
/// (`Café` → `cafe`); a leading order number is dropped (`02-wiring.md` → `wiring`);
/// `README.md` and `index.md` are the version's introduction (`introduction`), or,
/// inside a subfolder, take the folder's name.
pub fn chapter_slug(path: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let file = segments.pop().unwrap_or(path);
    let stem = strip_md(file);
    let stem = if is_introduction(stem) {
        match segments.last() {
            Some(folder) => folder,
            None => return INTRODUCTION.to_string(),
        }
    } else {
        stem
    };
    let words = slug_words(stem);
    let digits = words.bytes().take_while(u8::is_ascii_digit).count();
    match words[digits..].strip_prefix('-') {
        Some(rest) if digits > 0 && !rest.is_empty() => rest.to_string(),
        _ => words,
    }
}

/// The slug of a version's `README.md` or `index.md`.
pub const INTRODUCTION: &str = "introduction";

/// `README` and `index` (any case): a folder's introduction.
pub fn is_introduction(stem: &str) -> bool {
    stem.eq_ignore_ascii_case("readme") || stem.eq_ignore_ascii_case("index")
}

fn strip_md(file: &str) -> &str {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".md") {
        &file[..file.len() - 3]
    } else if lower.ends_with(".markdown") {
        &file[..file.len() - 9]
    } else {
        file
    }
}

/// Lower-case ASCII letters and digits, runs of anything else one `-`, accents folded.
pub fn slug_words(text: &str) -> String {
    let mut slug = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = fold(c);
        if folded.is_empty() {
            dash = true;
            continue;
        }
        for f in folded.chars() {
            if f.is_ascii_alphanumeric() {
                if dash && !slug.is_empty() {
                    slug.push('-');
                }
                dash = false;
                slug.push(f);
            } else {
                dash = true;
            }
        }
    }
    slug
}

/// A lower-case character without its accent: `é` → `e`, `ß` → `ss`; empty for a
/// character that is not a letter or digit of the Latin script.
fn fold(c: char) -> &'static str {
    const TABLE: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("æ", "ae"),
        ("çćĉċč", "c"),
        ("ďđð", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"),
        ("ķ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉ", "n"),
        ("òóôõöøōŏő", "o"),
        ("œ", "oe"),
        ("ŕŗř", "r"),
        ("śŝşš", "s"),
        ("ß", "ss"),
        ("ţťŧ", "t"),
        ("þ", "th"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
    ];
    const ASCII: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
    if c.is_ascii_alphanumeric() {
        let i = ASCII.find(c).unwrap_or(0);
        return &ASCII[i..i + 1];
    }
    TABLE
        .iter()
        .find(|(from, _)| from.contains(c))
        .map_or("", |(_, to)| to)
}

/// Edit distance (insertions, deletions, substitutions) between two texts, by character.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Up to three of `names` closest to `wanted` (compared by their slugs, so that
/// `coordination.md` finds `03-coordination.md`), closest first; none when nothing is
/// close.
pub fn closest<'a>(wanted: &str, names: &[&'a str]) -> Vec<&'a str> {
    let want = chapter_slug(wanted);
    let limit = (want.len() / 4).max(1);
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .map(|n| {
            let d = distance(&want, &chapter_slug(n)).min(distance(wanted, n));
            (d, *n)
        })
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// `1` → `1st`, `2` → `2nd`, `11` → `11th`, `23` → `23rd`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_file_name_makes_a_slug() {
        assert_eq!(chapter_slug("purpose_&_vision.md"), "purpose-vision");
        assert_eq!(chapter_slug("README.md"), INTRODUCTION);
        assert_eq!(chapter_slug("index.md"), INTRODUCTION);
        assert_eq!(chapter_slug("roles/README.md"), "roles");
        assert_eq!(chapter_slug("Café Rules.md"), "cafe-rules");
        assert_eq!(chapter_slug("Straße.md"), "strasse");
        assert_eq!(chapter_slug("02-wiring.md"), "wiring");
        assert_eq!(chapter_slug("10_co-op-rules.md"), "co-op-rules");
        assert_eq!(chapter_slug("01.md"), "01");
        assert_eq!(chapter_slug("parts/How We Meet.md"), "how-we-meet");
    }

    #[test]
    fn the_closest_names_are_suggested() {
        let names = ["01-intro.md", "03-coordination.md", "04-money.md"];
        assert_eq!(closest("coordination.md", &names), ["03-coordination.md"]);
        assert_eq!(closest("coordinaton.md", &names), ["03-coordination.md"]);
        assert!(closest("zzzzzzzz.md", &names).is_empty());
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn ordinals_have_their_suffix() {
        let shown: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 103, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            shown,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd",
                "111th"
            ]
        );
    }
}
