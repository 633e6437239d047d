//! `tally serve`: builds the site into memory, serves it over HTTP (loopback by
//! default), watches the sources, rebuilds only what changed and reloads open tabs.
//! A failed rebuild keeps the last good site served and shows the problems in the
//! terminal and over the page. Nothing is written to disk: `tally build` output
//! never carries the reload script.
//!
//! The HTTP side uses tiny_http with a thread per request: a local preview server has a
//! handful of clients, needs no async runtime, and Server-Sent Events are plain writes.
//! tiny_http listens on loopback only, behind [`gate`], which owns the public socket
//! and bounds what a client may send.

pub mod gate;
pub mod http;
pub mod index;
pub mod rebuild;
pub mod reload;
pub mod watch;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response};

pub use rebuild::{Output, Rebuild, SiteBuilder};

use crate::error::{Error, Result};
use http::Resolved;
use index::{Indexed, Indexer};
use reload::{Event, Hub};
use watch::SourceWatcher;

/// What `tally serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: PathBuf,
    pub interface: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Print nothing but errors.
    pub quiet: bool,
}

/// What the server shows right now.
#[derive(Clone)]
struct OnShow {
    output: Arc<Output>,
    /// The problems of the last rebuild, if it failed.
    problems: Option<String>,
    /// Counts the builds that changed the output; tabs compare it with theirs.
    build: u64,
    /// Whether any build has succeeded (before that there is nothing to show).
    built: bool,
}

struct Shared {
    shown: RwLock<OnShow>,
    hub: Hub,
}

