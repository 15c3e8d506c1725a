//! The till's side of sync: enrollment, pushing the outbox (forgetting nothing the
//! server has not acknowledged) and pulling head-office changes (each page applied
//! with its cursor in one transaction).

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use serde::{Deserialize, Serialize};
use shared_model::events::EventEnvelope;
use shared_model::sync::{
    DeviceToken, DeviceTokenRequest, EnrollRequest, Enrollment, PullResponse, PushRequest,
    PushResponse, ReserveRequest, ReserveResponse, SellableRequest, PROTOCOL_VERSION,
};
use uuid::Uuid;

use crate::{db, error::Result, Till, TillError};

mod apply;

/// The device credential file in the data directory (mode 0600).
pub const CREDENTIAL_FILE: &str = "device.json";
/// Events per push.
const BATCH: u32 = 200;

/// Changes asked for in one pull page (head office gives at most 5 000; fewer, larger pages
/// spend less on each request).
const PAGE: u32 = 5000;

/// Changes applied in one transaction at the most (a few pages).
const APPLY_AT_ONCE: usize = 10_000;

/// Pages fetched ahead of the one being applied.
const PREFETCH: usize = 6;

/// What the till keeps to prove who it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Credential {
    pub(crate) server: String,
    terminal_id: Uuid,
    location_id: Uuid,
    secret: String,
    epoch: u32,
}

/// Sync state for the status bar and `pos-till status`.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    /// Head office URL, when enrolled.
    pub server: Option<String>,
    /// The store, when enrolled.
    pub location_id: Option<Uuid>,
    /// Whether the last attempt reached the server.
    pub online: bool,
    /// Events waiting for head office.
    pub pending: u64,
    /// Last successful push.
    pub last_push_at: Option<String>,
    /// Last successful pull.
    pub last_pull_at: Option<String>,
    /// The last problem, in words.
    pub last_error: Option<String>,
}

/// What one sync round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Events the server acknowledged in this round.
    pub pushed: u64,
    /// Changes applied from head office.
    pub pulled: u64,
    /// Events still waiting.
    pub pending: u64,
}

/// The server's error body.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}
#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
    expected_seq: Option<u64>,
}

/// Gzips a request body (sale batches shrink about tenfold).
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

pub(crate) fn client() -> Result<Client> {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| TillError::Network(e.to_string()))
}

fn net(e: reqwest::Error) -> TillError {
    TillError::Network(if e.is_connect() || e.is_timeout() {
        "head office is unreachable".into()
    } else {
        e.to_string()
    })
}

/// Turns a response into its body, or the server's error in words.
fn read<T: for<'de> Deserialize<'de>>(r: Response) -> Result<T> {
    let status = r.status();
    if status.is_success() {
        return r.json().map_err(net);
    }
    let text = r.text().unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(b) if status.is_server_error() => Err(TillError::Network(format!(
            "head office error: {}",
            b.error.message
        ))),
        Ok(b) => Err(TillError::SyncRefused {
            code: b.error.code,
            message: b.error.message,
            expected_seq: b.error.expected_seq,
        }),
        Err(_) => Err(TillError::Network(format!("head office answered {status}"))),
    }
}

impl Till {
    fn credential_path(&self) -> PathBuf {
        self.dir.join(CREDENTIAL_FILE)
    }

    pub(crate) fn credential(&self) -> Result<Credential> {
        let text =
            std::fs::read_to_string(self.credential_path()).map_err(|_| TillError::NotEnrolled)?;
        serde_json::from_str(&text).map_err(|e| TillError::Data(format!("device credential: {e}")))
    }

