//! The built-in theme is whole: no merge leftovers in its files, which a browser would
//! read as part of the next rule and silently drop with it.

mod common;

#[test]
fn the_built_in_theme_has_no_merge_conflict_markers() {
    let theme = common::example_site().join("themes/default");
    let files = common::read_tree(&theme);
    assert!(
        files.contains_key("static/assets/style.css"),
        "{:?}",
        files.keys()
    );
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for (i, line) in text.lines().enumerate() {
            let marker = ["<<<<<<<", "=======", ">>>>>>>"]
                .iter()
                .any(|m| line.starts_with(m));
            assert!(!marker, "themes/default/{path}:{}: {line}", i + 1);
        }
    }
}

#[test]
fn every_rule_of_the_style_sheet_closes() {
    let css = common::read(
        &common::example_site(),
        "themes/default/static/assets/style.css",
    );
    let mut depth = 0i32;
    for (i, line) in css.lines().enumerate() {
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        assert!(depth >= 0, "style.css:{}: a `}}` too many", i + 1);
    }
    assert_eq!(depth, 0, "style.css: a rule is not closed");
}