impl Shared {
    fn shown(&self) -> OnShow {
        self.shown
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A running server; [`Server::stop`] ends it.
pub struct Server {
    addr: SocketAddr,
    http: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    stopping: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Builds the site, starts listening and watching; returns once the site is served.
    pub fn start(options: &ServeOptions) -> Result<Server> {
        let listen = SocketAddr::new(options.interface, options.port);
        let cannot = |e: &dyn std::fmt::Display| {
            Error::Usage(format!(
                "cannot listen on {listen}: {e} (choose another port with --port)"
            ))
        };
        let public = std::net::TcpListener::bind(listen).map_err(|e| cannot(&e))?;
        let addr = public.local_addr().map_err(|e| cannot(&e))?;
        let inner = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| cannot(&e))?;
        gate::no_delay(&inner);
        let upstream = inner.local_addr().map_err(|e| cannot(&e))?;
        let http = tiny_http::Server::from_listener(inner, None).map_err(|e| cannot(&e))?;
        let http = Arc::new(http);
        let mut builder = SiteBuilder::new(&options.site, Some(format!("http://{addr}/")))?;
        let quiet = options.quiet;

        let shared = Arc::new(Shared {
            shown: RwLock::new(OnShow {
                output: builder.output(),
                problems: None,
                build: 0,
                built: false,
            }),
            hub: Hub::default(),
        });
        rebuild_and_show(&mut builder, &shared, &[], quiet);
        let (done, indexed) = channel();
        let indexer = Indexer::start(index::DEBOUNCE, done)
            .map_err(|e| Error::Usage(format!("cannot start a thread: {e}")))?;
        if let Some(job) = builder.index_job() {
            indexer.submit(job);
        }
        let search = Search { indexer, indexed };

        let (changes, batches) = channel();
        let watcher = SourceWatcher::start(builder.site(), changes)?;
        let stopping = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        threads.push(spawn("tally-rebuild", {
            let shared = Arc::clone(&shared);
            let stopping = Arc::clone(&stopping);
            move || {
                rebuild_loop(
                    builder, watcher, &batches, &search, &shared, &stopping, quiet,
                )
            }
        })?);
        threads.push(spawn("tally-gate", {
            let stopping = Arc::clone(&stopping);
            move || gate::run(&public, upstream, &stopping)
        })?);
        threads.push(spawn("tally-http", {
            let http = Arc::clone(&http);
            let shared = Arc::clone(&shared);
            let stopping = Arc::clone(&stopping);
            move || accept_loop(&http, &shared, &stopping)
        })?);
        Ok(Server {
            addr,
            http,
            shared,
            stopping,
            threads,
        })
    }

    /// The address listened on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:1111/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Blocks until the server stops (it does not stop by itself: end the process).
    pub fn wait(mut self) {
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }

    /// Stops listening and watching, and ends every open event stream.
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.shared.hub.close();
        self.http.unblock();
        gate::wake(self.addr);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// `tally serve`: serves until the process is ended.
pub fn serve(options: &ServeOptions, open: bool) -> Result<()> {
    let server = Server::start(options)?;
    let site = options.site.display();
    // Printing may fail (a closed pipe): the server goes on regardless.
    let _ = writeln!(
        std::io::stdout(),
        "serving {site} at {} (live reload on; Ctrl-C to stop)",
        server.url()
    );
    if open && !open_browser(&server.url()) {
        let _ = writeln!(
            std::io::stdout(),
            "no web browser found to open; visit {} yourself",
            server.url()
        );
    }
    server.wait();
    Ok(())
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map_err(|e| Error::Usage(format!("cannot start a thread: {e}")))
}

/// The search index's thread and what it finished.
struct Search {
    indexer: Indexer,
    indexed: Receiver<Indexed>,
}

/// Rebuilds on every batch of changes until the server stops; the pages of each build
/// go to the indexer, and each index it finishes is swapped in.
fn rebuild_loop(
    mut builder: SiteBuilder,
    watcher: SourceWatcher,
    batches: &Receiver<Vec<PathBuf>>,
    search: &Search,
    shared: &Shared,
    stopping: &AtomicBool,
    quiet: bool,
) {
    let watcher = Mutex::new(watcher);
    while !stopping.load(Ordering::SeqCst) {
        while let Ok(indexed) = search.indexed.try_recv() {
            install_and_show(&mut builder, shared, indexed);
        }
        let mut changed = match batches.recv_timeout(Duration::from_millis(100)) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // Take every batch already waiting: one rebuild for all of them.
        while let Ok(more) = batches.try_recv() {
            changed.extend(more);
        }
        changed.sort();
        changed.dedup();
        let mut guard = watcher.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.watch_new_folders() {
            // A new source folder: what is already in it may not have been seen.
            changed.push(builder.site().to_path_buf());
        }
        drop(guard);
        rebuild_and_show(&mut builder, shared, &changed, quiet);
        if let Some(job) = builder.index_job() {
            search.indexer.submit(job);
        }
    }
}

/// Swaps a finished search index in and tells the tabs that load it.
fn install_and_show(builder: &mut SiteBuilder, shared: &Shared, indexed: Indexed) {
    let files = match indexed.files {
        Ok(files) => files,
        Err(why) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: the search index: {why}\n(the search page keeps the previous index)"
            );
            return;
        }
    };
    let Some(reindexed) = builder.install_index(indexed.version, files) else {
        return;
    };
    let mut shown = shared.shown.write().unwrap_or_else(PoisonError::into_inner);
    shown.output = builder.output();
    let mut touched = reindexed.changed;
    touched.extend(reindexed.removed);
    if !touched.is_empty() {
        shown.build += 1;
        let event = Event::Reload {
            build: shown.build,
            changed: touched,
        };
        drop(shown);
        shared.hub.broadcast(&event);
    }
}

