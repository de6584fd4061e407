// cst-code-sparsity's entry option: only that function gets the results.
// RUN: csc-opt %s --cst-code-sparsity=entry=evaluate | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK-SAME: -> tensor<?x4x6x6xf32> {
// CHECK-NOT: zero_fraction
// CHECK-LABEL: func.func @evaluate
// CHECK-SAME: -> (tensor<?x4x6x6xf32>, tensor<f32> {cst.sparsity = "e"})
// CHECK: %[[G:.*]] = cst.threshold
// CHECK-NEXT: %[[Z:.*]] = cst.zero_fraction %[[G]]
// CHECK-NEXT: return %[[G]], %[[Z]]
func.func @forward(%x: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  %g = cst.threshold %x {cst.code = "f", kind = #cst<threshold relu>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  return %g : tensor<?x4x6x6xf32>
}
func.func @evaluate(%x: tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32> {
  %g = cst.threshold %x {cst.code = "e", kind = #cst<threshold relu>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  return %g : tensor<?x4x6x6xf32>
}
