//! The doctor's checks during training (`[doctor] every` steps, from `[doctor] warmup`): the
//! family's findings from the metrics logged since the previous check and from what its
//! networks do now. Diagnoses that start or clear are appended to `diagnoses.jsonl` and
//! reported as events.

use super::Trainer;
use crate::doctor::Diagnosis;
use crate::error::Result;
use crate::events::Event;

impl Trainer {
    /// One check at the current step.
    pub(super) fn checkup(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        // The history is in step order: the records since the previous check are its tail.
        let from = self.history.partition_point(|m| m.step <= self.checked_through);
        let findings = self.family.findings(&self.settings.doctor, &self.history, from);
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