/// Rebuilds, then shows the result: the new output and a reload, or the problems.
fn rebuild_and_show(builder: &mut SiteBuilder, shared: &Shared, changed: &[PathBuf], quiet: bool) {
    let result = builder.rebuild(changed);
    let mut shown = shared.shown.write().unwrap_or_else(PoisonError::into_inner);
    match result {
        Ok(rebuild) => {
            if !quiet {
                let _ = writeln!(
                    std::io::stdout(),
                    "{}",
                    describe(&rebuild, builder.site(), changed)
                );
            }
            let was_broken = shown.problems.take().is_some();
            let mut touched = rebuild.changed.clone();
            touched.extend(rebuild.removed.iter().cloned());
            shown.output = builder.output();
            shown.built = true;
            if !touched.is_empty() {
                shown.build += 1;
                let event = Event::Reload {
                    build: shown.build,
                    changed: touched,
                };
                drop(shown);
                shared.hub.broadcast(&event);
            } else if was_broken {
                drop(shown);
                shared.hub.broadcast(&Event::Ok);
            }
        }
        Err(e) => {
            let text = e.to_string();
            let still = if shown.built {
                "still serving the last good build"
            } else {
                "nothing built yet: the browser shows these problems until they are fixed"
            };
            let _ = writeln!(std::io::stderr(), "error: {text}\n({still})");
            shown.problems = Some(text.clone());
            drop(shown);
            shared.hub.broadcast(&Event::Problems(text));
        }
    }
}

/// `rebuilt in 12 ms: 3 pages rendered, 9,998 unchanged; 4 files changed (content/minutes/x.md)`;
/// after a ledger change also the files and charts made again (`made: data/, invoices/INV-2026-Q3/,
/// reports/2026-W47/charts/ and 16 more`).
fn describe(rebuild: &Rebuild, site: &Path, changed: &[PathBuf]) -> String {
    let what = if changed.is_empty() {
        "built".to_string()
    } else if rebuild.full {
        "rebuilt everything".to_string()
    } else {
        "rebuilt".to_string()
    };
    let mut sources: Vec<String> = changed
        .iter()
        .map(|p| crate::load::relative(site, p).display().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let more = sources.len().saturating_sub(3);
    sources.truncate(3);
    let mut because = sources.join(", ");
    if more > 0 {
        because.push_str(&format!(" and {more} more"));
    }
    let files = rebuild.changed.len() + rebuild.removed.len();
    let made = &rebuild.pages.made;
    let made = match made.len() {
        0 => String::new(),
        n => {
            let mut shown = made.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            if n > 3 {
                shown.push_str(&format!(" and {} more", n - 3));
            }
            format!("; made: {shown}")
        }
    };
    format!(
        "{what} in {} ms: {} page{} rendered, {} unchanged{made}; {} file{} changed{}",
        rebuild.elapsed.as_millis(),
        rebuild.pages.rendered,
        if rebuild.pages.rendered == 1 { "" } else { "s" },
        rebuild.pages.reused,
        files,
        if files == 1 { "" } else { "s" },
        if because.is_empty() {
            String::new()
        } else {
            format!(" ({because})")
        }
    )
}

fn accept_loop(http: &tiny_http::Server, shared: &Arc<Shared>, stopping: &AtomicBool) {
    loop {
        let request = match http.recv() {
            Ok(request) => request,
            Err(_) if stopping.load(Ordering::SeqCst) => return,
            Err(_) => continue,
        };
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let shared = Arc::clone(shared);
        let _ = spawn("tally-request", move || respond(request, &shared));
    }
}

/// Adds a header; bytes that cannot appear in a header value are percent-encoded.
fn with_header<R: std::io::Read>(response: Response<R>, name: &str, value: &str) -> Response<R> {
    let value: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

fn respond(request: Request, shared: &Shared) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let response =
            Response::from_string("only GET and HEAD are served\n").with_status_code(405);
        let response = with_header(response, "Allow", "GET, HEAD");
        let _ = request.respond(response);
        return;
    }
    let target = request.url().to_string();
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == reload::EVENTS_PATH {
        return events(request, shared);
    }
    if path == reload::SCRIPT_PATH {
        let response = Response::from_string(reload::SCRIPT);
        let response = with_header(response, "Content-Type", "text/javascript; charset=utf-8");
        let response = with_header(response, "Cache-Control", "no-store");
        let _ = request.respond(response);
        return;
    }
    let shown = shared.shown();
    if !shown.built {
        let problems = shown
            .problems
            .as_deref()
            .unwrap_or("the site is being built");
        let page = reload::problems_page(problems, shown.build);
        return send(request, 503, "text/html; charset=utf-8", page);
    }
    match http::resolve(&shown.output, &target) {
        Resolved::File(file) => {
            let bytes = shown
                .output
                .get(&file)
                .map(|b| b.to_vec())
                .unwrap_or_default();
            let kind = http::content_type(&file);
            let body = if kind.starts_with("text/html") {
                reload::inject(&bytes, &file, shown.build)
            } else {
                bytes
            };
            send(request, 200, kind, body);
        }
        Resolved::Redirect(location) => {
            let response =
                Response::from_string(format!("moved to {location}\n")).with_status_code(301);
            let response = with_header(response, "Location", &location);
            let _ = request.respond(response);
        }
        Resolved::NotFound => {
            let wanted = http::wanted(&target).join(" ");
            match shown.output.get("404.html") {
                Some(page) => {
                    let concerns = format!("{wanted} 404.html");
                    let body = reload::inject(page, concerns.trim(), shown.build);
                    send(request, 404, "text/html; charset=utf-8", body);
                }
                None => send(
                    request,
                    404,
                    "text/plain; charset=utf-8",
                    b"not found\n".to_vec(),
                ),
            }
        }
        Resolved::BadRequest(why) => send(
            request,
            400,
            "text/plain; charset=utf-8",
            format!("bad request: {why}\n").into_bytes(),
        ),
    }
}

