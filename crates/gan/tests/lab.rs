//! The lab engine: seeded sessions repeat exactly, single steps move only their network,
//! the drawn gradients are the generator loss's (finite differences), and ring8 with
//! WGAN-GP reaches all 8 modes (the lab's headline experiment).

use gan::lab::{curves_csv, Lab, LabConfig, LabData, LabLoss};
use gan_data::toy::ToyDist;

fn ring(loss: LabLoss) -> LabConfig {
    LabConfig::recommended(LabData::Toy { dist: ToyDist::Ring8 }, loss)
}

#[test]
fn the_same_seed_and_steps_give_the_same_state() {
    tch::set_num_threads(1);
    let run = |seed| {
        let mut lab = Lab::new(LabConfig { seed, ..ring(LabLoss::WganGp) }).unwrap();
        for _ in 0..3 {
            lab.round();
        }
        lab.frame()
    };
    let (a, b, c) = (run(1), run(1), run(2));
    assert_eq!(a.fake, b.fake);
    assert_eq!(a.field.values, b.field.values);
    assert_eq!(a.record, b.record);
    assert_ne!(a.fake, c.fake);
    assert_eq!((a.d_updates, a.g_updates), (15, 3));
}

#[test]
fn a_discriminator_step_leaves_the_generator_alone_and_vice_versa() {
    let mut lab = Lab::new(ring(LabLoss::NonSaturating)).unwrap();
    let f0 = lab.frame();
    lab.step_d();
    let f1 = lab.frame();
    assert_eq!(f0.fake, f1.fake, "G unchanged by a D step");
    assert_ne!(f0.field.values, f1.field.values, "D changed");
    assert_eq!(lab.updates(), (1, 0));
    lab.step_g();
    let f2 = lab.frame();
    assert_ne!(f1.fake, f2.fake, "G changed");
    assert_eq!(f1.field.values, f2.field.values, "D unchanged by a G step");
    assert_eq!(lab.updates(), (1, 1));
    // Paused frames add no records: one per frame that followed updates.
    lab.frame();
    assert_eq!(lab.history().len(), 2);
    let csv = curves_csv(lab.history());
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.lines().nth(2).unwrap().starts_with("1,1,"), "{csv}");
}

/// The arrows are `-grad_x` of the generator's loss at each point: check one against
/// central differences of `L_G` evaluated through the field of a one-point batch.
#[test]
fn arrows_are_the_negative_gradient_of_the_generator_loss() {
    for loss in [LabLoss::NonSaturating, LabLoss::Minimax, LabLoss::Ls, LabLoss::WganGp] {
        let mut lab = Lab::new(ring(loss)).unwrap();
        for _ in 0..5 {
            lab.round();
        }
        let f = lab.frame();
        let (x, y) = (f.fake[0] as f64, f.fake[1] as f64);
        let h = 2e-3;
        let lg = |px: f64, py: f64| lab.generator_loss_at(&[px as f32, py as f32]);
        let gx = (lg(x + h, y) - lg(x - h, y)) / (2.0 * h);
        let gy = (lg(x, y + h) - lg(x, y - h)) / (2.0 * h);
        let (ax, ay) = (f.arrows[0] as f64, f.arrows[1] as f64);
        let scale = gx.abs().max(gy.abs()).max(1e-6);
        assert!((ax + gx).abs() / scale < 0.05 && (ay + gy).abs() / scale < 0.05, "{loss:?}: arrow ({ax}, {ay}) vs -grad ({}, {})", -gx, -gy);
    }
}

#[test]
fn ring8_with_wgan_gp_covers_all_eight_modes() {
    tch::set_num_threads(1);
    let mut lab = Lab::new(ring(LabLoss::WganGp)).unwrap();
    let covered = (0..40).find_map(|_| {
        for _ in 0..20 {
            lab.round();
        }
        let m = lab.frame().modes.expect("ring8 has modes");
        (m.covered == 8).then_some(lab.updates().1)
    });
    assert!(covered.is_some(), "not all 8 modes after 800 generator updates: {:?}", lab.history().last());
}

#[test]
fn drawn_points_train_without_mode_metrics_and_bad_settings_are_refused() {
    let points = vec![[-1.0, -1.0], [1.0, 1.0], [0.5, -0.5]];
    let mut lab = Lab::new(LabConfig::recommended(LabData::Drawn { points }, LabLoss::Ls)).unwrap();
    lab.round();
    let f = lab.frame();
    assert!(f.modes.is_none() && f.record.modes_covered.is_none());
    assert_eq!(f.real.len(), 1000);
    let one_d = Lab::new(LabConfig::recommended(LabData::Toy { dist: ToyDist::Normal }, LabLoss::NonSaturating)).unwrap().frame();
    assert!(one_d.histogram.is_some() && one_d.manifold.is_empty() && one_d.dim == 1);
    let bad = LabConfig { d_steps: 0, ..ring(LabLoss::WganGp) };
    let err = Lab::new(bad).err().expect("refused").to_string();
    assert!(err.contains("d_steps"), "{err}");
}
