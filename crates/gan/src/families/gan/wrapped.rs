//! The `Family` methods a family built on the GAN family (ProGAN, StyleGAN2) hands to the
//! `GanFamily` it wraps unchanged: its settings, description, samples, networks, epoch, doctor
//! and events. Such a family writes its own `step` and `checkpoint` and invokes
//! `wrapped_gan_family!(field)` inside its `impl Family` for the rest.

macro_rules! wrapped_gan_family {
    ($inner:ident) => {
        fn settings(&self) -> $crate::train::LoopSettings {
            self.$inner.settings()
        }

        fn config_toml(&self) -> String {
            self.$inner.config_toml()
        }

        fn describe(&self) -> $crate::train::Description {
            self.$inner.describe()
        }

        fn save_samples(&mut self, step: u64, path: &std::path::Path) -> $crate::error::Result<()> {
            self.$inner.save_samples(step, path)
        }

        fn networks(&self) -> Vec<(&'static str, &tch::nn::VarStore)> {
            self.$inner.networks()
        }

        fn epoch(&self) -> f64 {
            self.$inner.epoch()
        }

        fn findings(&mut self, cfg: &$crate::config::DoctorConfig, history: &[$crate::run::metrics::StepMetrics], from: usize) -> Vec<$crate::doctor::Finding> {
            self.$inner.findings(cfg, history, from)
        }

        fn take_events(&mut self) -> Vec<$crate::events::Event> {
            self.$inner.take_events()
        }
    };
}

pub(crate) use wrapped_gan_family;
