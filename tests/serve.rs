//! `tally serve`: the server on a free port, fetched with a minimal HTTP client; live
//! reload events; problems shown and cleared; strict paths; and the incremental rebuild
//! producing exactly what a full build produces. Every wait is bounded and every server
//! is stopped.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use tally::serve::{ServeOptions, Server, SiteBuilder};
use tally::{BuildOptions, build};
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(20);
const MINUTES: &str = "content/minutes/2026-01-12-first-assembly.md";
const MINUTES_PAGE: &str = "/minutes/2026-01-12-first-assembly/";

/// A small site (the `tally new` scaffold) in a temporary folder.
fn site() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    tally::new::create(dir.path()).expect("the scaffold is written");
    dir
}

fn start(site: &Path) -> Server {
    Server::start(&ServeOptions {
        site: site.to_path_buf(),
        interface: "127.0.0.1".parse().expect("an address"),
        port: 0,
        quiet: true,
    })
    .expect("the server starts")
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `GET target` as is (no normalisation) and reads the whole reply.
fn get(addr: SocketAddr, target: &str) -> Reply {
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the reply");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// The reload event stream, read on a thread so that waits stay bounded.
struct Events {
    events: Receiver<(String, String)>,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect_timeout(&addr, WAIT).expect("connect");
        write!(
            stream,
            "GET /__tally/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send");
        let (sender, events) = channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { return };
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(data) = line.strip_prefix("data: ")
                    && sender.send((name.clone(), data.to_string())).is_err()
                {
                    return;
                }
            }
        });
        Events { events }
    }

    /// The next event named `name` (others are skipped), within the bounded wait.
    fn next(&self, name: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok((n, data)) if n == name => return data,
                Ok(_) => {}
                Err(e) => panic!("no `{name}` event within {WAIT:?}: {e}"),
            }
        }
    }
}

/// Waits until `check` holds, or fails after the bounded wait.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "{what}: not within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn edit(site: &Path, file: &str, change: impl FnOnce(String) -> String) {
    let path = site.join(file);
    let text = std::fs::read_to_string(&path).expect("read a source file");
    std::fs::write(&path, change(text)).expect("write a source file");
}

