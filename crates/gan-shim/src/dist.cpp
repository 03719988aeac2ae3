// torch.distributed's c10d from Rust: a TCPStore rendezvous and a Gloo process group (CPU
// tensors), with all-reduce, broadcast, barrier and store get/set, every call bounded by the
// group's timeout and every failure returned as text.
//
// The PyPI wheel ships libtorch_cpu's ProcessGroupGloo but not the gloo headers that
// ProcessGroupGloo.hpp includes, so the two declarations this file needs are restated below
// from that header (torch 2.11): the class's constructor and its Options. The Options struct
// is restated member for member (its layout must match); the class itself is only ever
// constructed by libtorch's own constructor into storage larger than the real object, and
// used through the Backend interface, whose header is shipped.

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/autograd/custom_function.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace gloo::transport {
class Device;
}

namespace c10d {
class ProcessGroupGloo : public Backend {
 public:
  struct Options : public Backend::Options {
    explicit Options(std::chrono::milliseconds timeout);
    std::vector<std::shared_ptr<::gloo::transport::Device>> devices;
    int threads{2};
  };
  static std::shared_ptr<::gloo::transport::Device> createDeviceForInterface(const std::string& interface, bool lazyInit);
  static std::shared_ptr<::gloo::transport::Device> createDeviceForHostname(const std::string& hostname, bool lazyInit);
  static std::shared_ptr<::gloo::transport::Device> createDefaultDevice(bool lazyInit);
  ProcessGroupGloo(const c10::intrusive_ptr<Store>& store, int rank, int size, c10::intrusive_ptr<Options> options);

 private:
  // Room for the real object (a few hundred bytes in torch 2.11).
  char storage_[1 << 16];
};
}  // namespace c10d

namespace {
int fail(const std::string& what, char* err, size_t err_len) {
  if (err_len > 0) {
    std::strncpy(err, what.c_str(), err_len - 1);
    err[err_len - 1] = '\0';
  }
  return 1;
}

bool loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }
}  // namespace

struct GanGroup {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  std::chrono::milliseconds timeout;
  // The first failure inside an autograd backward pass, where it cannot be thrown (the
  // pass goes on with local statistics; the caller reads this after the step).
  std::string failure;
};

// Joins the group: rank `rank` of `size`, rendezvous at host:port (rank 0 serves the store
// unless `agent_store`, torchrun's, already does), keys under `prefix`.
extern "C" int gan_shim_group_new(const char* host, int port, int rank, int size, int agent_store, int64_t timeout_ms, const char* prefix,
                                  GanGroup** out, char* err, size_t err_len) {
  try {
    std::chrono::milliseconds timeout(timeout_ms);
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(port);
    so.isServer = rank == 0 && agent_store == 0;
    so.numWorkers = agent_store ? std::nullopt : std::optional<std::size_t>(size);
    so.waitWorkers = agent_store == 0;
    so.timeout = timeout;
    auto tcp = c10::make_intrusive<c10d::TCPStore>(std::string(host), so);
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::PrefixStore>(std::string(prefix), tcp);
    auto options = c10::make_intrusive<c10d::ProcessGroupGloo::Options>(timeout);
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (ifname != nullptr && *ifname != '\0') {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname, false));
    } else if (loopback(host)) {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1", false));
    } else {
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice(false));
    }
    c10::intrusive_ptr<c10d::Backend> backend(c10::intrusive_ptr<c10d::ProcessGroupGloo>::make(store, rank, size, options));
    *out = new GanGroup{store, backend, timeout};
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

extern "C" void gan_shim_group_free(GanGroup* g) { delete g; }

namespace {
// Waits for a collective (throws on failure or timeout).
int finish(GanGroup* g, const c10::intrusive_ptr<c10d::Work>& work) {
  work->wait(g->timeout);
  return 0;
}

// Sums `t` over the group in place (throws on failure or timeout).
void all_reduce(GanGroup* g, at::Tensor& t) {
  std::vector<at::Tensor> ts{t};
  c10d::AllreduceOptions opts;
  opts.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM);
  opts.timeout = g->timeout;
  g->backend->allreduce(ts, opts)->wait(g->timeout);
}
}  // namespace

