//! The attribute classifier compiled into the binary: the emoji set's (group, subgroup, skin
//! tone, vendor), trained as `models/classifiers/README.md` says.

use std::path::Path;

use gan_data::metadata::Metadata;
use tch::Device;

use super::AttributeNet;
use crate::error::Result;

const WEIGHTS: &[u8] = include_bytes!("../../../../../models/classifiers/emoji.safetensors");
const CARD: &str = include_str!("../../../../../models/classifiers/emoji.json");

/// The emoji classifier.
pub fn emoji(device: Device) -> Result<AttributeNet> {
    let mut net = AttributeNet::from_bytes(Path::new("builtin:classifiers/emoji.safetensors"), WEIGHTS, CARD, device)?;
    net.name = "emoji".into();
    Ok(net)
}

/// Whether a folder's metadata is the emoji set's kind (it has the fields of the classifier's
/// heads other than the vendor's `folder`), so that `--features auto` scores in its space.
pub fn reads(dir: &Path) -> bool {
    let card: super::AttributeCard = serde_json::from_str(CARD).expect("the shipped card parses");
    match Metadata::find(dir) {
        Ok(Some(m)) => {
            let fields = m.fields();
            card.heads.iter().filter(|h| h.field != gan_data::metadata::FOLDER_FIELD).all(|h| fields.contains(h.field.as_str()))
        }
        _ => false,
    }
}
