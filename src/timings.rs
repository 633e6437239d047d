//! Where a build's time went, stage by stage (`tally build --timings`, `tally serve`),
//! and the process's peak memory.

use std::time::{Duration, Instant};

/// The time each stage of one build took, in the order they ran.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    /// Ends the stage called `name` that began at `*since`; the next one begins now.
    pub fn lap(&mut self, name: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.0.push((name, now - *since));
        *since = now;
    }

    /// The time of the stage called `name` (all of its laps), if it ran.
    pub fn of(&self, name: &str) -> Option<Duration> {
        let laps = self.0.iter().filter(|(n, _)| *n == name);
        laps.map(|(_, took)| *took).reduce(|a, b| a + b)
    }

    /// The time of every stage together.
    pub fn total(&self) -> Duration {
        self.0.iter().map(|(_, took)| *took).sum()
    }
}

impl std::fmt::Display for Timings {
    /// `load 3.1 ms, check 0.4 ms, …`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, took)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name} {:.1} ms", took.as_secs_f64() * 1000.0)?;
        }
        Ok(())
    }
}

/// The most memory this process has held at once (`VmHWM`, the peak resident set), in
/// bytes; `None` where the system does not say (Linux's `/proc/self/status` does).
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    peak_in_status(&status)
}

/// `VmHWM:   123456 kB` → bytes.
fn peak_in_status(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line.split_whitespace().skip(1);
    let kib: u64 = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_read_from_the_status_file() {
        let status = "Name:\ttally\nVmPeak:\t  900 kB\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(peak_in_status(status), Some(2048 * 1024));
        assert_eq!(peak_in_status("Name:\ttally\n"), None);
        assert_eq!(peak_in_status("VmHWM:\t 12 MB\n"), None);
        if cfg!(target_os = "linux") {
            assert!(peak_memory().is_some_and(|b| b > 0));
        }
    }

    #[test]
    fn laps_add_up_by_stage() {
        let mut t = Timings::default();
        t.0.push(("load", Duration::from_millis(3)));
        t.0.push(("render", Duration::from_millis(5)));
        t.0.push(("load", Duration::from_millis(1)));
        assert_eq!(t.of("load"), Some(Duration::from_millis(4)));
        assert_eq!(t.of("write"), None);
        assert_eq!(t.total(), Duration::from_millis(9));
        assert_eq!(t.to_string(), "load 3.0 ms, render 5.0 ms, load 1.0 ms");
    }
}
