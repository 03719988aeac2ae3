//! `diagnoses.jsonl`: the GAN doctor's diagnoses of a run (the `doctor` module makes them), one
//! JSON record per diagnosis that starts or clears, appended as training goes. A resumed run
//! drops the records after its checkpoint, as the metrics log does.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{GanError, Result};

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosisKind {
    ModeCollapse,
    IgnoresLabels,
    DiscriminatorWins,
    DiscriminatorAtChance,
    VanishingGradient,
    ExplodingGradient,
    CriticExploding,
    Diverged,
}

impl DiagnosisKind {
    pub const ALL: [DiagnosisKind; 8] = [
        Self::ModeCollapse,
        Self::IgnoresLabels,
        Self::DiscriminatorWins,
        Self::DiscriminatorAtChance,
        Self::VanishingGradient,
        Self::ExplodingGradient,
        Self::CriticExploding,
        Self::Diverged,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Self::ModeCollapse => "mode collapse",
            Self::IgnoresLabels => "the generator ignores its labels",
            Self::DiscriminatorWins => "the discriminator wins",
            Self::DiscriminatorAtChance => "the discriminator is at chance",
            Self::VanishingGradient => "a vanishing gradient",
            Self::ExplodingGradient => "an exploding gradient",
            Self::CriticExploding => "the critic's estimate explodes",
            Self::Diverged => "training diverged",
        }
    }

    /// What to try, from the papers this module's header cites.
    pub fn advice(self) -> &'static str {
        match self {
            Self::ModeCollapse => {
                "let D see several samples at once (pack = 2, PacGAN), add R1 ([loss.lipschitz] kind = \"r1\"), use the \
                 non-saturating G loss, and sample from an EMA generator (model.ema_half_life)"
            }
            Self::DiscriminatorWins => {
                "weaken D: lower optim.d.lr or d_steps, use one-sided label smoothing (loss.real_label = 0.9), the \
                 non-saturating G loss, or switch to WGAN-GP or R1"
            }
            Self::IgnoresLabels => {
                "train longer, give D the capacity to check the class (it sees the one-hot label beside the image, Mirza & \
                 Osindero 2014), and check that the data's labels match its images"
            }
            Self::DiscriminatorAtChance => {
                "D is not learning to tell real from fake: raise optim.d.lr or d_steps, give D more capacity (model.d_base or \
                 hidden layers), and check that the data is scaled to [-1, 1]"
            }
            Self::VanishingGradient => {
                "use the non-saturating G loss (loss.generator = \"non-saturating\"), weaken D, or switch to a Wasserstein \
                 critic with the gradient penalty, whose gradient does not saturate"
            }
            Self::ExplodingGradient => "lower the learning rates, and keep D smooth with R1 ([loss.lipschitz] kind = \"r1\") or the gradient penalty",
            Self::CriticExploding => "keep the critic Lipschitz with the gradient penalty (weight 10) instead of clipping, or lower optim.d.lr",
            Self::Diverged => "lower the learning rates, check that the data is scaled to [-1, 1], and add R1 or the gradient penalty",
        }
    }
}

/// Whether a diagnosis begins or ends at `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transition {
    Started,
    Cleared,
}

/// A line of `diagnoses.jsonl`, and the event training reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub kind: DiagnosisKind,
    pub transition: Transition,
    /// The check that started or cleared it.
    pub step: u64,
    /// The first check of the streak that started it.
    pub since_step: u64,
    pub evidence: String,
    pub advice: String,
}

pub(crate) fn record(kind: DiagnosisKind, transition: Transition, step: u64, since_step: u64, evidence: &str) -> Diagnosis {
    Diagnosis { kind, transition, step, since_step, evidence: evidence.into(), advice: kind.advice().into() }
}

/// The diagnoses a list of transitions leaves active (their start records).
pub fn active_of(seen: &[Diagnosis]) -> Vec<Diagnosis> {
    let mut active: Vec<Diagnosis> = Vec::new();
    for d in seen {
        active.retain(|a| a.kind != d.kind);
        if d.transition == Transition::Started {
            active.push(d.clone());
        }
    }
    active
}

/// The diagnosis written when the divergence guard stops a run.
pub fn diverged(step: u64, what: &str) -> Diagnosis {
    record(DiagnosisKind::Diverged, Transition::Started, step, step, &format!("{what} became NaN or infinite"))
}

/// Reads every record of a `diagnoses.jsonl` (none when the file is missing); a torn last
/// line (from a killed run) is ignored.
pub fn read(path: &Path) -> Result<Vec<Diagnosis>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    crate::run::metrics::read_jsonl(path)
}

/// The log a training process appends to.
pub struct DiagnosesLog {
    path: PathBuf,
}

impl DiagnosesLog {
    /// Opens the log of a run at `step`, dropping records after it; returns what is kept.
    pub fn open(path: &Path, step: u64) -> Result<(Self, Vec<Diagnosis>)> {
        let all = read(path)?;
        let kept: Vec<Diagnosis> = all.iter().filter(|d| d.step <= step).cloned().collect();
        // The file exists from a run's start: `gan doctor` tells a run that was checked and
        // found healthy (an empty log) from a run of a version without the doctor (no log).
        if kept.len() != all.len() || !path.exists() {
            let text: String = kept.iter().map(|d| serde_json::to_string(d).expect("diagnosis serialises") + "\n").collect();
            crate::run::checkpoint::write_atomic(path, text.as_bytes())?;
        }
        Ok((Self { path: path.into() }, kept))
    }

    pub fn append(&self, d: &Diagnosis) -> Result<()> {
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(GanError::io(&self.path))?;
        writeln!(f, "{}", serde_json::to_string(d).expect("diagnosis serialises")).map_err(GanError::io(&self.path))
    }
}
