//===- Conv.h - the three 2-D convolution primitives -------------*- C++ -*-===//
//
// The convolutions of a CSC network are library calls (docs/design.md §2): the
// forward convolution F x, its adjoint F^T dy (transposed convolution =
// backward-data) and the filter gradient. Shapes:
//   x, dx  [N, C, H, W]     (signal)
//   w, dw  [K, C, kh, kw]   (filters, PyTorch layout [out, in, kh, kw])
//   y, dy  [N, K, OH, OW]   (codes)
// with OH = floor((H + 2p - d(kh-1) - 1) / s) + 1 (same for W): a
// cross-correlation as torch.nn.functional.conv2d, stride s, PyTorch's
// dilation d (1 = dense; oneDNN counts d - 1), symmetric zero padding p.
//
// float runs through oneDNN 2.6 (CPU); double runs through plain C++ loops
// (oneDNN has no f64 convolution). Every operand may be a strided view (any
// strides, e.g. a channel slice of a larger NCHW buffer). Outputs are
// overwritten. N = 0 (or any empty output) does nothing.
//
// Errors throw: std::invalid_argument for inconsistent shapes or parameters
// (the message names the operation, the shapes and what to fix),
// std::runtime_error when oneDNN fails. The extern "C" entry points of
// ConvABI.h turn them into a message on stderr and abort().
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_CONV_H
#define CSCC_RUNTIME_CONV_H

#include "cscc/Runtime/Kernels.h"
#include "cscc/Runtime/MemRef.h"
#include "cscc/Runtime/Words.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cscc::rt {

struct ConvParams {
  int64_t stride = 1;
  int64_t dilation = 1; ///< PyTorch's: 1 = no holes
  int64_t padding = 0;  ///< symmetric, on both sides of H and W
};

/// floor((in + 2p - d(kernel-1) - 1) / s) + 1, or 0 when the padded input
/// is smaller than the dilated kernel or the parameters are invalid.
int64_t convOutputSize(int64_t in, int64_t kernel, const ConvParams &p);

/// y = conv2d(x, w).
template <typename T>
void conv2dForward(const TensorView<T> &x, const TensorView<T> &w,
                   const TensorView<T> &y, const ConvParams &p);
/// dx = F^T dy (transposed convolution; dx's H, W choose the output padding).
template <typename T>
void conv2dBackwardData(const TensorView<T> &dy, const TensorView<T> &w,
                        const TensorView<T> &dx, const ConvParams &p);
/// dw = sum over n, oh, ow of dy[n, k, oh, ow] * x-window.
template <typename T>
void conv2dBackwardFilter(const TensorView<T> &x, const TensorView<T> &dy,
                          const TensorView<T> &dw, const ConvParams &p);

/// The convolution of `kind` (one of the three above) on its operands in
/// their order there.
template <typename T>
void conv2d(Conv2dKind kind, const TensorView<T> &a, const TensorView<T> &b,
            const TensorView<T> &out, const ConvParams &p);

/// One convolution of a pair (conv2dPair): its kind and its operands in
/// the order of the functions above (fwd: x, w, y; bwd_data: dy, w, dx;
/// bwd_filter: x, dy, dw).
template <typename T> struct ConvCall {
  Conv2dKind kind = Conv2dKind::Forward;
  TensorView<T> a, b, out;
};

/// Runs `first`, then `second` (both with `p`), as the two calls above
/// would, with the same results bit for bit, except that an input both
/// read (the same view: data, sizes and strides) goes into the layout of
/// oneDNN's primitive once when both primitives want it in the same
/// layout: the two convolutions of a vector-Jacobian product read one
/// cotangent (backward-filter and backward-data both read dy; the forward
/// and backward-filter of a transposed convolution's product both read the
/// same x), and that reorder cost as much as a small convolution. Returns
/// which input of `second` (0 or 1) was shared, -1 for none (double, or
/// operands that differ).
template <typename T>
int conv2dPair(const ConvCall<T> &first, const ConvCall<T> &second,
               const ConvParams &p);

/// The plain-loop implementations (what double uses), also for float: a
/// reference for tests. Same contract and checks as the functions above;
/// they accumulate in double.
template <typename T>
void conv2dForwardLoops(const TensorView<T> &x, const TensorView<T> &w,
                        const TensorView<T> &y, const ConvParams &p);
template <typename T>
void conv2dBackwardDataLoops(const TensorView<T> &dy, const TensorView<T> &w,
                             const TensorView<T> &dx, const ConvParams &p);
template <typename T>
void conv2dBackwardFilterLoops(const TensorView<T> &x, const TensorView<T> &dy,
                               const TensorView<T> &dw, const ConvParams &p);

/// The shape checks the functions above run first (exposed for callers that
/// want to check once, ahead of time). Throw std::invalid_argument.
template <typename T>
void checkConv2dForward(const TensorView<T> &x, const TensorView<T> &w,
                        const TensorView<T> &y, const ConvParams &p);
template <typename T>
void checkConv2dBackwardData(const TensorView<T> &dy, const TensorView<T> &w,
                             const TensorView<T> &dx, const ConvParams &p);
template <typename T>
void checkConv2dBackwardFilter(const TensorView<T> &x, const TensorView<T> &dy,
                               const TensorView<T> &dw, const ConvParams &p);

