//! The matcher compiled into the binary: the emoji set's, trained as
//! `models/matchers/README.md` says.

use std::path::Path;

use tch::Device;

use super::Matcher;
use crate::config::TextConfig;
use crate::error::Result;

const WEIGHTS: &[u8] = include_bytes!("../../../../../models/matchers/emoji.safetensors");
const CARD: &str = include_str!("../../../../../models/matchers/emoji.json");

/// The matcher a `[text]` table names: its file, or the emoji matcher compiled in.
pub fn of_text(text: &TextConfig, device: Device) -> Result<Matcher> {
    match &text.matcher {
        Some(path) => Matcher::load(path, device),
        None => emoji(device),
    }
}

/// The emoji matcher.
pub fn emoji(device: Device) -> Result<Matcher> {
    let mut m = Matcher::from_bytes(Path::new("builtin:matchers/emoji.safetensors"), WEIGHTS, CARD, device)?;
    m.name = "emoji".into();
    Ok(m)
}
