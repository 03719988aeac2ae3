// The libtorch calls tch does not expose. Each function takes tch's tensors as `at::Tensor*`
// (what tch's `C_tensor` is), catches every C++ exception and returns it as text (0: success).

#include <ATen/ATen.h>
#include <ATen/Functions.h>
#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>

#include <cstring>
#include <exception>
#include <vector>

namespace {
std::vector<at::Tensor> list(at::Tensor** ts, size_t n) {
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(*ts[i]);
  return out;
}

int fail(const char* what, char* err, size_t err_len) {
  if (err_len > 0) {
    std::strncpy(err, what, err_len - 1);
    err[err_len - 1] = '\0';
  }
  return 1;
}
}  // namespace

extern "C" int gan_shim_fused_adam(at::Tensor** params, at::Tensor** grads, at::Tensor** exp_avgs, at::Tensor** exp_avg_sqs, size_t n,
                                   double lr, double beta1, double beta2, double eps, int64_t step, char* err, size_t err_len) {
  try {
    at::NoGradGuard no_grad;
    if (n == 0) return 0;
    auto p = list(params, n);
    auto m = list(exp_avgs, n);
    auto v = list(exp_avg_sqs, n);
    // The kernel walks each tensor's memory in order, so all four must be dense in the same
    // layout: a gradient that autograd left strided (a double backward through a convolution
    // can) is copied into its parameter's layout (contiguous, or channels-last for a
    // convolution's weight); parameters and moments are updated in place, so they must be
    // laid out alike already.
    std::vector<at::Tensor> g;
    g.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      auto format = p[i].suggest_memory_format();
      if (!p[i].is_contiguous(format) || !m[i].is_contiguous(format) || !v[i].is_contiguous(format)) {
        return fail("a parameter and its moments are not dense in one layout", err, err_len);
      }
      g.push_back(grads[i]->contiguous(format));
    }
    // One step counter per parameter, as torch.optim.Adam(fused=True) keeps them (float, on the
    // parameters' device); the kernel reads it for the bias corrections.
    auto counter = at::full({}, static_cast<double>(step), p[0].options().dtype(at::kFloat));
    std::vector<at::Tensor> steps(n, counter);
    at::_fused_adam_(p, g, m, v, {}, steps, lr, beta1, beta2, /*weight_decay=*/0.0, eps,
                     /*amsgrad=*/false, /*maximize=*/false, std::nullopt, std::nullopt);
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// Memory formats (PyTorch's `memory_format=`): 0 = contiguous (NCHW), 1 = channels-last (NHWC).
namespace {
at::MemoryFormat memory_format(int format) { return format == 1 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous; }
}  // namespace

// A new handle on `t` laid out in `format` (the same tensor when it already is), as
// `t.contiguous(memory_format=...)`; autograd records the copy.
extern "C" int gan_shim_to_memory_format(at::Tensor* t, int format, at::Tensor** out, char* err, size_t err_len) {
  try {
    *out = new at::Tensor(t->contiguous(memory_format(format)));
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// Re-lays a parameter out in `format` in place, keeping the variable (as `module.to(memory_format=)`
// does with `param.data = ...`): every handle on it, the optimiser's included, sees the new
// strides. Its gradient, if any, is dropped (autograd gives the next one the new layout).
extern "C" int gan_shim_set_memory_format(at::Tensor* var, int format, char* err, size_t err_len) {
  try {
    at::NoGradGuard no_grad;
    var->set_data(var->contiguous(memory_format(format)));
    if (var->grad().defined()) var->mutable_grad() = at::Tensor();
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// 1 when `t` is laid out in `format` (dense, in that order of dimensions), else 0.
extern "C" int gan_shim_is_memory_format(at::Tensor* t, int format) { return t->is_contiguous(memory_format(format)) ? 1 : 0; }

// `at::leaky_relu(x, slope)` as a new handle (autograd records it; tch 0.24 only has the
// fixed slope 0.01).
extern "C" int gan_shim_leaky_relu(at::Tensor* x, double slope, at::Tensor** out, char* err, size_t err_len) {
  try {
    *out = new at::Tensor(at::leaky_relu(*x, slope));
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// Autocast (PyTorch's `torch.autocast(device_type, dtype=torch.bfloat16)`), per thread: enter
// turns it on for the device type (0: CPU, 1: CUDA) in bf16 and reports the previous state;
// exit restores it and, leaving the outermost region, frees the cached bf16 copies of weights.
namespace {
at::DeviceType device_type(int device) { return device == 1 ? at::kCUDA : at::kCPU; }
}  // namespace

extern "C" int gan_shim_autocast_enter(int device, int* was_enabled, int* was_dtype, char* err, size_t err_len) {
  try {
    auto d = device_type(device);
    *was_enabled = at::autocast::is_autocast_enabled(d) ? 1 : 0;
    *was_dtype = static_cast<int>(at::autocast::get_autocast_dtype(d));
    at::autocast::set_autocast_enabled(d, true);
    at::autocast::set_autocast_dtype(d, at::kBFloat16);
    at::autocast::increment_nesting();
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

extern "C" void gan_shim_autocast_exit(int device, int was_enabled, int was_dtype) {
  try {
    auto d = device_type(device);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(d, was_enabled == 1);
    at::autocast::set_autocast_dtype(d, static_cast<at::ScalarType>(was_dtype));
  } catch (...) {
  }
}
