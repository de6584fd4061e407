// cscc-merge-gpu-modules: the kernels gpu-kernel-outlining put in a module
// each move into one module (`module-name`), each named after the module it
// came from; every gpu.launch_func points at it; the emptied modules go.
// RUN: csc-opt %s --split-input-file --cscc-merge-gpu-modules --verify-diagnostics | FileCheck %s
// The first case with another module-name:
// RUN: sed -n '1,/^\/\/ -----/p' %s | csc-opt --cscc-merge-gpu-modules='module-name=kernels' | FileCheck %s --check-prefix=NAMED

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @cscc_kernels {
// CHECK-NEXT: gpu.func @step_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK: gpu.func @step_kernel_0(%{{.*}}: memref<4xf32>) kernel
// CHECK-NEXT: arith.constant 1 : index
// CHECK-NOT: gpu.module
// CHECK: func.func @step(
// CHECK: gpu.launch_func {{ *}}@cscc_kernels::@step_kernel blocks
// CHECK: gpu.launch_func {{ *}}@cscc_kernels::@step_kernel_0 blocks
// NAMED: gpu.module @kernels {
// NAMED: gpu.launch_func {{ *}}@kernels::@step_kernel blocks
module attributes {gpu.container_module} {
  gpu.module @step_kernel {
    gpu.func @step_kernel(%a: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %a[%c0] : memref<4xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %a[%c0] : memref<4xf32>
      gpu.return
    }
  }
  gpu.module @step_kernel_0 {
    gpu.func @step_kernel(%a: memref<4xf32>) kernel {
      %c1 = arith.constant 1 : index
      %v = memref.load %a[%c1] : memref<4xf32>
      memref.store %v, %a[%c1] : memref<4xf32>
      gpu.return
    }
  }
  func.func @step(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}

// -----

// A module that already has its target (the pass belongs before
// nvvm-attach-target).
module attributes {gpu.container_module} {
  // expected-error @+1 {{cscc-merge-gpu-modules: a gpu.module with targets or attributes; run the pass before nvvm-attach-target}}
  gpu.module @k [#nvvm.target] {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}

// -----

// More than one kernel in a module (not what outlining makes).
module attributes {gpu.container_module} {
  // expected-error @+1 {{cscc-merge-gpu-modules: expected a gpu.module holding one kernel (as gpu-kernel-outlining makes)}}
  gpu.module @k {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
}

// -----

// The merged module's name is taken.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  // expected-error @+1 {{cscc-merge-gpu-modules: the symbol @cscc_kernels is taken; choose another module-name}}
  func.func private @cscc_kernels()
}