// Sums `t` (a dense CPU tensor) over the group, in place.
extern "C" int gan_shim_group_allreduce_sum(GanGroup* g, at::Tensor* t, char* err, size_t err_len) {
  try {
    all_reduce(g, *t);
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// Overwrites `t` on every rank with rank `root`'s.
extern "C" int gan_shim_group_broadcast(GanGroup* g, at::Tensor* t, int root, char* err, size_t err_len) {
  try {
    std::vector<at::Tensor> ts{*t};
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    opts.timeout = g->timeout;
    return finish(g, g->backend->broadcast(ts, opts));
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

extern "C" int gan_shim_group_barrier(GanGroup* g, char* err, size_t err_len) {
  try {
    c10d::BarrierOptions opts;
    opts.timeout = g->timeout;
    return finish(g, g->backend->barrier(opts));
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// The store's key-value pairs (for comparing configurations across ranks).
extern "C" int gan_shim_store_set(GanGroup* g, const char* key, const uint8_t* value, size_t len, char* err, size_t err_len) {
  try {
    g->store->set(std::string(key), std::vector<uint8_t>(value, value + len));
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// Waits (up to the timeout) for `key` and copies at most `cap` bytes of its value; `len`
// gets the value's full length.
extern "C" int gan_shim_store_get(GanGroup* g, const char* key, uint8_t* value, size_t cap, size_t* len, char* err, size_t err_len) {
  try {
    g->store->wait({std::string(key)}, g->timeout);
    auto v = g->store->get(std::string(key));
    *len = v.size();
    std::memcpy(value, v.data(), std::min(cap, v.size()));
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// Synchronised batch normalisation (as torch.nn.SyncBatchNorm): the batch statistics of a
// [N, C, ...] input are taken over every rank's rows (all-reduces of the per-channel sums
// and counts, then of the squared deviations from the group's mean), and the backward pass all-reduces the per-channel sums of the
// output gradient and of its product with the normalised input, so that each rank's input
// gradient is that of the whole group's loss. First-order only: the backward's all-reduce is
// not differentiable (callers refuse double backward through it).
namespace {
std::vector<int64_t> reduce_dims(const at::Tensor& x) {
  std::vector<int64_t> d{0};
  for (int64_t i = 2; i < x.dim(); ++i) d.push_back(i);
  return d;
}

// As `all_reduce`, but a failure is recorded in the group (once) instead of thrown, and
// later calls after a failure leave `t` local.
void all_reduce_or_record(GanGroup* g, at::Tensor& t) {
  if (!g->failure.empty()) return;
  try {
    all_reduce(g, t);
  } catch (const std::exception& e) {
    g->failure = e.what();
  }
}

at::Tensor per_channel(const at::Tensor& v, int64_t dims) {
  std::vector<int64_t> shape(dims, 1);
  shape[1] = v.size(0);
  return v.view(shape);
}

struct SyncBatchNorm : public torch::autograd::Function<SyncBatchNorm> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, at::Tensor x, at::Tensor weight, at::Tensor bias, GanGroup* g,
                            at::Tensor running_mean, at::Tensor running_var, double momentum, double eps) {
    auto dims = reduce_dims(x);
    auto xf = x.to(at::kFloat);
    int64_t channels = x.size(1);
    auto local_count = static_cast<double>(x.numel() / channels);
    // Two passes, as the native kernel takes them (E[x^2] - E[x]^2 would cancel): the
    // group's mean, then the group's mean squared deviation from it.
    auto stats = at::cat({xf.sum(dims), at::full({1}, local_count, xf.options())});
    all_reduce_or_record(g, stats);
    auto count = stats[channels].item<double>();
    auto mean = stats.narrow(0, 0, channels) / count;
    auto centred = xf - per_channel(mean, x.dim());
    auto squares = (centred * centred).sum(dims);
    all_reduce_or_record(g, squares);
    auto var = squares / count;
    auto invstd = (var + eps).rsqrt();
    {
      at::NoGradGuard no_grad;
      running_mean.mul_(1 - momentum).add_(mean, momentum);
      running_var.mul_(1 - momentum).add_(var * (count / std::max(count - 1, 1.0)), momentum);
    }
    auto xhat = centred * per_channel(invstd, x.dim());
    ctx->save_for_backward({xhat, weight, invstd});
    ctx->saved_data["count"] = count;
    ctx->saved_data["group"] = reinterpret_cast<int64_t>(g);
    return (xhat * per_channel(weight, x.dim()) + per_channel(bias, x.dim())).to(x.scalar_type());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto xhat = saved[0], weight = saved[1], invstd = saved[2];
    auto count = ctx->saved_data["count"].toDouble();
    auto* g = reinterpret_cast<GanGroup*>(ctx->saved_data["group"].toInt());
    auto dy = grads[0].to(at::kFloat);
    auto dims = reduce_dims(xhat);
    auto local_dy = dy.sum(dims);
    auto local_dy_xhat = (dy * xhat).sum(dims);
    int64_t channels = xhat.size(1);
    auto sums = at::cat({local_dy, local_dy_xhat});
    all_reduce_or_record(g, sums);
    auto mean_dy = sums.narrow(0, 0, channels) / count;
    auto mean_dy_xhat = sums.narrow(0, channels, channels) / count;
    int64_t n = xhat.dim();
    auto dx = per_channel(weight * invstd, n) * (dy - per_channel(mean_dy, n) - xhat * per_channel(mean_dy_xhat, n));
    // The weight's and bias's gradients are this rank's own (the optimiser averages them).
    return {dx.to(grads[0].scalar_type()), local_dy_xhat, local_dy, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};
}  // namespace

extern "C" int gan_shim_sync_batch_norm(GanGroup* g, at::Tensor* x, at::Tensor* weight, at::Tensor* bias, at::Tensor* running_mean,
                                        at::Tensor* running_var, double momentum, double eps, at::Tensor** out, char* err, size_t err_len) {
  try {
    *out = new at::Tensor(SyncBatchNorm::apply(*x, *weight, *bias, g, *running_mean, *running_var, momentum, eps));
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

// The failure recorded inside a pass, if any (copied into `err`; 1 when there was one).
extern "C" int gan_shim_group_failure(GanGroup* g, char* err, size_t err_len) {
  if (g->failure.empty()) return 0;
  return fail(g->failure, err, err_len);
}
