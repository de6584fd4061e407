// Kernels for test/Runtime/cuda-launch.test (cscc-runtime-check
// cuda-launch-check), compiled to cuda_test_kernels.ptx with
//   nvcc -ptx -arch=compute_75 -O3 cuda_test_kernels.cu -o cuda_test_kernels.ptx
// then `.version` lowered to 7.5 and nvcc's comment lines dropped (the PTX
// must stay loadable by older drivers; cuda-ptx.test assembles it).
extern "C" __global__ void cscc_test_axpy(float *y, const float *x, float a,
                                          int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * x[i] + y[i];
}

extern "C" __global__ void cscc_test_trap() { __trap(); }
