//! The doctor's checks during training (`[doctor] every` steps): the metrics logged since the
//! previous check and what the generator draws now (`crate::doctor::probe`). Diagnoses that
//! start or clear are appended to `diagnoses.jsonl` and reported as events.

use super::Trainer;
use crate::doctor::{probe, signals, Diagnosis};
use crate::error::Result;
use crate::events::Event;

impl Trainer {
    /// One check at the current step.
    pub(super) fn checkup(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let cfg = &self.config.doctor;
        // The history is in step order: the records since the previous check are its tail.
        let from = self.history.partition_point(|m| m.step <= self.checked_through);
        let mut findings = signals::from_metrics(cfg, &self.config.loss, &self.history[from..]);
        self.checked_through = self.step;
        if let Some(toy) = &self.toy {
            let fake = tch::no_grad(|| self.sampler().forward_t(&self.fixed_z, None, false));
            findings.extend(probe::check_modes(cfg, toy.dist, &fake));
        }
        if let Some(p) = &self.probe {
            findings.extend(p.check(cfg, |z| self.sampler().forward_t(z, None, false)));
        }
        for d in self.doctor.observe(self.step, &findings) {
            self.report(d, on_event)?;
        }
        Ok(())
    }

    /// Appends a diagnosis to the run's log and reports it.
    pub(super) fn report(&mut self, d: Diagnosis, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        self.diagnoses_log.append(&d)?;
        on_event(&Event::Diagnosis(d));
        Ok(())
    }
}
