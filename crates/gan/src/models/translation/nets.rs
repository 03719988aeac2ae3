//! A translation run's networks, by model: pix2pix's generator and conditional
//! discriminator, or CycleGAN's two generators and two discriminators. Generators live in
//! one variable store (`generator.safetensors`: `a2b`, `b2a`), discriminators in another
//! (`discriminator.safetensors`: `d_b`, `d_a`).

use tch::nn;

use super::Translator;

/// The networks of one translation model (built by `TranslationModel::build`).
pub enum NetPair {
    /// pix2pix: `g: A -> B`, and `d` judging `(A, B)` stacked on the channels.
    Paired { g: Box<dyn Translator>, d: Box<dyn Translator> },
    /// CycleGAN: `g: A -> B`, `f: B -> A`, `d_b` judging domain B and `d_a` domain A.
    Cycle { g: Box<dyn Translator>, f: Box<dyn Translator>, d_b: Box<dyn Translator>, d_a: Box<dyn Translator> },
    /// CartoonGAN: `g: A -> B`, and `d` judging domain B.
    Single { g: Box<dyn Translator>, d: Box<dyn Translator> },
}

/// The networks and the stores that hold their weights.
pub struct TranslationNets {
    pub g_vs: nn::VarStore,
    pub d_vs: nn::VarStore,
    pub pair: NetPair,
}

/// The generators alone (a trained run's, or their moving average).
pub struct Generators {
    pub vs: nn::VarStore,
    pub a2b: Box<dyn Translator>,
    /// CycleGAN's `F: B -> A`.
    pub b2a: Option<Box<dyn Translator>>,
}

impl TranslationNets {
    /// The generator A -> B.
    pub fn a2b(&self) -> &dyn Translator {
        match &self.pair {
            NetPair::Paired { g, .. } | NetPair::Cycle { g, .. } | NetPair::Single { g, .. } => g.as_ref(),
        }
    }

    /// The generator B -> A (CycleGAN).
    pub fn b2a(&self) -> Option<&dyn Translator> {
        match &self.pair {
            NetPair::Paired { .. } | NetPair::Single { .. } => None,
            NetPair::Cycle { f, .. } => Some(f.as_ref()),
        }
    }

    /// The generators without the discriminators.
    pub fn into_generators(self) -> Generators {
        match self.pair {
            NetPair::Paired { g, .. } | NetPair::Single { g, .. } => Generators { vs: self.g_vs, a2b: g, b2a: None },
            NetPair::Cycle { g, f, .. } => Generators { vs: self.g_vs, a2b: g, b2a: Some(f) },
        }
    }
}

impl Generators {
    pub fn b2a(&self) -> Option<&dyn Translator> {
        self.b2a.as_deref()
    }
}
