//! Renders training events: an indicatif progress bar on a terminal, plain lines otherwise.

use std::io::IsTerminal;

use gan::run::metrics::StepMetrics;
use gan::Event;
use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    next_line_at: u64,
    skipped: u64,
    /// The doctor's summary, printed with the end of training.
    health: Option<String>,
}

/// Skipped files named one by one before only the count is kept.
const SKIPPED_SHOWN: u64 = 10;

fn summary(m: &StepMetrics) -> String {
    use gan::run::metrics::names::*;
    let v = |name: &str| m.get(name).unwrap_or(f64::NAN);
    let part = |label: &str, name: &str| m.get(name).map(|x| format!("  {label} {x:.3}")).unwrap_or_default();
    if m.scalars.has_group("translation.") {
        let adversarial = m.get(D_LOSS).map(|d| format!("D {d:.3}{}", part("G", G_LOSS))).unwrap_or_else(|| "no discriminator".into());
        let terms = [
            ("L1", TRANSLATION_L1),
            ("cycle", TRANSLATION_CYCLE),
            ("identity", TRANSLATION_IDENTITY),
            ("content", TRANSLATION_CONTENT),
            ("self-reg", TRANSLATION_SELF_REG),
            ("task", TRANSLATION_TASK),
        ];
        return terms.iter().fold(adversarial, |line, (label, name)| line + &part(label, name));
    }
    if m.scalars.has(VAE_LOSS) {
        return format!("-ELBO {:.2}  reconstruction {:.2}  KL {:.2}", v(VAE_LOSS), v(VAE_RECONSTRUCTION), v(VAE_KL));
    }
    if let Some(w) = m.get(WASSERSTEIN) {
        return format!("critic {:.3}  G {:.3}  W {w:.3}{}", v(D_LOSS), v(G_LOSS), part("GP", PENALTY));
    }
    if m.scalars.has(D_LOSS) {
        // A discriminator trained alone (SimGAN's initialisation) has no generator loss.
        return format!("D {:.3}{}  D(x) {:.3}  D(G(z)) {:.3}{}", v(D_LOSS), part("G", G_LOSS), v(D_REAL), v(D_FAKE), part("penalty", PENALTY));
    }
    // A family of its own: its scalars by name.
    m.scalars.iter().map(|(n, x)| format!("{n} {x:.3}")).collect::<Vec<_>>().join("  ")
}

impl Progress {
    pub fn new(plain: bool) -> Self {
        let bar = (!plain && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} [{elapsed_precise}<{eta_precise}, {per_sec}] {msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Self { bar, total: 0, next_line_at: 0, skipped: 0, health: None }
    }

    pub fn on_event(&mut self, e: &Event) {
        match e {
            Event::Started { run_dir, start_step, total_steps, data, examples, unit, device, g_params, d_params, classes } => {
                self.total = *total_steps;
                let verb = if *start_step > 0 { format!("resuming at step {start_step}") } else { "training".into() };
                eprintln!(
                    "{verb}: {total_steps} steps on {data} ({examples} {unit}), {device}; G {g_params} / D {d_params} parameters -> {}",
                    run_dir.display()
                );
                if !classes.is_empty() {
                    // A text run's classes are its captions: thousands; name the first few.
                    const SHOWN: usize = 12;
                    let more = classes.len().saturating_sub(SHOWN);
                    let tail = if more > 0 { format!(", ... ({more} more)") } else { String::new() };
                    eprintln!("conditioned on {} classes: {}{tail}", classes.len(), classes[..classes.len().min(SHOWN)].join(", "));
                }
                if let Some(b) = &self.bar {
                    b.set_length(*total_steps);
                    b.set_position(*start_step);
                    b.reset_eta();
                }
                self.next_line_at = start_step + (total_steps / 20).max(1);
            }
            Event::Step { step } => {
                if let Some(b) = &self.bar {
                    b.set_position(*step);
                }
            }
            Event::Metrics(m) => match &self.bar {
                Some(b) => b.set_message(summary(m)),
                None if m.step >= self.next_line_at || m.step == self.total => {
                    eprintln!("step {}/{}  epoch {:.2}  {}  {:.1} steps/s", m.step, self.total, m.epoch, summary(m), m.steps_per_sec);
                    self.next_line_at = m.step + (self.total / 20).max(1);
                }
                None => {}
            },
            Event::SkippedImage { reason } => {
                self.skipped += 1;
                if self.skipped <= SKIPPED_SHOWN {
                    let line = format!("warning: skipped {reason}");
                    match &self.bar {
                        Some(b) => b.println(line),
                        None => eprintln!("{line}"),
                    }
                }
            }
            Event::SamplesSaved { .. } | Event::CheckpointSaved { .. } => {}
            Event::Diagnosis(d) => {
                let line = crate::health::line(d);
                match &self.bar {
                    Some(b) => b.println(line),
                    None => eprintln!("{line}"),
                }
            }
            Event::Health { checks, every, seen } => self.health = Some(crate::health::summary(*checks, seen, *every)),
            Event::Finished { step, run_dir, last } => {
                if let Some(b) = &self.bar {
                    b.finish_and_clear();
                }
                let tail = last.as_ref().map(|m| format!(": {}", summary(m))).unwrap_or_default();
                eprintln!("finished at step {step}{tail}");
                if self.skipped > 0 {
                    eprintln!("warning: {} unreadable image files were skipped", self.skipped);
                }
                if let Some(h) = self.health.take() {
                    eprintln!("health: {h}");
                }
                eprintln!("run directory: {} (samples/, loss.png, metrics.jsonl, diagnoses.jsonl, checkpoints/)", run_dir.display());
            }
        }
    }
}
