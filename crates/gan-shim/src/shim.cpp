// The libtorch calls tch does not expose. Each function takes tch's tensors as `at::Tensor*`
// (what tch's `C_tensor` is), catches every C++ exception and returns it as text (0: success).

#include <ATen/ATen.h>
#include <ATen/Functions.h>
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
    // The kernel walks each tensor's memory in order: a gradient that autograd left strided
    // (a double backward through a convolution can) is made contiguous first; parameters and
    // moments are updated in place, so they must be contiguous already.
    std::vector<at::Tensor> g;
    g.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (!p[i].is_contiguous() || !m[i].is_contiguous() || !v[i].is_contiguous()) {
        return fail("a parameter or moment is not contiguous", err, err_len);
      }
      g.push_back(grads[i]->contiguous());
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
