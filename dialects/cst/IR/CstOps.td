//===- CstOps.td - Ops of the tensor-level dialect ---------*- tablegen -*-===//
//
// Every op verifies its shapes. Attributes follow PyTorch: `dilation` d
// spaces kernel taps d pixels apart, `padding` is symmetric zero padding.
//
//===----------------------------------------------------------------------===//
#ifndef CST_OPS
#define CST_OPS

include "dialects/cst/IR/CstDialect.td"
include "mlir/IR/BuiltinTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "dialects/cst/IR/VjpOpInterface.td"

def Cst_Float : AnyTypeOf<[F32, F64]>;
def Cst_Activation : 4DTensorOf<[F32, F64]>;
def Cst_Vector : 1DTensorOf<[F32, F64]>;
def Cst_Filter : 4DTensorOf<[F32, F64]>;
def Cst_Scalar : 0DTensorOf<[F32, F64]>;
def Cst_Labels : 1DTensorOf<[I64]>;

defvar Cst_Positive = ConfinedAttr<I64Attr, [IntMinValue<1>]>;
defvar Cst_NonNegative = ConfinedAttr<I64Attr, [IntNonNegative]>;

// The proximal map of a threshold op: `#cst<threshold relu>` etc. A new
// map is one more case here; every switch over the kind is exhaustive, so
// the compiler lists the sites to extend (lowering, VJP).
def Cst_ThresholdKind : I32EnumAttr<"ThresholdKind", "proximal map", [
    I32EnumAttrCase<"Relu", 0, "relu">,  // max(z - b, 0)
    I32EnumAttrCase<"Soft", 1, "soft">,  // sign(z) max(|z| - b, 0)
    I32EnumAttrCase<"Hard", 2, "hard">   // z 1[|z| > b]
  ]> {
  let cppNamespace = "::mlir::cst";
  let genSpecializedAttr = 0;
}
def Cst_ThresholdKindAttr : EnumAttr<Cst_Dialect, Cst_ThresholdKind, "threshold">;

// The optimizer whose hyperparameters a train update reads (the
// `cst.hyper = #cst<optimizer sgd>` mark of its hyperparameter argument).
def Cst_OptimizerKind : I32EnumAttr<"OptimizerKind", "optimizer", [
    I32EnumAttrCase<"Sgd", 0, "sgd">,
    I32EnumAttrCase<"Adam", 1, "adam">
  ]> {
  let cppNamespace = "::mlir::cst";
  let genSpecializedAttr = 0;
}
def Cst_OptimizerKindAttr : EnumAttr<Cst_Dialect, Cst_OptimizerKind, "optimizer">;

class Cst_PureOp<string mnemonic, list<Trait> traits = []>
    : Cst_Op<mnemonic, !listconcat(traits, [Pure])>;

// A cheap elementwise op: the autodiff pass recomputes its value in the
// backward pass instead of keeping it alive (cst-autodiff, recompute rule).
def Cst_Recomputable : NativeOpTrait<"RecomputableTrait"> {
  let cppNamespace = "::mlir::cst";
}

// A view of its operands' storage after bufferization (a slice of its
// input; a concatenation whose inputs are produced in place in its
// buffer): as long as the result is alive, the operands' values are too,
// so the autodiff pass reads them instead of recomputing them
// (cst-autodiff, reuse-views).
def Cst_StorageView : NativeOpTrait<"StorageViewTrait"> {
  let cppNamespace = "::mlir::cst";
}

// An op of the forward pass: it builds its own vector-Jacobian product
// (dialects/cst/IR/CstVjp.cpp).
class Cst_DiffOp<string mnemonic, list<Trait> traits = []>
    : Cst_PureOp<mnemonic, !listconcat(traits,
                 [DeclareOpInterfaceMethods<Cscc_VjpOpInterface>])>;

//===----------------------------------------------------------------------===//
// Convolutions: the three library primitives
//===----------------------------------------------------------------------===//

