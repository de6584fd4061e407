// cst-lower-to-linalg of the optimiser updates: one linalg.generic per
// parameter, reading the parameter, its gradient and its state once
// (inputs) and writing the new parameter and state (one output each); the
// hyperparameters are read once per function (tensor.extract, then
// memref.load). After bufferization each loop writes straight into the
// caller's result buffers: no copy, no allocation.
// RUN: csc-opt %s --cst-lower-to-linalg | FileCheck %s
// RUN: csc-opt %s --cscc-cst-to-buffers | FileCheck %s --check-prefix=BUF
// RUN: csc-opt %s --cscc-cst-to-llvm | FileCheck %s --check-prefix=LLVM

func.func @sgd(%w: tensor<3x2x3x3xf64>, %gw: tensor<3x2x3x3xf64>, %bw: tensor<3x2x3x3xf64>,
               %b: tensor<4xf64>, %gb: tensor<4xf64>, %bb: tensor<4xf64>,
               %h: tensor<8xf64>)
    -> (tensor<3x2x3x3xf64>, tensor<4xf64>, tensor<3x2x3x3xf64>, tensor<4xf64>) {
  %nw, %nbw = cst.sgd_update %w, %gw momentum_buffer(%bw) hyper(%h) {nesterov} : (tensor<3x2x3x3xf64>, tensor<3x2x3x3xf64>, tensor<3x2x3x3xf64>, tensor<8xf64>) -> (tensor<3x2x3x3xf64>, tensor<3x2x3x3xf64>)
  %nb, %nbb = cst.sgd_update %b, %gb momentum_buffer(%bb) hyper(%h) : (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<8xf64>) -> (tensor<4xf64>, tensor<4xf64>)
  return %nw, %nb, %nbw, %nbb : tensor<3x2x3x3xf64>, tensor<4xf64>, tensor<3x2x3x3xf64>, tensor<4xf64>
}

// CHECK-LABEL: func.func @sgd(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<3x2x3x3xf64>, %[[GW:[a-z0-9]+]]: tensor<3x2x3x3xf64>, %[[BW:[a-z0-9]+]]: tensor<3x2x3x3xf64>, %[[B:[a-z0-9]+]]: tensor<4xf64>, %[[GB:[a-z0-9]+]]: tensor<4xf64>, %[[BB:[a-z0-9]+]]: tensor<4xf64>, %[[H:[a-z0-9]+]]: tensor<8xf64>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[LR:.*]] = tensor.extract %[[H]][%[[C0]]]
// CHECK-DAG: %[[MOM:.*]] = tensor.extract %[[H]][%[[C1]]]
// CHECK-DAG: %[[WD:.*]] = tensor.extract %[[H]][%[[C2]]]
// CHECK-DAG: %[[DAMP:.*]] = tensor.extract %[[H]][%[[C3]]]
// CHECK-NOT: tensor.extract
// CHECK: %{{.*}}:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[W]], %[[GW]], %[[BW]] : {{.*}}) outs(%{{.*}}, %{{.*}} : tensor<3x2x3x3xf64>, tensor<3x2x3x3xf64>)
// CHECK-NEXT: ^bb0(%[[P:[a-z0-9_]+]]: f64, %[[G:[a-z0-9_]+]]: f64, %[[MB:[a-z0-9_]+]]: f64, %{{.*}}: f64, %{{.*}}: f64):
// d = g + wd p
// CHECK-NEXT: %[[T0:.*]] = arith.mulf %[[WD]], %[[P]]
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[G]], %[[T0]]
// b' = b mom + (1 - dampening) d
// CHECK-NEXT: %[[T1:.*]] = arith.mulf %[[MB]], %[[MOM]]
// CHECK-NEXT: %[[T2:.*]] = arith.mulf %[[DAMP]], %[[D]]
// CHECK-NEXT: %[[NB:.*]] = arith.addf %[[T1]], %[[T2]]
// Nesterov: u = d + mom b'
// CHECK-NEXT: %[[T3:.*]] = arith.mulf %[[MOM]], %[[NB]]
// CHECK-NEXT: %[[U:.*]] = arith.addf %[[D]], %[[T3]]
// p' = p - lr u
// CHECK-NEXT: %[[T4:.*]] = arith.mulf %[[LR]], %[[U]]
// CHECK-NEXT: %[[NP:.*]] = arith.subf %[[P]], %[[T4]]
// CHECK-NEXT: linalg.yield %[[NP]], %[[NB]] : f64, f64
// Without Nesterov: u = b'.
// CHECK: %{{.*}}:2 = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[B]], %[[GB]], %[[BB]] : {{.*}}) outs(%{{.*}}, %{{.*}} : tensor<4xf64>, tensor<4xf64>)
// CHECK-NEXT: ^bb0(%[[P2:[a-z0-9_]+]]: f64, %[[G2:[a-z0-9_]+]]: f64, %[[MB2:[a-z0-9_]+]]: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[T6:.*]] = arith.mulf %[[WD]], %[[P2]]
// CHECK-NEXT: %[[D2:.*]] = arith.addf %[[G2]], %[[T6]]
// CHECK-NEXT: %[[T7:.*]] = arith.mulf %[[MB2]], %[[MOM]]
// CHECK-NEXT: %[[T8:.*]] = arith.mulf %[[DAMP]], %[[D2]]
// CHECK-NEXT: %[[NB2:.*]] = arith.addf %[[T7]], %[[T8]]
// CHECK-NEXT: %[[T5:.*]] = arith.mulf %[[LR]], %[[NB2]]
// CHECK-NEXT: %[[NP2:.*]] = arith.subf %[[P2]], %[[T5]]
// CHECK-NEXT: linalg.yield %[[NP2]], %[[NB2]] : f64, f64
// CHECK-NOT: linalg.generic
// CHECK-NOT: cst.

