//! The distance the StyleGAN2 projector minimises when the LPIPS weights it was written
//! for (Zhang et al. 2018, the VGG16 features `projector.py` of NVlabs/stylegan2-ada-pytorch
//! downloads) are not available: pixel MSE plus the relative distance in the features of the
//! network the project ships for the run's images (the emoji classifier for colour emoji
//! folders, the digit or clothing classifier for the grey sets), else pixels alone. The
//! description says which, so that every caller can state it.

use gan_data::DataSource;
use tch::{Device, Tensor};

use crate::error::Result;
use crate::eval::attributes::shipped;
use crate::eval::classifier::{centre, margin, Shipped};
use crate::run::trained::TrainedGenerator;

/// Features of a batch of images `[B, C, H, W]` in `[-1, 1]` (`[B, 0]`: none).
pub type Features = Box<dyn Fn(&Tensor) -> Tensor + Send>;

/// The feature network for `g`'s images, and what the distance is, in words.
pub fn projection_features(g: &TrainedGenerator) -> Result<(Features, String)> {
    let data = &g.config.data;
    if let DataSource::Folder(f) = data {
        if g.image.channels == 3 && shipped::reads(&f.dir) {
            let net = shipped::emoji(Device::Cpu)?;
            net.check(g.image)?;
            return Ok((Box::new(move |x| net.features(x)), "pixel MSE + the shipped emoji classifier's features (LPIPS weights are not available)".into()));
        }
    }
    let ship = data.class_set().and_then(Shipped::for_class_set);
    if let (Some(s), Some(_)) = (ship, margin(g.image)) {
        let (net, _) = s.load(Device::Cpu)?;
        let what = format!("pixel MSE + the shipped {} classifier's features (LPIPS weights are not available)", s.name());
        return Ok((Box::new(move |x| net.features(&centre(x))), what));
    }
    Ok((
        Box::new(|x| x.zeros_like().flatten(1, -1).narrow(1, 0, 0)),
        "pixel MSE only (no shipped feature network reads this run's images; LPIPS weights are not available)".into(),
    ))
}
