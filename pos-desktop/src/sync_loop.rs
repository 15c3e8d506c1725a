//! The background sync loop: pushes and pulls on its own connection, never blocking a
//! sale; retries with exponential backoff and jitter; wakes early when head office says
//! new data is waiting (server-sent events) or the till records something new.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::sync::SyncReport;
use crate::{Result, Till, TillError};

/// Timing of the loop.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// Sync at least this often when all is well (the fallback when notifications fail).
    pub poll: Duration,
    /// First retry delay after a failure.
    pub min_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// How often to look for new local events to send.
    pub local_check: Duration,
}

impl Default for LoopOptions {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(60),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            local_check: Duration::from_secs(1),
        }
    }
}

/// A running sync loop; stops when dropped or [`SyncLoop::stop`]ped.
pub struct SyncLoop {
    stop: Arc<AtomicBool>,
    wake: Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

/// The delay before retry number `failures` (1-based): doubling, capped, with ±25 % jitter
/// so that many tills coming back at once do not retry in step.
pub fn backoff(failures: u32, opts: &LoopOptions, seed: u64) -> Duration {
    let base = opts
        .min_backoff
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(opts.max_backoff);
    let jitter = (seed % 501) as f64 / 1000.0 - 0.25; // −0.25 … +0.25
    base.mul_f64(1.0 + jitter).min(opts.max_backoff)
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| d.subsec_nanos() as u64 * 2_654_435_761)
}

impl SyncLoop {
    /// Starts the loop for the till in `dir`; `report` sees every round's outcome.
    pub fn start(
        dir: PathBuf,
        opts: LoopOptions,
        report: impl Fn(&Result<SyncReport>) + Send + 'static,
    ) -> SyncLoop {
        let stop = Arc::new(AtomicBool::new(false));
        // `true`: head office said something changed; `false`: a local wake.
        let (wake, woken) = mpsc::channel::<bool>();
        let listener_wake = wake.clone();
        let (s, d) = (stop.clone(), dir.clone());
        std::thread::Builder::new()
            .name("sync-notify".into())
            .spawn(move || listen(d, s, listener_wake))
            .ok();
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sync".into())
            .spawn(move || {
                let mut failures = 0u32;
                let mut next = Instant::now();
                // After a "changed" notice, pulls that find nothing yet are retried a few
                // times a second apart: the feed shows a change only once every older
                // transaction on the server has finished, which can lag the notice.
                let mut chase = 0u32;
                // The loop's own connection: sales on the till's connection never wait for it
                // longer than one short write.
                let mut till: Option<Till> = None;
                while !s.load(Ordering::Relaxed) {
                    if till.is_none() {
                        till = Till::open(&dir).ok();
                    }
                    let now = Instant::now();
                    if now < next {
                        let wait = (next - now).min(opts.local_check);
                        match woken.recv_timeout(wait) {
                            // Woken with no failure pending: sync right away.
                            Ok(notice) if failures == 0 => {
                                if notice {
                                    chase = 5;
                                }
                            }
                            Ok(_) | Err(RecvTimeoutError::Timeout) => {
                                // New local events go out at once unless we are backing off.
                                let pending = till
                                    .as_ref()
                                    .and_then(|t| t.outbox_status().ok())
                                    .map_or(0, |o| o.pending);
                                if pending > 0 && failures == 0 {
                                    next = Instant::now();
                                }
                                continue;
                            }
                            Err(RecvTimeoutError::Disconnected) => break,
                        }
                    }
                    let result = match till.as_mut() {
                        Some(t) => t.sync_once(),
                        None => Till::open(&dir).and_then(|mut t| t.sync_once()),
                    };
                    report(&result);
                    next = match &result {
                        Ok(r) if r.pulled == 0 && chase > 0 => {
                            failures = 0;
                            chase -= 1;
                            Instant::now() + Duration::from_secs(1)
                        }
                        Ok(_) | Err(TillError::NotEnrolled) => {
                            failures = 0;
                            chase = 0;
                            Instant::now() + opts.poll
                        }
                        // Refused by head office: the same request would be refused again, so
                        // wait long (the till keeps its events; the status shows why).
                        Err(TillError::SyncRefused { .. }) => {
                            failures += 1;
                            Instant::now() + opts.max_backoff
                        }
                        // Unreachable or a server error: retry soon, then less and less often.
                        Err(_) => {
                            failures += 1;
                            Instant::now() + backoff(failures, &opts, seed())
                        }
                    };
                }
            })
            .ok();
        SyncLoop { stop, wake, thread }
    }

    /// Asks for a sync round now (e.g. right after a sale).
    pub fn wake(&self) {
        let _ = self.wake.send(false);
    }

    /// Stops the loop and waits for the current round to finish.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.wake.send(false);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SyncLoop {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Holds a server-sent-events connection and wakes the loop on every `changed` event;
/// reconnects with backoff. Keep-alives every 15 s let it notice `stop`.
fn listen(dir: PathBuf, stop: Arc<AtomicBool>, wake: Sender<bool>) {
    let opts = LoopOptions::default();
    let mut failures = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let stream = Till::open(&dir).and_then(|t| t.open_change_stream());
        match stream {
            Ok(resp) => {
                failures = 0;
                for line in BufReader::new(resp).lines() {
                    let Ok(line) = line else { break };
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if line.starts_with("event: changed") && wake.send(true).is_err() {
                        return;
                    }
                }
            }
            Err(_) => failures += 1,
        }
        std::thread::sleep(backoff(failures.max(1), &opts, seed()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let o = LoopOptions {
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            ..Default::default()
        };
        let mid = 250; // no jitter
        assert_eq!(backoff(1, &o, mid), Duration::from_secs(1));
        assert_eq!(backoff(3, &o, mid), Duration::from_secs(4));
        assert_eq!(backoff(30, &o, mid), Duration::from_secs(60));
        let (lo, hi) = (backoff(4, &o, 0), backoff(4, &o, 500));
        assert_eq!((lo, hi), (Duration::from_secs(6), Duration::from_secs(10)));
    }
}
