//! The image-to-image presets: pix2pix and CycleGAN on the built-in tasks of
//! [`gan_data::pairs`], they and CartoonGAN on the emoji set's two drawing styles, and SimGAN
//! on rendered digits against real MNIST, sized to train in one sitting on two CPU cores.
//!
//! At 28x28 the networks are the papers' scaled down: pix2pix's U-Net runs at depth 5 (28
//! padded to 32, a 1x1 bottleneck as in the paper's 256-px net) from 32 channels, with
//! dropout on the two decoder stages after the bottleneck; its PatchGAN has one stride-2
//! layer (16-px patches); CycleGAN's ResNet generators have 16 channels and 4 residual
//! blocks at 7x7 (about 5 steps/s at batch 16 on 2 cores), its PatchGANs two stride-2 layers
//! (34-px patches: each judges the whole 28-px image, which the class agreement needs --
//! 62% with 16-px patches, 74% with these; RESULTS.md).

use gan_data::pairs::{PairSource, Pairing};
use gan_data::Split;
use serde::{Deserialize, Serialize};

use crate::config::translation::{CartoonGanConfig, ContentNetwork, CycleGanConfig, Pix2PixConfig, SimGanConfig, TranslateConfig, TranslationModel};
use crate::losses::LossKind;
use crate::models::translation::cartoon::{CartoonDiscriminatorConfig, CartoonGeneratorConfig};
use crate::models::translation::simgan::{LocalDiscriminatorConfig, RefinerConfig};
use crate::models::translation::{PatchGanConfig, ResnetConfig, UnetConfig};
use crate::models::Norm;
use crate::optim::{AdamConfig, LrSchedule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TranslationPreset {
    #[serde(rename = "edges2fashion-pix2pix")]
    Edges2FashionPix2pix,
    #[serde(rename = "edges2fashion-l1")]
    Edges2FashionL1,
    #[serde(rename = "edges2fashion-cyclegan")]
    Edges2FashionCyclegan,
    MnistThickCyclegan,
    EmojiStylesPix2pix,
    EmojiStylesCyclegan,
    EmojiCartoongan,
    MnistSimgan,
}

impl TranslationPreset {
    pub const ALL: [TranslationPreset; 8] = [
        TranslationPreset::Edges2FashionPix2pix,
        TranslationPreset::Edges2FashionL1,
        TranslationPreset::Edges2FashionCyclegan,
        TranslationPreset::MnistThickCyclegan,
        TranslationPreset::EmojiStylesPix2pix,
        TranslationPreset::EmojiStylesCyclegan,
        TranslationPreset::EmojiCartoongan,
        TranslationPreset::MnistSimgan,
    ];

    pub fn name(self) -> &'static str {
        gan_data::names::serde_name(&self)
    }

    pub fn description(self) -> &'static str {
        match self {
            TranslationPreset::Edges2FashionPix2pix => "pix2pix on Fashion-MNIST edge maps -> garments (--data DIR with Fashion-MNIST): U-Net depth 5, 16-px PatchGAN on (edges, garment) pairs, BCE + 100 L1, Adam 2e-4 (0.5, 0.999), batch 64, 3,000 steps",
            TranslationPreset::Edges2FashionL1 => "the pix2pix paper's ablation: as edges2fashion-pix2pix trained by L1 alone (lambda_adv = 0, no discriminator)",
            TranslationPreset::Edges2FashionCyclegan => "CycleGAN on unpaired edges2fashion (--data DIR): edges of one half of the garments, garments of the other half; ResNet generators, 34-px PatchGANs (the whole image), LSGAN, cycle 10, identity 5, pool 50, batch 16, 4,000 steps",
            TranslationPreset::MnistThickCyclegan => "CycleGAN on built-in MNIST digits <-> the same digits dilated (unpaired halves; the held-out truth is the dilation): as edges2fashion-cyclegan, 3,000 steps",
            TranslationPreset::EmojiStylesPix2pix => "pix2pix from Noto's shaded emoji (google/) to Twemoji's flat ones (twitter/), paired by file name, 64x64 colour (--data DIR, default ../shared/data/emoji; scored on the 350 held-out pairs): U-Net depth 6, 34-px PatchGAN, BCE + 100 L1, batch 16, 3,000 steps",
            TranslationPreset::EmojiCartoongan => "CartoonGAN from Noto's shaded emoji to Twemoji's flat ones on emoji-styles-cyclegan's unpaired halves, 64x64 colour: generator of 32 channels and 4 residual blocks (the paper's 64 and 8), discriminator of 32, the edge-promoting loss on Canny-smoothed Twemoji, content loss 10 x L1 of the emoji classifier's last conv stage (VGG19 cannot be downloaded), 300 initialisation steps, batch 8, 3,000 steps",
            TranslationPreset::MnistSimgan => "SimGAN refining 20,000 digits rendered from 11 handwriting-style fonts (seed 0) and bent elastically (alpha 34, sigma 4) towards the built-in MNIST-10k's first 8,000 real digits (the last 2,000 held out for the classification accuracy score): refiner of 32 channels and 4 ResNet blocks (the paper's 64), local discriminator 96-64-32-32, self-regularisation weight 1 (per pixel), history of 3,200 refined images, 500 refiner then 100 discriminator initialisation steps, 2 refiner updates per step, batch 32, 3,000 steps; gan refine writes the refined digits",
            TranslationPreset::EmojiStylesCyclegan => "CycleGAN between Noto's and Twemoji's emoji, truly unpaired (each base emoji drawn in one style only), 64x64 colour: ResNet generators (16 channels, 6 blocks), 70-px PatchGANs, LSGAN, cycle 10, identity 5, pool 50, batch 8, 3,000 steps",
        }
    }

    pub fn config(self) -> TranslateConfig {
        let fashion = |pairing| PairSource::Edges2Fashion { dir: crate::presets::FASHION_MNIST_DIR.into(), split: Split::Train, pairing };
        let pix2pix = |lambda_adv| {
            TranslationModel::Pix2pix(Pix2PixConfig {
                generator: UnetConfig { depth: 5, base: 32, norm: Norm::Batch, dropout: 0.5, dropout_levels: 2 },
                discriminator: PatchGanConfig { layers: 1, base: 32, norm: Norm::Batch },
                loss: LossKind::Bce,
                lambda_l1: 100.0,
                lambda_adv,
            })
        };
        let cyclegan = TranslationModel::Cyclegan(CycleGanConfig {
            generator: ResnetConfig { base: 16, blocks: 4, norm: Norm::Instance },
            discriminator: PatchGanConfig { layers: 2, base: 16, norm: Norm::Instance },
            loss: LossKind::LeastSquares,
            lambda_cycle: 10.0,
            lambda_identity: 0.5,
            pool: 50,
        });
        let styles = |pairing| PairSource::Styles {
            dir: super::emoji::EMOJI_DIR.into(),
            a: "google".into(),
            b: "twitter".into(),
            size: 64,
            split: Split::Train,
            pairing,
        };
        let styles_pix2pix = TranslationModel::Pix2pix(Pix2PixConfig {
            generator: UnetConfig { depth: 6, base: 32, norm: Norm::Batch, dropout: 0.5, dropout_levels: 2 },
            discriminator: PatchGanConfig { layers: 2, base: 32, norm: Norm::Batch },
            loss: LossKind::Bce,
            lambda_l1: 100.0,
            lambda_adv: 1.0,
        });
        let styles_cyclegan = TranslationModel::Cyclegan(CycleGanConfig {
            generator: ResnetConfig { base: 16, blocks: 6, norm: Norm::Instance },
            discriminator: PatchGanConfig { layers: 3, base: 16, norm: Norm::Instance },
            loss: LossKind::LeastSquares,
            lambda_cycle: 10.0,
            lambda_identity: 0.5,
            pool: 50,
        });
        let base = |data, model, batch_size, steps| TranslateConfig {
            seed: 0,
            batch_size,
            steps,
            log_every: 50,
            sample_every: 500,
            checkpoint_every: 500,
            keep_checkpoints: 2,
            data,
            model,
            optim: AdamConfig { lr: 2e-4, betas: (0.5, 0.999), eps: 1e-8 },
            schedule: LrSchedule::HoldThenLinear,
            decay_from: None,
            end_factor: None,
            ema_half_life: 0,
            ema_rampup: None,
            precision: Default::default(),
            log: Default::default(),
            doctor: Default::default(),
        };
        match self {
            TranslationPreset::Edges2FashionPix2pix => base(fashion(Pairing::Paired), pix2pix(1.0), 64, 3000),
            TranslationPreset::Edges2FashionL1 => base(fashion(Pairing::Paired), pix2pix(0.0), 64, 3000),
            TranslationPreset::Edges2FashionCyclegan => base(fashion(Pairing::Halves), cyclegan, 16, 4000),
            TranslationPreset::MnistThickCyclegan => {
                base(PairSource::MnistThick { dir: None, split: Split::Train, pairing: Pairing::Halves }, cyclegan, 16, 3000)
            }
            TranslationPreset::EmojiStylesPix2pix => base(styles(Pairing::Paired), styles_pix2pix, 16, 3000),
            TranslationPreset::EmojiStylesCyclegan => base(styles(Pairing::Halves), styles_cyclegan, 8, 3000),
            TranslationPreset::EmojiCartoongan => base(styles(Pairing::Halves), emoji_cartoongan(), 8, 3000),
            TranslationPreset::MnistSimgan => base(rendered_to_mnist(), mnist_simgan(), 32, 3000),
        }
    }
}

