//! Printing receipts: to an ESC/POS printer on a device file (USB `/dev/usb/lp0`, serial
//! `/dev/ttyS0`) or the network (`tcp:192.168.1.50:9100`), and to text files when no
//! printer is set. A printer fault never undoes or blocks a sale: the caller gets the
//! fault in words and offers a reprint.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::receipt::escpos;
use crate::{db, error::Result, Till, TillError};

/// Where receipts go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum Printer {
    /// Text files in this directory (the default: `receipts/` in the data directory).
    Files(Option<PathBuf>),
    /// An ESC/POS printer's device file.
    Device(PathBuf),
    /// An ESC/POS printer on the network, `host:port` (usually port 9100).
    Network(String),
}

impl Printer {
    /// Parses `files[:DIR]`, `device:/dev/usb/lp0`, `tcp:HOST:PORT`.
    pub fn parse(s: &str) -> Result<Printer> {
        let s = s.trim();
        let bad = || {
            TillError::InvalidInput(
                "a printer is files[:DIR], device:/dev/usb/lp0 or tcp:HOST:PORT".into(),
            )
        };
        match s.split_once(':') {
            None if s == "files" => Ok(Printer::Files(None)),
            Some(("files", dir)) if !dir.is_empty() => Ok(Printer::Files(Some(dir.into()))),
            Some(("device", path)) if path.starts_with('/') => Ok(Printer::Device(path.into())),
            Some(("tcp", addr))
                if addr
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()) =>
            {
                Ok(Printer::Network(addr.to_owned()))
            }
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for Printer {
    /// The form `parse` reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Printer::Files(None) => write!(f, "files"),
            Printer::Files(Some(dir)) => write!(f, "files:{}", dir.display()),
            Printer::Device(path) => write!(f, "device:{}", path.display()),
            Printer::Network(addr) => write!(f, "tcp:{addr}"),
        }
    }
}

/// What printing did.
#[derive(Debug, Clone, Serialize)]
pub struct Printed {
    /// Where it went (a file path, a device, an address).
    pub to: String,
}

impl Till {
    /// The configured printer (text files in the data directory when none is set).
    pub fn printer(&self) -> Result<Printer> {
        Ok(db::setting(&self.conn, "printer")?
            .map(|p| serde_json::from_str(&p))
            .transpose()?
            .unwrap_or(Printer::Files(None)))
    }

    /// Sets the printer (needs the Configure capability).
    pub fn set_printer(&mut self, p: &Printer) -> Result<()> {
        self.grant(shared_model::Capability::Configure)?;
        db::set_setting(&self.conn, "printer", &serde_json::to_string(p)?)
    }

    /// Prints receipt `receipt_no` (its text as stored, for reprints too).
    pub fn print_receipt(&self, receipt_no: u64) -> Result<Printed> {
        let text = self.receipt_text(receipt_no)?;
        self.print_text(&format!("receipt-{receipt_no:06}.txt"), &text)
    }

    /// Prints a short test page (Cyrillic included, to check the printer's code page).
    pub fn print_test_page(&self) -> Result<Printed> {
        let text = format!(
            "{}\nТЕСТ ПЕЧАТИ / PRINTER TEST\n{}\nАБВГДЕЁЖЗИЙ абвгдеёжзий 1234567890 ₽\n",
            self.store_name()?,
            chrono::Local::now().format("%d.%m.%Y %H:%M"),
        );
        self.print_text("test-page.txt", &text)
    }

    /// Sends `text` to the configured printer (`file_name` when printing to files).
    fn print_text(&self, file_name: &str, text: &str) -> Result<Printed> {
        let fault = |e: std::io::Error, to: &str| TillError::Printer(format!("{to}: {e}"));
        match self.printer()? {
            Printer::Files(dir) => {
                let dir = dir.unwrap_or_else(|| self.dir.join("receipts"));
                std::fs::create_dir_all(&dir).map_err(|e| fault(e, &dir.display().to_string()))?;
                let path = dir.join(file_name);
                std::fs::write(&path, text).map_err(|e| fault(e, &path.display().to_string()))?;
                Ok(Printed {
                    to: path.display().to_string(),
                })
            }
            Printer::Device(path) => {
                let to = path.display().to_string();
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(&escpos(text)))
                    .map_err(|e| fault(e, &to))?;
                Ok(Printed { to })
            }
            Printer::Network(addr) => {
                use std::net::ToSocketAddrs;
                let sock = addr
                    .to_socket_addrs()
                    .ok()
                    .and_then(|mut a| a.next())
                    .ok_or_else(|| TillError::Printer(format!("{addr}: no such host")))?;
                std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(3))
                    .and_then(|mut s| {
                        s.set_write_timeout(Some(Duration::from_secs(5)))?;
                        s.write_all(&escpos(text))
                    })
                    .map_err(|e| fault(e, &addr))?;
                Ok(Printed { to: addr })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printers_parse_or_say_how() {
        assert_eq!(Printer::parse("files").unwrap(), Printer::Files(None));
        assert_eq!(
            Printer::parse("device:/dev/usb/lp0").unwrap(),
            Printer::Device("/dev/usb/lp0".into())
        );
        assert_eq!(
            Printer::parse("tcp:192.168.1.50:9100").unwrap(),
            Printer::Network("192.168.1.50:9100".into())
        );
        for good in [
            "files",
            "files:/tmp/r",
            "device:/dev/usb/lp0",
            "tcp:shop-printer:9100",
        ] {
            assert_eq!(Printer::parse(good).unwrap().to_string(), good);
        }
        for bad in ["", "lp0", "device:lp0", "tcp:host", "tcp::9100"] {
            assert!(Printer::parse(bad).is_err(), "{bad}");
        }
    }
}
