//! How often a conditional run's samples read, to the attribute classifier, as the class they
//! were drawn for: the classifier's agreement with the requested label, where the run's label
//! field is one of its heads (an `emoji-cgan` run on skin tone and the emoji classifier's
//! skin-tone head). The classes are requested in turn, as `gan sample` does.
//!
//! Beside it, what each requested class was read as instead, and the same agreement for the
//! real held-out images of the run's data (`split = "test"` where the run trains on another
//! split): the classifier's own ceiling on real drawings, which a generator is judged against.

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::AttributeNet;
use crate::error::Result;
use crate::models::latent::LatentDraw;
use crate::run::trained::{TrainedGenerator, GENERATE_CHUNK};
use gan_data::folder::FolderSource;
use gan_data::metadata::{Match, Scalar};
use gan_data::DataError;

/// The agreement of one run with one head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// The label field and head.
    pub field: String,
    /// Share of all samples read as their requested class.
    pub share: f64,
    /// Per requested class: its name and its share.
    pub per_class: Vec<(String, f64)>,
    /// Per requested class: the head's classes it was read as, most often first, with shares.
    #[serde(default)]
    pub read_as: Vec<(String, Vec<(String, f64)>)>,
    /// The same agreement for the data's held-out real images, when it has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real: Option<RealAgreement>,
}

/// The classifier's agreement with the labels of real held-out images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealAgreement {
    /// The rows read (`split = "test"` and the run's other filters).
    pub rows: String,
    pub images: usize,
    pub share: f64,
    pub per_class: Vec<(String, f64)>,
}

/// Shares of agreement from `(asked, read)` pairs: overall, per asked class (`names`), and
/// what each class was read as (`head` names the read indices; `wanted` maps asked to read).
struct Tally {
    share: f64,
    per_class: Vec<(String, f64)>,
    read_as: Vec<(String, Vec<(String, f64)>)>,
}

fn tally(asked: &[i64], read: &[i64], wanted: &[i64], names: &[String], head: &[String]) -> Tally {
    let hits = asked.iter().zip(read).filter(|(&a, &r)| wanted[a as usize] == r).count();
    let mut per_class = Vec::new();
    let mut read_as = Vec::new();
    for (c, name) in names.iter().enumerate() {
        let rows: Vec<i64> = asked.iter().zip(read).filter(|(&a, _)| a == c as i64).map(|(_, &r)| r).collect();
        let all = rows.len().max(1) as f64;
        per_class.push((name.clone(), rows.iter().filter(|&&r| r == wanted[c]).count() as f64 / all));
        let mut counts: Vec<(String, f64)> =
            head.iter().enumerate().map(|(h, n)| (n.clone(), rows.iter().filter(|&&r| r == h as i64).count() as f64 / all)).filter(|(_, s)| *s > 0.0).collect();
        counts.sort_by(|a, b| b.1.total_cmp(&a.1));
        read_as.push((name.clone(), counts));
    }
    Tally { share: hits as f64 / asked.len().max(1) as f64, per_class, read_as }
}

/// The agreement of `n` samples of `g` (latents from `draw`) with `net`'s head for the run's
/// label field; `None` for an unconditional run or a field the classifier has no head for.
pub fn agreement(net: &AttributeNet, g: &TrainedGenerator, n: usize, draw: LatentDraw) -> Result<Option<Agreement>> {
    let gan_data::DataSource::Folder(folder) = &g.config.data else { return Ok(None) };
    let (Some(field), true) = (&folder.label, g.classes > 0) else { return Ok(None) };
    let Some(head) = net.card.head(field) else { return Ok(None) };
    let vocab = g.vocabulary()?;
    let head_classes = &net.card.heads[head].classes;
    let names: Vec<String> = (0..vocab.len()).map(|i| vocab.name(i).to_string()).collect();
    // Each run class's index among the head's classes (-1: the head has no such class).
    let wanted: Vec<i64> = names.iter().map(|name| head_classes.iter().position(|c| c == name).map_or(-1, |p| p as i64)).collect();
    let z = draw.latents(n as i64, g.latent_dim(), Device::Cpu);
    let labels = g.labels(n as i64, None)?.expect("a conditional run has labels");
    let mut read = Vec::with_capacity(n);
    for s in (0..n as i64).step_by(GENERATE_CHUNK as usize) {
        let len = GENERATE_CHUNK.min(n as i64 - s);
        read.extend(read_head(net, head, &g.generate(&z.narrow(0, s, len), Some(&labels.narrow(0, s, len)))));
    }
    let asked = Vec::<i64>::try_from(labels).expect("labels");
    let t = tally(&asked, &read, &wanted, &names, head_classes);
    let real = real_agreement(net, head, folder, &names, &wanted)?;
    Ok(Some(Agreement { field: field.clone(), share: t.share, per_class: t.per_class, read_as: t.read_as, real }))
}

