//! A model family that grows, written as a new family would be (ARCHITECTURE.md, "How to add
//! a family"), touching no file of the loop: a tiny GAN on 4x4 noise images that, at step 6,
//! doubles its images to 8x8 by adding an upsampling layer to G and a downsampling one to D
//! (as ProGAN grows), carrying the optimiser state and weights of the layers that remain.
//! Its stage is its own checkpoint state (`family.json`). A run interrupted before and after
//! the growth and resumed each time ends equal, bit for bit, to an uninterrupted one.

use std::path::Path;

use gan::config::DoctorConfig;
use gan::doctor::Finding;
use gan::optim::{AdamConfig, Optimizer, OptimizerConfig};
use gan::run::checkpoint::{self, CheckpointChoice, CheckpointParts, CheckpointState, FamilyState};
use gan::run::metrics::StepMetrics;
use gan::train::record::Record;
use gan::train::{Description, Family, LoopSettings, StepContext, Trainer};
use gan::Result;
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

const GROW_AT: u64 = 6;
const STEPS: u64 = 12;
const BATCH: i64 = 8;
const Z: i64 = 8;

/// The networks of one stage (0: 4x4 images, 1: 8x8).
struct Nets {
    g_vs: nn::VarStore,
    d_vs: nn::VarStore,
    g_base: nn::Linear,
    d_base: nn::Linear,
    up: Option<nn::Conv2D>,
    down: Option<nn::Conv2D>,
}

impl Nets {
    fn build(stage: u32) -> Nets {
        let (g_vs, d_vs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let g_base = nn::linear(g_vs.root() / "base", Z, 16, Default::default());
        let d_base = nn::linear(d_vs.root() / "base", 16, 1, Default::default());
        let conv = nn::ConvConfig { padding: 1, ..Default::default() };
        let up = (stage > 0).then(|| nn::conv2d(g_vs.root() / "up", 1, 1, 3, conv));
        let down = (stage > 0).then(|| nn::conv2d(d_vs.root() / "down", 1, 1, 3, conv));
        Nets { g_vs, d_vs, g_base, d_base, up, down }
    }

    fn side(&self) -> i64 {
        if self.up.is_some() {
            8
        } else {
            4
        }
    }

    fn g(&self, z: &Tensor) -> Tensor {
        let x = self.g_base.forward(z).view([-1, 1, 4, 4]);
        match &self.up {
            Some(up) => up.forward(&x.upsample_nearest2d([8, 8], None, None)).tanh(),
            None => x.tanh(),
        }
    }

    fn d(&self, x: &Tensor) -> Tensor {
        let x = match &self.down {
            Some(down) => down.forward(x).leaky_relu().avg_pool2d([2, 2], [2, 2], [0, 0], false, true, None),
            None => x.shallow_clone(),
        };
        self.d_base.forward(&x.flatten(1, -1)).view([-1])
    }
}

struct Growing {
    stage: u32,
    nets: Nets,
    opt_g: Optimizer,
    opt_d: Optimizer,
}

fn adam() -> OptimizerConfig {
    OptimizerConfig::Adam(AdamConfig { lr: 1e-2, betas: (0.5, 0.999), eps: 1e-8 })
}

impl Growing {
    fn build(ckpt: Option<&Path>) -> Result<Growing> {
        let stage = match ckpt {
            Some(dir) => checkpoint::read_family_state(dir)?.values["stage"].as_u64().unwrap_or(0) as u32,
            None => 0,
        };
        tch::manual_seed(7);
        let mut nets = Nets::build(stage);
        let (mut opt_g, mut opt_d) = (Optimizer::new(&nets.g_vs, adam()), Optimizer::new(&nets.d_vs, adam()));
        if let Some(dir) = ckpt {
            checkpoint::load_weights(&mut nets.g_vs, &dir.join(checkpoint::GENERATOR_FILE))?;
            checkpoint::load_weights(&mut nets.d_vs, &dir.join(checkpoint::DISCRIMINATOR_FILE))?;
            let opt = checkpoint::load_optimizer(dir)?;
            let file = dir.join(checkpoint::OPTIMIZER_FILE);
            opt_g.load_state(&opt, "g.", &file)?;
            opt_d.load_state(&opt, "d.", &file)?;
        }
        Ok(Growing { stage, nets, opt_g, opt_d })
    }

    /// ProGAN's step: the new layers join, the remaining weights and their moments carry over.
    fn grow(&mut self) {
        let mut next = Nets::build(self.stage + 1);
        gan::tensors::copy_matching(&self.nets.g_vs, &mut next.g_vs);
        gan::tensors::copy_matching(&self.nets.d_vs, &mut next.d_vs);
        (self.opt_g, self.opt_d) = (self.opt_g.carried_to(&next.g_vs), self.opt_d.carried_to(&next.d_vs));
        (self.nets, self.stage) = (next, self.stage + 1);
    }
}

impl Family for Growing {
    fn settings(&self) -> LoopSettings {
        let doctor = DoctorConfig { every: 0, ..DoctorConfig::default() };
        LoopSettings {
            seed: 3,
            total_steps: STEPS,
            log_every: 2,
            sample_every: 100,
            checkpoint_every: 100,
            keep_checkpoints: 10,
            keep_every: 0,
            doctor,
            tensorboard: false,
        }
    }