/// The served HTML without the reload script the server adds.
fn without_reload_script(html: &str) -> String {
    html.lines()
        .filter(|l| !l.starts_with("<script src=\"/__tally/reload.js\""))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read the output") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `tally build` of `site` for `server`'s address, once the server shows the same
/// output: its search index follows each build on its own thread, so this waits for it
/// (the page at once, or after the watcher's delay; the index once it is made).
fn built_and_served(site: &Path, server: &Server) -> (TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("a temporary folder");
    let public = out.path().join("public");
    build(&BuildOptions {
        site: site.to_path_buf(),
        out: Some(public.clone()),
        base_url: Some(server.url()),
    })
    .expect("the site builds");
    let manifest = std::fs::read(public.join("manifest.json")).expect("a manifest");
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(server.addr(), "/manifest.json").body != manifest {
        assert!(
            Instant::now() < deadline,
            "the served output never matched the build"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (out, public)
}

#[test]
fn the_served_site_equals_the_built_one() {
    let site = site();
    let server = start(site.path());
    let (_out, public) = built_and_served(site.path(), &server);
    let files = files_under(&public);
    assert!(files.len() > 5, "{files:?}");
    for file in files {
        let rel = file
            .strip_prefix(&public)
            .expect("inside the output")
            .to_string_lossy()
            .replace('\\', "/");
        let built = std::fs::read(&file).expect("read a built file");
        let reply = get(server.addr(), &format!("/{rel}"));
        assert_eq!(reply.status, 200, "/{rel}");
        if rel.ends_with(".html") {
            let served = reply.text();
            assert!(
                served.contains("/__tally/reload.js"),
                "/{rel}: no reload script"
            );
            let built = String::from_utf8(built).expect("HTML is UTF-8");
            assert!(
                !built.contains("__tally"),
                "{rel}: the build carries the script"
            );
            assert_eq!(without_reload_script(&served), built, "/{rel}");
            assert_eq!(
                reply.header("Content-Type"),
                Some("text/html; charset=utf-8")
            );
        } else {
            assert_eq!(reply.body, built, "/{rel}");
        }
    }
    let css = get(server.addr(), "/assets/style.css");
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert!(
        !css.text().contains("__tally"),
        "the script goes into HTML only"
    );
    let folder = get(server.addr(), "/minutes");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("Location"), Some("/minutes/"));
    server.stop();
}

#[test]
fn unknown_paths_get_the_sites_not_found_page() {
    let site = site();
    let server = start(site.path());
    let reply = get(server.addr(), "/no/such/page/");
    assert_eq!(reply.status, 404);
    assert!(reply.text().contains("Page not found"), "{}", reply.text());
    server.stop();
}

#[test]
fn path_traversal_requests_are_refused() {
    let site = site();
    std::fs::write(site.path().join("secret.txt"), "do not serve").expect("write");
    let server = start(site.path());
    for target in [
        "/../tally.toml",
        "/../../etc/passwd",
        "/assets/../../tally.toml",
        "/%2e%2e/tally.toml",
        "/%2E%2E%2Ftally.toml",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%5ctally.toml",
        "/..\\tally.toml",
        "/secret.txt%00.html",
        "/%c0%ae%c0%ae/secret.txt",
        "/secret.txt",
        "/tally.toml",
        "/content/minutes/2026-01-12-first-assembly.md",
    ] {
        let reply = get(server.addr(), target);
        assert!(
            reply.status == 400 || reply.status == 404,
            "{target}: status {}",
            reply.status
        );
        let text = reply.text();
        assert!(
            !text.contains("do not serve") && !text.contains("base_url") && !text.contains("root:"),
            "{target} leaked a file"
        );
    }
    server.stop();
}

#[test]
fn a_changed_file_is_served_at_once_and_announced() {
    let site = site();
    let server = start(site.path());
    let events = Events::open(server.addr());
    events.next("hello");
    edit(site.path(), MINUTES, |t| {
        format!("{t}\nThe keys are kept at the hall.\n")
    });
    let reload = events.next("reload");
    assert!(
        reload.contains("minutes/2026-01-12-first-assembly/index.html"),
        "{reload}"
    );
    let page = get(server.addr(), MINUTES_PAGE);
    assert!(page.text().contains("The keys are kept at the hall."));
    server.stop();
}

#[test]
fn a_broken_file_shows_its_problems_and_the_fix_clears_them() {
    let site = site();
    let server = start(site.path());
    let before = get(server.addr(), MINUTES_PAGE).text();
    let events = Events::open(server.addr());
    events.next("hello");

    edit(site.path(), MINUTES, |t| {
        t.replace("outcome = \"passed\"", "outcome = \"maybe\"")
    });
    let problems = events.next("problems");
    assert!(
        problems.contains("content/minutes/2026-01-12-first-assembly.md:"),
        "{problems}"
    );
    // The last good site is still served, and a newly opened tab learns of the problems.
    assert_eq!(get(server.addr(), MINUTES_PAGE).text(), before);
    let late = Events::open(server.addr());
    assert!(late.next("problems").contains("maybe"));

    edit(site.path(), MINUTES, |t| {
        t.replace("outcome = \"maybe\"", "outcome = \"passed\"")
    });
    // Back to the same site: nothing to reload, the overlay goes.
    events.next("ok");
    edit(site.path(), MINUTES, |t| {
        t.replace("First Assembly", "First Assembly, fixed")
    });
    events.next("reload");
    eventually("the fixed page is served", || {
        get(server.addr(), MINUTES_PAGE)
            .text()
            .contains("First Assembly, fixed")
    });
    server.stop();
}

#[test]
fn a_site_that_never_built_shows_its_problems_until_fixed() {
    let site = site();
    edit(site.path(), MINUTES, |t| t.replacen("+++", "", 1));
    let server = start(site.path());
    let reply = get(server.addr(), "/");
    assert_eq!(reply.status, 503);
    assert!(
        reply.text().contains("first-assembly.md:1"),
        "{}",
        reply.text()
    );
    assert!(reply.text().contains("/__tally/reload.js"));
    edit(site.path(), MINUTES, |t| format!("+++{t}"));
    eventually("the site is served once fixed", || {
        get(server.addr(), "/").status == 200
    });
    server.stop();
}

#[test]
fn a_stopped_server_no_longer_listens() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    let events = Events::open(addr);
    events.next("hello");
    server.stop();
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err() || get_fails(addr),
        "still serving after stop"
    );
}

