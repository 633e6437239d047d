//! What changed between two versions of a manual, chapter by chapter: chapters are
//! matched by file name, then by slug (the name without its order number: a new order
//! prefix is not a rename), then by content similarity (a renamed chapter); a chapter
//! out of the order of the others has moved; each changed chapter gets a line diff with
//! word-level emphasis and unchanged runs folded. Deterministic: no diff deadline.

use similar::{ChangeTag, DiffOp, TextDiff};

use super::{Chapter, Version};

/// Unchanged lines shown around each change.
pub const CONTEXT_LINES: usize = 3;

/// Two chapters at least this similar (0..=1, by lines) are one chapter renamed.
pub const RENAME_SIMILARITY: f32 = 0.5;

/// What changed since `from`.
#[derive(Debug, Clone)]
pub struct Changes {
    /// The previous version's label.
    pub from: String,
    pub chapters: Vec<ChapterChange>,
}

impl Changes {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.chapters.iter().filter(|c| c.kind == kind).count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Removed,
    /// A new name (and maybe some edits) for the same chapter, found by its content.
    Renamed,
    Changed,
    /// The same text at another place in the order.
    Moved,
    Unchanged,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Changed => "changed",
            ChangeKind::Moved => "moved",
            ChangeKind::Unchanged => "unchanged",
        }
    }
}

/// A chapter as it was or is: enough to name and link it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterRef {
    pub file_name: String,
    pub slug: String,
    pub title: String,
    /// 1 for the first chapter of its version.
    pub position: usize,
}

impl ChapterRef {
    fn of(c: &Chapter, index: usize) -> ChapterRef {
        ChapterRef {
            file_name: c.file_name.clone(),
            slug: c.slug.clone(),
            title: c.title.clone(),
            position: index + 1,
        }
    }
}

/// One chapter's change.
#[derive(Debug, Clone)]
pub struct ChapterChange {
    pub kind: ChangeKind,
    pub old: Option<ChapterRef>,
    pub new: Option<ChapterRef>,
    /// Set when the chapter left the order of the others (its old and new position).
    pub moved: Option<(usize, usize)>,
    pub inserted: usize,
    pub deleted: usize,
    /// The line diff (empty for added, removed and unchanged chapters).
    pub rows: Vec<DiffRow>,
}

/// A row of a line diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffRow {
    /// A line in both versions (1-based line numbers).
    Same {
        old: usize,
        new: usize,
        text: String,
    },
    Deleted {
        old: usize,
        parts: Vec<Part>,
    },
    Inserted {
        new: usize,
        parts: Vec<Part>,
    },
    /// `count` unchanged lines not shown.
    Folded {
        count: usize,
    },
}

/// A piece of a changed line; `emphasized` marks the words that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub emphasized: bool,
}