/// The head's reading (class index) of each image in `[-1, 1]`.
fn read_head(net: &AttributeNet, head: usize, images: &Tensor) -> Vec<i64> {
    let p = tch::no_grad(|| net.probs(&images.to_device(net.device()), head));
    Vec::<i64>::try_from(p.argmax(1, false).to_kind(Kind::Int64).to_device(Device::Cpu)).expect("class indices")
}

/// The agreement on the held-out rows of the run's folder (`split = "test"` in place of the
/// run's split), by the run's class names; `None` when the run does not filter by split or
/// no held-out row has one of its classes. A folder that fails to open for another reason
/// (an image gone since training) is an error, not a missing ceiling.
fn real_agreement(net: &AttributeNet, head: usize, run: &FolderSource, names: &[String], wanted: &[i64]) -> Result<Option<RealAgreement>> {
    if !run.filter.contains_key("split") {
        return Ok(None);
    }
    let mut source = run.clone();
    source.filter.insert("split".into(), Match::One(Scalar::Text("test".into())));
    let folder = match source.open() {
        Ok(folder) => folder,
        Err(DataError::NoRows { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(labels) = &folder.labels else { return Ok(None) };
    let (mut asked, mut read) = (Vec::new(), Vec::new());
    let s = folder.size as i64;
    let rows: Vec<(usize, i64)> =
        labels.iter().enumerate().filter_map(|(i, &l)| names.iter().position(|n| *n == folder.class_names[l as usize]).map(|c| (i, c as i64))).collect();
    for chunk in rows.chunks(GENERATE_CHUNK as usize) {
        let mut bytes = Vec::with_capacity(chunk.len() * folder.image_bytes());
        for &(i, c) in chunk {
            bytes.extend(folder.load(i)?);
            asked.push(c);
        }
        let images = Tensor::from_slice(&bytes).view([chunk.len() as i64, 3, s, s]).to_kind(Kind::Float) / 127.5 - 1.0;
        read.extend(read_head(net, head, &images));
    }
    if asked.is_empty() {
        return Ok(None);
    }
    let t = tally(&asked, &read, wanted, names, &net.card.heads[head].classes);
    Ok(Some(RealAgreement { rows: source.describe_rows(), images: asked.len(), share: t.share, per_class: t.per_class }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes asked for twice and three times, read by a head of three classes: by hand.
    #[test]
    fn the_tally_counts_hits_and_readings_by_hand() {
        let names = ["a".to_string(), "b".to_string()];
        let head = ["none".to_string(), "a".to_string(), "b".to_string()];
        // a -> read a, b; b -> read none, b, b.
        let t = tally(&[0, 0, 1, 1, 1], &[1, 2, 0, 2, 2], &[1, 2], &names, &head);
        assert_eq!(t.share, 0.6);
        assert_eq!(t.per_class, vec![("a".into(), 0.5), ("b".into(), 2.0 / 3.0)]);
        assert_eq!(t.read_as[1], ("b".into(), vec![("b".into(), 2.0 / 3.0), ("none".into(), 1.0 / 3.0)]));
        assert_eq!(t.read_as[0].1.len(), 2);
    }

    /// The ceiling reads the folder's held-out rows; without any it is absent, and a held-out
    /// image gone since training is an error naming it, not a silently missing ceiling.
    #[test]
    fn the_ceiling_reads_held_out_rows_and_names_a_missing_image() {
        let d = tempfile::tempdir().unwrap();
        for name in ["a.png", "b.png"] {
            image::RgbaImage::from_pixel(8, 8, image::Rgba([200, 150, 100, 255])).save(d.path().join(name)).unwrap();
        }
        let row = |f: &str, split: &str, tone: u8| format!("{{\"file_name\": \"{f}\", \"split\": \"{split}\", \"skin_tone\": {tone}}}\n");
        let meta = d.path().join("metadata.jsonl");
        let mut run = FolderSource { label: Some("skin_tone".into()), ..FolderSource::new(d.path(), 64) };
        run.filter.insert("split".into(), Match::One(Scalar::Text("train".into())));
        let net = super::super::shipped::emoji(Device::Cpu).unwrap();
        let head = net.card.head("skin_tone").unwrap();
        let names = ["1".to_string(), "2".to_string()];
        let wanted: Vec<i64> = names.iter().map(|n| net.card.heads[head].classes.iter().position(|c| c == n).unwrap() as i64).collect();
        let with_held_out = |rows: &str| {
            std::fs::write(&meta, row("a.png", "train", 1) + rows).unwrap();
            real_agreement(&net, head, &run, &names, &wanted)
        };
        assert_eq!(with_held_out("").unwrap(), None);
        let real = with_held_out(&row("b.png", "test", 2)).unwrap().expect("one held-out row");
        assert_eq!(real.images, 1);
        let e = with_held_out(&row("gone.png", "test", 2)).unwrap_err().to_string();
        assert!(e.contains("gone.png"), "{e}");
    }
}
