//! CartoonGAN's networks and losses against the training reference restated in PyTorch
//! (bench/cartoon_nets.py, after znxlwm/pytorch-CartoonGAN's `networks.py` and
//! `CartoonGAN.py`): the same weights, loaded by name, give the same images and patch scores
//! (float64), and the same edge-promoting discriminator loss, plain discriminator loss (the
//! ablation), content loss and generator loss.

mod common;

use gan::losses::cartoon::{content_loss, discriminator_loss, generator_loss};
use gan::models::translation::cartoon::{CartoonDiscriminatorConfig, CartoonGeneratorConfig};
use gan::models::translation::Translator;
use tch::{nn, Device, Tensor};

fn generator_name(base: &str) -> String {
    let seq = |s: &str, i: usize| format!("{s}.{i}");
    match base {
        "stem" => seq("down_convs", 0),
        "down0_a" => seq("down_convs", 3),
        "down0_b" => seq("down_convs", 4),
        "down1_a" => seq("down_convs", 7),
        "down1_b" => seq("down_convs", 8),
        "up0_a" => seq("up_convs", 0),
        "up0_b" => seq("up_convs", 1),
        "up1_a" => seq("up_convs", 4),
        "up1_b" => seq("up_convs", 5),
        "head" => seq("up_convs", 8),
        b => {
            let (i, half) = b.trim_start_matches("block").split_once('_').unwrap();
            format!("resnet_blocks.{i}.conv{}", if half == "a" { 1 } else { 2 })
        }
    }
}

fn discriminator_name(base: &str) -> String {
    let index = match base {
        "head" => 15,
        b => [0, 2, 4, 7, 9, 12][b.trim_start_matches("conv").parse::<usize>().unwrap()],
    };
    format!("convs.{index}")
}

fn close(ours: &Tensor, theirs: &Tensor, what: &str) {
    common::assert_close(&ours.reshape([-1]), &theirs.reshape([-1]), what);
}

#[test]
fn cartoongan_networks_and_losses_equal_pytorch() {
    let all = common::python_reference("bench/cartoon_nets.py");
    let (mut g_vs, mut d_vs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
    let g = CartoonGeneratorConfig { base: 4, blocks: 2 }.build(&g_vs.root(), 3, 3);
    let d = CartoonDiscriminatorConfig { base: 2 }.build(&d_vs.root(), 3);
    common::load_by_name(&mut g_vs, &all, "g", generator_name);
    common::load_by_name(&mut d_vs, &all, "d", discriminator_name);
    let (x, y, e) = (&all["g/input"], &all["y"], &all["e"]);
    let fake = g.forward_t(x, true);
    close(&fake, &all["g/output"], "generator");
    let scores = d.forward_t(y, true);
    assert_eq!(scores.size(), [2, 1, 4, 4], "a patch map a quarter of the side");
    close(&scores.sigmoid(), &all["d/output"], "discriminator");
    let w = &all["phi/weight"];
    let phi = |img: &Tensor| img.conv2d::<Tensor>(w, None, [1], [1], [1], 1).relu();
    let (real_l, fake_l, edge_l) = (d.forward_t(y, true), d.forward_t(&fake.detach(), true), d.forward_t(e, true));
    close(&discriminator_loss(&real_l, &fake_l, Some(&edge_l)), &all["loss/d"], "edge-promoting D loss");
    close(&discriminator_loss(&real_l, &fake_l, None), &all["loss/d_plain"], "plain D loss");
    let content = content_loss(&phi, &fake, x) * 10.0;
    close(&content, &all["loss/content"], "content loss");
    close(&(generator_loss(&d.forward_t(&fake, true)) + &content), &all["loss/g"], "G loss");
}

/// The VGG19 loader reads torchvision's state dict (made here with random weights) and gives
/// its conv4_4 maps; a file without a tensor it needs is refused in one line naming it.
#[test]
fn vgg19_reads_torchvision_weights_and_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vgg19.safetensors");
    let o = std::process::Command::new(std::env::var("GAN_PYTHON").unwrap_or_else(|_| "python3".into()))
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/vgg19_reference.py"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let all: std::collections::HashMap<String, Tensor> = Tensor::read_safetensors(&file).unwrap().into_iter().collect();
    let vgg = gan::models::vgg::Vgg19::load(&file, Device::Cpu).unwrap();
    let y = tch::no_grad(|| vgg.feature_maps(&all["input"]));
    assert_eq!(y.size(), [2, 512, 4, 4]);
    let rel = ((&y - &all["output"]).abs().max() / all["output"].abs().max()).double_value(&[]);
    assert!(rel < 1e-5, "relative difference {rel}");
    let partial: Vec<(String, Tensor)> = all.into_iter().filter(|(k, _)| k != "features.25.weight").collect();
    Tensor::write_safetensors(&partial, &file).unwrap();
    let e = gan::models::vgg::Vgg19::load(&file, Device::Cpu).err().unwrap().to_string();
    assert!(e.contains("vgg19.safetensors") && e.contains("features.25.weight") && !e.contains('\n'), "{e}");
}
