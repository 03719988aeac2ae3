//! The translation networks against their PyTorch definitions (bench/translation_nets.py,
//! restating junyanz/pytorch-CycleGAN-and-pix2pix's `networks.py`): the same weights, loaded
//! by name, give the same outputs (in float64, eval mode) for pix2pix's U-Net (depth 5 and
//! depth 6 with dropout stages) and PatchGAN (batch and instance norm) and CycleGAN's ResNet
//! generator. Every PyTorch tensor must find its Rust counterpart and vice versa, so the
//! shapes and the wiring both have to agree.

mod common;

use std::collections::HashMap;

use gan::models::translation::{PatchGanConfig, ResnetConfig, Translator, UnetConfig};
use gan::models::Norm;
use tch::{nn, Device, Kind, Tensor};

fn reference() -> HashMap<String, Tensor> {
    common::python_reference("bench/translation_nets.py")
}

use common::{assert_close, load_by_name as load};

/// PyTorch's nested `UnetSkipConnectionBlock` names: stage 0's block is `model`, stage 1's
/// `model.model.1`, deeper ones add `.model.3`; inside, the outermost block holds
/// `[downconv, sub, relu, upconv, tanh]`, the innermost `[lrelu, downconv, relu, upconv,
/// upnorm]`, the others `[lrelu, downconv, downnorm, sub, relu, upconv, upnorm]`.
fn unet_name(depth: usize) -> impl Fn(&str) -> String {
    move |base: &str| {
        let (kind, i) = base.trim_end_matches("_norm").split_at(if base.starts_with("down") { 4 } else { 2 });
        let i: usize = i.parse().unwrap();
        let mut prefix = "model".to_string();
        for level in 1..=i {
            prefix += if level == 1 { ".model.1" } else { ".model.3" };
        }
        let norm = base.ends_with("_norm");
        let index = match (i, i == depth - 1, kind, norm) {
            (0, _, "down", _) => 0,
            (0, _, _, _) => 3,
            (_, true, "down", _) => 1,
            (_, true, _, false) => 3,
            (_, true, _, true) => 4,
            (_, false, "down", false) => 1,
            (_, false, "down", true) => 2,
            (_, false, _, false) => 5,
            (_, false, _, true) => 6,
        };
        format!("{prefix}.model.{index}")
    }
}

#[test]
fn unets_equal_pytorch() {
    let all = reference();
    for (net, depth, base, cin, cout, levels) in [("unet", 5u32, 4, 1, 1, 0u32), ("unet6", 6, 2, 3, 2, 1)] {
        let mut vs = nn::VarStore::new(Device::Cpu);
        let cfg = UnetConfig { depth, base, norm: Norm::Batch, dropout: 0.5, dropout_levels: levels };
        let g = cfg.build(&vs.root(), cin, cout);
        load(&mut vs, &all, net, unet_name(depth as usize));
        let y = tch::no_grad(|| g.forward_t(&all[&format!("{net}/input")], false));
        assert_close(&y, &all[&format!("{net}/output")], net);
    }
}

#[test]
fn unet_pads_28_pixel_images_to_its_multiple_and_crops_back() {
    let vs = nn::VarStore::new(Device::Cpu);
    let g = UnetConfig { depth: 5, base: 4, norm: Norm::Batch, dropout: 0.5, dropout_levels: 2 }.build(&vs.root(), 1, 1);
    let y = tch::no_grad(|| g.forward_t(&Tensor::randn([3, 1, 28, 28], (Kind::Float, Device::Cpu)), false));
    assert_eq!(y.size(), [3, 1, 28, 28]);
    let cfg = UnetConfig { depth: 7, base: 4, norm: Norm::Batch, dropout: 0.5, dropout_levels: 0 };
    assert!(cfg.check_image(gan::models::ImageShape { channels: 1, height: 28, width: 28 }).is_err(), "28 -> 128 would pad more than the image on each side");
}

#[test]
fn patchgans_equal_pytorch() {
    let all = reference();
    for (net, layers, cin, norm) in [("patchgan", 2u32, 2, Norm::Batch), ("patchgan1_instance", 1, 1, Norm::Instance)] {
        let mut vs = nn::VarStore::new(Device::Cpu);
        let cfg = PatchGanConfig { layers, base: 4, norm };
        let d = cfg.build(&vs.root(), cin);
        let n = layers as usize;
        load(&mut vs, &all, net, |base: &str| {
            let i: usize = base.trim_start_matches("conv").trim_start_matches("norm").parse().unwrap();
            let index = match (base.starts_with("norm"), i) {
                (false, 0) => 0,
                (false, i) if i == n + 1 => 2 + 3 * n,
                (false, i) => 2 + 3 * (i - 1),
                (true, i) => 3 + 3 * (i - 1),
            };
            format!("model.{index}")
        });
        let x = &all[&format!("{net}/input")];
        let y = tch::no_grad(|| d.forward_t(x, false));
        assert_close(&y, &all[&format!("{net}/output")], net);
        assert_eq!(y.size()[2], cfg.output_side(x.size()[2]), "{net}");
    }
}

#[test]
fn resnet_generator_equals_pytorch() {
    let all = reference();
    let mut vs = nn::VarStore::new(Device::Cpu);
    let blocks = 2;
    let g = ResnetConfig { base: 4, blocks: blocks as u32, norm: Norm::Instance }.build(&vs.root(), 1, 1);
    load(&mut vs, &all, "resnet", |base: &str| {
        let index = |i: usize| format!("model.{i}");
        match base {
            "stem" => index(1),
            "down0" => index(4),
            "down1" => index(7),
            "up0" => index(10 + blocks),
            "up1" => index(13 + blocks),
            "head" => index(17 + blocks),
            b => {
                let (k, conv) = b.trim_start_matches("block").split_once('.').unwrap();
                format!("model.{}.conv_block.{}", 10 + k.parse::<usize>().unwrap(), if conv == "conv1" { 1 } else { 5 })
            }
        }
    });
    let y = tch::no_grad(|| g.forward_t(&all["resnet/input"], false));
    assert_close(&y, &all["resnet/output"], "resnet");
}
