// cst-optimizer on a train step as cst-autodiff builds it: the gradients
// (here returned in reverse parameter order) become one update op per
// learned parameter, in parameter order; the optimiser state and the hyper
// tensor become arguments; the new parameters and states become results.
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer | FileCheck %s --check-prefix=MOM
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer=momentum=false | FileCheck %s --check-prefix=PLAIN
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='nesterov=true' | FileCheck %s --check-prefix=NEST
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer=optimizer=adam | FileCheck %s --check-prefix=ADAM
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='entry=train_step name=step2' | FileCheck %s --check-prefix=NAME
// The steps' parameter group: only the argument marked cst.step (c) gets
// lr_scale, with SGD and Adam; the factor 1 adds none.
// RUN: sed 's/cst.init = "ones"}/cst.init = "ones", cst.step}/' %s | csc-opt --allow-unregistered-dialect --cst-optimizer='step-lr-scale=0.01' | FileCheck %s --check-prefix=GROUP
// RUN: sed 's/cst.init = "ones"}/cst.init = "ones", cst.step}/' %s | csc-opt --allow-unregistered-dialect --cst-optimizer='optimizer=adam step-lr-scale=0.25' | FileCheck %s --check-prefix=GROUPADAM
// RUN: sed 's/cst.init = "ones"}/cst.init = "ones", cst.step}/' %s | csc-opt --allow-unregistered-dialect --cst-optimizer='step-lr-scale=1' | FileCheck %s --check-prefix=NOGROUP
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='step-lr-scale=0.01' | FileCheck %s --check-prefix=NOGROUP
// Data-parallel training: the gradients are averaged over the replicas
// (cst.replica_mean, one bucket) before the updates (none without the
// option: MOM-NOT below).
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer='replica-mean=true' | FileCheck %s --check-prefix=REPLICA
// The ops print and parse back.
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer=nesterov=true | csc-opt --allow-unregistered-dialect | FileCheck %s --check-prefix=NEST
// RUN: csc-opt --allow-unregistered-dialect %s --cst-optimizer=optimizer=adam | csc-opt --allow-unregistered-dialect | FileCheck %s --check-prefix=ADAM

func.func @train_step(%x: tensor<?x2x4x4xf32>, %labels: tensor<?xi64>,
                      %w: tensor<3x2x3x3xf32> {cst.param = "conv.weight", cst.init = "kaiming"},
                      %rm: tensor<3xf32> {cst.param = "bn.running_mean", cst.init = "zeros", cst.state},
                      %b: tensor<3xf32> {cst.param = "bn.bias", cst.init = "zeros"},
                      %c: tensor<1xf32> {cst.param = "c", cst.init = "ones"})
    -> (tensor<?x3x1x1xf32>, tensor<f32>, tensor<3xf32> {cst.new_state = "bn.running_mean"},
        tensor<1xf32> {cst.grad = "c"}, tensor<3xf32> {cst.grad = "bn.bias"},
        tensor<3x2x3x3xf32> {cst.grad = "conv.weight"}) {
  %y = "test.logits"() : () -> tensor<?x3x1x1xf32>
  %l = "test.loss"() : () -> tensor<f32>
  %rm2 = "test.stat"() : () -> tensor<3xf32>
  %gc = "test.gc"() : () -> tensor<1xf32>
  %gb = "test.gb"() : () -> tensor<3xf32>
  %gw = "test.gw"() : () -> tensor<3x2x3x3xf32>
  return %y, %l, %rm2, %gc, %gb, %gw : tensor<?x3x1x1xf32>, tensor<f32>, tensor<3xf32>, tensor<1xf32>, tensor<3xf32>, tensor<3x2x3x3xf32>
}

