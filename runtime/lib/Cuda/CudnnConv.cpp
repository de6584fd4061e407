//===- CudnnConv.cpp - the convolution entry points on device memory ------===//
//
// The three convolutions of Conv.h with cuDNN's legacy convolution API on
// device pointers. Per call:
//   1. the shape checks of Conv.h (an empty output then returns at once),
//      then the check that cuDNN's tensor descriptors can describe every
//      operand the call reads or writes: strides from 1 to INT_MAX in the
//      dimensions of extent above 1, at most INT_MAX elements and a span of
//      at most INT_MAX elements (a zero or negative stride, or a larger
//      view, is refused with a message naming the operand). Both use host
//      metadata only; they run before the driver is touched, so a bad call
//      fails the same way with or without a GPU. An empty input writes
//      zeros (cudnnSetTensor on the output view);
//   2. each operand is described to cuDNN: x, y, dy, dx by their own strides
//      (cudnnSetTensor4dDescriptorEx; dimensions of extent 1 get the packed
//      stride, as PyTorch does); the filters packed NCHW
//      (cudnnSetFilter4dDescriptor). An operand the convolutions cannot take
//      as it is (filters that are not packed; tensors whose elements
//      overlap) goes through a packed temporary: cudnnTransformTensor
//      copies the view into it (inputs) or out of it (the output);
//   3. the algorithm: the first result of cudnnGet*Algorithm_v7 (ordered by
//      cuDNN's heuristics) with status success and CUDNN_DETERMINISTIC, and
//      for f32 math CUDNN_FMA_MATH (strict fp32; CSCC_CUDNN_TF32=1 allows
//      TF32), whose workspace can be allocated. Chosen once per operation,
//      dtype, sizes, described strides and parameters. When no algorithm
//      takes the strided descriptors, every operand goes packed instead;
//   4. the call (alpha 1, beta 0: the output is overwritten, never read) on
//      the legacy default stream, then cuStreamSynchronize of that stream.
// One mutex serialises calls (one cuDNN handle, one workspace).
//
//===----------------------------------------------------------------------===//
#include "cscc/Runtime/Conv.h"
#include "cscc/Runtime/Cuda.h"

