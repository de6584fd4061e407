// cscc-split-functions: a body longer than max-ops becomes calls of private,
// never-inlined parts of at most max-ops operations; what a part uses from
// before is an argument (constants are cloned), what is used after it a
// result; stack buffers never cross a cut; short bodies stay whole.
// RUN: csc-opt %s --split-input-file --cscc-split-functions=max-ops=3 | FileCheck %s
// RUN: not csc-opt %s --split-input-file --cscc-split-functions=max-ops=0 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: cscc-split-functions: max-ops must be at least 1

// Six operations: two parts of three. %a crosses into the second part and
// the function's return; the constant is cloned into the part that uses it.
// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[X:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4xf32>)
// CHECK-NEXT: %[[A:.*]] = call @chain_part0(%[[X]], %[[Y]]) : (memref<4xf32>, memref<4xf32>) -> memref<4xf32>
// CHECK-NEXT: %[[B:.*]] = call @chain_part1(%[[A]], %[[Y]]) : (memref<4xf32>, memref<4xf32>) -> memref<4xf32>
// CHECK-NEXT: return %[[A]], %[[B]]
// CHECK: func.func private @chain_part0(%[[X0:.*]]: memref<4xf32>, %[[Y0:.*]]: memref<4xf32>) -> memref<4xf32> attributes {no_inline, passthrough = ["noinline"]}
// CHECK-NEXT: %[[C:.*]] = arith.constant 1.0
// CHECK-NEXT: %[[A0:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: memref.copy %[[X0]], %[[A0]]
// CHECK-NEXT: linalg.fill ins(%[[C]] : f32) outs(%[[Y0]] : memref<4xf32>)
// CHECK-NEXT: return %[[A0]]
// CHECK: func.func private @chain_part1(%[[A1:.*]]: memref<4xf32>, %[[Y1:.*]]: memref<4xf32>) -> memref<4xf32> attributes {no_inline, passthrough = ["noinline"]}
// CHECK-NEXT: %[[B1:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: memref.copy %[[A1]], %[[B1]]
// CHECK-NEXT: memref.copy %[[Y1]], %[[B1]]
// CHECK-NEXT: return %[[B1]]
func.func @chain(%x: memref<4xf32>, %y: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<4xf32>
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  linalg.fill ins(%one : f32) outs(%y : memref<4xf32>)
  %b = memref.alloc() : memref<4xf32>
  memref.copy %a, %b : memref<4xf32> to memref<4xf32>
  memref.copy %y, %b : memref<4xf32> to memref<4xf32>
  return %a, %b : memref<4xf32>, memref<4xf32>
}

// -----

// A stack buffer (and a view of it) used four operations later: the first
// cut would strand it, so the first part grows until the buffer's last use.
// CHECK-LABEL: func.func @stack(
// CHECK-NEXT: call @stack_part0(%{{.*}}) : (memref<4xf32>) -> ()
// CHECK-NEXT: call @stack_part1(%{{.*}}) : (memref<4xf32>) -> ()
// CHECK-NEXT: return
// CHECK: func.func private @stack_part0(
// CHECK-NEXT: memref.alloca
// CHECK-NEXT: memref.subview
// CHECK-COUNT-3: memref.copy
// CHECK-NEXT: return
// CHECK: func.func private @stack_part1(
// CHECK-COUNT-2: memref.copy
// CHECK-NEXT: return
func.func @stack(%x: memref<4xf32>) {
  %s = memref.alloca() : memref<4xf32>
  %v = memref.subview %s[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
  memref.copy %x, %s : memref<4xf32> to memref<4xf32>
  memref.copy %s, %x : memref<4xf32> to memref<4xf32>
  memref.copy %v, %v : memref<2xf32, strided<[1]>> to memref<2xf32, strided<[1]>>
  memref.copy %x, %x : memref<4xf32> to memref<4xf32>
  memref.copy %x, %x : memref<4xf32> to memref<4xf32>
  return
}

// -----

// A stack buffer used to the end: no cut is possible, the body stays whole.
// CHECK-LABEL: func.func @stack_to_the_end(
// CHECK-NEXT: memref.alloca
// CHECK-COUNT-4: memref.copy
// CHECK-NEXT: return
// CHECK-NOT: func.func
func.func @stack_to_the_end(%x: memref<4xf32>) {
  %s = memref.alloca() : memref<4xf32>
  memref.copy %x, %s : memref<4xf32> to memref<4xf32>
  memref.copy %x, %x : memref<4xf32> to memref<4xf32>
  memref.copy %x, %x : memref<4xf32> to memref<4xf32>
  memref.copy %s, %x : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Three operations: nothing to split.
// CHECK-LABEL: func.func @short(
// CHECK-NEXT: memref.alloc
// CHECK-NEXT: memref.copy
// CHECK-NEXT: memref.copy
// CHECK-NEXT: return
// CHECK-NOT: func.func
func.func @short(%x: memref<4xf32>) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  memref.copy %a, %x : memref<4xf32> to memref<4xf32>
  return %a : memref<4xf32>
}
