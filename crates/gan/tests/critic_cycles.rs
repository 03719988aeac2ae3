//! `[critic_cycles]`: the seed notebook's WGAN-GP loop against the default one, on a tiny
//! critic and generator. The default takes a fresh real batch and fresh noise for each critic
//! update and reuses the last update's fakes for the generator; the seed's loop takes one real
//! batch per generator step, draws new noise for the generator's update, and logs the
//! critic's mean over its cycles.

use std::cell::RefCell;

use gan::config::CriticCycles;
use gan::families::gan::stats::DiscriminatorStats;
use gan::families::gan::step::{gan_step, RealBatch, StepParts};
use gan::models::{ImageShape, MlpConfig, ModelConfig};
use gan::optim::Optimizer;
use gan::presets::Preset;
use tch::{Device, Kind, Tensor};

/// One step with 5 critic cycles: how many real batches it asked for, and the sizes of its
/// noise draws.
fn one_step(cycles: CriticCycles) -> (usize, Vec<i64>) {
    let mut config = Preset::FashionWganGp.config();
    config.model = ModelConfig::from(MlpConfig { latent_dim: 3, g_hidden: vec![8], d_hidden: vec![8], d_dropout: 0.0, ..MlpConfig::default() });
    tch::manual_seed(0);
    let nets = config.model.build(ImageShape { channels: 1, height: 2, width: 2 }, 0, 1, Device::Cpu);
    let (mut opt_g, mut opt_d) = (Optimizer::new(&nets.g_vs, config.optim.g.clone()), Optimizer::new(&nets.d_vs, config.optim.d.clone()));
    let d = nets.discriminator().unwrap();
    let parts = StepParts {
        g: nets.g.as_ref(),
        d,
        opt_g: &mut opt_g,
        opt_d: &mut opt_d,
        loss: &config.loss,
        measure_grads: false,
        dist: None,
        cycles,
        augment: config.augment.always(),
    };
    let batches = RefCell::new(0usize);
    let noises = RefCell::new(Vec::new());
    let next_real = || {
        *batches.borrow_mut() += 1;
        Ok(RealBatch { images: Tensor::rand([4, 1, 2, 2], (Kind::Float, Device::Cpu)), labels: None })
    };
    let noise = |n| {
        noises.borrow_mut().push(n);
        Tensor::randn([n, 3], (Kind::Float, Device::Cpu))
    };
    assert!(gan_step(parts, 5, next_real, noise).unwrap().d.loss.double_value(&[]).is_finite());
    (batches.into_inner(), noises.into_inner())
}

#[test]
fn the_seed_loop_reuses_one_real_batch_and_draws_fresh_generator_noise() {
    let (batches, noises) = one_step(CriticCycles::default());
    assert_eq!((batches, noises.len()), (5, 5), "default: a real batch and a noise draw per critic cycle, the fakes reused");
    let (batches, noises) = one_step(CriticCycles { same_real: true, ..CriticCycles::default() });
    assert_eq!((batches, noises.len()), (1, 5), "same_real: one real batch for the five cycles");
    let (batches, noises) = one_step(CriticCycles { fresh_generator_noise: true, ..CriticCycles::default() });
    assert_eq!((batches, noises.len()), (5, 6), "fresh_generator_noise: a sixth draw for the generator");
    let (batches, noises) = one_step(CriticCycles::SEED);
    assert_eq!((batches, noises), (1, vec![4; 6]));
}

/// By hand: cycles with losses 1, 2 and 6 log 3; the penalty is averaged over the cycles that
/// took one (4 and 8: 6); the gradient norm is the last one measured.
#[test]
fn the_logged_critic_loss_is_the_mean_over_the_cycles() {
    let s = |loss: f64, penalty: Option<f64>, norm: Option<f64>| DiscriminatorStats {
        loss: Tensor::from(loss),
        real_score: Tensor::from(loss * 2.0),
        fake_score: Tensor::from(-loss),
        gap: Tensor::from(loss * 3.0),
        penalty: penalty.map(Tensor::from),
        grad_norm: norm.map(Tensor::from),
        real_sign: None,
    };
    let m = DiscriminatorStats::mean_of(vec![s(1.0, Some(4.0), Some(0.5)), s(2.0, None, None), s(6.0, Some(8.0), Some(0.25))]);
    let v = |t: &Tensor| t.double_value(&[]);
    assert_eq!((v(&m.loss), v(&m.real_score), v(&m.fake_score), v(&m.gap)), (3.0, 6.0, -3.0, 9.0));
    assert_eq!((v(m.penalty.as_ref().unwrap()), v(m.grad_norm.as_ref().unwrap())), (6.0, 0.25));
}