fn get_fails(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return true;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = write!(stream, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).is_err() || raw.is_empty()
}

// The incremental path, without HTTP: each rebuild must equal what `tally build` writes.

/// What `tally build` writes for `site`, read back: path → bytes, sorted.
fn full_build(site: &Path) -> Vec<(String, Vec<u8>)> {
    let out = tempfile::tempdir().expect("a temporary folder");
    let public = out.path().join("public");
    build(&BuildOptions {
        site: site.to_path_buf(),
        out: Some(public.clone()),
        base_url: None,
    })
    .expect("the site builds");
    let mut files = files_under(&public)
        .into_iter()
        .map(|file| {
            let rel = file
                .strip_prefix(&public)
                .expect("inside the output")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(&file).expect("read a built file");
            (rel, bytes)
        })
        .collect::<Vec<_>>();
    // In the order of the output's paths as text (`Q3-C1/` before `Q3/`), not of their
    // components.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn contents(builder: &SiteBuilder) -> Vec<(String, Vec<u8>)> {
    let output = builder.output();
    output
        .paths()
        .into_iter()
        .map(|p| (p.to_string(), output.get(p).expect("listed").to_vec()))
        .collect()
}

fn add_minutes(site: &Path, slug: &str, date: &str, title: &str) -> PathBuf {
    let path = site.join(format!("content/minutes/{slug}.md"));
    std::fs::write(
        &path,
        format!("+++\ntitle = \"{title}\"\ndate = {date}\nassembly = \"pantry\"\n+++\n\nNotes of {title}.\n"),
    )
    .expect("write minutes");
    path
}

/// The files of `changed` beside the search index (which follows every change of a
/// page's text, and must) and the releases register (which lists what changed since the
/// site's last release, once the sources differ from it).
fn beside_the_index(changed: &[String]) -> Vec<&str> {
    assert!(
        changed.iter().any(|c| c.starts_with("search/index/")),
        "the search index follows the change: {changed:?}"
    );
    changed
        .iter()
        .map(String::as_str)
        .filter(|c| !c.starts_with("search/index/") && !c.starts_with("releases/"))
        .collect()
}