/// How the float (oneDNN) path lays out memory for a primitive. Whatever the
/// choice, operands whose strides oneDNN cannot describe (zero or negative)
/// are first copied to dense buffers, and if oneDNN has no implementation
/// for the chosen layout the call falls back to Plain, then Any.
enum class OneDnnLayout {
  /// Plain NCHW / OIHW: dense views are used in place, strided views are
  /// reordered into (inputs) or out of (outputs) a dense temporary.
  Plain,
  /// Every operand goes to the primitive with its own strides, strided views
  /// in place (oneDNN's optimised kernels mostly want dense layouts, so a
  /// strided view may run on its slow reference kernel).
  Strided,
  /// The primitive chooses its formats (format_tag::any, e.g. blocked
  /// nChw8c); operands are reordered in and the result out on every call.
  Any,
  /// Activations with their own strides (dense NCHW, channels-last, or a
  /// view), weights in the primitive's choice: no reorder of activations
  /// where oneDNN has a kernel for their layout.
  StridedActivations,
  /// Activations as dense channels-last (NHWC; reordered in and out unless
  /// they already are), weights in the primitive's choice.
  ChannelsLast,
};
/// The layouts' words (CSCC_ONEDNN_LAYOUT, --layout, implementation
/// reports): lookupWord, wordOf and wordList of Words.h.
inline constexpr Word<OneDnnLayout> kOneDnnLayoutWords[] = {
    {"plain", OneDnnLayout::Plain},
    {"strided", OneDnnLayout::Strided},
    {"any", OneDnnLayout::Any},
    {"strided-activations", OneDnnLayout::StridedActivations},
    {"channels-last", OneDnnLayout::ChannelsLast}};
/// The layout the float path uses; the default is Any, measured 2-5x faster
/// (see ConvOneDnn.cpp). Changing it is meant for benchmarks and tests; the
/// environment variable CSCC_ONEDNN_LAYOUT (a name above) sets the initial
/// value.
void setOneDnnLayout(OneDnnLayout layout);
OneDnnLayout getOneDnnLayout();

/// How the float path runs a dilated backward-filter call: oneDNN's own
/// primitive; one GEMM per kernel tap over copies of x and dy in [C, H, W,
/// N] order (stride 1); or the undilated primitive on the d x d phase
/// images of x and dy stacked along the batch (space-to-batch; stride 1, a
/// padding that is a multiple of the dilation d). See ConvOneDnn.cpp.
enum class DilatedFilterGrad {
  /// Where oneDNN's own primitive for the call is its gemm fallback
  /// (oneDNN 2.6 on AVX2 has no JIT backward-weights kernel for
  /// dilations): the taps, except from x of C = 2 channels, where the
  /// phases are faster when the undilated call is a JIT kernel that takes
  /// them in place (channels-last); otherwise direct.
  Auto,
  /// The taps wherever the shape allows them (any stride-1 call; for
  /// tests and measurements).
  Taps,
  /// The phases wherever the shape allows them (for tests).
  Phases,
  /// oneDNN's own primitive, always.
  Direct,
};
/// Its words (CSCC_ONEDNN_DILATED_FILTER_GRAD, cscc-runtime-check's
/// --dilated-filter-grad, implementation reports).
inline constexpr Word<DilatedFilterGrad> kDilatedFilterGradWords[] = {
    {"auto", DilatedFilterGrad::Auto},
    {"taps", DilatedFilterGrad::Taps},
    {"phases", DilatedFilterGrad::Phases},
    {"direct", DilatedFilterGrad::Direct}};
/// The policy the float path uses (default Auto; the environment variable
/// CSCC_ONEDNN_DILATED_FILTER_GRAD, a word above, sets the initial value).
void setDilatedFilterGrad(DilatedFilterGrad policy);
DilatedFilterGrad getDilatedFilterGrad();

/// oneDNN's implementation name for a float primitive with these shapes
/// ("jit:avx2", "gemm:jit", "ref:any", ...), for benchmarks and diagnostics.
/// op is "fwd", "bwd_data" or "bwd_filter"; operands as for the calls above.
std::string oneDnnImplementation(const char *op, const TensorView<float> &a,
                                 const TensorView<float> &b,
                                 const TensorView<float> &out,
                                 const ConvParams &p);

/// Drops every cached oneDNN primitive (they are cached by shapes, strides
/// and parameters).
void clearOneDnnCache();

/// True when no two in-range indices of `v` address the same element (a
/// sufficient test: sorted by |stride|, each stride is at least the extent
/// of the dimensions inside it). An output must be; the CUDA path also
/// asks it of inputs it hands to cuDNN directly.
template <typename T> bool nonOverlapping(const TensorView<T> &v) {
  std::vector<std::pair<int64_t, int64_t>> dims; // (|stride|, size)
  for (int d = 0; d < 4; ++d)
    if (v.sizes[d] > 1)
      dims.push_back({v.strides[d] < 0 ? -v.strides[d] : v.strides[d],
                      v.sizes[d]});
  std::sort(dims.begin(), dims.end());
  int64_t extent = 1;
  for (auto [stride, size] : dims) {
    if (stride < extent)
      return false;
    extent = stride * (size - 1) + extent;
  }
  return true;
}

} // namespace cscc::rt

#endif // CSCC_RUNTIME_CONV_H
