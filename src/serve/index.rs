//! The search index of `tally serve`, built on its own thread so that a save shows its
//! page at once. Builds are debounced: the index is made only once no newer pages came
//! for [`DEBOUNCE`], and a newer build's pages stop one in progress. Until a new index
//! is swapped in, the search page keeps the previous one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use super::rebuild::IndexJob;
use crate::render::OutputFile;

/// How long the pages must stay the same before they are indexed.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// A finished index of the pages of build `version`, or why it failed.
pub struct Indexed {
    pub version: u64,
    pub files: std::result::Result<Vec<OutputFile>, String>,
}

/// The indexing thread; it ends when this is dropped.
pub struct Indexer {
    jobs: Sender<IndexJob>,
    latest: Arc<AtomicU64>,
}

impl Indexer {
    /// Starts the thread; each index it finishes is sent to `done`.
    pub fn start(debounce: Duration, done: Sender<Indexed>) -> std::io::Result<Indexer> {
        let (jobs, waiting) = channel();
        let latest = Arc::new(AtomicU64::new(0));
        let seen = Arc::clone(&latest);
        std::thread::Builder::new()
            .name("tally-index".into())
            .spawn(move || work(&waiting, &seen, debounce, &done))?;
        Ok(Indexer { jobs, latest })
    }

    /// Indexes `job`'s pages, dropping any older job waiting or in progress.
    pub fn submit(&self, job: IndexJob) {
        self.latest.fetch_max(job.version(), Ordering::SeqCst);
        let _ = self.jobs.send(job);
    }
}

fn work(
    waiting: &Receiver<IndexJob>,
    latest: &AtomicU64,
    debounce: Duration,
    done: &Sender<Indexed>,
) {
    while let Ok(mut job) = waiting.recv() {
        // Wait until no newer pages come for `debounce`.
        loop {
            match waiting.recv_timeout(debounce) {
                Ok(newer) => job = newer,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let version = job.version();
        let superseded = || latest.load(Ordering::SeqCst) != version;
        let files = match job.run(&superseded) {
            Ok(Some(files)) => Ok(files),
            Ok(None) => continue,
            Err(e) => Err(e.to_string()),
        };
        drop(job);
        if done.send(Indexed { version, files }).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(version: u64, words: &str) -> IndexJob {
        let page =
            format!("<html><body><main data-search-body><p>{words}</p></main></body></html>");
        IndexJob::new(
            version,
            "en",
            vec![("a/index.html".into(), Arc::from(page.as_bytes()))],
        )
    }

    #[test]
    fn pages_sent_while_waiting_replace_the_older_ones() {
        let (done, indexed) = channel();
        let indexer = Indexer::start(Duration::from_millis(400), done).expect("a thread");
        indexer.submit(job(1, "pantry"));
        indexer.submit(job(2, "bakery"));
        let first = indexed
            .recv_timeout(Duration::from_secs(30))
            .expect("an index");
        assert_eq!(first.version, 2);
        assert!(
            first
                .files
                .is_ok_and(|f| f.iter().any(|f| f.path.starts_with("search/index/")))
        );
        assert!(
            indexed.recv_timeout(Duration::from_millis(800)).is_err(),
            "the older pages are never indexed"
        );
    }

    #[test]
    fn a_newer_build_stops_an_index_in_progress() {
        assert!(
            job(1, "pantry")
                .run(&|| true)
                .expect("no failure")
                .is_none()
        );
        assert!(job(1, "pantry").run(&|| false).expect("indexes").is_some());
    }
}