fn send(request: Request, status: u16, content_type: &str, body: Vec<u8>) {
    // Every reply is whole in memory: send its length rather than chunks, however large.
    let response = Response::from_data(body)
        .with_status_code(status)
        .with_chunked_threshold(usize::MAX);
    let response = with_header(response, "Content-Type", content_type);
    let response = with_header(response, "Cache-Control", "no-store");
    let response = with_header(response, "X-Content-Type-Options", "nosniff");
    let _ = request.respond(response);
}

/// Holds the request open as a `text/event-stream` until the tab or the server goes.
fn events(request: Request, shared: &Shared) {
    let shown = shared.shown();
    let mut welcome = vec![Event::Hello { build: shown.build }];
    if let Some(problems) = shown.problems {
        welcome.push(Event::Problems(problems));
    }
    let receiver = shared.hub.subscribe(welcome);
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|()| writer.flush())
        .is_ok()
    {
        reload::stream(&receiver, &mut writer);
    }
}

/// Opens `url` in the user's browser if one is found; never fails.
pub fn open_browser(url: &str) -> bool {
    let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
    if let Ok(browser) = std::env::var("BROWSER") {
        for command in browser.split(':').filter(|c| !c.trim().is_empty()) {
            candidates.push((command.trim().to_string(), vec![url.to_string()]));
        }
    }
    if cfg!(target_os = "macos") {
        candidates.push(("open".into(), vec![url.into()]));
    } else if cfg!(windows) {
        candidates.push((
            "cmd".into(),
            vec!["/C".into(), "start".into(), String::new(), url.into()],
        ));
    } else {
        for opener in ["xdg-open", "gio", "sensible-browser", "x-www-browser"] {
            let args = if opener == "gio" {
                vec!["open".into(), url.into()]
            } else {
                vec![url.into()]
            };
            candidates.push((opener.into(), args));
        }
    }
    for (program, args) in candidates {
        if !on_path(&program) {
            continue;
        }
        let spawned = std::process::Command::new(&program)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return true;
        }
    }
    false
}

/// Whether `program` is a path to a file or found on `PATH`.
fn on_path(program: &str) -> bool {
    let path = Path::new(program);
    if path.components().count() > 1 {
        return path.is_file();
    }
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let candidate = dir.join(program);
            candidate.is_file() || (cfg!(windows) && candidate.with_extension("exe").is_file())
        })
    })
}
