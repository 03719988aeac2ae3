//! The doctor's checks during training (`[doctor] every` steps, from `[doctor] warmup`): the
//! metrics logged since the previous check and what the generator draws now
//! (`crate::doctor::probe`). Diagnoses that start or clear are appended to `diagnoses.jsonl`
//! and reported as events.

use super::Trainer;
use crate::doctor::probe::Reading;
use crate::doctor::{scores, Diagnosis};
use crate::error::Result;
use crate::events::Event;

impl Trainer {
    /// One check at the current step.
    pub(super) fn checkup(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let cfg = &self.config.doctor;
        let reading = match &self.probe {
            Some(p) => p.read(cfg, |z, y| self.sampler().forward_t(z, y, false), self.last_real.as_ref()),
            None => Reading::default(),
        };
        // The history is in step order: the records since the previous check are its tail.
        let from = self.history.partition_point(|m| m.step <= self.checked_through);
        let mut findings = reading.findings;
        findings.extend(scores::from_metrics(cfg, &self.config.loss, &self.history, from, reading.quality.as_ref()));
        self.checked_through = self.step;
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