    fn config_toml(&self) -> String {
        format!("grow_at = {GROW_AT}\n")
    }

    fn describe(&self) -> Description {
        Description { data: "noise images".into(), examples: 0, unit: "images", device: "cpu".into(), classes: Vec::new() }
    }

    fn step(&mut self, ctx: StepContext) -> Result<Record> {
        if ctx.step == GROW_AT && self.stage == 0 {
            self.grow();
        }
        let s = self.nets.side();
        let real = Tensor::randn([BATCH, 1, s, s], (Kind::Float, Device::Cpu)).tanh();
        let fake = self.nets.g(&Tensor::randn([BATCH, Z], (Kind::Float, Device::Cpu)));
        let bce = |x: &Tensor, target: f64| x.binary_cross_entropy_with_logits::<Tensor>(&x.full_like(target), None, None, tch::Reduction::Mean);
        let d_loss = bce(&self.nets.d(&real), 1.0) + bce(&self.nets.d(&fake.detach()), 0.0);
        let grads = self.opt_d.grads(&d_loss);
        self.opt_d.step(&grads);
        let g_loss = bce(&self.nets.d(&fake), 1.0);
        let grads = self.opt_g.grads(&g_loss);
        self.opt_g.step(&grads);
        let mut r = Record::new();
        r.mean("d_loss", "the discriminator's loss", &d_loss).mean("g_loss", "the generator's loss", &g_loss);
        Ok(r)
    }

    fn save_samples(&mut self, _step: u64, path: &Path) -> Result<()> {
        let images = tch::no_grad(|| self.nets.g(&Tensor::ones([4, Z], (Kind::Float, Device::Cpu))));
        gan::draw::grid::save_grid(&images, 4, path)
    }

    fn networks(&self) -> Vec<(&'static str, &nn::VarStore)> {
        vec![("generator", &self.nets.g_vs), ("discriminator", &self.nets.d_vs)]
    }

    fn checkpoint(&self, step: u64) -> CheckpointParts<'_> {
        let mut optimizer = self.opt_g.state("g.");
        optimizer.extend(self.opt_d.state("d."));
        let s = self.nets.side();
        CheckpointParts {
            state: CheckpointState::new(step, step, gan::models::ImageShape { channels: 1, height: s, width: s }, 0),
            config_toml: self.config_toml(),
            weights: vec![(checkpoint::GENERATOR_FILE, &self.nets.g_vs), (checkpoint::DISCRIMINATOR_FILE, &self.nets.d_vs)],
            optimizer,
            family: Some(FamilyState { tensors: Vec::new(), values: serde_json::json!({ "stage": self.stage }) }),
        }
    }

    fn epoch(&self) -> f64 {
        0.0
    }

    fn findings(&mut self, _cfg: &DoctorConfig, _history: &[StepMetrics], _from: usize) -> Vec<Finding> {
        Vec::new()
    }
}

fn build(ckpt: Option<&Path>) -> Result<Box<dyn Family>> {
    Ok(Box::new(Growing::build(ckpt)?))
}

fn final_files(run: &Path) -> Vec<Vec<u8>> {
    let dir = run.join(format!("checkpoints/step-{STEPS:08}"));
    ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors", "family.json"].iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect()
}

#[test]
fn a_family_that_grows_mid_run_resumes_bit_for_bit_across_the_growth() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let mut t = Trainer::new(&whole, &mut build).unwrap();
    t.run(&mut |_| {}).unwrap();
    drop(t);
    let staged = tmp.path().join("staged");
    let mut t = Trainer::new(&staged, &mut build).unwrap();
    t.run_until(4, &mut |_| {}).unwrap();
    drop(t);
    for stop in [9, STEPS] {
        let mut t = Trainer::resume(&staged, &CheckpointChoice::Latest, &mut build).unwrap();
        t.run_until(stop, &mut |_| {}).unwrap();
    }
    assert!(final_files(&whole) == final_files(&staged), "the run resumed across its growth differs from the uninterrupted one");
    let family = std::fs::read_to_string(whole.join(format!("checkpoints/step-{STEPS:08}/family.json"))).unwrap();
    assert!(family.contains("\"stage\": 1"), "{family}");
    let before = checkpoint::read_state(&staged.join("checkpoints/step-00000004")).unwrap();
    let after = checkpoint::read_state(&staged.join("checkpoints/step-00000009")).unwrap();
    assert_eq!((before.image.height, after.image.height), (4, 8), "images doubled at the growth");
    let grid = image::open(whole.join(format!("samples/step-{STEPS:08}.png"))).unwrap();
    assert!(grid.width() > 4 * 8, "the last grid shows 8x8 images: {}", grid.width());
}