#include "CudaInternal.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace cscc::rt::cuda {
namespace {

enum class Op { Fwd, BwdData, BwdFilter };

const char *opName(Op op) {
  return op == Op::Fwd       ? "conv2d_fwd"
         : op == Op::BwdData ? "conv2d_bwd_data"
                             : "conv2d_bwd_filter";
}

template <typename T> const char *dtypeName() {
  return std::is_same_v<T, float> ? "f32" : "f64";
}

template <typename T> cudnnDataType_t dataType() {
  return std::is_same_v<T, float> ? CUDNN_DATA_FLOAT : CUDNN_DATA_DOUBLE;
}

// The operands' names in argument order.
const char *operandName(Op op, int i) {
  static const char *args[3][3] = {
      {"x", "w", "y"}, {"dy", "w", "dx"}, {"x", "dy", "dw"}};
  return args[int(op)][i];
}

// "conv2d_fwd(x [2, 3, 8, 8], w [...], y [...], stride 1, dilation 1,
// padding 0, f32)", as the CPU messages name a call.
template <typename T>
std::string callName(Op op, const TensorView<T> &a, const TensorView<T> &b,
                     const TensorView<T> &c, const ConvParams &p) {
  auto n = [&](int i) { return std::string(operandName(op, i)); };
  return std::string(opName(op)) + "(" + n(0) + " " + describeView(a) + ", " +
         n(1) + " " + describeView(b) + ", " + n(2) + " " + describeView(c) +
         ", stride " + std::to_string(p.stride) + ", dilation " +
         std::to_string(p.dilation) + ", padding " + std::to_string(p.padding) +
         ", " + dtypeName<T>() + ")";
}

[[noreturn]] void fatalCudnn(const std::string &what, cudnnStatus_t status) {
  const char *text = nullptr;
  // cuDNN is loaded when a status exists.
  text = cudnn("cuDNN").cudnnGetErrorString(status);
  fatalMessage(what + ": " + (text ? text : "cuDNN error") + " (status " +
               std::to_string(int(status)) + ")");
}

// Strides of the packed (NCHW) layout of these sizes.
void packedStrides(const int64_t sizes[4], int64_t out[4]) {
  out[3] = 1;
  for (int d = 2; d >= 0; --d)
    out[d] = out[d + 1] * sizes[d + 1];
}

// An operand as cuDNN sees it.
struct Described {
  CUdeviceptr ptr = 0;
  int64_t sizes[4] = {0, 0, 0, 0};
  int64_t strides[4] = {0, 0, 0, 0};
  bool viaTemp = false; // a packed temporary stands in for the view
};

std::string stridesText(const int64_t strides[4]) {
  std::string s = "[";
  for (int d = 0; d < 4; ++d)
    s += (d ? ", " : "") + std::to_string(strides[d]);
  return s + "]";
}

// Why no cuDNN tensor descriptor (cudnnSetTensor4dDescriptorEx: int sizes
// and strides, at most 2^31 - 1 elements) can describe a non-empty view, as
// "has strides [...], which ..." after the operand's name; "" when one can.
// Such a view cannot be copied by cuDNN either (cudnnTransformTensor takes
// the same descriptors), so it is refused.
template <typename T> std::string undescribable(const TensorView<T> &v) {
  const int64_t kMax = INT_MAX;
  for (int d = 0; d < 4; ++d)
    if (v.sizes[d] > 1 && (v.strides[d] < 1 || v.strides[d] > kMax))
      return " has strides " + stridesText(v.strides) +
             ", which cuDNN cannot describe: its tensor descriptors take "
             "strides from 1 to " + std::to_string(kMax) +
             " (dimension " + std::to_string(d) + " of extent " +
             std::to_string(v.sizes[d]) + " has stride " +
             std::to_string(v.strides[d]) + "); pass " +
             (v.strides[d] < 1 ? "a view with positive strides (e.g. "
                                 "a packed copy)"
                               : "a packed copy");
  // Element count and span, saturated just above kMax (no overflow: every
  // factor and term is at most kMax * kMax before the saturation).
  int64_t count = 1, last = 0;
  for (int d = 0; d < 4; ++d) {
    count = v.sizes[d] > kMax ? kMax + 1
                              : std::min(count * v.sizes[d], kMax + 1);
    if (v.sizes[d] > 1)
      last = std::min(last + std::min(v.sizes[d] - 1, kMax) * v.strides[d],
                      kMax + 1);
  }
  if (count > kMax)
    return " has sizes " + describeView(v) +
           ", more elements than cuDNN can describe: its tensor descriptors "
           "hold at most " + std::to_string(kMax) +
           " (32-bit indices); split the batch";
  if (last + 1 > kMax)
    return " has strides " + stridesText(v.strides) +
           ", which cuDNN cannot describe: its elements span more than " +
           std::to_string(kMax) +
           " elements of memory (32-bit offsets); pass a packed copy";
  return "";
}

// Descriptor strides of a view cuDNN can describe: its own, except that
// extent-1 dimensions take the stride they would have if packed (PyTorch's
// fixSizeOneDimStride): cuDNN ignores them but checks them.
template <typename T>
void viewStrides(const TensorView<T> &v, int64_t out[4]) {
  int64_t z = 1;
  for (int i = 3; i >= 0; --i) {
    out[i] = v.sizes[i] == 1 ? z : v.strides[i];
    z *= v.sizes[i];
  }
}

// Describes a view; filters must be packed, tensors may be strided (but
// their elements must not overlap).
template <typename T>
Described describe(const TensorView<T> &v, bool filter, bool forcePacked) {
  Described d;
  for (int i = 0; i < 4; ++i)
    d.sizes[i] = v.sizes[i];
  bool direct = v.isDense() || (!filter && !forcePacked && nonOverlapping(v));
  d.viaTemp = !direct;
  if (v.isDense() || d.viaTemp)
    packedStrides(d.sizes, d.strides);
  else
    viewStrides(v, d.strides);
  d.ptr = reinterpret_cast<CUdeviceptr>(v.data);
  return d;
}

struct DeviceBuffer {
  CUdeviceptr ptr = 0;
  size_t size = 0;
  // Grows the buffer to at least `bytes` (contents are not kept).
  CUresult reserve(size_t bytes) {
    if (bytes <= size)
      return CUDA_SUCCESS;
    const DriverApi &api = driver("cuDNN convolution");
    if (ptr)
      api.cuMemFree(ptr);
    ptr = 0;
    size = 0;
    CUresult r = api.cuMemAlloc(&ptr, bytes);
    if (r == CUDA_SUCCESS)
      size = bytes;
    else
      ptr = 0;
    return r;
  }
};

struct Plan {
  bool found = false;
  int algo = 0;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
  size_t workspace = 0;
  int outOfMemory = 0; // candidates skipped: their workspace did not fit
  cudnnTensorDescriptor_t tensors[3] = {nullptr, nullptr, nullptr};
  cudnnFilterDescriptor_t filter = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
};

struct Engine {
  std::mutex mutex;
  cudnnHandle_t handle = nullptr;
  DeviceBuffer workspace;
  DeviceBuffer temps[3];
  std::map<std::string, Plan *> plans; // never freed: few shapes per model
};

Engine &engine() {
  static Engine *e = new Engine; // never destroyed (used until exit)
  return *e;
}

bool envFlag(const char *name) {
  const char *v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

const char *mathName(cudnnMathType_t m) {
  switch (m) {
  case CUDNN_DEFAULT_MATH: return "default";
  case CUDNN_TENSOR_OP_MATH: return "tensor-op";
  case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "tensor-op-conversion";
  case CUDNN_FMA_MATH: return "fma";
  default: return "?";
  }
}

const char *algoName(Op op, int algo) {
  static const char *fwd[] = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM",
                              "GEMM",          "DIRECT",
                              "FFT",           "FFT_TILING",
                              "WINOGRAD",      "WINOGRAD_NONFUSED"};
  static const char *data[] = {"ALGO_0",     "ALGO_1",   "FFT",
                               "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
  static const char *filter[] = {"ALGO_0",   "ALGO_1",
                                 "FFT",      "ALGO_3",
                                 "WINOGRAD", "WINOGRAD_NONFUSED",
                                 "FFT_TILING"};
  if (algo < 0)
    return "?";
  if (op == Op::Fwd)
    return algo < 8 ? fwd[algo] : "?";
  if (op == Op::BwdData)
    return algo < 6 ? data[algo] : "?";
  return algo < 7 ? filter[algo] : "?";
}

// Operands in argument order: which one is the filter.
int filterIndex(Op op) { return op == Op::BwdFilter ? 2 : 1; }

std::string planKey(Op op, const char *dtype, cudnnMathType_t math,
                    const Described d[3], const ConvParams &p) {
  std::string k = std::string(opName(op)) + " " + dtype + " " +
                  std::to_string(int(math));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      k += " " + std::to_string(d[i].sizes[j]) + ":" +
           std::to_string(d[i].strides[j]);
  k += " " + std::to_string(p.stride) + " " + std::to_string(p.dilation) +
       " " + std::to_string(p.padding);
  return k;
}

// The candidates of cudnnGet*Algorithm_v7, as (algo, math) in cuDNN's order,
// filtered to deterministic ones with an acceptable math type.
struct Candidate {
  int algo;
  cudnnMathType_t math;
};

template <typename Perf>
void keep(const Perf *perf, int n, bool strictF32,
          std::vector<Candidate> &out) {
  for (int i = 0; i < n; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS ||
        perf[i].determinism != CUDNN_DETERMINISTIC)
      continue;
    if (strictF32 && perf[i].mathType != CUDNN_FMA_MATH)
      continue;
    out.push_back({int(perf[i].algo), perf[i].mathType});
  }
}

template <typename T>
Plan *makePlan(Op op, const std::string &call, const Described d[3],
               const ConvParams &p, cudnnMathType_t math, Engine &e) {
  const CudnnApi &dnn = cudnn(opName(op));
  auto ck = [&](cudnnStatus_t s, const char *what) {
    if (s != CUDNN_STATUS_SUCCESS)
      fatalCudnn(call + ": " + what, s);
  };
  auto *plan = new Plan;
  int fi = filterIndex(op);
  for (int i = 0; i < 3; ++i) {
    const Described &o = d[i];
    if (i == fi) {
      ck(dnn.cudnnCreateFilterDescriptor(&plan->filter),
         "cudnnCreateFilterDescriptor");
      ck(dnn.cudnnSetFilter4dDescriptor(plan->filter, dataType<T>(),
                                        CUDNN_TENSOR_NCHW, int(o.sizes[0]),
                                        int(o.sizes[1]), int(o.sizes[2]),
                                        int(o.sizes[3])),
         "cudnnSetFilter4dDescriptor");
      continue;
    }
    ck(dnn.cudnnCreateTensorDescriptor(&plan->tensors[i]),
       "cudnnCreateTensorDescriptor");
    ck(dnn.cudnnSetTensor4dDescriptorEx(
           plan->tensors[i], dataType<T>(), int(o.sizes[0]), int(o.sizes[1]),
           int(o.sizes[2]), int(o.sizes[3]), int(o.strides[0]),
           int(o.strides[1]), int(o.strides[2]), int(o.strides[3])),
       "cudnnSetTensor4dDescriptorEx");
  }
  ck(dnn.cudnnCreateConvolutionDescriptor(&plan->conv),
     "cudnnCreateConvolutionDescriptor");
  int pad = int(p.padding), st = int(p.stride), dil = int(p.dilation);
  ck(dnn.cudnnSetConvolution2dDescriptor(plan->conv, pad, pad, st, st, dil,
                                         dil, CUDNN_CROSS_CORRELATION,
                                         dataType<T>()),
     "cudnnSetConvolution2dDescriptor");
  ck(dnn.cudnnSetConvolutionMathType(plan->conv, math),
     "cudnnSetConvolutionMathType");

  bool strictF32 = std::is_same_v<T, float> && math == CUDNN_FMA_MATH;
  std::vector<Candidate> candidates;
  int max = 0, n = 0;
  if (op == Op::Fwd) {
    ck(dnn.cudnnGetConvolutionForwardAlgorithmMaxCount(e.handle, &max),
       "cudnnGetConvolutionForwardAlgorithmMaxCount");
    std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(std::max(max, 1));
    ck(dnn.cudnnGetConvolutionForwardAlgorithm_v7(
           e.handle, plan->tensors[0], plan->filter, plan->conv,
           plan->tensors[2], int(perf.size()), &n, perf.data()),
       "cudnnGetConvolutionForwardAlgorithm_v7");
    keep(perf.data(), n, strictF32, candidates);
  } else if (op == Op::BwdData) {
    ck(dnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount(e.handle, &max),
       "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
    std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(std::max(max, 1));
    ck(dnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(
           e.handle, plan->filter, plan->tensors[0], plan->conv,
           plan->tensors[2], int(perf.size()), &n, perf.data()),
       "cudnnGetConvolutionBackwardDataAlgorithm_v7");
    keep(perf.data(), n, strictF32, candidates);
  } else {
    ck(dnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(e.handle, &max),
       "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount");
    std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(std::max(max, 1));
    ck(dnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(
           e.handle, plan->tensors[0], plan->tensors[1], plan->conv,
           plan->filter, int(perf.size()), &n, perf.data()),
       "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
    keep(perf.data(), n, strictF32, candidates);
  }

  for (const Candidate &c : candidates) {
    ck(dnn.cudnnSetConvolutionMathType(plan->conv, c.math),
       "cudnnSetConvolutionMathType");
    size_t ws = 0;
    cudnnStatus_t s;
    if (op == Op::Fwd)
      s = dnn.cudnnGetConvolutionForwardWorkspaceSize(
          e.handle, plan->tensors[0], plan->filter, plan->conv,
          plan->tensors[2], cudnnConvolutionFwdAlgo_t(c.algo), &ws);
    else if (op == Op::BwdData)
      s = dnn.cudnnGetConvolutionBackwardDataWorkspaceSize(
          e.handle, plan->filter, plan->tensors[0], plan->conv,
          plan->tensors[2], cudnnConvolutionBwdDataAlgo_t(c.algo), &ws);
    else
      s = dnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(
          e.handle, plan->tensors[0], plan->tensors[1], plan->conv,
          plan->filter, cudnnConvolutionBwdFilterAlgo_t(c.algo), &ws);
    if (s != CUDNN_STATUS_SUCCESS)
      continue;
    CUresult r = e.workspace.reserve(ws);
    if (r == CUDA_ERROR_OUT_OF_MEMORY) {
      ++plan->outOfMemory;
      continue; // a cheaper algorithm may fit
    }
    if (r != CUDA_SUCCESS)
      fatal(call + ": cuMemAlloc (cuDNN workspace of " + std::to_string(ws) +
                " bytes)",
            r);
    plan->found = true;
    plan->algo = c.algo;
    plan->math = c.math;
    plan->workspace = ws;
    break;
  }
  if (envFlag("CSCC_CUDNN_VERBOSE")) {
    std::string layout;
    for (int i = 0; i < 3; ++i)
      layout += std::string(i ? ", " : "") +
                (d[i].viaTemp ? "packed copy" : "in place");
    if (plan->found)
      std::fprintf(stderr,
                   "cscc runtime: cuDNN %s: algorithm %s, math %s, "
                   "workspace %zu bytes, operands %s (%zu deterministic "
                   "candidates)\n",
                   call.c_str(), algoName(op, plan->algo),
                   mathName(plan->math), plan->workspace, layout.c_str(),
                   candidates.size());
    else
      std::fprintf(stderr,
                   "cscc runtime: cuDNN %s: no deterministic algorithm for "
                   "operands %s (%d results, %zu acceptable)\n",
                   call.c_str(), layout.c_str(), n, candidates.size());
  }
  return plan;
}

// A tensor descriptor for the duration of one copy or fill.
struct ScopedTensorDescriptor {
  const CudnnApi &dnn;
  cudnnTensorDescriptor_t desc = nullptr;

  ScopedTensorDescriptor(const CudnnApi &api, const std::string &call,
                         cudnnDataType_t type, const int64_t sizes[4],
                         const int64_t strides[4])
      : dnn(api) {
    cudnnStatus_t s = dnn.cudnnCreateTensorDescriptor(&desc);
    if (s != CUDNN_STATUS_SUCCESS)
      fatalCudnn(call + ": cudnnCreateTensorDescriptor", s);
    s = dnn.cudnnSetTensor4dDescriptorEx(
        desc, type, int(sizes[0]), int(sizes[1]), int(sizes[2]),
        int(sizes[3]), int(strides[0]), int(strides[1]), int(strides[2]),
        int(strides[3]));
    if (s != CUDNN_STATUS_SUCCESS)
      fatalCudnn(call + ": cudnnSetTensor4dDescriptorEx", s);
  }
  ~ScopedTensorDescriptor() { dnn.cudnnDestroyTensorDescriptor(desc); }
  ScopedTensorDescriptor(const ScopedTensorDescriptor &) = delete;
  ScopedTensorDescriptor &operator=(const ScopedTensorDescriptor &) = delete;
};

// dst <- src, two layouts of the same sizes (cudnnTransformTensor, alpha 1,
// beta 0: dst is only written), on the handle's stream (the legacy default
// one). Both layouts have passed undescribable().
template <typename T>
void copyTensor(const CudnnApi &dnn, cudnnHandle_t handle,
                const std::string &call, const std::string &what,
                const int64_t sizes[4], CUdeviceptr src,
                const int64_t srcStrides[4], CUdeviceptr dst,
                const int64_t dstStrides[4]) {
  ScopedTensorDescriptor from(dnn, call, dataType<T>(), sizes, srcStrides);
  ScopedTensorDescriptor to(dnn, call, dataType<T>(), sizes, dstStrides);
  const T one = T(1), zero = T(0);
  cudnnStatus_t s = dnn.cudnnTransformTensor(
      handle, &one, from.desc, reinterpret_cast<const void *>(src), &zero,
      to.desc, reinterpret_cast<void *>(dst));
  if (s != CUDNN_STATUS_SUCCESS)
    fatalCudnn(call + ": cudnnTransformTensor (" + what + ")", s);
}

template <typename T>
void runConv(Op op, MemRefDescriptor<T, 4> *ma, MemRefDescriptor<T, 4> *mb,
             MemRefDescriptor<T, 4> *mc, int64_t stride, int64_t dilation,
             int64_t padding) {
  std::string shortName =
      std::string(opName(op)) + " (" + dtypeName<T>() + ")";
  if (!ma || !mb || !mc)
    fatalMessage(shortName + ": called with a null memref descriptor pointer");
  TensorView<T> v[3] = {TensorView<T>::fromMemRef(*ma),
                        TensorView<T>::fromMemRef(*mb),
                        TensorView<T>::fromMemRef(*mc)};
  ConvParams p;
  p.stride = stride, p.dilation = dilation, p.padding = padding;
  try {
    if (op == Op::Fwd)
      checkConv2dForward(v[0], v[1], v[2], p);
    else if (op == Op::BwdData)
      checkConv2dBackwardData(v[0], v[1], v[2], p);
    else
      checkConv2dBackwardFilter(v[0], v[1], v[2], p);
  } catch (const std::exception &ex) {
    fatalMessage(ex.what());
  }
  if (v[2].numel() == 0)
    return; // nothing to write; the driver is not needed
  std::string call = callName(op, v[0], v[1], v[2], p);
  if (p.stride > INT_MAX || p.dilation > INT_MAX || p.padding > INT_MAX)
    fatalMessage(call + ": a parameter exceeds cuDNN's 32-bit range");
  // An empty input: only the output is touched (zeros).
  bool emptyInput = v[0].numel() == 0 || v[1].numel() == 0;
  for (int i = emptyInput ? 2 : 0; i < 3; ++i) {
    std::string why = undescribable(v[i]);
    if (!why.empty())
      fatalMessage(call + ": " + operandName(op, i) + why);
  }
  ensureContext(shortName.c_str());
  const DriverApi &drv = driver(shortName.c_str());
  const CudnnApi &dnn = cudnn(shortName.c_str());

  Engine &e = engine();
  std::lock_guard<std::mutex> lock(e.mutex);
  if (!e.handle) {
    cudnnStatus_t s = dnn.cudnnCreate(&e.handle);
    if (s != CUDNN_STATUS_SUCCESS)
      fatalCudnn(call + ": cudnnCreate (does this cuDNN support this GPU "
                        "and driver? CSCC_CUDNN_LIBRARY picks another)",
                 s);
  }
  auto synchronize = [&] {
    CUresult r = drv.cuStreamSynchronize(nullptr);
    if (r != CUDA_SUCCESS)
      fatal(call + ": cuStreamSynchronize", r,
            "the convolution or an earlier kernel failed on the device");
  };

  if (emptyInput) {
    // An empty sum: zeros (e.g. the filter gradient of batch 0).
    int64_t strides[4];
    viewStrides(v[2], strides);
    ScopedTensorDescriptor out(dnn, call, dataType<T>(), v[2].sizes,
                               strides);
    const T zero = T(0);
    cudnnStatus_t s = dnn.cudnnSetTensor(e.handle, out.desc, v[2].data, &zero);
    if (s != CUDNN_STATUS_SUCCESS)
      fatalCudnn(call + ": cudnnSetTensor (zeros for an empty input)", s);
    synchronize();
    return;
  }

  cudnnMathType_t math = CUDNN_FMA_MATH;
  if (std::is_same_v<T, float> && envFlag("CSCC_CUDNN_TF32"))
    math = CUDNN_DEFAULT_MATH; // lets cuDNN use TF32 on Ampere and newer
  int fi = filterIndex(op);
  Described d[3];
  Plan *plan = nullptr;
  bool anyStrided = false; // an operand is described with its own strides
  for (int attempt = 0; attempt < 2 && !(plan && plan->found); ++attempt) {
    bool forcePacked = attempt == 1;
    if (forcePacked && !anyStrided)
      break; // the same descriptors as the first attempt
    for (int i = 0; i < 3; ++i) {
      d[i] = describe(v[i], i == fi, forcePacked);
      anyStrided |= !d[i].viaTemp && !v[i].isDense();
    }
    std::string key = planKey(op, dtypeName<T>(), math, d, p);
    auto it = e.plans.find(key);
    if (it == e.plans.end())
      it = e.plans.emplace(key, makePlan<T>(op, call, d, p, math, e)).first;
    plan = it->second;
  }
  if (!plan->found)
    fatalMessage(call + ": cuDNN offers no deterministic algorithm" +
                 (std::is_same_v<T, float> && math == CUDNN_FMA_MATH
                      ? std::string(" with strict fp32 math")
                      : std::string()) +
                 " for this convolution" +
                 (plan->outOfMemory
                      ? " whose workspace fits in the free device memory (" +
                            std::to_string(plan->outOfMemory) +
                            " did not fit)"
                      : std::string()) +
                 " (CSCC_CUDNN_VERBOSE=1 shows the search)");

  // Packed temporaries for the operands that need them.
  for (int i = 0; i < 3; ++i) {
    if (!d[i].viaTemp)
      continue;
    size_t bytes = size_t(v[i].numel()) * sizeof(T);
    CUresult r = e.temps[i].reserve(bytes);
    if (r != CUDA_SUCCESS)
      fatal(call + ": cuMemAlloc (a packed copy of " + std::to_string(bytes) +
                " bytes)",
            r);
    d[i].ptr = e.temps[i].ptr;
    if (i < 2) {
      int64_t strides[4];
      viewStrides(v[i], strides);
      copyTensor<T>(dnn, e.handle, call,
                    std::string("copying ") + operandName(op, i) +
                        " into a packed temporary",
                    v[i].sizes, reinterpret_cast<CUdeviceptr>(v[i].data),
                    strides, d[i].ptr, d[i].strides);
    }
  }
  CUresult r = e.workspace.reserve(plan->workspace);
  if (r != CUDA_SUCCESS)
    fatal(call + ": cuMemAlloc (cuDNN workspace of " +
              std::to_string(plan->workspace) + " bytes)",
          r);
  cudnnStatus_t s = dnn.cudnnSetConvolutionMathType(plan->conv, plan->math);
  if (s != CUDNN_STATUS_SUCCESS)
    fatalCudnn(call + ": cudnnSetConvolutionMathType", s);
  const T one = T(1), zero = T(0);
  auto ptr = [&](int i) { return reinterpret_cast<void *>(d[i].ptr); };
  void *ws = reinterpret_cast<void *>(e.workspace.ptr);
  const char *fn;
  if (op == Op::Fwd) {
    fn = "cudnnConvolutionForward";
    s = dnn.cudnnConvolutionForward(
        e.handle, &one, plan->tensors[0], ptr(0), plan->filter, ptr(1),
        plan->conv, cudnnConvolutionFwdAlgo_t(plan->algo), ws,
        plan->workspace, &zero, plan->tensors[2], ptr(2));
  } else if (op == Op::BwdData) {
    fn = "cudnnConvolutionBackwardData";
    s = dnn.cudnnConvolutionBackwardData(
        e.handle, &one, plan->filter, ptr(1), plan->tensors[0], ptr(0),
        plan->conv, cudnnConvolutionBwdDataAlgo_t(plan->algo), ws,
        plan->workspace, &zero, plan->tensors[2], ptr(2));
  } else {
    fn = "cudnnConvolutionBackwardFilter";
    s = dnn.cudnnConvolutionBackwardFilter(
        e.handle, &one, plan->tensors[0], ptr(0), plan->tensors[1], ptr(1),
        plan->conv, cudnnConvolutionBwdFilterAlgo_t(plan->algo), ws,
        plan->workspace, &zero, plan->filter, ptr(2));
  }
  if (s != CUDNN_STATUS_SUCCESS)
    fatalCudnn(call + ": " + fn + " (algorithm " + algoName(op, plan->algo) +
                   ")",
               s);
  if (d[2].viaTemp) {
    int64_t strides[4];
    viewStrides(v[2], strides);
    copyTensor<T>(dnn, e.handle, call,
                  std::string("copying the packed result into ") +
                      operandName(op, 2),
                  v[2].sizes, d[2].ptr, d[2].strides,
                  reinterpret_cast<CUdeviceptr>(v[2].data), strides);
  }
  synchronize();
}

/// The convolution of a Kernels.def kind.
Op opOf(Conv2dKind kind) {
  switch (kind) {
  case Conv2dKind::Forward:
    return Op::Fwd;
  case Conv2dKind::BackwardData:
    return Op::BwdData;
  case Conv2dKind::BackwardFilter:
    return Op::BwdFilter;
  }
  return Op::Fwd;
}

} // namespace
} // namespace cscc::rt::cuda

using cscc::rt::cuda::opOf;
using cscc::rt::cuda::runConv;

extern "C" {

#define CSCC_CONV2D_KERNEL(KIND, OP, DTYPE, ELEM, T, IN0, IN1, OUT)            \
  void CSCC_CIFACE(CSCC_CUDA_CONV2D_SYMBOL(OP, ELEM))(                        \
      CSCC_CONV2D_PARAMS(T, IN0, IN1, OUT)) {                                  \
    runConv<T>(opOf(cscc::rt::Conv2dKind::KIND), IN0, IN1, OUT, stride,        \
               dilation, padding);                                             \
  }
#include "cscc/Runtime/Kernels.def"

} // extern "C"