// BUF-LABEL: func.func @sgd(
// BUF-SAME: %[[W:[a-z0-9]+]]: memref<3x2x3x3xf64>, %[[GW:[a-z0-9]+]]: memref<3x2x3x3xf64>, %[[BW:[a-z0-9]+]]: memref<3x2x3x3xf64>, %[[B:[a-z0-9]+]]: memref<4xf64>, %[[GB:[a-z0-9]+]]: memref<4xf64>, %[[BB:[a-z0-9]+]]: memref<4xf64>, %[[H:[a-z0-9]+]]: memref<8xf64>,
// BUF-SAME: %[[RW:[a-z0-9]+]]: memref<3x2x3x3xf64> {cscc.result = 0 : i64}, %[[RB:[a-z0-9]+]]: memref<4xf64> {cscc.result = 1 : i64}, %[[RBW:[a-z0-9]+]]: memref<3x2x3x3xf64> {cscc.result = 2 : i64}, %[[RBB:[a-z0-9]+]]: memref<4xf64> {cscc.result = 3 : i64})
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF-COUNT-4: memref.load %[[H]]
// BUF-NOT: memref.load
// BUF: linalg.generic {{.*}} ins(%[[W]], %[[GW]], %[[BW]] : {{.*}}) outs(%[[RW]], %[[RBW]] : memref<3x2x3x3xf64>, memref<3x2x3x3xf64>)
// BUF: linalg.generic {{.*}} ins(%[[B]], %[[GB]], %[[BB]] : {{.*}}) outs(%[[RB]], %[[RBB]] : memref<4xf64>, memref<4xf64>)
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF: return
// BUF-NEXT: }

func.func @adam(%p: tensor<5x3xf32>, %g: tensor<5x3xf32>, %m: tensor<5x3xf32>, %v: tensor<5x3xf32>,
                %h: tensor<8xf32>)
    -> (tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>) {
  %np, %nm, %nv = cst.adam_update %p, %g, %m, %v hyper(%h) : (tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>, tensor<8xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>)
  return %np, %nm, %nv : tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>
}

