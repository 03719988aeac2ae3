//! TensorBoard event files in a run's `tb/` folder: the scalars of `metrics.jsonl`, the
//! sample grids as images and the evaluations as scalars at their step, readable by
//! `tensorboard --logdir runs/`.
//!
//! Each session (a start or a resume) writes a new file; its first event after the file
//! version is a `SessionLog.START` at the first step this session will log, so that
//! TensorBoard drops what an interrupted session logged after its last checkpoint (PyTorch's
//! `SummaryWriter(purge_step=...)`), as `metrics.jsonl` drops those records. Every event is
//! written with one `write` and nothing is buffered, so a killed run loses none.

pub mod proto;
pub mod record;
mod scalars;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;

use crate::error::{GanError, Result};
use proto::{Event, Image, Kind, SessionLog, Summary, Value, What};

pub use scalars::{json_scalars, metric_scalars};

/// The part of event files' names TensorBoard looks for.
pub const EVENT_FILE_MARK: &str = "tfevents";

/// One session's event file.
pub struct TensorBoard {
    path: PathBuf,
    file: std::fs::File,
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl TensorBoard {
    /// Starts a new event file in `dir` (created if missing). With `purge_from`, TensorBoard
    /// forgets the earlier files' events at that step and later.
    pub fn open(dir: &Path, purge_from: Option<u64>) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(GanError::io(dir))?;
        // TensorBoard reads a folder's files in name order: the time, then how many files
        // were there before, keep sessions in order even within one second.
        let earlier = std::fs::read_dir(dir)
            .map_err(GanError::io(dir))?
            .filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().contains(EVENT_FILE_MARK)))
            .count();
        let host = std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or_else(|| "gan".into());
        let path = dir.join(format!("events.out.{EVENT_FILE_MARK}.{:010}.{earlier:04}.{host}", now() as u64));
        let file = std::fs::OpenOptions::new().create_new(true).write(true).open(&path).map_err(GanError::io(&path))?;
        let mut tb = Self { path, file };
        tb.write(0, What::FileVersion("brain.Event:2".into()))?;
        if let Some(step) = purge_from {
            tb.write(step, What::SessionLog(SessionLog { status: proto::SESSION_START }))?;
        }
        Ok(tb)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write(&mut self, step: u64, what: What) -> Result<()> {
        let event = Event { wall_time: now(), step: step as i64, what: Some(what) };
        self.file.write_all(&record::frame(&event.encode_to_vec())).map_err(GanError::io(&self.path))
    }

    /// Scalars at `step`, one event for all of them.
    pub fn scalars(&mut self, step: u64, values: &[(String, f64)]) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        let value = values.iter().map(|(tag, v)| Value { tag: tag.clone(), kind: Some(Kind::SimpleValue(*v as f32)) }).collect();
        self.write(step, What::Summary(Summary { value }))
    }

    /// A PNG file as an image summary at `step`.
    pub fn png(&mut self, tag: &str, step: u64, png_path: &Path) -> Result<()> {
        let bytes = std::fs::read(png_path).map_err(GanError::io(png_path))?;
        let (width, height, colorspace) = png_header(&bytes).ok_or_else(|| GanError::Invalid(format!("{}: not a PNG file", png_path.display())))?;
        let image = Image { height, width, colorspace, encoded_image_string: bytes };
        self.write(step, What::Summary(Summary { value: vec![Value { tag: tag.into(), kind: Some(Kind::Image(image)) }] }))
    }
}

/// Width, height and TensorBoard colour space of a PNG, from its IHDR chunk.
fn png_header(bytes: &[u8]) -> Option<(i32, i32, i32)> {
    if bytes.len() < 26 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| i32::from_be_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let colorspace = match bytes[25] {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        6 => 4,
        _ => return None,
    };
    Some((be(16), be(20), colorspace))
}

/// Adds an evaluation's numbers as `eval/...` scalars at `step` to a run that logs to
/// TensorBoard (one whose `tb/` folder exists); does nothing for the others.
pub fn log_eval(tb_dir: &Path, step: u64, report: &serde_json::Value) -> Result<()> {
    if !tb_dir.is_dir() {
        return Ok(());
    }
    TensorBoard::open(tb_dir, None)?.scalars(step, &json_scalars("eval", report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_decode_and_sessions_sort_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("g.png");
        image::GrayImage::from_pixel(5, 3, image::Luma([9])).save(&png).unwrap();
        let mut a = TensorBoard::open(dir.path(), None).unwrap();
        a.scalars(10, &[("loss/d".into(), 0.5), ("loss/g".into(), 2.0)]).unwrap();
        a.png("samples", 10, &png).unwrap();
        let b = TensorBoard::open(dir.path(), Some(11)).unwrap();
        assert!(a.path() < b.path(), "{:?} then {:?}", a.path(), b.path());
        let events: Vec<Event> = record::unframe(&std::fs::read(a.path()).unwrap()).unwrap().iter().map(|r| Event::decode(r.as_slice()).unwrap()).collect();
        assert_eq!(events[0].what, Some(What::FileVersion("brain.Event:2".into())));
        let Some(What::Summary(s)) = &events[1].what else { panic!("{:?}", events[1]) };
        assert_eq!((events[1].step, s.value[1].tag.as_str(), &s.value[1].kind), (10, "loss/g", &Some(Kind::SimpleValue(2.0))));
        let Some(What::Summary(s)) = &events[2].what else { panic!("{:?}", events[2]) };
        let Some(Kind::Image(img)) = &s.value[0].kind else { panic!("{s:?}") };
        assert_eq!((img.width, img.height, img.colorspace), (5, 3, 1));
        let first = record::unframe(&std::fs::read(b.path()).unwrap()).unwrap();
        assert_eq!(Event::decode(first[1].as_slice()).unwrap().what, Some(What::SessionLog(SessionLog { status: 1 })));
        assert!(a.png("samples", 11, &dir.path().join("missing.png")).unwrap_err().to_string().contains("missing.png"));
    }
}
