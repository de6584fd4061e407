// Overlapped averaging (cst-optimizer's replica-bucket-bytes): the
// gradients are taken in the order the backward pass finishes them (here
// c, then b, then w), cut into buckets of at least N bytes, each begun
// with cst.replica_mean_start right after its last gradient's producer
// (so the work after it overlaps the all-reduce) and waited for, in the
// order begun, before the first update. 16 bytes: {c, b} (4 + 12) then
// {w}; 1 byte: one bucket per gradient; a cap above the total: one bucket
// begun after the last gradient; 0 (the default): one cst.replica_mean.
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='replica-mean=true replica-bucket-bytes=16' | FileCheck %s --check-prefix=TWO
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='replica-mean=true replica-bucket-bytes=1' | FileCheck %s --check-prefix=EACH
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='replica-mean=true replica-bucket-bytes=1048576' | FileCheck %s --check-prefix=ONE
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='replica-mean=true' | FileCheck %s --check-prefix=BLOCKING
// The ops print and parse back; One-Shot Bufferize keeps each start and
// its wait on the bucket's own buffer (no copy) and calls the runtime's
// cscc_replica_mean_start_f32 / cscc_replica_mean_wait_f32 on it.
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='replica-mean=true replica-bucket-bytes=16' | csc-opt --allow-unregistered-dialect | FileCheck %s --check-prefix=TWO
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='replica-mean=true replica-bucket-bytes=16' --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map allow-unknown-ops" | FileCheck %s --check-prefix=BUF

func.func @train_step(%x: tensor<?x2x4x4xf32>, %labels: tensor<?xi64>,
                      %w: tensor<3x2x3x3xf32> {cst.param = "conv.weight", cst.init = "kaiming"},
                      %b: tensor<3xf32> {cst.param = "bn.bias", cst.init = "zeros"},
                      %c: tensor<1xf32> {cst.param = "c", cst.init = "ones"})
    -> (tensor<f32>, tensor<3x2x3x3xf32> {cst.grad = "conv.weight"},
        tensor<3xf32> {cst.grad = "bn.bias"}, tensor<1xf32> {cst.grad = "c"}) {
  %l = "test.loss"() : () -> tensor<f32>
  %gc = "test.gc"() : () -> tensor<1xf32>
  %gb = "test.gb"() : () -> tensor<3xf32>
  "test.more_backward"() : () -> ()
  %gw = "test.gw"() : () -> tensor<3x2x3x3xf32>
  "test.rest"() : () -> ()
  return %l, %gw, %gb, %gc : tensor<f32>, tensor<3x2x3x3xf32>, tensor<3xf32>, tensor<1xf32>
}

// TWO-LABEL: func.func @train_update(
// TWO: %[[GC:.*]] = "test.gc"
// TWO-NEXT: %[[GB:.*]] = "test.gb"
// TWO-NEXT: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// TWO-NEXT: %[[B1:.*]] = tensor.insert_slice %[[GC]] into %[[E1]][0] [1] [1] : tensor<1xf32> into tensor<4xf32>
// TWO-NEXT: %[[B2:.*]] = tensor.insert_slice %[[GB]] into %[[B1]][1] [3] [1] : tensor<3xf32> into tensor<4xf32>
// TWO-NEXT: %[[P1:.*]] = cst.replica_mean_start %[[B2]] : tensor<4xf32>
// TWO-NEXT: "test.more_backward"
// TWO-NEXT: %[[GW:.*]] = "test.gw"
// TWO-NEXT: %[[E2:.*]] = tensor.empty() : tensor<54xf32>
// TWO-NEXT: %[[FW:.*]] = tensor.collapse_shape %[[GW]]
// TWO-NEXT: %[[B3:.*]] = tensor.insert_slice %[[FW]] into %[[E2]][0] [54] [1]
// TWO-NEXT: %[[P2:.*]] = cst.replica_mean_start %[[B3]] : tensor<54xf32>
// TWO-NEXT: "test.rest"
// TWO-NEXT: %[[M1:.*]] = cst.replica_mean_wait %[[P1]] : tensor<4xf32>
// TWO-NEXT: %[[MC:.*]] = tensor.extract_slice %[[M1]][0] [1] [1]
// TWO-NEXT: %[[MB:.*]] = tensor.extract_slice %[[M1]][1] [3] [1]
// TWO-NEXT: %[[M2:.*]] = cst.replica_mean_wait %[[P2]] : tensor<54xf32>
// TWO-NEXT: %[[SW:.*]] = tensor.extract_slice %[[M2]][0] [54] [1]
// TWO-NEXT: %[[MW:.*]] = tensor.expand_shape %[[SW]]
// Updates in parameter order, each with its own averaged gradient.
// TWO-NEXT: cst.sgd_update %{{.*}}, %[[MW]] momentum_buffer
// TWO-NEXT: cst.sgd_update %{{.*}}, %[[MB]] momentum_buffer
// TWO-NEXT: cst.sgd_update %{{.*}}, %[[MC]] momentum_buffer
// TWO-NOT: cst.replica_mean