// SGD with a momentum buffer (the default).
// MOM-NOT: @train_step
// MOM-NOT: cst.replica_mean
// MOM-LABEL: func.func @train_update(
// MOM-SAME: %[[X:[a-z0-9]+]]: tensor<?x2x4x4xf32>, %{{.*}}: tensor<?xi64>,
// MOM-SAME: %[[W:[a-z0-9]+]]: tensor<3x2x3x3xf32> {cst.init = "kaiming", cst.param = "conv.weight"},
// MOM-SAME: %{{.*}}: tensor<3xf32> {cst.init = "zeros", cst.param = "bn.running_mean", cst.state},
// MOM-SAME: %[[B:[a-z0-9]+]]: tensor<3xf32> {cst.init = "zeros", cst.param = "bn.bias"},
// MOM-SAME: %[[C:[a-z0-9]+]]: tensor<1xf32> {cst.init = "ones", cst.param = "c"},
// MOM-SAME: %[[WM:[a-z0-9]+]]: tensor<3x2x3x3xf32> {cst.init = "zeros", cst.opt_state = "conv.weight.momentum_buffer"},
// MOM-SAME: %[[BM:[a-z0-9]+]]: tensor<3xf32> {cst.init = "zeros", cst.opt_state = "bn.bias.momentum_buffer"},
// MOM-SAME: %[[CM:[a-z0-9]+]]: tensor<1xf32> {cst.init = "zeros", cst.opt_state = "c.momentum_buffer"},
// MOM-SAME: %[[H:[a-z0-9]+]]: tensor<8xf32> {cst.hyper = #cst<optimizer sgd>})
// MOM-SAME: -> (tensor<?x3x1x1xf32>, tensor<f32>, tensor<3xf32> {cst.new_state = "bn.running_mean"},
// MOM-SAME: tensor<3x2x3x3xf32> {cst.updated = "conv.weight"}, tensor<3xf32> {cst.updated = "bn.bias"}, tensor<1xf32> {cst.updated = "c"},
// MOM-SAME: tensor<3x2x3x3xf32> {cst.opt_state = "conv.weight.momentum_buffer"}, tensor<3xf32> {cst.opt_state = "bn.bias.momentum_buffer"}, tensor<1xf32> {cst.opt_state = "c.momentum_buffer"})
// MOM-DAG: %[[Y:.*]] = "test.logits"
// MOM-DAG: %[[L:.*]] = "test.loss"
// MOM-DAG: %[[RM:.*]] = "test.stat"
// MOM-DAG: %[[GC:.*]] = "test.gc"
// MOM-DAG: %[[GB:.*]] = "test.gb"
// MOM-DAG: %[[GW:.*]] = "test.gw"
// MOM: %[[NW:.*]], %[[NWM:.*]] = cst.sgd_update %[[W]], %[[GW]] momentum_buffer(%[[WM]]) hyper(%[[H]]) : (tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>, tensor<8xf32>) -> (tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>)
// MOM: %[[NB:.*]], %[[NBM:.*]] = cst.sgd_update %[[B]], %[[GB]] momentum_buffer(%[[BM]]) hyper(%[[H]])
// MOM: %[[NC:.*]], %[[NCM:.*]] = cst.sgd_update %[[C]], %[[GC]] momentum_buffer(%[[CM]]) hyper(%[[H]])
// MOM: return %[[Y]], %[[L]], %[[RM]], %[[NW]], %[[NB]], %[[NC]], %[[NWM]], %[[NBM]], %[[NCM]] :

// Plain SGD: no state, one result per update.
// PLAIN-LABEL: func.func @train_update(
// PLAIN-SAME: %arg5: tensor<1xf32> {cst.init = "ones", cst.param = "c"}, %[[H:arg6]]: tensor<8xf32> {cst.hyper = #cst<optimizer sgd>})
// PLAIN-SAME: -> (tensor<?x3x1x1xf32>, tensor<f32>, tensor<3xf32> {cst.new_state = "bn.running_mean"}, tensor<3x2x3x3xf32> {cst.updated = "conv.weight"}, tensor<3xf32> {cst.updated = "bn.bias"}, tensor<1xf32> {cst.updated = "c"})
// PLAIN: %{{.*}} = cst.sgd_update %{{.*}}, %{{.*}} hyper(%[[H]]) : (tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>, tensor<8xf32>) -> tensor<3x2x3x3xf32>
// PLAIN-COUNT-2: cst.sgd_update
// PLAIN-NOT: cst.sgd_update

// NEST-LABEL: func.func @train_update(
// NEST-COUNT-3: cst.sgd_update {{.*}} momentum_buffer({{.*}}) hyper({{.*}}) {nesterov}
// NEST-NOT: cst.sgd_update

// Adam: two states per parameter, exp_avg before exp_avg_sq, parameter by
// parameter; the new states in the same order.
// ADAM-LABEL: func.func @train_update(
// ADAM-SAME: %[[W:[a-z0-9]+]]: tensor<3x2x3x3xf32> {cst.init = "kaiming", cst.param = "conv.weight"},
// ADAM-SAME: %[[C:[a-z0-9]+]]: tensor<1xf32> {cst.init = "ones", cst.param = "c"},
// ADAM-SAME: %[[WA:[a-z0-9]+]]: tensor<3x2x3x3xf32> {cst.init = "zeros", cst.opt_state = "conv.weight.exp_avg"},
// ADAM-SAME: %[[WS:[a-z0-9]+]]: tensor<3x2x3x3xf32> {cst.init = "zeros", cst.opt_state = "conv.weight.exp_avg_sq"},
// ADAM-SAME: {cst.init = "zeros", cst.opt_state = "bn.bias.exp_avg"},
// ADAM-SAME: {cst.init = "zeros", cst.opt_state = "bn.bias.exp_avg_sq"},
// ADAM-SAME: {cst.init = "zeros", cst.opt_state = "c.exp_avg"},
// ADAM-SAME: {cst.init = "zeros", cst.opt_state = "c.exp_avg_sq"},
// ADAM-SAME: %[[H:[a-z0-9]+]]: tensor<8xf32> {cst.hyper = #cst<optimizer adam>})
// ADAM-SAME: tensor<1xf32> {cst.updated = "c"},
// ADAM-SAME: {cst.opt_state = "conv.weight.exp_avg"}, {{.*}} {cst.opt_state = "conv.weight.exp_avg_sq"}, {{.*}} {cst.opt_state = "bn.bias.exp_avg"}, {{.*}} {cst.opt_state = "bn.bias.exp_avg_sq"}, {{.*}} {cst.opt_state = "c.exp_avg"}, {{.*}} {cst.opt_state = "c.exp_avg_sq"})
// ADAM: %[[GW:.*]] = "test.gw"
// ADAM: %[[NW:.*]], %[[NWA:.*]], %[[NWS:.*]] = cst.adam_update %[[W]], %[[GW]], %[[WA]], %[[WS]] hyper(%[[H]]) : (tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>, tensor<8xf32>) -> (tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>)
// ADAM-COUNT-2: cst.adam_update
// ADAM-NOT: cst.adam_update
// ADAM: return {{.*}}, %[[NW]], {{.*}}, %[[NWA]], %[[NWS]], {{.*}} :

