// cscc's CPU pipeline (csc-opt --cscc-cst-to-llvm, what the JIT compiles)
// frees each buffer right after its last use, through any of its views:
// after buffer-deallocation-pipeline (which frees every buffer of a block
// at the block's end) it runs upstream's optimize-allocation-liveness. In a
// train step that is the difference between holding every activation and
// gradient at once and holding what the backward pass still needs
// (bench/results/train-memory.md). Shown here on the function as it is
// right before cscc-copy-to-linalg (bufferized, deallocations placed).
// RUN: csc-opt %s --cscc-cst-to-llvm --mlir-disable-threading --mlir-print-ir-before=cscc-copy-to-linalg -o /dev/null 2>&1 | FileCheck %s

// %a is read through a channel slice (a subview) by the adjoint: freed
// after that call; %b after the convolution reading it, which writes the
// caller's result directly (cscc-conv-destinations: no buffer of its own,
// no copy). Nothing is left to free at the return.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[R:arg3]]: memref<?x4x8x8xf32> {cscc.result = 0 : i64}
// CHECK: %[[A:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x5x8x8xf32>
// CHECK-NOT: memref.dealloc
// CHECK: call @cscc_conv2d_fwd_f32(
// CHECK-NEXT: memref.subview %[[A]][0, 1, 0, 0]
// CHECK-NEXT: %[[B:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x1x8x8xf32>
// CHECK-NOT: memref.dealloc
// CHECK: call @cscc_conv2d_bwd_data_f32(
// CHECK-NEXT: memref.dealloc %[[A]] : memref<?x5x8x8xf32>
// CHECK-NOT: memref.alloc
// CHECK: %[[OUT:.*]] = memref.cast %[[R]]
// CHECK-NOT: memref.dealloc
// CHECK: call @cscc_conv2d_fwd_f32({{.*}}, {{.*}}, %[[OUT]],
// CHECK-NEXT: memref.dealloc %[[B]] : memref<?x1x8x8xf32>
// CHECK-NEXT: return
func.func @forward(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>, %v: tensor<5x1x3x3xf32>) -> tensor<?x4x8x8xf32> {
  %a = cst.conv %x, %v {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x1x8x8xf32>, tensor<5x1x3x3xf32>) -> tensor<?x5x8x8xf32>
  %s = cst.slice %a[1] : (tensor<?x5x8x8xf32>) -> tensor<?x4x8x8xf32>
  %b = cst.conv_transpose %s, %w {dilation = 1 : i64, padding = 1 : i64, stride = 1 : i64} : (tensor<?x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x1x8x8xf32>
  %c = cst.conv %b, %w {dilation = 2 : i64, padding = 2 : i64, stride = 1 : i64} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x8x8xf32>
  return %c : tensor<?x4x8x8xf32>
}