// EACH-LABEL: func.func @train_update(
// EACH: "test.gc"
// EACH-NEXT: tensor.empty() : tensor<1xf32>
// EACH-NEXT: tensor.insert_slice
// EACH-NEXT: cst.replica_mean_start {{.*}} : tensor<1xf32>
// EACH-NEXT: "test.gb"
// EACH-NEXT: tensor.empty() : tensor<3xf32>
// EACH-NEXT: tensor.insert_slice
// EACH-NEXT: cst.replica_mean_start {{.*}} : tensor<3xf32>
// EACH-NEXT: "test.more_backward"
// EACH: cst.replica_mean_start {{.*}} : tensor<54xf32>
// EACH-NEXT: "test.rest"
// EACH-NEXT: cst.replica_mean_wait {{.*}} : tensor<1xf32>
// EACH: cst.replica_mean_wait {{.*}} : tensor<3xf32>
// EACH: cst.replica_mean_wait {{.*}} : tensor<54xf32>

// ONE-LABEL: func.func @train_update(
// ONE: "test.gw"
// ONE-NEXT: tensor.empty() : tensor<58xf32>
// ONE-COUNT-2: tensor.insert_slice
// ONE: cst.replica_mean_start {{.*}} : tensor<58xf32>
// ONE-NEXT: "test.rest"
// ONE-NEXT: cst.replica_mean_wait {{.*}} : tensor<58xf32>
// ONE-NOT: cst.replica_mean_start

// BLOCKING-LABEL: func.func @train_update(
// BLOCKING-NOT: cst.replica_mean_start
// BLOCKING: "test.rest"
// BLOCKING: cst.replica_mean %{{.*}} : tensor<58xf32>
// BLOCKING-NOT: cst.replica_mean_

// BUF-DAG: func.func private @cscc_replica_mean_start_f32(memref<?xf32> {bufferization.access = "read-write"}) attributes {llvm.emit_c_interface}
// BUF-DAG: func.func private @cscc_replica_mean_wait_f32(memref<?xf32> {bufferization.access = "read-write"}) attributes {llvm.emit_c_interface}
// BUF-LABEL: func.func @train_update(
// BUF: %[[A1:.*]] = memref.alloc() {{.*}} : memref<4xf32>
// BUF: %[[V1:.*]] = memref.cast %[[A1]] : memref<4xf32> to memref<?xf32>
// BUF-NEXT: call @cscc_replica_mean_start_f32(%[[V1]])
// BUF-NEXT: "test.more_backward"
// BUF: %[[A2:.*]] = memref.alloc() {{.*}} : memref<54xf32>
// BUF: %[[V2:.*]] = memref.cast %[[A2]] : memref<54xf32> to memref<?xf32>
// BUF-NEXT: call @cscc_replica_mean_start_f32(%[[V2]])
// BUF-NEXT: "test.rest"
// BUF-NEXT: %[[W1:.*]] = memref.cast %[[A1]] : memref<4xf32> to memref<?xf32>
// BUF-NEXT: call @cscc_replica_mean_wait_f32(%[[W1]])
// BUF: %[[W2:.*]] = memref.cast %[[A2]] : memref<54xf32> to memref<?xf32>
// BUF-NEXT: call @cscc_replica_mean_wait_f32(%[[W2]])
// BUF-NOT: memref.copy %[[A1]]
// BUF-NOT: memref.copy %[[A2]]
