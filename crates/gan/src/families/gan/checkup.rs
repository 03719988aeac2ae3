//! The doctor's findings for a GAN run (see `crate::doctor`): what the generator draws now
//! (`crate::doctor::probe`) and what the metrics since the previous check show.

use super::GanFamily;
use crate::config::DoctorConfig;
use crate::doctor::probe::Reading;
use crate::doctor::{scores, Finding};
use crate::run::metrics::StepMetrics;

impl GanFamily {
    pub(super) fn doctor_findings(&mut self, cfg: &DoctorConfig, history: &[StepMetrics], from: usize) -> Vec<Finding> {
        let reading = match &self.probe {
            Some(p) => p.read(cfg, |z, y| self.sampler().forward_t(z, y, false), self.last_real.as_ref()),
            None => Reading::default(),
        };
        let mut findings = reading.findings;
        findings.extend(scores::from_metrics(cfg, &self.config.loss, history, from, reading.quality.as_ref()));
        findings
    }
}
