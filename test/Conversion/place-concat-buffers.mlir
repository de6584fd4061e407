// cscc-place-concat-buffers: a concatenation's tensor.empty is placed just
// before the producer of its first input (not further up), so that
// eliminate-empty-tensors makes that producer write into its slice.
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-place-concat-buffers))' | FileCheck %s
// RUN: csc-opt %s --pass-pipeline='builtin.module(func.func(cscc-place-concat-buffers),eliminate-empty-tensors)' | FileCheck %s --check-prefix=ELIM

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// CHECK-LABEL: func.func @concat
// CHECK: %[[N:.*]] = tensor.dim %arg0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2x2x2xf32>
// CHECK-NEXT: %[[CAT:.*]] = tensor.empty(%[[N]]) : tensor<?x4x2x2xf32>
// CHECK-NEXT: %[[A:.*]] = linalg.generic {{.*}} outs(%[[E]]
// CHECK: tensor.insert_slice %[[A]] into %[[CAT]]
// ELIM-LABEL: func.func @concat
// ELIM: %[[CAT:.*]] = tensor.empty({{.*}}) : tensor<?x4x2x2xf32>
// ELIM: %[[S:.*]] = tensor.extract_slice %[[CAT]][0, 0, 0, 0]
// ELIM: linalg.generic {{.*}} outs(%[[S]]
func.func @concat(%x: tensor<?x2x2x2xf32>) -> (tensor<?x4x2x2xf32>, tensor<?x2x2x2xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x2x2x2xf32>
  %e = tensor.empty(%n) : tensor<?x2x2x2xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x2x2x2xf32>) outs(%e : tensor<?x2x2x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<?x2x2x2xf32>
  %cat = tensor.empty(%n) : tensor<?x4x2x2xf32>
  %i0 = tensor.insert_slice %a into %cat[0, 0, 0, 0] [%n, 2, 2, 2] [1, 1, 1, 1] : tensor<?x2x2x2xf32> into tensor<?x4x2x2xf32>
  %i1 = tensor.insert_slice %x into %i0[0, 2, 0, 0] [%n, 2, 2, 2] [1, 1, 1, 1] : tensor<?x2x2x2xf32> into tensor<?x4x2x2xf32>
  return %i1, %a : tensor<?x4x2x2xf32>, tensor<?x2x2x2xf32>
}
