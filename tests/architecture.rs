//! The import rule, read from the code's own paths: the stages import one way (the
//! README's "Architecture" section), and no two files import each other, directly or
//! round a loop. Test modules (`#[cfg(test)] mod …`) and comments are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each layer may import. `model` is the vocabulary every stage speaks; the leaves
/// below it import nothing of the crate but other leaves (`beacon`: drand rounds,
/// `signing`: minisign keys). A top-level module not named here is a command (`lib`,
/// `main`, `cli`, `serve`, `draw`, `unsteerable`, `seal`, `verify`, `new`, `release`, `status`, `amend`, `federation`): it may import
/// anything, and nothing named here may import it.
const RULES: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("digest", &[]),
    ("timings", &[]),
    ("slug", &[]),
    ("beacon", &["digest"]),
    ("signing", &["error"]),
    ("codes", &[]),
    ("paths", &[]),
    ("payment", &["codes"]),
    ("config", &["error", "signing", "codes", "payment", "paths"]),
    (
        "model",
        &[
            "error", "digest", "slug", "beacon", "signing", "codes", "payment", "paths", "config",
        ],
    ),
    (
        "load",
        &[
            "error", "digest", "slug", "beacon", "signing", "codes", "payment", "paths", "config",
            "model",
        ],
    ),
    (
        "check",
        &[
            "error", "digest", "slug", "beacon", "signing", "codes", "payment", "paths", "config",
            "model", "load",
        ],
    ),
    (
        "render",
        &[
            "error", "digest", "slug", "beacon", "signing", "codes", "payment", "paths", "config",
            "model",
        ],
    ),
    (
        "manifest",
        &[
            "error", "digest", "slug", "beacon", "signing", "codes", "payment", "paths", "config",
            "model", "load", "render",
        ],
    ),
    (
        "output",
        &["error", "digest", "paths", "render", "manifest"],
    ),
];

const COMMANDS: &[&str] = &[
    "lib",
    "main",
    "cli",
    "serve",
    "draw",
    "append",
    "unsteerable",
    "seal",
    "issue",
    "verify",
    "new",
    "release",
    "manual_import",
    "import",
    "status",
    "amend",
    "federation",
];

/// Module path (`["render", "charts"]`) → the file's text without tests and comments.
fn sources() -> BTreeMap<Vec<String>, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&src).unwrap().with_extension("");
                let mut module: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|m| m == "mod") {
                    module.pop();
                }
                if module == ["lib"] {
                    module.clear();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                found.insert(module, without_tests_and_comments(&text));
            }
        }
    }
    found
}

/// Drops whole-line comments and every `#[cfg(test)]` module (a test may import freely).
fn without_tests_and_comments(text: &str) -> String {
    let mut kept = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod ") && next.ends_with('{'))
        {
            let opening = lines.next().unwrap_or_default();
            let indent = &opening[..opening.len() - opening.trim_start().len()];
            let closing = format!("{indent}}}");
            for inner in lines.by_ref() {
                if inner == closing {
                    break;
                }
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// `a::{b, c::{d, e}}` → `[a, b]`, `[a, c, d]`, `[a, c, e]`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    expand_into(&[], &tree, &mut out);
    out
}

fn expand_into(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let mut depth = 0;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, ch) in tree.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&tree[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&tree[start..]);
    for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
        if let Some(open) = item.find('{').filter(|_| item.ends_with('}')) {
            let mut path = prefix.to_vec();
            path.extend(segments(&item[..open]));
            expand_into(&path, &item[open + 1..item.len() - 1], out);
        } else {
            let name = item.split(" as ").next().unwrap_or(item);
            let mut path = prefix.to_vec();
            path.extend(segments(name));
            out.push(path);
        }
    }
}