#[test]
fn a_rebuild_renders_only_the_pages_whose_inputs_changed() {
    let site = site();
    for i in 0..8 {
        add_minutes(
            site.path(),
            // Not named after a day: this test moves a meeting's date.
            &format!("pantry-2025-0{}", i + 1),
            &format!("2025-0{}-01", i + 1),
            &format!("Pantry meeting {i}"),
        );
    }
    let mut builder = SiteBuilder::new(site.path(), None).expect("the site exists");
    let first = builder.rebuild_indexed(&[]).expect("builds");
    assert!(first.full);
    let pages = first.pages.rendered;
    assert_eq!(first.pages.reused, 0);

    // A body change: that page only.
    let file = site.path().join("content/minutes/pantry-2025-03.md");
    edit(site.path(), "content/minutes/pantry-2025-03.md", |t| {
        format!("{t}\nA late addition.\n")
    });
    let body = builder
        .rebuild_indexed(std::slice::from_ref(&file))
        .expect("rebuilds");
    assert_eq!(body.pages.rendered, 1, "{body:?}");
    assert_eq!(body.pages.reused, pages - 1);
    assert_eq!(
        beside_the_index(&body.changed),
        ["manifest.json", "minutes/pantry-2025-03/index.html"]
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // A title change: the page and the lists it appears in.
    edit(site.path(), "content/minutes/pantry-2025-03.md", |t| {
        t.replace("Pantry meeting 2", "Pantry meeting two")
    });
    let title = builder
        .rebuild_indexed(std::slice::from_ref(&file))
        .expect("rebuilds");
    assert!(
        title.changed.contains(&"minutes/index.html".to_string()),
        "{title:?}"
    );
    assert!(
        title.pages.rendered >= 2 && title.pages.rendered < pages,
        "{title:?}"
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // A decision added: the page and the decisions register, not the minutes list.
    edit(site.path(), "content/minutes/pantry-2025-03.md", |t| {
        t.replacen(
            "+++\n\nNotes",
            "[[decisions]]\ntext = \"Open on Sundays\"\noutcome = \"passed\"\n+++\n\nNotes",
            1,
        )
    });
    let decided = builder
        .rebuild_indexed(std::slice::from_ref(&file))
        .expect("rebuilds");
    assert!(
        decided
            .changed
            .contains(&"decisions/index.html".to_string()),
        "{decided:?}"
    );
    assert!(
        !decided.changed.contains(&"minutes/index.html".to_string()),
        "{decided:?}"
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // Its date moved: it moves in the list, and into another week's report.
    edit(site.path(), "content/minutes/pantry-2025-03.md", |t| {
        t.replace("date = 2025-03-01", "date = 2025-08-20")
    });
    let moved = builder
        .rebuild_indexed(std::slice::from_ref(&file))
        .expect("rebuilds");
    assert!(
        moved.changed.contains(&"minutes/index.html".to_string()),
        "{moved:?}"
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // A body-only change again: nothing but that page and the manifest.
    edit(site.path(), "content/minutes/pantry-2025-03.md", |t| {
        format!("{t}\nA second late addition.\n")
    });
    let body = builder
        .rebuild_indexed(std::slice::from_ref(&file))
        .expect("rebuilds");
    assert_eq!(body.pages.rendered, 1, "{body:?}");
    assert_eq!(
        beside_the_index(&body.changed),
        ["manifest.json", "minutes/pantry-2025-03/index.html"]
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // A new file and a removed one.
    let added = add_minutes(site.path(), "2025-09-09-pantry", "2025-09-09", "Autumn");
    std::fs::remove_file(&file).expect("remove minutes");
    let moved = builder.rebuild_indexed(&[added, file]).expect("rebuilds");
    assert!(
        moved
            .removed
            .contains(&"minutes/pantry-2025-03/index.html".to_string())
    );
    assert!(
        moved
            .changed
            .contains(&"minutes/2025-09-09-pantry/index.html".to_string())
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // A new folder of minutes, reported as the folder alone; then that folder removed.
    let archive = site.path().join("content/minutes/archive");
    std::fs::create_dir_all(&archive).expect("create a folder");
    add_minutes(
        site.path(),
        "archive/2024-05-05-pantry",
        "2024-05-05",
        "Archived",
    );
    let archived = builder
        .rebuild_indexed(std::slice::from_ref(&archive))
        .expect("rebuilds");
    assert!(
        archived
            .changed
            .contains(&"minutes/2024-05-05-pantry/index.html".to_string()),
        "{archived:?}"
    );
    assert_eq!(contents(&builder), full_build(site.path()));
    std::fs::remove_dir_all(&archive).expect("remove a folder");
    let unarchived = builder
        .rebuild_indexed(std::slice::from_ref(&archive))
        .expect("rebuilds");
    assert!(
        unarchived
            .removed
            .contains(&"minutes/2024-05-05-pantry/index.html".to_string()),
        "{unarchived:?}"
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // A template: every page.
    let template = site.path().join("templates/page.html");
    std::fs::create_dir_all(template.parent().expect("a parent")).expect("create templates/");
    std::fs::write(
        &template,
        "{% extends \"base.html\" %}{% block content %}<article>{{ page.html | safe }}</article>{% endblock content %}",
    )
    .expect("write a template");
    let themed = builder.rebuild_indexed(&[template]).expect("rebuilds");
    assert_eq!(themed.pages.reused, 0, "{themed:?}");
    assert_eq!(contents(&builder), full_build(site.path()));

    // The configuration: everything, from scratch.
    edit(site.path(), "tally.toml", |t| {
        t.replace(
            "Our Mutual Aid Network\"\nbase_url",
            "Our Network\"\nbase_url",
        )
    });
    let config = builder
        .rebuild_indexed(&[site.path().join("tally.toml")])
        .expect("rebuilds");
    assert!(config.full);
    assert_eq!(config.pages.reused, 0);
    assert_eq!(contents(&builder), full_build(site.path()));
}

#[test]
fn a_failed_rebuild_keeps_the_last_good_output() {
    let site = site();
    let mut builder = SiteBuilder::new(site.path(), None).expect("the site exists");
    builder.rebuild_indexed(&[]).expect("builds");
    let good = contents(&builder);
    let file = site.path().join(MINUTES);
    edit(site.path(), MINUTES, |t| t.replace("title =", "tittle ="));
    let err = builder
        .rebuild_indexed(std::slice::from_ref(&file))
        .expect_err("a broken file fails the build");
    assert!(err.to_string().contains("first-assembly.md:2"), "{err}");
    assert_eq!(contents(&builder), good);
    // Unrelated changes still report the broken file: its problems are remembered.
    let other = add_minutes(site.path(), "2025-01-01-pantry", "2025-01-01", "Other");
    assert!(builder.rebuild_indexed(&[other]).is_err());
    edit(site.path(), MINUTES, |t| t.replace("tittle =", "title ="));
    builder.rebuild_indexed(&[file]).expect("builds again");
    assert_eq!(contents(&builder), full_build(site.path()));
}

/// The repository's example site (with its ledger, seals, manuals and invoices) copied
/// into a temporary folder.
fn example_site() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    common::copy_example_site(dir.path());
    dir
}

#[test]
fn a_commentary_save_re_renders_its_report_and_makes_no_chart_bundle_or_invoice_file() {
    let site = example_site();
    let mut builder = SiteBuilder::new(site.path(), None).expect("the site exists");
    let first = builder
        .rebuild_indexed(&[])
        .expect("the example site builds");
    let made = first.pages.made.clone();
    for key in [
        "data/",
        "invoices/INV-2026-Q3/",
        "manuals/community-fridge/community-fridge-1.0.zip",
        "reports/2026-W47/charts/",
        "reports/charts/",
    ] {
        assert!(made.iter().any(|k| k == key), "{key} not made: {made:?}");
    }

    let file = site.path().join("content/reports/2026-W47.md");
    edit(site.path(), "content/reports/2026-W47.md", |t| {
        format!("{t}\nThe pantry thanks the bakers of Mill Lane.\n")
    });
    let saved = builder
        .rebuild_indexed(std::slice::from_ref(&file))
        .expect("rebuilds");
    // The report page and the feed show the commentary; nothing made from the ledger
    // is made again.
    assert_eq!(saved.pages.rendered, 1, "{saved:?}");
    assert_eq!(saved.pages.reused, first.pages.rendered - 1, "{saved:?}");
    assert_eq!(saved.pages.made, Vec::<String>::new(), "{saved:?}");
    assert_eq!(saved.pages.kept, made.len(), "{saved:?}");
    assert_eq!(
        beside_the_index(&saved.changed),
        ["feed.xml", "manifest.json", "reports/2026-W47/index.html"]
    );
    assert!(
        saved.removed.iter().all(|r| r.starts_with("search/index/")),
        "only superseded parts of the search index: {saved:?}"
    );
    let page = builder
        .output()
        .get("reports/2026-W47/index.html")
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .expect("the report");
    assert!(page.contains("bakers of Mill Lane"), "{page}");
    assert_eq!(contents(&builder), full_build(site.path()));

    // A rate changed: every value, so the reports, charts, open data and invoices.
    let rates = site.path().join("data/rates.csv");
    edit(site.path(), "data/rates.csv", |t| {
        t.replace("kg,food,3.80,EUR", "kg,food,3.90,EUR")
    });
    let revalued = builder
        .rebuild_indexed(std::slice::from_ref(&rates))
        .expect("rebuilds");
    for key in [
        "data/",
        "invoices/INV-2026-Q3/",
        "reports/2026-W47/charts/",
        "reports/charts/",
    ] {
        assert!(
            revalued.pages.made.iter().any(|k| k == key),
            "{key} not made again: {revalued:?}"
        );
    }
    // What goes into a manual's bundle did not change: it is not zipped again.
    assert!(
        !revalued
            .pages
            .made
            .iter()
            .any(|k| k.starts_with("manuals/")),
        "{revalued:?}"
    );
    let mut expected = vec![
        "data/ledger.csv",
        "data/weekly.csv",
        "data/invoices.csv",
        "index.html",
        // Q3 is issued and frozen: the new rate gives a draft correction of it, and its
        // page links to that draft; its own files stay as issued.
        "invoices/INV-2026-Q3-C2/INV-2026-Q3-C2.csv",
        "invoices/INV-2026-Q3-C2/index.html",
        "invoices/INV-2026-Q3/index.html",
        "reports/2026-W47/index.html",
        "reports/2026-W47/charts/governance.svg",
        "reports/index.html",
    ];
    if tally::render::invoice::PDF_ENABLED {
        expected.push("invoices/INV-2026-Q3-C2/INV-2026-Q3-C2.pdf");
    }
    for frozen in [
        "invoices/INV-2026-Q3/INV-2026-Q3.csv",
        "invoices/INV-2026-Q3/INV-2026-Q3.xml",
    ] {
        assert!(
            !revalued.changed.iter().any(|c| c == frozen),
            "{frozen} changed after its issue: {revalued:?}"
        );
    }
    for path in expected {
        assert!(
            revalued.changed.iter().any(|c| c == path),
            "{path} unchanged: {revalued:?}"
        );
    }
    assert_eq!(contents(&builder), full_build(site.path()));

    // A row added to an export in the week in progress: its report shows it.
    let export = site.path().join("data/ledger/food-coop.csv");
    edit(site.path(), "data/ledger/food-coop.csv", |t| {
        format!("{t}2026-11-26,food-coop,food,service,4.25,kg,FC-009999,,hh-0001,\n")
    });
    let added = builder
        .rebuild_indexed(std::slice::from_ref(&export))
        .expect("rebuilds");
    assert!(
        added
            .changed
            .iter()
            .any(|c| c == "reports/2026-W48/index.html"),
        "{added:?}"
    );
    assert!(
        String::from_utf8_lossy(builder.output().get("data/ledger.csv").expect("open data"))
            .contains("FC-009999"),
        "the new row is published"
    );
    assert_eq!(contents(&builder), full_build(site.path()));

    // The same export saved with its columns in another order: the same site.
    let before = contents(&builder);
    edit(site.path(), "data/ledger/food-coop.csv", |t| {
        let mut reordered = String::new();
        for line in t.lines() {
            let (date, rest) = line.split_once(',').expect("a date first");
            reordered.push_str(&format!("{rest},{date}\n"));
        }
        reordered
    });
    builder
        .rebuild_indexed(std::slice::from_ref(&export))
        .expect("rebuilds");
    let after = contents(&builder);
    let differing: Vec<&String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| &b.0)
        .collect();
    assert_eq!(
        differing,
        ["manifest.json"],
        "only the inputs' digests change"
    );
    assert_eq!(after, full_build(site.path()));
}

// The gate in front of the server: Nagle off, bounded heads, stalled clients.

/// Reads one response with a `Content-Length` from `stream`: its status.
fn read_response(stream: &mut BufReader<TcpStream>) -> u16 {
    let mut status = 0;
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        stream.read_line(&mut line).expect("a head line");
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some(code) = trimmed.strip_prefix("HTTP/1.1 ") {
            status = code[..3].parse().expect("a status");
        } else if let Some((name, value)) = trimmed.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().expect("a length");
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).expect("the body");
    status
}

#[test]
fn keep_alive_requests_are_answered_without_a_nagle_stall() {
    let site = site();
    let server = start(site.path());
    let stream = TcpStream::connect_timeout(&server.addr(), WAIT).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut writer = stream.try_clone().expect("a second handle");
    let mut reader = BufReader::new(stream);
    let mut times = Vec::new();
    for _ in 0..21 {
        let started = Instant::now();
        write!(writer, "GET /about/ HTTP/1.1\r\nHost: x\r\n\r\n").expect("send");
        assert_eq!(read_response(&mut reader), 200);
        times.push(started.elapsed());
    }
    server.stop();
    // The first request warms the caches; Nagle with delayed ACKs costs ≥ 40 ms on each
    // of the others.
    let mut rest = times.split_off(1);
    rest.sort();
    let median = rest[rest.len() / 2];
    eprintln!("keep-alive median {median:?}, slowest {:?}", rest.last());
    assert!(median < Duration::from_millis(25), "median {median:?}");
}

#[test]
fn an_oversized_head_a_long_path_and_too_many_headers_are_refused_with_their_status() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    let status_of = |request: String| {
        let mut stream = TcpStream::connect_timeout(&addr, WAIT).expect("connect");
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        // The gate may answer before the whole request is sent.
        let _ = stream.write_all(request.as_bytes());
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let head = String::from_utf8_lossy(&raw).into_owned();
        head.get(9..12).unwrap_or("").to_string()
    };
    let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(1 << 20));
    assert_eq!(status_of(big), "431");
    let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X-A: b\r\n".repeat(100));
    assert_eq!(status_of(many), "431");
    let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a/".repeat(2000));
    assert_eq!(status_of(long), "414");
    let body = "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".to_string();
    assert_eq!(status_of(body), "413");
    // The server still answers.
    assert_eq!(get(addr, "/about/").status, 200);
    server.stop();
}

#[test]
fn a_client_that_never_finishes_its_request_blocks_no_one_and_is_dropped() {
    let site = site();
    let server = start(site.path());
    let addr = server.addr();
    let mut stalled = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect_timeout(&addr, WAIT).expect("connect");
        write!(stream, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").expect("send");
        stalled.push(stream);
    }
    assert_eq!(get(addr, "/about/").status, 200);
    // The answer came while every stalled client was still connected: a server blocked
    // behind them would have answered only after dropping them at the gate's timeout.
    // (Checked by state, not by a clock, which a machine busy with other tests skews.)
    for stream in &stalled {
        stream.set_nonblocking(true).expect("nonblocking");
        let mut byte = [0u8; 1];
        let read = (&*stream).read(&mut byte);
        let still_open = matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
        assert!(
            still_open,
            "a stalled client was dropped before the answer: {read:?}"
        );
        stream.set_nonblocking(false).expect("blocking");
    }
    // A head begun and not finished is closed after the gate's timeout.
    let mut first = stalled.remove(0);
    first
        .set_read_timeout(Some(tally::serve::gate::HEAD_TIMEOUT * 3))
        .expect("timeout");
    let mut rest = Vec::new();
    let closed_at = Instant::now();
    let read = first.read_to_end(&mut rest);
    assert!(read.is_ok() && rest.is_empty(), "{read:?} {rest:?}");
    assert!(closed_at.elapsed() < tally::serve::gate::HEAD_TIMEOUT * 2);
    server.stop();
}

/// The bytes of every file of the search index in the builder's output.
fn search_index(builder: &SiteBuilder) -> Vec<(String, Vec<u8>)> {
    contents(builder)
        .into_iter()
        .filter(|(p, _)| p.starts_with("search/index/"))
        .collect()
}

#[test]
fn a_save_shows_its_page_before_the_search_index_follows() {
    let site = site();
    let mut builder = SiteBuilder::new(site.path(), None).expect("the site exists");
    builder.rebuild_indexed(&[]).expect("builds");
    let indexed = search_index(&builder);
    assert!(!indexed.is_empty(), "the first build is indexed");
    assert!(builder.index_job().is_none(), "nothing left to index");

    let file = site.path().join(MINUTES);
    edit(site.path(), MINUTES, |t| {
        format!("{t}\nThe rota of the cold room.\n")
    });
    let saved = builder
        .rebuild(std::slice::from_ref(&file))
        .expect("rebuilds");
    // The page and the manifest at once; the previous index still served.
    assert_eq!(
        saved.changed,
        [
            "manifest.json",
            "minutes/2026-01-12-first-assembly/index.html"
        ]
    );
    assert!(saved.removed.is_empty(), "{saved:?}");
    assert_eq!(search_index(&builder), indexed);
    let page = builder
        .output()
        .get("minutes/2026-01-12-first-assembly/index.html")
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .expect("the minutes page");
    assert!(page.contains("rota of the cold room"), "{page}");

    // Indexed after the save: the output is what `tally build` writes.
    let job = builder.index_job().expect("the new page is to be indexed");
    assert!(builder.index_job().is_none(), "handed out once");
    let files = job
        .run(&|| false)
        .expect("indexes")
        .expect("not superseded");
    let reindexed = builder
        .install_index(job.version(), files)
        .expect("the latest pages");
    assert!(
        reindexed
            .changed
            .iter()
            .any(|p| p.starts_with("search/index/")),
        "{reindexed:?}"
    );
    assert!(reindexed.changed.contains(&"manifest.json".to_string()));
    assert_ne!(search_index(&builder), indexed);
    assert_eq!(contents(&builder), full_build(site.path()));
}

#[test]
fn an_index_of_pages_a_later_save_changed_is_never_swapped_in() {
    let site = site();
    let mut builder = SiteBuilder::new(site.path(), None).expect("the site exists");
    builder.rebuild_indexed(&[]).expect("builds");
    let file = site.path().join(MINUTES);
    edit(site.path(), MINUTES, |t| format!("{t}\nFirst late note.\n"));
    builder
        .rebuild(std::slice::from_ref(&file))
        .expect("rebuilds");
    let older = builder.index_job().expect("pages to index");
    // Stopped midway once a later save is known.
    assert!(older.run(&|| true).expect("no failure").is_none());
    let older_files = older.run(&|| false).expect("indexes").expect("whole");

    edit(site.path(), MINUTES, |t| {
        format!("{t}\nSecond late note.\n")
    });
    builder
        .rebuild(std::slice::from_ref(&file))
        .expect("rebuilds");
    let before = contents(&builder);
    assert!(
        builder
            .install_index(older.version(), older_files)
            .is_none(),
        "outdated by the second save"
    );
    assert_eq!(contents(&builder), before, "nothing swapped in");
    let newer = builder.index_job().expect("the second save's pages");
    assert!(newer.version() > older.version());
    let files = newer.run(&|| false).expect("indexes").expect("whole");
    builder
        .install_index(newer.version(), files)
        .expect("the latest pages");
    assert_eq!(contents(&builder), full_build(site.path()));
}

#[test]
fn the_served_search_index_follows_a_save() {
    let site = site();
    let server = start(site.path());
    edit(site.path(), MINUTES, |t| {
        format!("{t}\nThe zymurgy circle met.\n")
    });
    let (_out, public) = built_and_served(site.path(), &server);
    let entry = std::fs::read(public.join("search/index/meta.json")).expect("an entry");
    assert_eq!(get(server.addr(), "/search/index/meta.json").body, entry);
    assert!(
        get(server.addr(), MINUTES_PAGE)
            .text()
            .contains("zymurgy circle")
    );
}