// The optional `init` is where the result is written (destination-passing
// style, added by cscc-conv-destinations just before bufferization): a
// tensor.empty there lets eliminate-empty-tensors put the result straight
// into its slice of a concatenation or into a result argument. It carries
// no value (the kernel overwrites all of it) and has no derivative.
class Cst_ConvBase<string mnemonic, Type lhsType, Type rhsType,
                   Type resultType> : Cst_DiffOp<mnemonic> {
  let arguments = (ins lhsType:$lhs, rhsType:$rhs,
                   Cst_Positive:$stride, Cst_Positive:$dilation,
                   Cst_NonNegative:$padding, Optional<resultType>:$init);
  let results = (outs resultType:$output);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $lhs `,` $rhs (`into` $init^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::mlir::Value":$lhs,
                   "::mlir::Value":$rhs, "int64_t":$stride,
                   "int64_t":$dilation, "int64_t":$padding), [{
      build($_builder, $_state, type, lhs, rhs, stride, dilation, padding,
            ::mlir::Value());
    }]>];
}

def Cst_ConvOp
    : Cst_ConvBase<"conv", Cst_Activation, Cst_Filter, Cst_Activation> {
  let summary = "convolution F x (cross-correlation, PyTorch's conv2d)";
  let description = [{
    `lhs` is the input [N, C, H, W], `rhs` the filter [K, C, k, k]; the
    result is [N, K, OH, OW] with OH = (H + 2p - d(k-1) - 1) / s + 1.
  }];
}

def Cst_ConvTransposeOp : Cst_ConvBase<"conv_transpose", Cst_Activation,
                                        Cst_Filter, Cst_Activation> {
  let summary = "the adjoint F^T g of a convolution (backward-data)";
  let description = [{
    `lhs` is a code [N, K, OH, OW], `rhs` the filter [K, C, k, k] of the
    forward convolution F; the result [N, C, H, W] is F^T g. H and W come
    from the result type (they are ambiguous for a strided F) and must be a
    size that F maps to OH x OW.
  }];
}

def Cst_ConvFilterGradOp : Cst_ConvBase<"conv_filter_grad", Cst_Activation,
                                         Cst_Activation, Cst_Filter> {
  let summary = "the filter gradient of a convolution (backward-weights)";
  let description = [{
    `lhs` is the forward input x [N, C, H, W], `rhs` the gradient dy of
    the forward output [N, K, OH, OW]; the result [K, C, k, k] is
    sum over n, oh, ow of dy times the window of x.
  }];
}

//===----------------------------------------------------------------------===//
// Channel views
//===----------------------------------------------------------------------===//

