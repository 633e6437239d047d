//! Live reload over Server-Sent Events. Every HTML response of the server (never a
//! built file) gets a small script that listens on [`EVENTS_PATH`]:
//!
//! - `reload` (data: the changed output paths): the tab reloads if its page, or a
//!   file that pages load (a stylesheet, a script, an image, a font), changed;
//! - `problems` (data: the errors of a failed rebuild): the tab shows them in an overlay
//!   over the last good page;
//! - `ok`: the site builds again; the overlay goes.
//!
//! On connecting, a tab is told the current build number (`hello`) and, if the last
//! rebuild failed, its problems; a tab that missed a rebuild while disconnected reloads.

use std::io::Write;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The event stream's URL path.
pub const EVENTS_PATH: &str = "/__tally/events";
/// The reload script's URL path.
pub const SCRIPT_PATH: &str = "/__tally/reload.js";

/// How often an idle stream gets a comment, so that closed tabs are noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One event for the open tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Hello { build: u64 },
    Reload { build: u64, changed: Vec<String> },
    Problems(String),
    Ok,
}

impl Event {
    /// The event in the `text/event-stream` format.
    pub fn to_wire(&self) -> String {
        let (name, data) = match self {
            Event::Hello { build } => ("hello", format!("{{\"build\":{build}}}")),
            Event::Reload { build, changed } => (
                "reload",
                format!(
                    "{{\"build\":{build},\"changed\":[{}]}}",
                    changed
                        .iter()
                        .map(|p| json_string(p))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ),
            Event::Problems(text) => ("problems", json_string(text)),
            Event::Ok => ("ok", "{}".to_string()),
        };
        format!("event: {name}\ndata: {data}\n\n")
    }
}

/// The open event streams.
#[derive(Default)]
pub struct Hub {
    tabs: Mutex<Vec<Sender<Event>>>,
}

impl Hub {
    /// A new stream, first given `welcome`.
    pub fn subscribe(&self, welcome: Vec<Event>) -> Receiver<Event> {
        let (sender, receiver) = channel();
        for event in welcome {
            let _ = sender.send(event);
        }
        self.lock().push(sender);
        receiver
    }

    /// Sends `event` to every open stream, forgetting the closed ones.
    pub fn broadcast(&self, event: &Event) {
        self.lock().retain(|tab| tab.send(event.clone()).is_ok());
    }

    /// Ends every stream.
    pub fn close(&self) {
        self.lock().clear();
    }

    /// How many streams are open.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Sender<Event>>> {
        self.tabs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Writes the events of `receiver` to `writer` (an HTTP response already begun) until
/// the hub closes the stream or the tab goes away.
pub fn stream(receiver: &Receiver<Event>, writer: &mut dyn Write) {
    loop {
        let text = match receiver.recv_timeout(KEEP_ALIVE) {
            Ok(event) => event.to_wire(),
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(text.as_bytes())
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

/// `html` with the reload script added before `</body>` (or at the end); `page` holds the
/// output paths whose change concerns this response (space-separated; empty: any
/// change), `build` the build number it belongs to.
pub fn inject(html: &[u8], page: &str, build: u64) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{SCRIPT_PATH}\" data-page=\"{}\" data-build=\"{build}\" defer></script>\n",
        attribute(page)
    );
    let at = find_last_ignoring_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// A page shown while the site has never built: its problems, and the reload script.
pub fn problems_page(problems: &str, build: u64) -> Vec<u8> {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>The site does not build</title></head>\n<body>\n<h1>The site does not build</h1>\n<pre>{}</pre>\n<p>Fix the files named above; this page reloads when the site builds.</p>\n</body>\n</html>\n",
        text(problems)
    );
    inject(html.as_bytes(), "", build)
}

fn find_last_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The script served at [`SCRIPT_PATH`].
pub const SCRIPT: &str = r#"// tally serve: live reload and build problems. Not part of the built site.
(() => {
  const me = document.currentScript;
  // The output paths this tab shows (none: any change concerns it).
  const pages = me.dataset.page.split(" ").filter(Boolean);
  let built = Number(me.dataset.build);
  const id = "tally-problems";
  const show = (text) => {
    let box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.97);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,monospace";
      const title = document.createElement("h2");
      title.textContent = "The site does not build: showing the last good version";
      title.style.cssText = "font:bold 18px/1.3 system-ui,sans-serif;color:#ffb4a8;margin:0 0 1rem";
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0;padding:0;border:0;box-shadow:none;" +
        "background:none;color:#fff;font:inherit;max-width:none";
      const hint = document.createElement("p");
      hint.textContent = "Fix the files named above; this goes away when the site builds.";
      hint.style.cssText = "font:14px system-ui,sans-serif;color:#fff;opacity:.8";
      box.append(title, pre, hint);
      document.body.append(box);
    }
    box.querySelector("pre").textContent = text;
  };
  const hide = () => document.getElementById(id)?.remove();
  const events = new EventSource("/__tally/events");
  events.addEventListener("hello", (e) => {
    if (JSON.parse(e.data).build !== built) location.reload();
  });
  events.addEventListener("reload", (e) => {
    const { build, changed } = JSON.parse(e.data);
    // This page, or what pages load (stylesheets, scripts, images, fonts).
    const loaded = /\.(css|js|mjs|svg|png|jpe?g|gif|webp|avif|ico|woff2?|ttf|otf)$/i;
    const mine = (p) => pages.length === 0 || pages.includes(p) || loaded.test(p);
    if (changed.some(mine)) location.reload();
    else { built = build; hide(); }
  });
  events.addEventListener("problems", (e) => show(JSON.parse(e.data)));
  events.addEventListener("ok", hide);
})();
"#;

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn text(raw: &str) -> String {
    raw.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attribute(raw: &str) -> String {
    text(raw).replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_closing_body() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, "a/index.html", 3)).unwrap();
        assert!(
            out.ends_with(
                "data-page=\"a/index.html\" data-build=\"3\" defer></script>\n</BODY></html>"
            ),
            "{out}"
        );
        let bare = String::from_utf8(inject(b"<p>x</p>", "", 1)).unwrap();
        assert!(bare.starts_with("<p>x</p><script"), "{bare}");
    }

    #[test]
    fn events_are_single_data_lines() {
        let wire = Event::Problems("a.md:1: bad\n\"x\" </script>".into()).to_wire();
        assert_eq!(
            wire,
            "event: problems\ndata: \"a.md:1: bad\\n\\\"x\\\" </script>\"\n\n"
        );
        let reload = Event::Reload {
            build: 2,
            changed: vec!["minutes/index.html".into()],
        };
        assert_eq!(
            reload.to_wire(),
            "event: reload\ndata: {\"build\":2,\"changed\":[\"minutes/index.html\"]}\n\n"
        );
    }

    #[test]
    fn closed_tabs_are_forgotten() {
        let hub = Hub::default();
        let open = hub.subscribe(vec![]);
        drop(hub.subscribe(vec![]));
        hub.broadcast(&Event::Ok);
        assert_eq!(hub.len(), 1);
        assert_eq!(open.try_recv(), Ok(Event::Ok));
    }
}
