// cscc-copy-to-linalg alone: a ranked memref.copy becomes linalg.copy, in
// place; an unranked one, which linalg.copy cannot take, is left behind and
// the conversion names it.
// RUN: csc-opt %s --split-input-file --cscc-copy-to-linalg --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[A:.*]]: memref<?x4xf32, strided<[8, 1]>>, %[[B:.*]]: memref<?x4xf32>)
// CHECK-NEXT: linalg.copy ins(%[[A]] : memref<?x4xf32, strided<[8, 1]>>) outs(%[[B]] : memref<?x4xf32>)
// CHECK-NEXT: return
func.func @strided(%a: memref<?x4xf32, strided<[8, 1]>>, %b: memref<?x4xf32>) {
  memref.copy %a, %b : memref<?x4xf32, strided<[8, 1]>> to memref<?x4xf32>
  return
}

// -----

func.func @unranked(%a: memref<*xf32>, %b: memref<*xf32>) {
  // expected-error @+1 {{failed to legalize operation 'memref.copy' that was explicitly marked illegal}}
  memref.copy %a, %b : memref<*xf32> to memref<*xf32>
  return
}