/// emoji-cartoongan's model: the reference's networks at half width and half depth.
fn emoji_cartoongan() -> TranslationModel {
    TranslationModel::Cartoongan(CartoonGanConfig {
        generator: CartoonGeneratorConfig { base: 32, blocks: 4 },
        discriminator: CartoonDiscriminatorConfig { base: 32 },
        lambda_content: 10.0,
        init_steps: 300,
        edge_promoting: true,
        content: ContentNetwork::EmojiClassifier,
    })
}

/// mnist-simgan's data: 20,000 digits rendered from the handwriting-style fonts and bent by
/// Simard et al.'s elastic field (the simulator whose digits, raw or refined, train the best
/// classifier of real ones: RESULTS.md), against the built-in MNIST digits.
fn rendered_to_mnist() -> PairSource {
    let elastic = Some(gan_data::elastic::Elastic::SIMARD);
    let fonts = gan_data::rendered::DigitFonts::Handwriting;
    PairSource::RenderedToMnist { dir: None, render: gan_data::rendered::RenderSettings { images: 20_000, elastic, fonts, ..Default::default() } }
}

/// mnist-simgan's model: the paper's networks, the refiner at half width.
fn mnist_simgan() -> TranslationModel {
    TranslationModel::Simgan(SimGanConfig {
        refiner: RefinerConfig { base: 32, blocks: 4 },
        discriminator: LocalDiscriminatorConfig { base: 32 },
        lambda_reg: 1.0,
        history: 3200,
        refiner_init_steps: 500,
        discriminator_init_steps: 100,
        refiner_updates: 2,
        consistency: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_translation_preset_is_valid_and_round_trips() {
        for p in TranslationPreset::ALL {
            let c = p.config();
            assert!(c.problems().is_empty(), "{}: {:?}", p.name(), c.problems());
            assert_eq!(TranslateConfig::from_toml_str(&c.to_toml(), "x").unwrap(), c);
            assert_eq!(serde_json::from_value::<TranslationPreset>(serde_json::json!(p.name())).unwrap(), p);
        }
        let c = TranslationPreset::Edges2FashionPix2pix.config();
        let e = c.overlay_toml("[data]\npairing = \"halves\"\n", "f.toml").unwrap().validate("f.toml").unwrap_err().to_string();
        assert!(e.contains("unpaired") && e.contains("cyclegan"), "{e}");
        let e = c.overlay_toml("[model]\nlambda_l1 = -1\n", "f.toml").unwrap().validate("f.toml").unwrap_err().to_string();
        assert!(e.contains("lambda_l1"), "{e}");
        let e = c.overlay_toml("[model.generator]\ndepht = 3\n", "f.toml").unwrap_err().to_string();
        assert!(e.contains("f.toml") && e.contains("depht"), "{e}");
        let c = TranslationPreset::EmojiCartoongan.config();
        let plain = c.overlay_toml("[model]\nedge_promoting = false\n", "f.toml").unwrap();
        assert!(matches!(plain.model, TranslationModel::Cartoongan(CartoonGanConfig { edge_promoting: false, .. })));
    }
}
