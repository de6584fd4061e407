//===- CudnnLibrary.cpp - finding and loading cuDNN 9 with dlopen ---------===//
//
// Order: CSCC_CUDNN_LIBRARY (a path) if set, else "libcudnn.so.9" through
// the loader (LD_LIBRARY_PATH, ldconfig), else libcudnn.so.9 in each of
// cudnnSearchDirectories() (the CUDA toolkit, then pip's nvidia/cudnn/lib
// in the usual Python package directories; no subprocess is started).
// cuDNN 9's libcudnn.so.9 is a small shim that dlopens its sub-libraries by
// soname; when loading from a directory, the sub-libraries found beside it
// are loaded first (RTLD_GLOBAL), so that the shim finds them even where
// that directory is on no search path.
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Cuda.h"

#include "CudaInternal.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <set>

#include <dlfcn.h>
#include <glob.h>
#include <link.h>
#include <sys/stat.h>

namespace cscc::rt::cuda {

namespace {

struct CudnnState {
  std::once_flag once;
  bool ok = false;
  std::string error;
  std::string path; // the loaded library's file
  size_t version = 0;
  void *library = nullptr;
  CudnnApi api;
};

CudnnState &state() {
  static CudnnState *s = new CudnnState; // never destroyed
  return *s;
}

bool isDirectory(const std::string &p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> globDirs(const std::string &pattern) {
  std::vector<std::string> out;
  glob_t g;
  if (glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i)
      out.push_back(g.gl_pathv[i]);
    globfree(&g);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string directoryOf(const std::string &file) {
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : file.substr(0, slash);
}

// The sub-libraries of cuDNN 9, dependencies first (all need graph; cnn
// and adv need ops).
const char *kSubLibraries[] = {
    "libcudnn_graph.so.9",          "libcudnn_ops.so.9",
    "libcudnn_cnn.so.9",            "libcudnn_adv.so.9",
    "libcudnn_heuristic.so.9",      "libcudnn_engines_precompiled.so.9",
    "libcudnn_engines_runtime_compiled.so.9",
};

void preloadSubLibraries(const std::string &dir) {
  for (const char *sub : kSubLibraries) {
    std::string p = dir + "/" + sub;
    if (isFile(p))
      dlopen(p.c_str(), RTLD_LAZY | RTLD_GLOBAL); // failures: the shim reports
  }
}


const char *kInstall =
    "install cuDNN 9 (e.g. `pip install nvidia-cudnn-cu13`, which PyTorch's "
    "CUDA wheels bring) or set CSCC_CUDNN_LIBRARY=/path/to/libcudnn.so.9";

void loadCudnn(CudnnState &s) {
  const char *env = std::getenv("CSCC_CUDNN_LIBRARY");
  std::string firstError;
  if (env && *env) {
    std::string p = env;
    if (isDirectory(p)) {
      s.error = "cuDNN: CSCC_CUDNN_LIBRARY=" + p +
                " is a directory: set it to the path of libcudnn.so.9 "
                "(e.g. " + p + "/libcudnn.so.9)";
      return;
    }
    preloadSubLibraries(directoryOf(p));
    dlerror();
    s.library = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!s.library) {
      const char *e = dlerror();
      s.error = "cuDNN: cannot load CSCC_CUDNN_LIBRARY=" + p + " (" +
                (e ? e : "unknown dlopen error") +
                "): set it to the path of cuDNN 9's libcudnn.so.9 (e.g. "
                ".../site-packages/nvidia/cudnn/lib/libcudnn.so.9)";
      return;
    }
    s.path = loadedPath(s.library, p);
  } else {
    dlerror();
    s.library = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
    if (!s.library) {
      const char *e = dlerror();
      firstError = e ? e : "unknown dlopen error";
      std::vector<std::string> dirs = cudnnSearchDirectories();
      std::string tried;
      for (const std::string &d : dirs) {
        std::string p = d + "/libcudnn.so.9";
        if (!isFile(p))
          continue;
        preloadSubLibraries(d);
        dlerror();
        s.library = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (s.library) {
          s.path = loadedPath(s.library, p);
          break;
        }
        const char *e2 = dlerror();
        tried += "; " + p + ": " + (e2 ? e2 : "unknown dlopen error");
      }
      if (!s.library) {
        std::string searched = "the loader's search path";
        for (const std::string &d : dirs)
          searched += ", " + d;
        s.error = "cuDNN 9 not found: cannot load libcudnn.so.9 (" +
                  firstError + tried + "); searched " + searched + "; " +
                  kInstall;
        return;
      }
    } else {
      s.path = loadedPath(s.library, "libcudnn.so.9");
    }
  }
#define CSCC_RESOLVE(f)                                                        \
  s.api.f = reinterpret_cast<decltype(s.api.f)>(                               \
      dlsym(s.library, CSCC_EXPANDED_NAME(f)));                                \
  if (!s.api.f) {                                                              \
    s.error = "cuDNN: " + s.path +                                             \
              " has no function " CSCC_EXPANDED_NAME(f) ": it is not cuDNN "   \
              "9; " + kInstall;                                                \
    return;                                                                    \
  }
  CSCC_CUDNN_FUNCTIONS(CSCC_RESOLVE)
#undef CSCC_RESOLVE
  s.version = s.api.cudnnGetVersion();
  if (s.version < 90000 || s.version >= 100000) {
    s.error = "cuDNN: " + s.path + " is cuDNN version " +
              std::to_string(s.version) + ", but cscc needs cuDNN 9; " +
              kInstall;
    return;
  }
  s.ok = true;
}

CudnnState &initialized() {
  CudnnState &s = state();
  std::call_once(s.once, [&] { loadCudnn(s); });
  return s;
}

} // namespace

bool isFile(const std::string &p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

std::string loadedPath(void *handle, const std::string &fallback) {
  struct link_map *map = nullptr;
  std::string p = fallback;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name &&
      *map->l_name)
    p = map->l_name;
  if (char *real = realpath(p.c_str(), nullptr)) {
    p = real;
    std::free(real);
  }
  return p;
}

std::vector<std::string> cudnnSearchDirectories() {
  std::vector<std::string> candidates;
  const std::string sub = "/nvidia/cudnn/lib";
  candidates.push_back("/usr/local/cuda/lib64");
  for (const char *pat : {"/usr/local/lib/python3*/dist-packages",
                          "/usr/local/lib/python3*/site-packages",
                          "/usr/lib/python3/dist-packages",
                          "/usr/lib/python3*/site-packages"})
    for (const std::string &d : globDirs(pat))
      candidates.push_back(d + sub);
  if (const char *home = std::getenv("HOME"); home && *home)
    for (const std::string &d :
         globDirs(std::string(home) + "/.local/lib/python3*/site-packages"))
      candidates.push_back(d + sub);
  if (const char *venv = std::getenv("VIRTUAL_ENV"); venv && *venv)
    for (const std::string &d :
         globDirs(std::string(venv) + "/lib/python3*/site-packages"))
      candidates.push_back(d + sub);
  if (const char *path = std::getenv("PATH")) {
    std::string all = path;
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(':', start);
      if (end == std::string::npos)
        end = all.size();
      std::string entry = all.substr(start, end - start);
      while (entry.size() > 1 && entry.back() == '/')
        entry.pop_back();
      if (entry.size() > 4 && entry.compare(entry.size() - 4, 4, "/bin") == 0) {
        std::string prefix = entry.substr(0, entry.size() - 4);
        for (const char *lib : {"/lib/python3*/site-packages",
                                "/lib/python3*/dist-packages"})
          for (const std::string &d : globDirs(prefix + lib))
            candidates.push_back(d + sub);
      }
      start = end + 1;
    }
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string &c : candidates) {
    if (!isDirectory(c))
      continue;
    std::string key = c;
    if (char *real = realpath(c.c_str(), nullptr)) {
      key = real;
      std::free(real);
    }
    if (seen.insert(key).second)
      out.push_back(c);
  }
  return out;
}

const char *cudnnError() {
  CudnnState &s = initialized();
  return s.ok ? nullptr : s.error.c_str();
}

std::string cudnnDescription() {
  CudnnState &s = initialized();
  if (!s.ok)
    return s.error;
  return "cuDNN " + std::to_string(s.version / 10000) + "." +
         std::to_string(s.version / 100 % 100) + "." +
         std::to_string(s.version % 100) + " (" + s.path + ")";
}

const CudnnApi &cudnn(const char *where) {
  CudnnState &s = initialized();
  if (!s.ok)
    fatalMessage(std::string(where) + ": " + s.error);
  return s.api;
}

} // namespace cscc::rt::cuda
