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
int finish(GanGroup* g, c10::intrusive_ptr<c10d::Work> work, char* err, size_t err_len) {
  work->wait(g->timeout);
  return 0;
}
}  // namespace

// Sums `t` (a dense CPU tensor) over the group, in place.
extern "C" int gan_shim_group_allreduce_sum(GanGroup* g, at::Tensor* t, char* err, size_t err_len) {
  try {
    std::vector<at::Tensor> ts{*t};
    c10d::AllreduceOptions opts;
    opts.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM);
    opts.timeout = g->timeout;
    return finish(g, g->backend->allreduce(ts, opts), err, err_len);
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
    return finish(g, g->backend->broadcast(ts, opts), err, err_len);
  } catch (const std::exception& e) {
    return fail(e.what(), err, err_len);
  }
}

extern "C" int gan_shim_group_barrier(GanGroup* g, char* err, size_t err_len) {
  try {
    c10d::BarrierOptions opts;
    opts.timeout = g->timeout;
    return finish(g, g->backend->barrier(opts), err, err_len);
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