/// Compares `new` with the version before it.
pub fn compare(old: &Version, new: &Version) -> Changes {
    let mut old_used = vec![false; old.chapters.len()];
    let mut new_match: Vec<Option<usize>> = vec![None; new.chapters.len()];

    // 1. the same file name; 2. the same slug (a new order prefix, another folder).
    for by_slug in [false, true] {
        for (ni, n) in new.chapters.iter().enumerate() {
            if new_match[ni].is_some() {
                continue;
            }
            let found = old.chapters.iter().enumerate().position(|(oi, o)| {
                !old_used[oi]
                    && if by_slug {
                        o.slug == n.slug
                    } else {
                        o.file_name == n.file_name
                    }
            });
            if let Some(oi) = found {
                old_used[oi] = true;
                new_match[ni] = Some(oi);
            }
        }
    }
    // 3. the most similar remaining pairs: renamed.
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (ni, n) in new.chapters.iter().enumerate() {
        if new_match[ni].is_some() {
            continue;
        }
        for (oi, o) in old.chapters.iter().enumerate() {
            if old_used[oi] {
                continue;
            }
            let ratio = TextDiff::from_lines(&o.body, &n.body).ratio();
            if ratio >= RENAME_SIMILARITY {
                candidates.push((ratio, oi, ni));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, oi, ni) in candidates {
        if !old_used[oi] && new_match[ni].is_none() {
            old_used[oi] = true;
            new_match[ni] = Some(oi);
        }
    }
    let in_order = kept_in_order(&new_match);

    let mut chapters = Vec::new();
    for (ni, n) in new.chapters.iter().enumerate() {
        let o = new_match[ni].and_then(|oi| old.chapters.get(oi).map(|o| (oi, o)));
        let moved = match o {
            Some((oi, _)) if !in_order[ni] => Some((oi + 1, ni + 1)),
            _ => None,
        };
        chapters.push(compare_chapter(o, Some((ni, n)), moved));
    }
    for (oi, o) in old.chapters.iter().enumerate() {
        if !old_used[oi] {
            chapters.push(compare_chapter(Some((oi, o)), None, None));
        }
    }
    Changes {
        from: old.label.clone(),
        chapters,
    }
}

/// For each new chapter, whether it keeps its order among the matched chapters: the
/// longest run of matches whose old positions increase stays put, the others moved.
fn kept_in_order(new_match: &[Option<usize>]) -> Vec<bool> {
    let matched: Vec<(usize, usize)> = new_match
        .iter()
        .enumerate()
        .filter_map(|(ni, oi)| oi.map(|oi| (ni, oi)))
        .collect();
    // Longest increasing subsequence of old positions, O(n²): manuals are small.
    let mut length = vec![1usize; matched.len()];
    let mut before: Vec<Option<usize>> = vec![None; matched.len()];
    for i in 0..matched.len() {
        for j in 0..i {
            if matched[j].1 < matched[i].1 && length[j] + 1 > length[i] {
                length[i] = length[j] + 1;
                before[i] = Some(j);
            }
        }
    }
    let mut kept = vec![true; new_match.len()];
    for (ni, oi) in new_match.iter().enumerate() {
        if oi.is_some() {
            kept[ni] = false;
        }
    }
    let mut cursor = (0..matched.len()).max_by(|&a, &b| length[a].cmp(&length[b]).then(b.cmp(&a)));
    while let Some(i) = cursor {
        kept[matched[i].0] = true;
        cursor = before[i];
    }
    kept
}

fn compare_chapter(
    old: Option<(usize, &Chapter)>,
    new: Option<(usize, &Chapter)>,
    moved: Option<(usize, usize)>,
) -> ChapterChange {
    let (kind, rows, inserted, deleted) = match (old, new) {
        (Some((_, o)), Some((_, n))) => {
            let (rows, inserted, deleted) = line_diff(&o.body, &n.body);
            let kind = if o.slug != n.slug {
                ChangeKind::Renamed
            } else if inserted + deleted > 0 {
                ChangeKind::Changed
            } else if moved.is_some() {
                ChangeKind::Moved
            } else {
                ChangeKind::Unchanged
            };
            (kind, rows, inserted, deleted)
        }
        (None, Some((_, n))) => (ChangeKind::Added, Vec::new(), n.body.lines().count(), 0),
        (Some((_, o)), None) => (ChangeKind::Removed, Vec::new(), 0, o.body.lines().count()),
        (None, None) => (ChangeKind::Unchanged, Vec::new(), 0, 0),
    };
    ChapterChange {
        kind,
        old: old.map(|(i, c)| ChapterRef::of(c, i)),
        new: new.map(|(i, c)| ChapterRef::of(c, i)),
        moved,
        inserted,
        deleted,
        rows,
    }
}

/// A readable line diff of two texts: hunks with [`CONTEXT_LINES`] of context, the
/// unchanged runs between them folded. Returns the rows and the counts of inserted and
/// deleted lines. No rows when the texts are the same.
pub fn line_diff(old: &str, new: &str) -> (Vec<DiffRow>, usize, usize) {
    let diff = TextDiff::from_lines(old, new);
    let groups = diff.grouped_ops(CONTEXT_LINES);
    let mut rows = Vec::new();
    let (mut inserted, mut deleted) = (0, 0);
    let mut shown_until = 0; // old lines before this index are shown or folded
    for group in &groups {
        let Some(first) = group.first() else { continue };
        let start = first.old_range().start;
        if start > shown_until {
            rows.push(DiffRow::Folded {
                count: start - shown_until,
            });
        }
        for op in group {
            push_op(&diff, op, &mut rows, &mut inserted, &mut deleted);
            shown_until = op.old_range().end;
        }
    }
    if !groups.is_empty() && diff.old_len() > shown_until {
        rows.push(DiffRow::Folded {
            count: diff.old_len() - shown_until,
        });
    }
    if inserted + deleted == 0 {
        rows.clear();
    }
    (rows, inserted, deleted)
}

fn push_op(
    diff: &TextDiff<'_, '_, str>,
    op: &DiffOp,
    rows: &mut Vec<DiffRow>,
    inserted: &mut usize,
    deleted: &mut usize,
) {
    // No deadline: the same input always gives the same emphasis.
    for change in diff.iter_inline_changes_deadline(op, None) {
        let parts: Vec<Part> = change
            .iter_strings_lossy()
            .map(|(emphasized, text)| Part {
                text: text.trim_end_matches(['\n', '\r']).to_string(),
                emphasized,
            })
            .filter(|p| !p.text.is_empty())
            .collect();
        match change.tag() {
            ChangeTag::Equal => rows.push(DiffRow::Same {
                old: change.old_index().map_or(0, |i| i + 1),
                new: change.new_index().map_or(0, |i| i + 1),
                text: parts.into_iter().map(|p| p.text).collect(),
            }),
            ChangeTag::Delete => {
                *deleted += 1;
                rows.push(DiffRow::Deleted {
                    old: change.old_index().map_or(0, |i| i + 1),
                    parts,
                });
            }
            ChangeTag::Insert => {
                *inserted += 1;
                rows.push(DiffRow::Inserted {
                    new: change.new_index().map_or(0, |i| i + 1),
                    parts,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manual::VersionNumber;
    use std::path::PathBuf;

    fn chapter(file_name: &str, body: &str) -> Chapter {
        Chapter::new(file_name, file_name, body, file_name.into())
    }

    fn version(label: &str, chapters: Vec<Chapter>) -> Version {
        Version {
            label: label.into(),
            number: VersionNumber::parse(label).unwrap(),
            path: PathBuf::from(label),
            chapters,
            summary: None,
            assets: Vec::new(),
            notes: None,
            changes: None,
        }
    }

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn unchanged_runs_are_folded_around_a_change() {
        let old = numbered(20);
        let new = old.replace("line 10\n", "line ten\n");
        let (rows, inserted, deleted) = line_diff(&old, &new);
        assert_eq!((inserted, deleted), (1, 1));
        assert_eq!(rows.first(), Some(&DiffRow::Folded { count: 6 }));
        assert_eq!(rows.last(), Some(&DiffRow::Folded { count: 7 }));
        assert!(rows.contains(&DiffRow::Deleted {
            old: 10,
            parts: vec![
                Part {
                    text: "line ".into(),
                    emphasized: false
                },
                Part {
                    text: "10".into(),
                    emphasized: true
                }
            ]
        }));
        let same = rows
            .iter()
            .filter(|r| matches!(r, DiffRow::Same { .. }))
            .count();
        assert_eq!(same, 2 * CONTEXT_LINES);
    }

    #[test]
    fn the_same_text_has_no_rows() {
        assert_eq!(line_diff("a\nb\n", "a\nb\n"), (Vec::new(), 0, 0));
    }

    #[test]
    fn chapters_are_matched_by_name_then_similarity() {
        let shared = numbered(30);
        let old = version(
            "1.0",
            vec![
                chapter("01-intro.md", "hello\n"),
                chapter("02-rules.md", &shared),
                chapter("03-gone.md", "something else entirely\n"),
            ],
        );
        let new = version(
            "1.1",
            vec![
                chapter("01-intro.md", "hello\nagain\n"),
                chapter("02-co-op-rules.md", &format!("{shared}one more\n")),
                chapter("03-new.md", "brand new\n"),
            ],
        );
        let changes = compare(&old, &new);
        let kinds: Vec<(ChangeKind, Option<&str>, Option<&str>)> = changes
            .chapters
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.old.as_ref().map(|o| o.file_name.as_str()),
                    c.new.as_ref().map(|n| n.file_name.as_str()),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    ChangeKind::Changed,
                    Some("01-intro.md"),
                    Some("01-intro.md")
                ),
                (
                    ChangeKind::Renamed,
                    Some("02-rules.md"),
                    Some("02-co-op-rules.md")
                ),
                (ChangeKind::Added, None, Some("03-new.md")),
                (ChangeKind::Removed, Some("03-gone.md"), None),
            ]
        );
        assert_eq!(changes.chapters[1].inserted, 1);
    }

    #[test]
    fn a_new_order_prefix_is_not_a_rename() {
        let old = version("1", vec![chapter("wiring.md", "a\n")]);
        let new = version("2", vec![chapter("03-wiring.md", "a\n")]);
        let changes = compare(&old, &new);
        assert_eq!(changes.chapters.len(), 1);
        assert_eq!(changes.chapters[0].kind, ChangeKind::Unchanged);
    }

    #[test]
    fn only_chapters_out_of_order_have_moved() {
        let body = |n: usize| format!("chapter {n}\n");
        let old = version(
            "1",
            (1..=5)
                .map(|n| chapter(&format!("c{n}.md"), &body(n)))
                .collect(),
        );
        // c5 goes to the front; c3 is renamed to c3b with its text kept.
        let order = [
            (5, "c5.md"),
            (1, "c1.md"),
            (2, "c2.md"),
            (3, "c3b.md"),
            (4, "c4.md"),
        ];
        let new = version(
            "2",
            order.iter().map(|(n, f)| chapter(f, &body(*n))).collect(),
        );
        let changes = compare(&old, &new);
        let kinds: Vec<(ChangeKind, Option<(usize, usize)>)> =
            changes.chapters.iter().map(|c| (c.kind, c.moved)).collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::Moved, Some((5, 1))),
                (ChangeKind::Unchanged, None),
                (ChangeKind::Unchanged, None),
                (ChangeKind::Renamed, None),
                (ChangeKind::Unchanged, None),
            ]
        );
        assert_eq!(changes.count(ChangeKind::Renamed), 1);
    }
}
