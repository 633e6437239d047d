//! The gate in front of tiny_http: it owns the public socket, so that every connection
//! gets what tiny_http cannot give it. Each accepted connection has `TCP_NODELAY` set
//! (no 40 ms Nagle and delayed-ACK stall on keep-alive requests), and each request head
//! is read here first, within limits, before it is passed on to tiny_http over
//! loopback:
//!
//! - a head of at most [`MAX_HEAD`] bytes and [`MAX_HEADERS`] header lines (else `431`),
//!   a request target of at most [`MAX_TARGET`] bytes (else `414`);
//! - no request body (the preview serves `GET` and `HEAD` only; else `413`);
//! - a head begun but not finished within [`HEAD_TIMEOUT`] closes the connection, so a
//!   client that never finishes its request holds one thread of its own and nothing
//!   else. An idle keep-alive connection (no head begun) is left open: the live-reload
//!   event stream is one.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The largest request head passed on, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most header lines a request may have.
pub const MAX_HEADERS: usize = 64;
/// The longest request target (path and query), in bytes.
pub const MAX_TARGET: usize = 2048;
/// How long a request head may take once its first byte has arrived.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Accepts on `public` until `stopping` is set, passing each connection's requests on
/// to `upstream` (tiny_http's loopback address).
pub fn run(public: &TcpListener, upstream: SocketAddr, stopping: &AtomicBool) {
    for client in public.incoming() {
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = client else { continue };
        let _ = std::thread::Builder::new()
            .name("tally-gate".into())
            .spawn(move || relay(client, upstream));
    }
}

/// Sets `TCP_NODELAY` on a listening socket: the sockets it accepts inherit it (on
/// Linux), so tiny_http's writes to the gate are not held back by Nagle either.
pub fn no_delay(listener: &TcpListener) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let on: libc::c_int = 1;
        // SAFETY: a valid socket descriptor, a pointer to a live c_int and its size.
        unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&raw const on).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(unix))]
    let _ = listener;
}

/// Wakes [`run`] from its `accept` so that it sees `stopping`.
pub fn wake(public: SocketAddr) {
    let _ = TcpStream::connect_timeout(&public, Duration::from_secs(1));
}

/// One client connection: heads checked and sent on in this thread, responses copied
/// back in another. tiny_http is reached only once a whole head has arrived, so a
/// client that never finishes one never holds a thread of tiny_http's pool (whose
/// queued connections would wait behind it).
fn relay(client: TcpStream, upstream: SocketAddr) {
    let _ = client.set_nodelay(true);
    let mut link = None;
    forward_heads(client, upstream, &mut link);
    if let Some(link) = link {
        link.finish();
    }
}

/// The connection to tiny_http for one client, and the thread copying its answers back.
struct Upstream {
    server: TcpStream,
    back: Option<std::thread::JoinHandle<()>>,
    /// Set when tiny_http has closed its side.
    closed: Arc<AtomicBool>,
}

impl Upstream {
    /// Connects to `upstream` and starts copying its answers to `client`.
    fn open(client: &TcpStream, upstream: SocketAddr) -> Option<Upstream> {
        let server = TcpStream::connect(upstream).ok()?;
        let _ = server.set_nodelay(true);
        let mut client_out = client.try_clone().ok()?;
        let mut server_in = server.try_clone().ok()?;
        let closed = Arc::new(AtomicBool::new(false));
        let back = std::thread::Builder::new()
            .name("tally-gate-back".into())
            .spawn({
                let closed = Arc::clone(&closed);
                move || {
                    let _ = io::copy(&mut server_in, &mut client_out);
                    closed.store(true, Ordering::SeqCst);
                    let _ = client_out.shutdown(Shutdown::Both);
                }
            })
            .ok();
        Some(Upstream {
            server,
            back,
            closed,
        })
    }

    fn closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// No more requests: lets tiny_http finish its answers, then waits for the copy.
    fn finish(self) {
        let _ = self.server.shutdown(Shutdown::Write);
        if let Some(back) = self.back {
            let _ = back.join();
        }
    }
}

/// Refuses the request on `client` with `answer`, closing tiny_http's side if open.
fn refuse(client: &mut TcpStream, link: &Option<Upstream>, answer: &str) {
    let _ = client.write_all(answer.as_bytes());
    if let Some(link) = link {
        let _ = link.server.shutdown(Shutdown::Both);
    }
}

/// Reads request heads from `client` and writes each to tiny_http (connecting on the
/// first), until the client closes, breaks a limit or stalls inside a head.
fn forward_heads(mut client: TcpStream, upstream: SocketAddr, link: &mut Option<Upstream>) {
    let _ = client.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buffer: Vec<u8> = Vec::with_capacity(1024);
    let mut started: Option<Instant> = None;
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(&buffer) {
            if let Err(answer) = check_head(&buffer[..end]) {
                // The answer goes straight back; the connection ends with it.
                refuse(&mut client, link, &answer);
                return;
            }
            if link.is_none() {
                *link = Upstream::open(&client, upstream);
            }
            let Some(open) = link.as_ref() else { return };
            if (&open.server).write_all(&buffer[..end]).is_err() {
                return;
            }
            buffer.drain(..end);
            started = (!buffer.is_empty()).then(Instant::now);
            continue;
        }
        if buffer.len() > MAX_HEAD {
            refuse(
                &mut client,
                link,
                &refusal(431, "Request Header Fields Too Large"),
            );
            return;
        }
        match client.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => {
                started.get_or_insert_with(Instant::now);
                buffer.extend_from_slice(&chunk[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                let stalled = started.is_some_and(|t| t.elapsed() > HEAD_TIMEOUT);
                if stalled || link.as_ref().is_some_and(Upstream::closed) {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// The length of the first complete head in `buffer` (through its blank line).
fn head_end(buffer: &[u8]) -> Option<usize> {
    buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// A head within the limits, or the whole response that refuses it.
fn check_head(head: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let request = lines.next().unwrap_or("");
    let target = request.split(' ').nth(1).unwrap_or("");
    if target.len() > MAX_TARGET {
        return Err(refusal(414, "URI Too Long"));
    }
    let headers: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    if headers.len() > MAX_HEADERS || head.len() > MAX_HEAD {
        return Err(refusal(431, "Request Header Fields Too Large"));
    }
    let has_body = headers.iter().any(|h| {
        let (name, value) = h.split_once(':').unwrap_or((h, ""));
        (name.trim().eq_ignore_ascii_case("content-length") && value.trim() != "0")
            || name.trim().eq_ignore_ascii_case("transfer-encoding")
    });
    if has_body {
        return Err(refusal(413, "Content Too Large"));
    }
    Ok(())
}

fn refusal(status: u16, reason: &str) -> String {
    let body = format!("{status} {reason}\n");
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_within_the_limits_pass_and_others_get_their_status() {
        assert!(check_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").is_ok());
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_TARGET));
        assert!(
            check_head(long.as_bytes())
                .unwrap_err()
                .starts_with("HTTP/1.1 414")
        );
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "X: y\r\n".repeat(MAX_HEADERS + 1)
        );
        assert!(
            check_head(many.as_bytes())
                .unwrap_err()
                .starts_with("HTTP/1.1 431")
        );
        let body = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
        assert!(check_head(body).unwrap_err().starts_with("HTTP/1.1 413"));
    }

    #[test]
    fn a_head_ends_at_its_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nGET"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
    }
}