def Cst_ConcatOp : Cst_DiffOp<"concat", [Cst_StorageView]> {
  let summary = "concatenation over channels";
  let description = [{
    Lowered so that each input writes into its slice of one buffer: the
    concatenation itself copies nothing when its inputs are produced in
    place.
  }];
  let arguments = (ins Variadic<Cst_Activation>:$inputs);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_SliceOp : Cst_DiffOp<"slice", [Cst_StorageView]> {
  let summary = "channels [offset, offset + size) of an activation (a view)";
  let arguments = (ins Cst_Activation:$input, Cst_NonNegative:$offset);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$input `[` $offset `]` attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

def Cst_AxpbyOp : Cst_DiffOp<"axpby", [Cst_Recomputable, SameOperandsAndResultType]> {
  let summary = "alpha * x + beta * y with constant alpha, beta";
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$y,
                   F64Attr:$alpha, F64Attr:$beta);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$x `,` $y attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Cst_ScaleOp : Cst_DiffOp<"scale", [Cst_Recomputable]> {
  let summary = "x times a learned scalar (tensor<1>) or per-channel vector";
  let arguments = (ins Cst_Activation:$input, Cst_Vector:$factor);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$input `,` $factor attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_BiasAddOp : Cst_DiffOp<"bias_add", [Cst_Recomputable]> {
  let summary = "x plus a per-channel vector";
  let arguments = (ins Cst_Activation:$input, Cst_Vector:$bias);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$input `,` $bias attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Thresholds
//===----------------------------------------------------------------------===//

def Cst_ThresholdOp : Cst_DiffOp<"threshold", [Cst_Recomputable]> {
  let summary = "the proximal map P_b: relu max(z - b, 0), soft sign(z) max(|z| - b, 0)";
  let description = [{
    `threshold` b is one value per channel; without it b = 0 (so
    `kind = "relu"` is a plain ReLU).
  }];
  let arguments = (ins Cst_Activation:$input, Optional<Cst_Vector>:$threshold,
                   Cst_ThresholdKindAttr:$kind);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = [{
    $input (`,` $threshold^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_ThresholdMaskOp : Cst_DiffOp<"threshold_mask", [Cst_Recomputable]> {
  let summary = "1 where the threshold's derivative is 1, else 0";
  let description = [{
    Computed from the threshold's output y, which is exact for both kinds:
    relu passes where y > 0, soft where y != 0.
  }];
  let arguments = (ins Cst_Activation:$output_of_threshold,
                   Cst_ThresholdKindAttr:$kind);
  let results = (outs Cst_Activation:$mask);
  let assemblyFormat = "$output_of_threshold attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Batch normalisation
//===----------------------------------------------------------------------===//

def Cst_BatchNormEvalOp : Cst_DiffOp<"batch_norm_eval"> {
  let summary = "(x - running_mean) / sqrt(running_var + eps) * weight + bias";
  let arguments = (ins Cst_Activation:$input, Cst_Vector:$weight,
                   Cst_Vector:$bias, Cst_Vector:$running_mean,
                   Cst_Vector:$running_var, F64Attr:$eps);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $running_mean `,` $running_var attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_BatchNormTrainOp : Cst_DiffOp<"batch_norm_train"> {
  let summary = "batch norm with batch statistics; updates the running ones";
  let description = [{
    Normalises with the mean and biased variance over N, H, W. Returns the
    output, the updated running statistics (momentum m:
    r <- (1 - m) r + m s, with the unbiased variance, as PyTorch), and the
    batch mean and 1 / sqrt(var + eps) that the backward pass needs.

    `sync` (synchronised batch norm, data-parallel training): the
    statistics are those of the global batch, every replica's share
    together (their sums and counts added with cst.replica_sum when
    lowered), so the replicas normalise alike and keep the same running
    statistics. Its backward pass (batch_norm_grad's `sync`) averages the
    gradient sums over the replicas too.
  }];
  let arguments = (ins Cst_Activation:$input, Cst_Vector:$weight,
                   Cst_Vector:$bias, Cst_Vector:$running_mean,
                   Cst_Vector:$running_var, F64Attr:$eps, F64Attr:$momentum,
                   UnitAttr:$sync);
  let results = (outs Cst_Activation:$output, Cst_Vector:$new_running_mean,
                 Cst_Vector:$new_running_var, Cst_Vector:$batch_mean,
                 Cst_Vector:$batch_inv_std);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $running_mean `,` $running_var attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling, linear, shortcut
//===----------------------------------------------------------------------===//

class Cst_PoolOp<string mnemonic, string what> : Cst_DiffOp<mnemonic> {
  let summary = what;
  let arguments = (ins Cst_Activation:$input, Cst_Positive:$kernel,
                   Cst_Positive:$stride, Cst_NonNegative:$padding);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}
def Cst_MaxPoolOp : Cst_PoolOp<"max_pool", "max over a k x k window (padding never wins)">;
def Cst_AvgPoolOp : Cst_PoolOp<"avg_pool", "mean over a k x k window, zero padding counted">;

def Cst_GlobalAvgPoolOp : Cst_DiffOp<"global_avg_pool"> {
  let summary = "mean over H and W: N x C x 1 x 1";
  let arguments = (ins Cst_Activation:$input);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_LinearOp : Cst_DiffOp<"linear"> {
  let summary = "y = W flatten(x) + b, as N x out x 1 x 1";
  let arguments = (ins Cst_Activation:$input, 2DTensorOf<[F32, F64]>:$weight,
                   Optional<Cst_Vector>:$bias);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_ShortcutOp : Cst_DiffOp<"shortcut"> {
  let summary = "every stride-th pixel, zero channels appended (option A)";
  let arguments = (ins Cst_Activation:$input, Cst_Positive:$stride);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Cst_SoftmaxCrossEntropyOp : Cst_DiffOp<"softmax_cross_entropy"> {
  let summary = "mean over the batch of -log softmax(logits)[label]";
  let arguments = (ins Cst_Activation:$logits, Cst_Labels:$labels);
  let results = (outs Cst_Scalar:$loss);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_L1NormOp : Cst_DiffOp<"l1_norm"> {
  let summary = "weight * sum |x| / N (an l1 penalty, per image)";
  let arguments = (ins Cst_Activation:$input, F64Attr:$weight);
  let results = (outs Cst_Scalar:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data parallelism
//===----------------------------------------------------------------------===//

def Cst_ReplicaMeanOp : Cst_DiffOp<"replica_mean", [SameOperandsAndResultType]> {
  let summary = "the mean of x over the data-parallel replicas, weighted by batch share";
  let description = [{
    With R processes training one model on shares n_1..n_R of a global
    batch of N images (each running this same program on its share),
    every process gets sum_r (n_r / N) x_r, where x_r is the operand on
    process r. A per-replica batch mean becomes the global batch's mean:
    the gradients before the optimiser update (cst-optimizer's
    `replica-mean`), batch-norm statistics synchronised over the replicas.
    One process alone: the identity.

    It lowers to a runtime call (the collective) after bufferization; the
    runtime knows the replicas and their shares. Pure as far as the
    compiler is concerned: every replica compiles and runs the same
    program, so CSE, DCE or reordering change all replicas' sequences of
    collectives alike.

    VJP: replica_mean of the cotangent. Each replica back-propagates its
    own loss, and the gradients are averaged with the same weights at the
    end, so the cotangent x_r must carry is sum_s (n_s / N) dy_s, the
    replica mean of dy (the weight n_r / N of x_r in the result cancels
    against the final average's 1 / (n_r / N)).
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Cst_ReplicaSumOp : Cst_PureOp<"replica_sum", [SameOperandsAndResultType]> {
  let summary = "the sum of x over the data-parallel replicas";
  let description = [{
    sum_r x_r on every replica: what a quantity of the global batch is made
    of when each replica has its share's (the number of values batch norm
    averages over: `sync` batch norm's lowering). One process alone: the
    identity. A runtime call after bufferization, as cst.replica_mean.
    Not differentiable: it counts (its VJP would depend on the replicas'
    shares); differentiated code averages with cst.replica_mean.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Cst_ReplicaResource : Resource<"::mlir::cst::ReplicaResource">;

def Cst_ReplicaMeanStartOp : Cst_Op<"replica_mean_start",
    [SameOperandsAndResultType,
     MemoryEffects<[MemRead<Cst_ReplicaResource>,
                    MemWrite<Cst_ReplicaResource>]>]> {
  let summary = "begin cst.replica_mean of x; the result is for its wait alone";
  let description = [{
    cst.replica_mean in two ops, so that other work runs while the
    processes communicate: `%p = cst.replica_mean_start %x` begins the
    weighted mean over the replicas and `%m = cst.replica_mean_wait %p`
    is that mean. %p is not a value anyone may read: its one user is the
    wait. cst-optimizer puts a start where the backward pass has produced
    a bucket of gradients and the waits before the updates.

    Both bufferize in place into runtime calls on one buffer (the start
    begins a non-blocking all-reduce of it, the wait completes it), with
    effects on the replicas' communication so that they keep their order.
    Inserted after differentiation: no VJP.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Cst_ReplicaMeanWaitOp : Cst_Op<"replica_mean_wait",
    [SameOperandsAndResultType,
     MemoryEffects<[MemRead<Cst_ReplicaResource>,
                    MemWrite<Cst_ReplicaResource>]>]> {
  let summary = "the mean a cst.replica_mean_start began";
  let description = [{
    Returns when the replica mean begun by its operand's
    cst.replica_mean_start is complete: the weighted mean over the
    replicas of the start's operand.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Measurements (evaluation only)
//===----------------------------------------------------------------------===//

def Cst_ZeroFractionOp : Cst_PureOp<"zero_fraction"> {
  let summary = "the fraction of the elements of x that are exactly zero";
  let description = [{
    (number of elements equal to 0, -0 included) / (number of elements),
    as a rank-0 tensor of x's element type: a code's sparsity, which
    `cst-code-sparsity` reports for every code in evaluation. The count
    is exact (an i64 reduction); an empty x gives NaN. It measures, it is
    not part of the model: it has no VJP and `cst-autodiff` never
    differentiates it (it is not on a path to the loss).
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Backward-pass ops: what the VJPs build. Those that are linear maps of
// their input also differentiate (mul, sign, embed); the others have no
// VJP (no second derivatives) and the autodiff pass says so.
//===----------------------------------------------------------------------===//

def Cst_MulOp : Cst_DiffOp<"mul", [Cst_Recomputable, SameOperandsAndResultType]> {
  let summary = "elementwise product x * y";
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$x `,` $y attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Cst_SignOp : Cst_DiffOp<"sign", [Cst_Recomputable, SameOperandsAndResultType]> {
  let summary = "sign(x): -1, 0 or 1 (0 at 0, the subgradient PyTorch uses)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Cst_EmbedOp : Cst_DiffOp<"embed"> {
  let summary = "x placed at channels [offset, offset + C), zeros elsewhere";
  let description = [{
    The adjoint of `cst.slice`: the gradient of a channel view.
  }];
  let arguments = (ins Cst_Activation:$input, Cst_NonNegative:$offset);
  let results = (outs Cst_Activation:$output);
  let assemblyFormat = "$input `[` $offset `]` attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_ReduceChannelsOp : Cst_PureOp<"reduce_channels"> {
  let summary = "scale * sum over N, H, W of x (times y): a per-channel sum";
  let description = [{
    The result has one entry per channel, or a single entry (tensor<1>):
    the sum over everything. With `other`, the sum is of the product
    x * other. It is the gradient of a per-channel vector (bias, scale,
    threshold) or of a learned scalar.
  }];
  let arguments = (ins Cst_Activation:$input, Optional<Cst_Activation>:$other,
                   F64Attr:$scale);
  let results = (outs Cst_Vector:$output);
  let assemblyFormat = [{
    $input (`,` $other^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_BatchNormGradOp : Cst_PureOp<"batch_norm_grad"> {
  let summary = "the backward pass of batch_norm_train";
  let description = [{
    With x_hat = (x - batch_mean) * batch_inv_std and M = N * H * W per
    channel: dbias = sum dy, dweight = sum dy * x_hat, and
    dx = weight * batch_inv_std / M * (M dy - dbias - x_hat * dweight).

    `sync` (the backward pass of a `sync` batch_norm_train): dx uses the
    replica means (cst.replica_mean) of dbias and dweight, since the
    statistics depended on every replica's share; the dbias and dweight
    results stay this replica's (the optimiser averages them).
  }];
  let arguments = (ins Cst_Activation:$input, Cst_Activation:$output_grad,
                   Cst_Vector:$weight, Cst_Vector:$batch_mean,
                   Cst_Vector:$batch_inv_std, UnitAttr:$sync);
  let results = (outs Cst_Activation:$input_grad, Cst_Vector:$weight_grad,
                 Cst_Vector:$bias_grad);
  let assemblyFormat = [{
    $input `,` $output_grad `,` $weight `,` $batch_mean `,` $batch_inv_std
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_MaxPoolGradOp : Cst_PureOp<"max_pool_grad"> {
  let summary = "routes each window's gradient to its first maximum";
  let description = [{
    `input` and `output` are the forward max_pool's; within a window the
    first maximum in row-major order gets the gradient (PyTorch's choice).
  }];
  let arguments = (ins Cst_Activation:$input, Cst_Activation:$output,
                   Cst_Activation:$output_grad, Cst_Positive:$kernel,
                   Cst_Positive:$stride, Cst_NonNegative:$padding);
  let results = (outs Cst_Activation:$input_grad);
  let assemblyFormat = [{
    $input `,` $output `,` $output_grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_AvgPoolGradOp : Cst_PureOp<"avg_pool_grad"> {
  let summary = "spreads each window's gradient over its k x k taps (/ k^2)";
  let arguments = (ins Cst_Activation:$output_grad, Cst_Positive:$kernel,
                   Cst_Positive:$stride, Cst_NonNegative:$padding);
  let results = (outs Cst_Activation:$input_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_GlobalAvgPoolGradOp : Cst_PureOp<"global_avg_pool_grad"> {
  let summary = "dy / (H * W) broadcast over H and W";
  let arguments = (ins Cst_Activation:$output_grad);
  let results = (outs Cst_Activation:$input_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_LinearGradInputOp : Cst_PureOp<"linear_grad_input"> {
  let summary = "W^T dy, reshaped to the input's [N, C, H, W]";
  let arguments = (ins Cst_Activation:$output_grad, 2DTensorOf<[F32, F64]>:$weight);
  let results = (outs Cst_Activation:$input_grad);
  let assemblyFormat = "$output_grad `,` $weight attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_LinearGradWeightOp : Cst_PureOp<"linear_grad_weight"> {
  let summary = "dy^T flatten(x): the gradient of the linear layer's weight";
  let arguments = (ins Cst_Activation:$input, Cst_Activation:$output_grad);
  let results = (outs 2DTensorOf<[F32, F64]>:$weight_grad);
  let assemblyFormat = "$input `,` $output_grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_ShortcutGradOp : Cst_PureOp<"shortcut_grad"> {
  let summary = "the adjoint of shortcut: dy at every stride-th pixel of the first channels";
  let arguments = (ins Cst_Activation:$output_grad, Cst_Positive:$stride);
  let results = (outs Cst_Activation:$input_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cst_SoftmaxCrossEntropyGradOp : Cst_PureOp<"softmax_cross_entropy_grad"> {
  let summary = "dloss * (softmax(logits) - onehot(labels)) / N";
  let arguments = (ins Cst_Activation:$logits, Cst_Labels:$labels,
                   Cst_Scalar:$loss_grad);
  let results = (outs Cst_Activation:$logits_grad);
  let assemblyFormat = [{
    $logits `,` $labels `,` $loss_grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_L1NormGradOp : Cst_PureOp<"l1_norm_grad"> {
  let summary = "dloss * weight * sign(x) / N";
  let arguments = (ins Cst_Activation:$input, Cst_Scalar:$loss_grad,
                   F64Attr:$weight);
  let results = (outs Cst_Activation:$input_grad);
  let assemblyFormat = "$input `,` $loss_grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimiser updates: what cst-optimizer builds. One op per learned
// parameter; each lowers to one linalg.generic with several outputs that
// reads the parameter, its gradient and its optimiser state once and
// writes the new parameter and the new state. The scalar hyperparameters
// are read from `hyper`, a tensor<8xT> the runtime fills before each step
// (layouts below; docs/compiler.md, "Optimiser update").
//===----------------------------------------------------------------------===//

def Cst_SgdUpdateOp : Cst_PureOp<"sgd_update"> {
  let summary = "one step of torch.optim.SGD (weight decay, momentum, Nesterov)";
  let description = [{
    hyper = [lr, momentum, weight_decay, buffer_scale, 0, 0, 0, step], where
    buffer_scale is 1 - dampening (the runtime writes 1: PyTorch's default
    dampening 0). With g the gradient and p the parameter:

      d = g + weight_decay * p
      without `momentum_buffer`:  p' = p - lr * d
      with it:  b' = momentum * b + buffer_scale * d
                u  = nesterov ? d + momentum * b' : b'
                p' = p - lr * u

    A buffer starting at zero gives PyTorch's first step (b = d). The
    results are the new parameter and, with a buffer, the new buffer.

    `lr_scale` (absent: 1) multiplies lr for this parameter alone: a
    PyTorch parameter group whose lr is lr_scale times the others' (the
    train section's `step_lr_scale` for the pursuits' steps).
  }];
  let arguments = (ins AnyRankedTensor:$param, AnyRankedTensor:$grad,
                   Optional<AnyRankedTensor>:$momentum_buffer,
                   Cst_Vector:$hyper, UnitAttr:$nesterov,
                   OptionalAttr<F64Attr>:$lr_scale);
  let results = (outs AnyRankedTensor:$new_param,
                 Optional<AnyRankedTensor>:$new_momentum_buffer);
  let assemblyFormat = [{
    $param `,` $grad (`momentum_buffer` `(` $momentum_buffer^ `)`)?
    `hyper` `(` $hyper `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Cst_AdamUpdateOp : Cst_PureOp<"adam_update"> {
  let summary = "one step of torch.optim.Adam (L2 weight decay, bias-corrected)";
  let description = [{
    hyper = [lr, beta1, beta2, eps, weight_decay, step_size,
    bias_correction2_sqrt, step] with step_size = lr / (1 - beta1^step)
    and bias_correction2_sqrt = sqrt(1 - beta2^step), computed by the
    runtime from the 1-based step count. With g the gradient, p the
    parameter, m and v the exp_avg and exp_avg_sq states:

      d  = g + weight_decay * p          (L2 penalty, not AdamW)
      m' = beta1 * m + (1 - beta1) * d
      v' = beta2 * v + (1 - beta2) * d * d
      p' = p - step_size * m' / (sqrt(v') / bias_correction2_sqrt + eps)

    The results are p', m', v'. `lr_scale` (absent: 1) multiplies
    step_size for this parameter alone, as a PyTorch parameter group with
    lr_scale times the others' lr.
  }];
  let arguments = (ins AnyRankedTensor:$param, AnyRankedTensor:$grad,
                   AnyRankedTensor:$exp_avg, AnyRankedTensor:$exp_avg_sq,
                   Cst_Vector:$hyper, OptionalAttr<F64Attr>:$lr_scale);
  let results = (outs AnyRankedTensor:$new_param, AnyRankedTensor:$new_exp_avg,
                 AnyRankedTensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `hyper` `(` $hyper `)`
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // CST_OPS
