//===- StridedCopy.cu - strided 4-D copies for the cuDNN wrappers ---------===//
//
// Not compiled by the build: its PTX is embedded in StridedCopyPtx.inc
// (regenerate with the command written there) and loaded by the driver's
// JIT at the first use (CudaDriver.cpp, builtinFunction). CudnnConv.cpp
// uses it to copy a view into a packed temporary and back, and (src null)
// to write zeros.
//
// One block per plane (i0, i1) of a 4-D view, its threads over the plane's
// n2*n3 elements (< 2^31). dst[i0*d0+i1*d1+i2*d2+i3*d3] = src[... s ...] (or
// 0 when src is null); strides in elements, any sign. Pointers already
// include the views' offsets.
//
//===----------------------------------------------------------------------===//
template <typename E>
__device__ void copyPlanes(const E *src, long long s0, long long s1,
                           long long s2, long long s3, E *dst, long long d0,
                           long long d1, long long d2, long long d3,
                           long long n1, int n2, int n3, long long planes) {
  int plane = n2 * n3;
  for (long long p = blockIdx.x; p < planes; p += gridDim.x) {
    long long i0 = p / n1, i1 = p % n1;
    const E *s = src ? src + i0 * s0 + i1 * s1 : nullptr;
    E *d = dst + i0 * d0 + i1 * d1;
    for (int j = threadIdx.x; j < plane; j += blockDim.x) {
      int i2 = j / n3, i3 = j % n3;
      d[i2 * d2 + i3 * d3] = s ? s[i2 * s2 + i3 * s3] : E(0);
    }
  }
}
extern "C" __global__ void cscc_strided_copy_b32(
    const unsigned *src, long long s0, long long s1, long long s2, long long s3,
    unsigned *dst, long long d0, long long d1, long long d2, long long d3,
    long long n1, int n2, int n3, long long planes) {
  copyPlanes(src, s0, s1, s2, s3, dst, d0, d1, d2, d3, n1, n2, n3, planes);
}
extern "C" __global__ void cscc_strided_copy_b64(
    const unsigned long long *src, long long s0, long long s1, long long s2,
    long long s3, unsigned long long *dst, long long d0, long long d1,
    long long d2, long long d3, long long n1, int n2, int n3,
    long long planes) {
  copyPlanes(src, s0, s1, s2, s3, dst, d0, d1, d2, d3, n1, n2, n3, planes);
}
