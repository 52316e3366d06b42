//! The one CSV writer every download goes through (the admin console's exports and the leads):
//! UTF-8 with a byte order mark, so that Excel reads Vietnamese correctly, streamed in bounded
//! chunks, and every text cell neutralised against formula injection.
//!
//! The rows come from one query as a stream and are written into chunks of about `CHUNK_BYTES`;
//! at most `CHUNKS_IN_FLIGHT` chunks wait for the client, so memory stays the same for ten rows or
//! a million, and a slow download slows the query instead of filling RAM.
use std::borrow::Cow;
use std::future::Future;

use bytes::Bytes;
use tokio::sync::mpsc;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";
/// A chunk is sent once it holds this much.
pub const CHUNK_BYTES: usize = 64 * 1024;
pub const CHUNKS_IN_FLIGHT: usize = 4;

/// One cell, by the type of its column. Numbers are ours (amounts, counts, days left, which may
/// be negative) and stay numbers a spreadsheet can add up; text may come from anyone (a company
/// name, a message) and is neutralised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(i64),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n)
    }
}

impl From<Option<i64>> for Cell {
    fn from(n: Option<i64>) -> Cell {
        n.map_or(Cell::Empty, Cell::Number)
    }
}

/// The characters that make a spreadsheet read a cell as a formula (OWASP's list: `=`, `+`,
/// `-`, `@`, tab and carriage return).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a cell no spreadsheet runs: one that starts with a formula character gets a single
/// quote in front, which Excel and LibreOffice read as "this is text" (OWASP's advice for CSV
/// injection). Everything else, Vietnamese included, is left as written.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("the client went away")]
    Gone,
}

/// CSV records into bounded chunks on a channel.
pub struct CsvStream {
    out: csv::Writer<Vec<u8>>,
    tx: mpsc::Sender<Bytes>,
}

/// A CSV writer into an empty chunk. Its own buffer is small: the chunk's size is checked on
/// what it has flushed.
fn writer(start: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().buffer_capacity(1024).from_writer(start)
}

impl CsvStream {
    fn new(tx: mpsc::Sender<Bytes>) -> CsvStream {
        CsvStream { out: writer(BOM.to_vec()), tx }
    }

    /// The header line: our own column names.
    pub fn header(&mut self, names: &[&'static str]) -> Result<(), ExportError> {
        self.out.write_record(names)?;
        Ok(())
    }

    /// One record; each text cell neutralised (`text_cell`).
    pub async fn record<const N: usize>(&mut self, cells: [Cell; N]) -> Result<(), ExportError> {
        for cell in &cells {
            match cell {
                Cell::Text(s) => self.out.write_field(text_cell(s).as_bytes())?,
                Cell::Number(n) => self.out.write_field(n.to_string())?,
                Cell::Empty => self.out.write_field("")?,
            }
        }
        self.out.write_record(None::<&[u8]>)?;
        if self.out.get_ref().len() >= CHUNK_BYTES {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> Result<(), ExportError> {
        let full = std::mem::replace(&mut self.out, writer(Vec::with_capacity(CHUNK_BYTES + 1024)));
        let chunk = full.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        if chunk.is_empty() {
            return Ok(());
        }
        self.tx.send(Bytes::from(chunk)).await.map_err(|_| ExportError::Gone)
    }
}

/// Runs `write` on a task of its own and returns its chunks; `name` says which export in the
/// log. The first chunk starts with the byte order mark.
pub fn spawn<F, Fut>(name: &'static str, write: F) -> mpsc::Receiver<Bytes>
where
    F: FnOnce(CsvStream) -> Fut,
    Fut: Future<Output = Result<CsvStream, ExportError>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let written = write(CsvStream::new(tx));
    tokio::spawn(async move {
        let done = match written.await {
            Ok(mut out) => out.send().await,
            Err(e) => Err(e),
        };
        match done {
            Ok(()) | Err(ExportError::Gone) => {}
            // The response has started: the download ends short, and the log says why.
            Err(e) => tracing::error!(error = %e, export = name, "a CSV export failed part way"),
        }
    });
    rx
}

/// `unix` in Vietnam time, `2026-12-01 09:30`.
pub fn local_time(unix: i64) -> String {
    crate::clock::vietnam_moment(unix)
        .map(|t| format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula() {
        for dangerous in [
            "=HYPERLINK(\"http://evil.example\",\"Bấm\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1+1",
            "\r=1+1",
            "=",
        ] {
            let cell = text_cell(dangerous);
            assert_eq!(cell, format!("'{dangerous}"), "{dangerous:?}");
        }
    }

    #[test]
    fn harmless_and_vietnamese_text_is_left_as_written() {
        for harmless in [
            "",
            "Công ty TNHH Chè Shan tuyết",
            "Đắk Lắk",
            "ấp 3 - xã Tân Phú",
            "2026-12-01 09:30",
            "1+1",
            "'already quoted",
            "a=b",
            "\"quoted\", with a comma",
            "Dòng một\nDòng hai",
        ] {
            assert!(matches!(text_cell(harmless), Cow::Borrowed(s) if s == harmless), "{harmless:?}");
        }
    }

    #[tokio::test]
    async fn numbers_we_write_stay_numbers_and_text_is_neutralised() {
        let mut rx = spawn("test", |mut out| async move {
            out.header(&["name", "days_left", "stars"])?;
            out.record([Cell::from("-3 ngày"), Cell::from(-3i64), Cell::from(None::<i64>)]).await?;
            out.record(["=HYPERLINK(\"x\")".into(), 5i64.into(), Cell::from(Some(4i64))]).await?;
            Ok::<_, ExportError>(out)
        });
        let mut all = Vec::new();
        while let Some(chunk) = rx.recv().await {
            all.extend_from_slice(&chunk);
        }
        assert!(all.starts_with(BOM));
        let text = String::from_utf8(all[BOM.len()..].to_vec()).expect("UTF-8");
        assert_eq!(text, "name,days_left,stars\n'-3 ngày,-3,\n\"'=HYPERLINK(\"\"x\"\")\",5,4\n");
    }
}
