//! Which device to compute on.

use serde::{Deserialize, Serialize};
use tch::Device;

use crate::error::{GanError, Result};

/// `auto` picks the first CUDA GPU when libtorch sees one, else the CPU.
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceChoice {
    #[default]
    Auto,
    Cpu,
    Cuda,
}

impl DeviceChoice {
    /// The device, with libtorch's CUDA backend loaded first where it is needed: for `cuda`,
    /// and for `auto` on a machine whose NVIDIA driver shows a GPU (so that CPU-only machines
    /// do not pay the backend's load time on every start).
    pub fn resolve(self) -> Result<Device> {
        match self {
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Auto => {
                if nvidia_gpu_present() {
                    load_cuda_backend("--device auto")?;
                }
                Ok(Device::cuda_if_available())
            }
            DeviceChoice::Cuda => {
                load_cuda_backend("--device cuda")?;
                if tch::Cuda::is_available() {
                    Ok(Device::Cuda(0))
                } else {
                    Err(GanError::Invalid("--device cuda: libtorch sees no CUDA GPU on this machine".into()))
                }
            }
        }
    }
}

/// Whether the NVIDIA driver shows a GPU to this machine (or container).
fn nvidia_gpu_present() -> bool {
    let listed = |d: &str| std::fs::read_dir(d).map(|mut e| e.next().is_some()).unwrap_or(false);
    std::path::Path::new("/dev/nvidiactl").exists() || listed("/proc/driver/nvidia/gpus")
}

/// Loads libtorch's CUDA backend (see [`gan_shim::load_torch_cuda`]); a CPU-only torch or a
/// backend that will not load is an error naming the file.
fn load_cuda_backend(what: &str) -> Result<()> {
    match gan_shim::load_torch_cuda() {
        Ok(gan_shim::CudaBackend::Loaded(_)) => Ok(()),
        Ok(gan_shim::CudaBackend::Absent(file)) => Err(GanError::Invalid(format!(
            "{what}: this torch is a CPU-only build (no {}); install the CUDA wheel (pip install torch==2.11.0) or use --device cpu",
            file.display()
        ))),
        Err(e) => Err(GanError::Invalid(format!("{what}: libtorch's CUDA backend did not load ({e}); use --device cpu to train on the CPU"))),
    }
}

/// A short name for a device, for reports.
pub fn describe(device: Device) -> String {
    match device {
        Device::Cpu => format!("cpu ({} threads)", tch::get_num_threads()),
        Device::Cuda(i) => format!("cuda:{i}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The memory layout of convolutional networks' weights (and so of their activations):
/// PyTorch's default NCHW (`contiguous`), or channels-last (NHWC), the layout oneDNN's and
/// cuDNN's convolution kernels run in natively. The default stays NCHW: on this project's
/// 2-core CPU channels-last measured no faster (BENCHMARKS.md), and on CUDA it is unmeasured
/// (`bench/gpu-check.sh` times both). The layout changes where numbers sit in memory, not
/// what is computed: results agree to float rounding.
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryFormatChoice {
    #[default]
    Contiguous,
    ChannelsLast,
}

static CHANNELS_LAST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl MemoryFormatChoice {
    /// Makes this the process's layout (like the thread count, a setting of the machine, not
    /// of a run: runs and checkpoints are the same in either layout).
    pub fn set_for_process(self) {
        CHANNELS_LAST.store(self == MemoryFormatChoice::ChannelsLast, std::sync::atomic::Ordering::Relaxed);
    }

    /// The process's layout (`contiguous` unless set).
    pub fn for_process() -> Self {
        if CHANNELS_LAST.load(std::sync::atomic::Ordering::Relaxed) {
            MemoryFormatChoice::ChannelsLast
        } else {
            MemoryFormatChoice::Contiguous
        }
    }

    pub fn format(self) -> gan_shim::MemoryFormat {
        match self {
            MemoryFormatChoice::Contiguous => gan_shim::MemoryFormat::Contiguous,
            MemoryFormatChoice::ChannelsLast => gan_shim::MemoryFormat::ChannelsLast,
        }
    }
}
