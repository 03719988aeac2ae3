// Loading libtorch's CUDA backend into a process that was linked against libtorch_cpu only.
//
// torch-sys names libtorch_cuda on the link line, but nothing in the binary calls into it,
// so the linker's --as-needed drops it and the CUDA backend never registers: libtorch then
// sees no GPU even on a GPU machine with a CUDA wheel. Linking it for good would make every
// start load 450 MB more (0.6-0.9 s measured here) and would stop the binary from starting
// on a CPU-only torch. So gan loads it when a GPU is asked for or present: from the folder
// of the libtorch_cpu.so this process runs on (the same install, the same version), with
// RTLD_GLOBAL so that its static initialisers register the CUDA hooks and kernels.

#include <ATen/Context.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>
#include <string>

namespace {
void copy(const std::string& s, char* out, size_t len) {
  if (len > 0) {
    std::strncpy(out, s.c_str(), len - 1);
    out[len - 1] = '\0';
  }
}
}  // namespace

// 0: loaded (or already loaded), 1: the install has no libtorch_cuda.so (a CPU-only torch),
// 2: it is there but would not load (`err` says why). `path` gets the file looked for.
extern "C" int gan_shim_load_torch_cuda(char* path, size_t path_len, char* err, size_t err_len) {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&at::globalContext), &info) == 0 || info.dli_fname == nullptr) {
    copy("cannot tell which file libtorch was loaded from", err, err_len);
    return 2;
  }
  std::string lib(info.dli_fname);
  auto slash = lib.rfind('/');
  std::string cuda = (slash == std::string::npos ? std::string(".") : lib.substr(0, slash)) + "/libtorch_cuda.so";
  copy(cuda, path, path_len);
  struct stat st;
  if (stat(cuda.c_str(), &st) != 0) return 1;
  if (dlopen(cuda.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    const char* why = dlerror();
    copy(why ? why : "dlopen failed", err, err_len);
    return 2;
  }
  return 0;
}

// 1 when a CUDA backend has registered with c10 (libc10_cuda's device guard).
extern "C" int gan_shim_cuda_registered() { return c10::impl::hasDeviceGuardImpl(c10::DeviceType::CUDA) ? 1 : 0; }