// NAME-NOT: @train_update
// NAME: func.func @step2(

// GROUP-LABEL: func.func @train_update(
// GROUP-SAME: %[[C:[a-z0-9]+]]: tensor<1xf32> {cst.init = "ones", cst.param = "c", cst.step},
// GROUP: cst.sgd_update %{{[a-z0-9]+}}, %{{.*}} momentum_buffer(%{{.*}}) hyper(%{{.*}}) :
// GROUP: cst.sgd_update %{{[a-z0-9]+}}, %{{.*}} momentum_buffer(%{{.*}}) hyper(%{{.*}}) :
// GROUP: cst.sgd_update %[[C]], %{{.*}} momentum_buffer(%{{.*}}) hyper(%{{.*}}) {lr_scale = 1.000000e-02 : f64} :
// GROUPADAM: cst.adam_update %{{.*}} hyper(%{{.*}}) :
// GROUPADAM: cst.adam_update %{{.*}} hyper(%{{.*}}) :
// GROUPADAM: cst.adam_update %{{.*}} hyper(%{{.*}}) {lr_scale = 2.500000e-01 : f64} :
// NOGROUP-NOT: lr_scale

// REPLICA-LABEL: func.func @train_update(
// REPLICA-DAG: %[[GC:.*]] = "test.gc"
// REPLICA-DAG: %[[GB:.*]] = "test.gb"
// REPLICA-DAG: %[[GW:.*]] = "test.gw"
// One bucket of 54 + 3 + 1 values in parameter order, one replica mean,
// each update reading its slice back in its shape.
// REPLICA: %[[E:.*]] = tensor.empty() : tensor<58xf32>
// REPLICA-NEXT: %[[FW:.*]] = tensor.collapse_shape %[[GW]] {{\[}}[0, 1, 2, 3]] : tensor<3x2x3x3xf32> into tensor<54xf32>
// REPLICA-NEXT: %[[B1:.*]] = tensor.insert_slice %[[FW]] into %[[E]][0] [54] [1] : tensor<54xf32> into tensor<58xf32>
// REPLICA-NEXT: %[[B2:.*]] = tensor.insert_slice %[[GB]] into %[[B1]][54] [3] [1] : tensor<3xf32> into tensor<58xf32>
// REPLICA-NEXT: %[[B3:.*]] = tensor.insert_slice %[[GC]] into %[[B2]][57] [1] [1] : tensor<1xf32> into tensor<58xf32>
// REPLICA-NEXT: %[[M:.*]] = cst.replica_mean %[[B3]] : tensor<58xf32>
// REPLICA-NEXT: %[[SW:.*]] = tensor.extract_slice %[[M]][0] [54] [1] : tensor<58xf32> to tensor<54xf32>
// REPLICA-NEXT: %[[MW:.*]] = tensor.expand_shape %[[SW]] {{\[}}[0, 1, 2, 3]] output_shape [3, 2, 3, 3] : tensor<54xf32> into tensor<3x2x3x3xf32>
// REPLICA-NEXT: %[[MB:.*]] = tensor.extract_slice %[[M]][54] [3] [1] : tensor<58xf32> to tensor<3xf32>
// REPLICA-NEXT: %[[MC:.*]] = tensor.extract_slice %[[M]][57] [1] [1] : tensor<58xf32> to tensor<1xf32>
// REPLICA-NEXT: cst.sgd_update %{{.*}}, %[[MW]] momentum_buffer
// REPLICA-NEXT: cst.sgd_update %{{.*}}, %[[MB]] momentum_buffer
// REPLICA-NEXT: cst.sgd_update %{{.*}}, %[[MC]] momentum_buffer
// REPLICA-NOT: cst.replica_mean
