//! Channels-last convolutions (through `gan_shim`) compute what the default layout does. From
//! the same weights and inputs, in either layout and in double precision (so that the two
//! layouts' different orders of summation leave differences near 1e-16, not f32's 1e-4):
//! D's scores, the gradients of D's loss (with the WGAN-GP penalty, which differentiates
//! twice through the convolutions) and of G's loss agree to 1e-10; the weights really are channels-last, Adam's fused update keeps
//! them so, and a checkpoint written from them holds the same numbers as the NCHW run's.
//! (Weights after several Adam steps are not compared element by element: Adam divides by
//! the gradient's size, so an element whose gradient is rounding noise moves by up to lr in
//! either direction.)

use gan::device::MemoryFormatChoice;
use gan::families::gan::step::{gan_step, RealBatch, StepParts};
use gan::losses::penalty::{gradient_penalty, interpolate};
use gan::models::{ImageShape, Partner};
use gan::optim::Optimizer;
use gan::presets::Preset;
use tch::{Device, Kind, Tensor};

struct Observed {
    scores: Tensor,
    d_grads: Vec<Tensor>,
    g_grads: Vec<Tensor>,
    saved: Vec<(String, Tensor)>,
}

fn is_cl(t: &Tensor) -> bool {
    gan_shim::is_memory_format(t, gan_shim::MemoryFormat::ChannelsLast)
}

fn observe(preset: Preset, format: MemoryFormatChoice, dir: &std::path::Path) -> Observed {
    format.set_for_process();
    let config = preset.config();
    let image = ImageShape { channels: 1, height: 28, width: 28 };
    tch::manual_seed(7);
    let mut nets = config.model.build(image, 0, 1, Device::Cpu);
    nets.g_vs.double();
    nets.d_vs.double();
    let Partner::Discriminator(d) = &nets.partner else { unreachable!() };
    let opt_g = Optimizer::new(&nets.g_vs, config.optim.g.clone());
    let opt_d = Optimizer::new(&nets.d_vs, config.optim.d.clone());
    let convs: Vec<Tensor> = [&nets.g_vs, &nets.d_vs].iter().flat_map(|vs| vs.trainable_variables()).filter(|t| t.dim() == 4 && t.size()[1] > 1).collect();
    assert!(convs.len() >= 2);
    assert!(convs.iter().all(|w| is_cl(w) == (format == MemoryFormatChoice::ChannelsLast)), "{format:?}");

    tch::manual_seed(100);
    let real = Tensor::rand([16, 1, 28, 28], (Kind::Double, Device::Cpu)) * 2.0 - 1.0;
    let z = Tensor::randn([16, config.model.latent_dim()], (Kind::Double, Device::Cpu));
    let eps = Tensor::rand([16, 1, 1, 1], (Kind::Double, Device::Cpu));
    let fake = nets.g.forward_t(&z, None, true);
    let scores = Tensor::cat(&[d.forward_t(&real, None, true), d.forward_t(&fake.detach(), None, true)], 0);
    let x_hat = interpolate(&real, &fake.detach(), &eps).set_requires_grad(true);
    let penalty = gradient_penalty(&d.forward_t(&x_hat, None, true), &x_hat);
    let d_loss = scores.narrow(0, 16, 16).mean(Kind::Double) - scores.narrow(0, 0, 16).mean(Kind::Double) + penalty * 10.0;
    let d_grads = opt_d.grads(&d_loss);
    let g_grads = opt_g.grads(&-d.forward_t(&fake, None, true).mean(Kind::Double));

    // Two full training steps (the fused Adam on channels-last weights and moments).
    let (mut opt_g, mut opt_d) = (opt_g, opt_d);
    for _ in 0..2 {
        let parts = StepParts::of(&config, (nets.g.as_ref(), d.as_ref()), (&mut opt_g, &mut opt_d));
        let latent = config.model.latent_dim();
        gan_step(parts, 1, || Ok(RealBatch { images: real.shallow_clone(), labels: None }), |n| Tensor::randn([n, latent], (Kind::Double, Device::Cpu)))
            .unwrap();
    }
    assert!(convs.iter().all(|w| is_cl(w) == (format == MemoryFormatChoice::ChannelsLast)), "the update kept the layout");
    let file = dir.join(format!("d-{format:?}.safetensors"));
    gan::tensors::save_vars(&nets.d_vs, &file).unwrap();
    let mut saved = Tensor::read_safetensors(&file).unwrap();
    saved.sort_by(|a, b| a.0.cmp(&b.0));
    // The file holds the training weights' values, in the row-major order safetensors stores.
    let now = nets.d_vs.variables();
    assert!(saved.iter().all(|(n, t)| (t - &now[n]).abs().max().double_value(&[]) == 0.0));
    MemoryFormatChoice::Contiguous.set_for_process();
    Observed { scores: scores.detach(), d_grads, g_grads, saved }
}

fn assert_close(what: &str, a: &Tensor, b: &Tensor) {
    let scale = a.abs().max().double_value(&[]).max(1e-12);
    let diff = (a - b).abs().max().double_value(&[]) / scale;
    assert!(diff < 1e-10, "{what}: differs by {diff:e} of its largest element");
}

#[test]
fn channels_last_computes_what_the_default_layout_does() {
    let dir = tempfile::tempdir().unwrap();
    for preset in [Preset::MnistDcgan, Preset::FashionWganGp] {
        let plain = observe(preset, MemoryFormatChoice::Contiguous, dir.path());
        let cl = observe(preset, MemoryFormatChoice::ChannelsLast, dir.path());
        assert_close(&format!("{preset:?} scores"), &plain.scores, &cl.scores);
        for (i, (a, b)) in plain.d_grads.iter().zip(&cl.d_grads).chain(plain.g_grads.iter().zip(&cl.g_grads)).enumerate() {
            assert_close(&format!("{preset:?} gradient {i}"), a, b);
        }
        assert_eq!(plain.saved.len(), cl.saved.len());
        for ((name, a), (_, b)) in plain.saved.iter().zip(&cl.saved) {
            // After two Adam steps: within two learning rates of each other.
            let diff = (a - b).abs().max().double_value(&[]);
            assert!(diff <= 2.0 * 2e-4 + 1e-6, "{preset:?} {name} after two steps: {diff:e}");
        }
    }
}
