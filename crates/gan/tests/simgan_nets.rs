//! SimGAN's networks and losses against the paper restated in PyTorch (bench/simgan_nets.py):
//! the same weights, loaded by name, give the same refined images and patch logits (float64),
//! and the same discriminator loss, refiner adversarial loss and self-regularisation.

mod common;

use gan::losses::simgan::{discriminator_loss, refiner_loss};
use gan::models::translation::simgan::{LocalDiscriminatorConfig, RefinerConfig};
use gan::models::translation::Translator;
use tch::{nn, Device, Tensor};

fn refiner_name(base: &str) -> String {
    match base {
        "stem" => "conv_in".into(),
        "head" => "conv_out".into(),
        b => {
            let (i, half) = b.trim_start_matches("block").split_once('_').unwrap();
            format!("blocks.{i}.conv{}", if half == "a" { 1 } else { 2 })
        }
    }
}

fn discriminator_name(base: &str) -> String {
    let index = match base {
        "conv0" => 0,
        "conv1" => 2,
        "conv2" => 5,
        "conv3" => 7,
        "head" => 9,
        other => panic!("{other}"),
    };
    format!("convs.{index}")
}

fn close(ours: &Tensor, theirs: &Tensor, what: &str) {
    common::assert_close(&ours.reshape([-1]), &theirs.reshape([-1]), what);
}

#[test]
fn simgan_networks_and_losses_equal_pytorch() {
    let all = common::python_reference("bench/simgan_nets.py");
    let (mut r_vs, mut d_vs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
    let r = RefinerConfig { base: 4, blocks: 2 }.build(&r_vs.root(), 1);
    let d = LocalDiscriminatorConfig { base: 3 }.build(&d_vs.root(), 1);
    common::load_by_name(&mut r_vs, &all, "r", refiner_name);
    common::load_by_name(&mut d_vs, &all, "d", discriminator_name);
    let (x, y) = (&all["r/input"], &all["y"]);
    let refined = r.forward_t(x, true);
    close(&refined, &all["r/output"], "refiner");
    let real_map = d.forward_t(y, true);
    assert_eq!(real_map.size(), [3, 2, 7, 7], "two logits per patch of a map a quarter of the side");
    close(&real_map, &all["d/output"], "discriminator");
    close(&discriminator_loss(&real_map, &d.forward_t(&refined.detach(), true)), &all["loss/d"], "discriminator loss");
    let (total, adv, reg) = refiner_loss(&d.forward_t(&refined, true), &refined, x, 0.7);
    close(&adv, &all["loss/r_adv"], "refiner adversarial loss");
    close(&reg, &all["loss/r_reg"], "self-regularisation");
    close(&total, &all["loss/r"], "refiner loss");
}
