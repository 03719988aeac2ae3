//! Semantic validation: every problem of a configuration at once, each naming its field
//! (serde has already refused unknown keys and wrong types by name).

use crate::error::{GanError, Result};
use crate::losses::LossConfig;

use super::TrainConfig;

const MAX_BATCH: u64 = 65_536;
const MAX_STEPS: u64 = 1_000_000_000;
const MAX_EPOCHS: u64 = 1_000_000;
const MAX_D_STEPS: u64 = 1_000;
const MAX_PACK: u64 = 64;

impl TrainConfig {
    /// What a VAE run cannot have: it trains by its ELBO, with no discriminator.
    fn vae_problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let why = "model.kind = \"vae\" trains by the ELBO without a discriminator";
        if self.d_steps != 1 {
            p.push(format!("`d_steps` must be 1: {why}"));
        }
        if self.pack != 1 {
            p.push(format!("`pack` must be 1: {why}"));
        }
        if self.conditional {
            p.push("`conditional = true` is not available for model.kind = \"vae\"".into());
        }
        if self.loss != LossConfig::default() {
            p.push(format!("remove the [loss] table: {why} (choose model.reconstruction = \"bce\" or \"mse\")"));
        }
        if self.data.toy().is_some() {
            p.push("data: the VAE models images with pixels in [-1, 1], not toy points".into());
        }
        p
    }

    /// What a ProGAN run cannot have: its batches grow from `batch_size`, its networks are
    /// unconditional, and its critic's minibatch standard deviation mixes the batch.
    fn progan_problems(&self, c: &crate::models::progan::ProganConfig) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(b) = c.batch_per_resolution.iter().find(|b| !b.is_multiple_of(self.batch_size)) {
            p.push(format!("model.batch_per_resolution: {b} is not a multiple of `batch_size` ({}), the step through the data", self.batch_size));
        }
        if self.conditional {
            p.push("`conditional = true` is not available for model.kind = \"progan\" (its networks are unconditional)".into());
        }
        if self.pack != 1 {
            p.push("`pack` must be 1 for model.kind = \"progan\" (its critic compares the batch's samples itself)".into());
        }
        if c.mbstd_group > 1 && matches!(self.loss.lipschitz, crate::losses::penalty::Lipschitz::R1R2 { .. }) {
            p.push("loss.lipschitz: r1-r2 scores real and fake images in one batch, which the minibatch standard deviation would mix; set model.mbstd_group = 0 or use the gradient penalty".into());
        }
        p
    }

    /// What a StyleGAN2 run cannot have: its family's step is the reference's (one
    /// non-saturating update of each network, R1 or nothing on the discriminator), its
    /// networks are unconditional and need their own type (no bf16 wrapper).
    fn stylegan2_problems(&self) -> Vec<String> {
        use crate::losses::{penalty::Lipschitz, GeneratorLoss, LossKind};
        let kind = "model.kind = \"stylegan2\"";
        let mut p = Vec::new();
        let l = &self.loss;
        let paper = l.kind == LossKind::Bce && l.generator != Some(GeneratorLoss::Minimax) && l.real_label.is_none_or(|r| r == 1.0);
        if !(paper || l.kind == LossKind::Relativistic) || l.drift != 0.0 {
            p.push(format!(
                "loss: {kind} trains with its paper's non-saturating loss (kind = \"bce\", generator = \"non-saturating\", real_label = 1) or kind = \"relativistic\", without drift"
            ));
        }
        let plain_r1_r2 = matches!(l.lipschitz, Lipschitz::R1R2 { weight_end: None, every: None, .. });
        if !(matches!(l.lipschitz, Lipschitz::None | Lipschitz::R1 { .. }) || plain_r1_r2) {
            p.push(format!(
                "loss.lipschitz: {kind} takes R1 (kind = \"r1\") or R1 + R2 (kind = \"r1-r2\", without weight_end or every: its interval is model.training.r1_every), gamma as weight, or nothing"
            ));
        }
        for (bad, what) in [
            (self.conditional, "`conditional = true`"),
            (self.pack != 1, "`pack` > 1"),
            (self.d_steps != 1, "`d_steps` > 1"),
            (!self.precision.is_f32(), "`precision` = \"bf16\""),
        ] {
            if bad {
                p.push(format!("{what} is not available for {kind}"));
            }
        }
        p
    }

    /// Every semantic problem, each naming its field; empty when the config is usable.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        match (self.steps, self.epochs) {
            (Some(_), Some(_)) => p.push("set only one of `steps` and `epochs`".into()),
            (None, None) => p.push("set one of `steps` and `epochs`".into()),
            (Some(0), _) | (_, Some(0)) => p.push("`steps`/`epochs` must be at least 1".into()),
            _ => {}
        }
        for (name, v) in [
            ("batch_size", self.batch_size as u64),
            ("d_steps", self.d_steps as u64),
            ("pack", self.pack as u64),
            ("log_every", self.log_every),
            ("sample_every", self.sample_every),
            ("checkpoint_every", self.checkpoint_every),
            ("keep_checkpoints", self.keep_checkpoints as u64),
        ] {
            if v == 0 {
                p.push(format!("`{name}` must be at least 1"));
            }
        }
        // Beyond these a run is a typo, not a plan (10^9 steps at 1,000 steps/s is 11 days).
        for (name, v, max) in [
            ("batch_size", Some(self.batch_size as u64), MAX_BATCH),
            ("steps", self.steps, MAX_STEPS),
            ("epochs", self.epochs, MAX_EPOCHS),
            ("d_steps", Some(self.d_steps as u64), MAX_D_STEPS),
            ("pack", Some(self.pack as u64), MAX_PACK),
        ] {
            if v.is_some_and(|v| v > max) {
                p.push(format!("`{name}` must be at most {max}, got {}", v.unwrap_or_default()));
            }
        }
        // TOML integers are signed 64-bit.
        for (name, v) in [
            ("seed", Some(self.seed)),
            ("steps", self.steps),
            ("epochs", self.epochs),
            ("log_every", Some(self.log_every)),
            ("sample_every", Some(self.sample_every)),
            ("checkpoint_every", Some(self.checkpoint_every)),
        ] {
            if v.is_some_and(|v| v > i64::MAX as u64) {
                p.push(format!("`{name}` must be at most {}", i64::MAX));
            }
        }
        if matches!(self.model.net, crate::models::NetConfig::Vae(_)) {
            p.extend(self.vae_problems());
            if !self.precision.is_f32() {
                p.push("`precision` = \"bf16\" applies to GANs; the VAE trains in f32".into());
            }
        }
        if self.pack > 1 && !self.batch_size.is_multiple_of(self.pack as usize) {
            p.push(format!("`batch_size` ({}) must be a multiple of `pack` ({})", self.batch_size, self.pack));
        }
        if self.pack > 1 && self.conditional {
            p.push("`pack` > 1 cannot be combined with `conditional = true`".into());
        }
        if let Some(t) = &self.text {
            let label = match &self.data {
                gan_data::DataSource::Folder(f) => f.label.as_deref(),
                _ => None,
            };
            p.extend(t.problems(self.conditional, label));
        }
        if self.loss.matching_aware && !self.conditional {
            p.push("loss.matching_aware pairs real images with wrong conditions: it needs `conditional = true`".into());
        }
        p.extend(self.data.problems().into_iter().map(|s| format!("data.{s}")));
        p.extend(self.model.problems().into_iter().map(|s| format!("model.{s}")));
        if let crate::models::NetConfig::Progan(c) = &self.model.net {
            p.extend(self.progan_problems(c));
        }
        if let crate::models::NetConfig::Stylegan2(_) = &self.model.net {
            p.extend(self.stylegan2_problems());
        }
        if matches!(self.model.net, crate::models::NetConfig::Stackgan(_)) {
            if self.text.is_none() {
                p.push("model.kind = \"stackgan\" draws from text: it needs a [text] table with the caption as the class (as --preset emoji-stackgan)".into());
            }
            if self.loss.lipschitz.penalty_weight().is_some() {
                p.push("loss.lipschitz: StackGAN's discriminators use batch norm, so a per-sample gradient penalty does not apply; use kind = \"none\"".into());
            }
        }
        p.extend(self.loss.problems().into_iter().map(|s| format!("loss.{s}")));
        let stackgan = matches!(self.model.net, crate::models::NetConfig::Stackgan(_));
        if self.loss.lipschitz.penalty_weight().is_some() && self.model.d_mixes_batch() && !stackgan {
            p.push(
                "loss.lipschitz: the gradient penalty is taken per sample, but model.d_norm = \"batch\" makes each \
                 score depend on the whole batch; use d_norm = \"instance\", \"layer\" or \"none\" (Gulrajani et al. 2017, sec. 4)"
                    .into(),
            );
        }
        if self.sync_batch_norm && self.loss.lipschitz.penalty_weight().is_some() && self.model.d_mixes_batch() {
            p.push("sync_batch_norm: a penalty differentiates the discriminator twice, and a synchronised batch norm only once; use d_norm = \"instance\", \"layer\" or \"none\"".into());
        }
        p.extend(self.optim.problems());
        p.extend(self.doctor.problems());
        p.extend(self.augment.problems());
        p
    }

    /// Fails with all [`problems`](Self::problems) at once.
    pub fn validate(&self, source_name: &str) -> Result<()> {
        GanError::config_problems(source_name, self.problems())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_problems_reported_at_once() {
        let c = TrainConfig::default().overlay_toml("batch_size = 0\nd_steps = 0\n[optim.g]\nlr = -1.0\n[loss]\nreal_label = 1.5\n", "f.toml").unwrap();
        let e = c.validate("f.toml").unwrap_err().to_string();
        for needle in ["batch_size", "d_steps", "optim.g.lr", "loss.real_label"] {
            assert!(e.contains(needle), "{needle} missing from: {e}");
        }
    }

    #[test]
    fn out_of_range_integers_are_problems_not_panics() {
        let c = TrainConfig { seed: u64::MAX, ..TrainConfig::default() };
        assert!(c.validate("x").unwrap_err().to_string().contains("`seed` must be at most"));
    }

    #[test]
    fn synchronised_batch_norm_refuses_a_penalised_batch_norm_critic() {
        let mut c = crate::presets::Preset::MnistRpgan.config();
        c.model = crate::models::DcganConfig::default().into();
        c.sync_batch_norm = true;
        let e = c.validate("x").unwrap_err().to_string();
        assert!(e.contains("sync_batch_norm: a penalty differentiates the discriminator twice"), "{e}");
        c.sync_batch_norm = false;
        assert!(!c.problems().iter().any(|p| p.contains("sync_batch_norm")));
    }

    #[test]
    fn gradient_penalty_refuses_a_batch_norm_critic() {
        let c = TrainConfig::default()
            .overlay_toml("[model]\nkind = \"dcgan\"\nlatent_dim = 8\ng_base = 4\nd_base = 4\nd_norm = \"batch\"\n[loss]\nkind = \"wasserstein\"\ngenerator = \"minimax\"\n[loss.lipschitz]\nkind = \"gradient-penalty\"\nweight = 10.0\n", "f.toml")
            .unwrap();
        let e = c.validate("f.toml").unwrap_err().to_string();
        assert!(e.contains("d_norm = \"batch\"") && e.contains("per sample"), "{e}");
        assert!(e.contains("loss.generator applies only"), "{e}");
    }
}