/// Whether a `use ` found after `before` begins a `use` item (at the start of a line,
/// perhaps after `pub`), not a word inside a string or a comment.
fn starts_a_use_item(before: &str) -> bool {
    let line = before.rsplit('\n').next().unwrap_or(before).trim();
    line.is_empty() || line == "pub" || (line.starts_with("pub(") && line.ends_with(')'))
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The paths a file names: its `use` trees and the `crate::…`/`super::…` paths in its
/// code, made absolute.
fn named_paths(module: &[String], text: &str, modules: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let absolute = |segs: Vec<String>| -> Option<Vec<String>> {
        let first = segs.first()?.as_str();
        match first {
            "crate" => Some(segs[1..].to_vec()),
            "self" => Some([module, &segs[1..]].concat()),
            "super" => {
                let ups = segs.iter().take_while(|s| *s == "super").count();
                let base = module.get(..module.len().checked_sub(ups)?)?;
                Some([base, &segs[ups..]].concat())
            }
            _ => {
                let child = [module, &segs[..1]].concat();
                modules
                    .contains(&child)
                    .then(|| [module, &segs[..]].concat())
            }
        }
    };
    let mut rest = text;
    while let Some(at) = find_word(rest, "use ") {
        let after = &rest[at + 4..];
        let Some(end) = after.find(';') else { break };
        if starts_a_use_item(&rest[..at]) {
            for segs in expand(&after[..end]) {
                paths.extend(absolute(segs));
            }
        }
        rest = &after[end..];
    }
    for root in ["crate::", "super::"] {
        let mut rest = text;
        while let Some(at) = find_word(rest, root) {
            let tail = &rest[at..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            let path = tail[..len].trim_end_matches(':');
            paths.extend(absolute(segments(path)));
            rest = &tail[len..];
        }
    }
    paths
}

/// Where `word` starts in `text` not preceded by a name or path character.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// File → the files it imports from. A module using its own parent's items is not an
/// edge: the parent owns it.
fn imports() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let sources = sources();
    let modules: BTreeSet<Vec<String>> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, text) in &sources {
        let mut targets = BTreeSet::new();
        for path in named_paths(module, text, &modules) {
            let Some(target) = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|prefix| modules.contains(prefix))
            else {
                continue;
            };
            if target != *module && !module.starts_with(&target) {
                targets.insert(target);
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

fn file_name(module: &[String]) -> String {
    if module.is_empty() {
        "lib.rs".to_string()
    } else {
        format!("{}.rs", module.join("/"))
    }
}

fn layer(module: &[String]) -> &str {
    module.first().map_or("lib", String::as_str)
}

#[test]
fn stages_import_only_the_layers_below_them() {
    let rules: BTreeMap<&str, &[&str]> = RULES.iter().copied().collect();
    let mut forbidden = Vec::new();
    for (module, targets) in imports() {
        let from = layer(&module);
        if !rules.contains_key(from) && !COMMANDS.contains(&from) {
            forbidden.push(format!(
                "src/{}: the module `{from}` has no place in the rules of tests/architecture.rs",
                file_name(&module)
            ));
            continue;
        }
        let Some(allowed) = rules.get(from) else {
            continue;
        };
        for target in targets {
            let to = layer(&target);
            if to != from && !allowed.contains(&to) {
                forbidden.push(format!(
                    "src/{} imports src/{} ({from} may import only {allowed:?})",
                    file_name(&module),
                    file_name(&target)
                ));
            }
        }
    }
    assert!(
        forbidden.is_empty(),
        "forbidden imports:\n{}",
        forbidden.join("\n")
    );
}

#[test]
fn no_files_import_each_other_round_a_loop() {
    let graph = imports();
    let loops = cycles(&graph);
    let shown: Vec<String> = loops
        .iter()
        .map(|files| {
            let names: Vec<String> = files.iter().map(|m| file_name(m)).collect();
            names.join(" ↔ ")
        })
        .collect();
    assert!(loops.is_empty(), "import cycles:\n{}", shown.join("\n"));
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        found: Vec<Vec<Vec<String>>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a Vec<String>) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            for next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[next].min(self.low[node]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next) {
                    let low = self.index[next].min(self.low[node]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    component.push(top.clone());
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

#[test]
fn the_rule_reader_sees_imports_and_loops() {
    let modules: BTreeSet<Vec<String>> = [vec!["a".to_string()], vec!["a".into(), "b".into()]]
        .into_iter()
        .collect();
    let text = "use crate::a::{b::{X, Y}, Z as W};\nfn f() { super::b::g(); crate::c::h() }\n";
    let module = vec!["a".to_string(), "d".to_string()];
    let paths = named_paths(&module, &without_tests_and_comments(text), &modules);
    assert!(paths.contains(&segments("a::b::X")), "{paths:?}");
    assert!(paths.contains(&segments("a::Z")), "{paths:?}");
    assert!(paths.contains(&segments("a::b::g")), "{paths:?}");
    assert!(paths.contains(&segments("c::h")), "{paths:?}");
    let hidden = "// use crate::x;\n#[cfg(test)]\nmod tests {\n    use crate::y;\n}\n";
    assert_eq!(without_tests_and_comments(hidden), "");
    let graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = [
        (segments("a"), [segments("b")].into_iter().collect()),
        (segments("b"), [segments("a")].into_iter().collect()),
        (segments("c"), [segments("a")].into_iter().collect()),
    ]
    .into_iter()
    .collect();
    assert_eq!(cycles(&graph), vec![vec![segments("a"), segments("b")]]);
}