// CHECK-LABEL: func.func @adam(
// CHECK-SAME: %[[P:[a-z0-9]+]]: tensor<5x3xf32>, %[[G:[a-z0-9]+]]: tensor<5x3xf32>, %[[M:[a-z0-9]+]]: tensor<5x3xf32>, %[[V:[a-z0-9]+]]: tensor<5x3xf32>, %[[H:[a-z0-9]+]]: tensor<8xf32>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[B1:.*]] = tensor.extract %[[H]][%[[C1]]]
// CHECK-DAG: %[[B2:.*]] = tensor.extract %[[H]][%[[C2]]]
// CHECK-DAG: %[[EPS:.*]] = tensor.extract %[[H]][%[[C3]]]
// CHECK-DAG: %[[WD:.*]] = tensor.extract %[[H]][%[[C4]]]
// CHECK-DAG: %[[SS:.*]] = tensor.extract %[[H]][%[[C5]]]
// CHECK-DAG: %[[BC2:.*]] = tensor.extract %[[H]][%[[C6]]]
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[OMB1:.*]] = arith.subf %[[ONE]], %[[B1]]
// CHECK-DAG: %[[OMB2:.*]] = arith.subf %[[ONE]], %[[B2]]
// CHECK-DAG: %[[NSS:.*]] = arith.negf %[[SS]]
// CHECK: %{{.*}}:3 = linalg.generic {{.*}} ins(%[[P]], %[[G]], %[[M]], %[[V]] : {{.*}}) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<5x3xf32>, tensor<5x3xf32>, tensor<5x3xf32>)
// CHECK-NEXT: ^bb0(%[[PE:[a-z0-9_]+]]: f32, %[[GE:[a-z0-9_]+]]: f32, %[[ME:[a-z0-9_]+]]: f32, %[[VE:[a-z0-9_]+]]: f32,
// d = g + wd p
// CHECK-NEXT: %[[T0:.*]] = arith.mulf %[[WD]], %[[PE]]
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[GE]], %[[T0]]
// m' = m beta1 + (1 - beta1) d
// CHECK-NEXT: %[[T1:.*]] = arith.mulf %[[ME]], %[[B1]]
// CHECK-NEXT: %[[T2:.*]] = arith.mulf %[[OMB1]], %[[D]]
// CHECK-NEXT: %[[NM:.*]] = arith.addf %[[T1]], %[[T2]]
// v' = v beta2 + ((1 - beta2) d) d
// CHECK-NEXT: %[[T3:.*]] = arith.mulf %[[VE]], %[[B2]]
// CHECK-NEXT: %[[T4:.*]] = arith.mulf %[[OMB2]], %[[D]]
// CHECK-NEXT: %[[T5:.*]] = arith.mulf %[[T4]], %[[D]]
// CHECK-NEXT: %[[NV:.*]] = arith.addf %[[T3]], %[[T5]]
// p' = p + (-step_size m') / (sqrt(v') / sqrt(bc2) + eps)
// CHECK-NEXT: %[[S:.*]] = math.sqrt %[[NV]]
// CHECK-NEXT: %[[T6:.*]] = arith.divf %[[S]], %[[BC2]]
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[T6]], %[[EPS]]
// CHECK-NEXT: %[[T7:.*]] = arith.mulf %[[NSS]], %[[NM]]
// CHECK-NEXT: %[[T8:.*]] = arith.divf %[[T7]], %[[DEN]]
// CHECK-NEXT: %[[NP:.*]] = arith.addf %[[PE]], %[[T8]]
// CHECK-NEXT: linalg.yield %[[NP]], %[[NM]], %[[NV]] : f32, f32, f32
// CHECK-NOT: linalg.generic
// CHECK-NOT: cst.

// BUF-LABEL: func.func @adam(
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF: linalg.generic {{.*}} outs(%arg5, %arg6, %arg7 : memref<5x3xf32>, memref<5x3xf32>, memref<5x3xf32>)
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF: return

// LLVM-NOT: cst.
// LLVM-NOT: linalg.
// LLVM: llvm.func @_mlir_ciface_sgd(
// LLVM: llvm.func @_mlir_ciface_adam(

// A parameter group's lr_scale multiplies the rate once, before the loop:
// SGD's lr (slot 0), Adam's step size (slot 5).
func.func @scaled(%w: tensor<4xf64>, %g: tensor<4xf64>, %m: tensor<4xf64>,
                  %v: tensor<4xf64>, %h: tensor<8xf64>) -> (tensor<4xf64>, tensor<4xf64>) {
  %a = cst.sgd_update %w, %g hyper(%h) {lr_scale = 0.01 : f64} : (tensor<4xf64>, tensor<4xf64>, tensor<8xf64>) -> tensor<4xf64>
  %b:3 = cst.adam_update %w, %g, %m, %v hyper(%h) {lr_scale = 0.5 : f64} : (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<8xf64>) -> (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
  return %a, %b#0 : tensor<4xf64>, tensor<4xf64>
}
// CHECK-LABEL: func.func @scaled(
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[LR:.*]] = tensor.extract %{{.*}}[%[[C0]]]
// CHECK-DAG: %[[SS:.*]] = tensor.extract %{{.*}}[%[[C5]]]
// CHECK: %[[F1:.*]] = arith.constant 1.000000e-02 : f64
// CHECK: %[[SLR:.*]] = arith.mulf %[[LR]], %[[F1]] : f64
// CHECK: linalg.generic
// CHECK: arith.mulf %[[SLR]],
// CHECK: linalg.yield
// CHECK: %[[F2:.*]] = arith.constant 5.000000e-01 : f64
// CHECK: %[[SSS:.*]] = arith.mulf %[[SS]], %[[F2]] : f64
// CHECK: arith.negf %[[SSS]]
// CHECK: linalg.generic