    fn save_credential(&self, c: &Credential) -> Result<()> {
        let path = self.credential_path();
        let tmp = path.with_extension("tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(serde_json::to_string_pretty(c)?.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }

    /// Enrolls the till with head office using a one-time code. The till takes the
    /// terminal identity head office assigned; events not yet sent move to it.
    pub fn enroll(&mut self, server: &str, code: &str) -> Result<Enrollment> {
        self.enroll_with(server, code, false)
    }

    /// [`Till::enroll`], optionally allowing a plain-http head office that is not this
    /// machine (`insecure_http`: the device secret then crosses the network in clear).
    pub fn enroll_with(
        &mut self,
        server: &str,
        code: &str,
        insecure_http: bool,
    ) -> Result<Enrollment> {
        // A freshly installed till has no users yet: IT enrolls it with the code alone.
        // Once it has users, enrolling again takes someone allowed to configure it.
        if self.has_cashiers()? {
            self.grant(shared_model::Capability::Configure)?;
        }
        let server = server.trim().trim_end_matches('/').to_owned();
        if !(server.starts_with("http://") || server.starts_with("https://")) {
            return Err(TillError::InvalidInput(
                "the server address starts with http:// or https://".into(),
            ));
        }
        if server.starts_with("http://") && !insecure_http && !loopback(&server) {
            return Err(TillError::InvalidInput(
                "head office must be reached over https:// (plain http would send the till's secret in clear); \
                 use --insecure-http only on a network you trust"
                    .into(),
            ));
        }
        let e: Enrollment = read(
            client()?
                .post(format!("{server}/api/v1/terminals/enroll"))
                .json(&EnrollRequest {
                    protocol: PROTOCOL_VERSION,
                    code: code.trim().to_owned(),
                })
                .send()
                .map_err(net)?,
        )?;
        // The code is spent now: keep the credential before anything else can fail.
        self.save_credential(&Credential {
            server,
            terminal_id: e.terminal_id,
            location_id: e.location_id,
            secret: e.device_secret.clone(),
            epoch: e.epoch,
        })?;
        let tx = self.conn.transaction()?;
        let pending: Vec<(i64, String)> = tx
            .prepare("SELECT seq, payload FROM outbox WHERE acked_at IS NULL")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (seq, payload) in pending {
            let mut env: EventEnvelope = serde_json::from_str(&payload)?;
            env.terminal_id = e.terminal_id;
            tx.execute(
                "UPDATE outbox SET payload = ?2 WHERE seq = ?1",
                (seq, serde_json::to_string(&env)?),
            )?;
        }
        db::set_setting(&tx, "terminal_id", &e.terminal_id.to_string())?;
        db::set_setting(&tx, "location_id", &e.location_id.to_string())?;
        db::clear_setting(&tx, "pull_cursor")?;
        db::clear_setting(&tx, "sync_error")?;
        // An enrolled till sells for real, even one first set up with the demo catalog:
        // head office's store settings now decide whether it may without a register.
        db::clear_setting(&tx, "demo")?;
        tx.commit()?;
        self.terminal_id = e.terminal_id;
        Ok(e)
    }

    /// Sync state for display.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let c = self.credential().ok();
        let s = |k: &str| db::setting(&self.conn, k);
        Ok(SyncStatus {
            server: c.as_ref().map(|c| c.server.clone()),
            location_id: c.as_ref().map(|c| c.location_id),
            online: c.is_some() && s("sync_error")?.is_none() && s("last_push_at")?.is_some(),
            pending: self.outbox_status()?.pending,
            last_push_at: s("last_push_at")?,
            last_pull_at: s("last_pull_at")?,
            last_error: s("sync_error")?,
        })
    }

    /// One sync round: push everything waiting, then pull every change waiting.
    /// Network failures leave everything as it was; the next round retries.
    pub fn sync_once(&mut self) -> Result<SyncReport> {
        let result = self.sync_round();
        match &result {
            Ok(_) => db::clear_setting(&self.conn, "sync_error")?,
            Err(e) => db::set_setting(&self.conn, "sync_error", &e.to_string())?,
        }
        result
    }

    pub(crate) fn device_token(&self, http: &Client, cred: &Credential) -> Result<DeviceToken> {
        read(
            http.post(format!("{}/api/v1/sync/token", cred.server))
                .json(&DeviceTokenRequest {
                    protocol: PROTOCOL_VERSION,
                    terminal_id: cred.terminal_id,
                    secret: cred.secret.clone(),
                })
                .send()
                .map_err(net)?,
        )
    }

    /// Asks head office to check and hold a certificate redemption. `Ok(None)` when the
    /// till is not enrolled; [`TillError::Network`] when head office does not answer
    /// quickly (the cashier is waiting: the offline allowance applies then).
    pub(crate) fn reserve_certificate(
        &self,
        req: &ReserveRequest,
    ) -> Result<Option<ReserveResponse>> {
        self.ask_quickly("sync/certificates/reserve", req)
    }

    /// Asks head office about a certificate to be sold; `None` when not enrolled.
    pub(crate) fn certificate_sellable(
        &self,
        code: &shared_model::certificates::CertificateCode,
    ) -> Result<Option<shared_model::certificates::CertificateState>> {
        self.ask_quickly(
            "sync/certificates/sellable",
            &SellableRequest { code: code.clone() },
        )
    }

    /// A question to head office while a customer waits: a short timeout, `Ok(None)`
    /// when the till is not enrolled.
    fn ask_quickly<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Option<T>> {
        let Ok(cred) = self.credential() else {
            return Ok(None);
        };
        let http = Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .map_err(net)?;
        let token = self.device_token(&http, &cred)?;
        read(
            http.post(format!("{}/api/v1/{path}", cred.server))
                .bearer_auth(token.token)
                .json(body)
                .send()
                .map_err(net)?,
        )
        .map(Some)
    }

    /// Opens head office's server-sent-events stream of "new data waiting" signals.
    pub fn open_change_stream(&self) -> Result<Response> {
        let cred = self.credential()?;
        let token = self.device_token(&client()?, &cred)?;
        let streaming = Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(net)?;
        let resp = streaming
            .get(format!("{}/api/v1/sync/events", cred.server))
            .bearer_auth(token.token)
            .send()
            .map_err(net)?;
        if !resp.status().is_success() {
            return Err(TillError::Network(format!(
                "change stream refused: {}",
                resp.status()
            )));
        }
        Ok(resp)
    }

    fn sync_round(&mut self) -> Result<SyncReport> {
        let cred = self.credential()?;
        let http = client()?;
        let token = self.device_token(&http, &cred)?;
        let mut report = SyncReport {
            pushed: self.push_all(&http, &cred, &token.token)?,
            ..Default::default()
        };
        report.pulled = self.pull_all(&http, &cred, &token.token)?;
        report.pending = self.outbox_status()?.pending;
        // Head office's view of the register is a courtesy: it never fails the round
        // (what was not sent is due again next round).
        let _ = self.push_register_report(&http, &cred, &token.token);
        Ok(report)
    }

    /// Sends the register's report when one is due (an older server without the route
    /// answers 404: nothing to do).
    fn push_register_report(
        &mut self,
        http: &Client,
        cred: &Credential,
        token: &str,
    ) -> Result<()> {
        let Some(r) = self.register_report_due()? else {
            return Ok(());
        };
        let resp = http
            .post(format!("{}/api/v1/sync/register", cred.server))
            .bearer_auth(token)
            .json(&r)
            .send()
            .map_err(net)?;
        if resp.status().is_success() || resp.status() == reqwest::StatusCode::NOT_FOUND {
            self.register_report_sent()?;
        }
        Ok(())
    }

    fn push_all(&mut self, http: &Client, cred: &Credential, token: &str) -> Result<u64> {
        let mut pushed = 0;
        let mut rewinds = 0;
        loop {
            let events = self.pending_events(BATCH)?;
            let Some(first) = events.first().map(|e| e.seq) else {
                break;
            };
            let req = PushRequest {
                protocol: PROTOCOL_VERSION,
                terminal_id: cred.terminal_id,
                epoch: cred.epoch,
                events,
                newest_seq: self.newest_seq()?,
            };
            let resp = http
                .post(format!("{}/api/v1/sync/push", cred.server))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .header("content-encoding", "gzip")
                .body(gzip(&serde_json::to_vec(&req)?)?)
                .send()
                .map_err(net)?;
            match read::<PushResponse>(resp) {
                Ok(r) => {
                    pushed += self.ack_events(r.acked_seq)?;
                    db::set_setting(&self.conn, "last_push_at", &db::ts(db::now()))?;
                    if r.acked_seq < first {
                        return Err(TillError::Data(format!(
                            "head office acknowledged only up to {}",
                            r.acked_seq
                        )));
                    }
                }
                // Head office lacks earlier events (e.g. restored from a backup): resend them.
                Err(TillError::SyncRefused {
                    expected_seq: Some(expected),
                    ..
                }) if expected < first && rewinds < 3 => {
                    rewinds += 1;
                    self.conn.execute(
                        "UPDATE outbox SET acked_at = NULL WHERE seq >= ?1",
                        [expected as i64],
                    )?;
                }
                Err(e) => return Err(e),
            }
        }
        db::set_setting(&self.conn, "last_push_at", &db::ts(db::now()))?;
        Ok(pushed)
    }

    /// Pulls every change waiting. A second thread fetches the pages while this one applies
    /// them, up to [`APPLY_AT_ONCE`] changes a transaction: the write lock is never held
    /// across the network (a sale does not wait on head office), an index page touched by
    /// many products of a snapshot is written once per transaction, and head office's time
    /// and the till's overlap.
    fn pull_all(&mut self, http: &Client, cred: &Credential, token: &str) -> Result<u64> {
        let start = db::setting(&self.conn, "pull_cursor")?;
        std::thread::scope(|s| {
            let (send, pages) = std::sync::mpsc::sync_channel(PREFETCH);
            s.spawn(move || {
                let mut cursor = start;
                loop {
                    let page = fetch_page(http, cred, token, cursor.as_deref());
                    let next = page
                        .as_ref()
                        .ok()
                        .filter(|p| p.more)
                        .map(|p| p.cursor.clone());
                    if send.send(page).is_err() || next.is_none() {
                        return;
                    }
                    cursor = next;
                }
            });
            self.apply_pages(&pages)
        })
    }

    /// Applies the pages as they come, a few at a time, each group in one transaction with
    /// its cursor. Returns how many changes were applied.
    fn apply_pages(&mut self, pages: &Receiver<Result<PullResponse>>) -> Result<u64> {
        let mut applied = 0;
        let mut cursor = db::setting(&self.conn, "pull_cursor")?;
        loop {
            let mut group = Vec::new();
            let (mut changes, mut more) = (0, true);
            while more && changes < APPLY_AT_ONCE {
                // The fetcher ends after the last page (or an error), so this always ends.
                let page = pages
                    .recv()
                    .map_err(|_| TillError::Network("pull ended".into()))??;
                changes += page.changes.len();
                more = page.more;
                group.push(page);
            }
            cursor = apply::group(&mut self.conn, &group, cursor)?;
            applied += changes as u64;
            if !more {
                return Ok(applied);
            }
        }
    }
}

/// One page of changes after `cursor`.
fn fetch_page(
    http: &Client,
    cred: &Credential,
    token: &str,
    cursor: Option<&str>,
) -> Result<PullResponse> {
    let mut req = http
        .get(format!("{}/api/v1/sync/pull", cred.server))
        .bearer_auth(token)
        .query(&[
            ("protocol", PROTOCOL_VERSION.to_string()),
            ("limit", PAGE.to_string()),
        ]);
    if let Some(c) = cursor {
        req = req.query(&[("cursor", c)]);
    }
    read(req.send().map_err(net)?)
}

/// Whether a server address names this machine (plain http is safe only there).
fn loopback(server: &str) -> bool {
    let host = reqwest::Url::parse(server)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    host.is_some_and(|h| {
        let h = h.trim_start_matches('[').trim_end_matches(']');
        h.eq_ignore_ascii_case("localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

#[cfg(test)]
mod tests {
    use super::loopback;

    #[test]
    fn only_this_machine_counts_as_loopback() {
        for ok in [
            "http://127.0.0.1:3000",
            "http://localhost",
            "http://LOCALHOST:8080/x",
            "http://[::1]:80",
            "http://127.9.9.9",
        ] {
            assert!(loopback(ok), "{ok}");
        }
        for no in [
            "http://pos.example.ru",
            "http://127.0.0.1.example.com",
            "http://localhost.example.com",
            "http://10.0.0.5",
            "not a url",
        ] {
            assert!(!loopback(no), "{no}");
        }
    }
}
