//===- CscOps.td - Types and ops of the csc dialect --------*- tablegen -*-===//
//
// Conventions: activations are NCHW tensors of f32 or f64 (ranked with a
// dynamic batch, or unranked before shape inference); learned tensors come
// from `csc.param`; a scalar learned coefficient is a tensor<1xf32>.
//
//===----------------------------------------------------------------------===//
#ifndef CSC_OPS
#define CSC_OPS

include "dialects/csc/IR/CscDialect.td"
include "dialects/csc/IR/CscInterfaces.td"
include "mlir/IR/BuiltinTypes.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Csc_DictType : TypeDef<Csc_Dialect, "Dict"> {
  let mnemonic = "dict";
  let summary = "a dictionary D, known by its analysis side D^T";
  let description = [{
    `!csc.dict<S -> K>` maps a signal with S channels to a code with K
    channels (D^T X); its adjoint D maps codes back to signals.
  }];
  let parameters = (ins "int64_t":$signal, "int64_t":$code);
  let assemblyFormat = "`<` $signal `->` $code `>`";
  let genVerifyDecl = 1;
}

def Csc_Activation : TensorOf<[F32, F64]>;
def Csc_Labels : TensorOf<[I64]>;
def Csc_Scalar : 0DTensorOf<[F32, F64]>;

class Csc_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Csc_Op<mnemonic, !listconcat(traits,
        [Pure, DeclareOpInterfaceMethods<ShapeInferenceOpInterface>])>;

class Csc_DictOp<string mnemonic, list<Trait> traits = []>
    : Csc_Op<mnemonic, !listconcat(traits,
        [Pure, DeclareOpInterfaceMethods<DictionaryOpInterface>])>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Csc_ParamOp : Csc_Op<"param", [Pure]> {
  let summary = "a learned tensor (or, with `state`, a non-learned buffer)";
  let description = [{
    A named tensor of the model. `name` follows PyTorch conventions
    (`conv1.weight`, `p.dict.1.weight`, `p.bn.0.running_mean`) and is the
    name in checkpoints. `init` says how it starts: `kaiming` (He normal,
    fan-in), `authors` (N(0,1) * 0.1 / sqrt(fan_in)), `zeros`, `ones`.
    `state` marks buffers that are updated but not differentiated (batch
    norm running statistics). `step` marks a pursuit's step c, which the
    optimiser may train at its own rate (the train section's
    `step_lr_scale`).

    ```mlir
    %w = csc.param "conv1.weight" {init = "kaiming"} : tensor<16x1x3x3xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, StrAttr:$init, UnitAttr:$state,
                   UnitAttr:$step);
  let results = (outs AnyStaticShapeTensor:$value);
  let assemblyFormat = "$name attr-dict `:` type($value)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dictionaries
//===----------------------------------------------------------------------===//

def Csc_IdentityOp : Csc_DictOp<"identity"> {
  let summary = "the identity block: D^T X = X";
  let results = (outs Csc_DictType:$dict);
  let assemblyFormat = "attr-dict `:` type($dict)";
  let hasVerifier = 1;
}

def Csc_ConvAtomOp : Csc_DictOp<"conv_atom"> {
  let summary = "a convolution block: D^T X = F X, D G = F^T G";
  let description = [{
    F is the convolution with `filter` ([K, S, k, k]); its adjoint is the
    transposed convolution with the same dilation, stride and padding.
  }];
  let arguments = (ins AnyStaticShapeTensor:$filter,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$dilation,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$stride,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$padding);
  let results = (outs Csc_DictType:$dict);
  let assemblyFormat = [{
    $filter attr-dict `:` type($filter) `->` type($dict)
  }];
  let hasVerifier = 1;
}

def Csc_ComposeOp : Csc_DictOp<"compose"> {
  let summary = "composition: D^T X = second^T (first^T X)";
  let arguments = (ins Csc_DictType:$first, Csc_DictType:$second);
  let results = (outs Csc_DictType:$dict);
  let assemblyFormat = [{
    $first `,` $second attr-dict `:` type($first) `,` type($second) `->` type($dict)
  }];
  let hasVerifier = 1;
}

def Csc_VStackOp : Csc_DictOp<"vstack"> {
  let summary = "a dictionary as a vertical stack of blocks";
  let description = [{
    D^T X = concat over channels of B_i^T X; D G = sum_i B_i G_i where G_i
    is the i-th block's slice of the code. Every block reads the same signal.
  }];
  let arguments = (ins Variadic<Csc_DictType>:$blocks);
  let results = (outs Csc_DictType:$dict);
  let assemblyFormat = [{
    $blocks attr-dict `:` functional-type($blocks, $dict)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pursuit
//===----------------------------------------------------------------------===//

// The kinds of a pursuit, as ODS enums (`prox = #csc<prox soft>`): the
// verifiers and passes switch over them exhaustively, so a new case that a
// site forgets does not compile (-Werror=switch).
class Csc_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::mlir::csc";
  let genSpecializedAttr = 0;
}

def Csc_Prox : Csc_Enum<"Prox", "proximal map of a pursuit", [
    I32EnumAttrCase<"Relu", 0, "relu">,   // max(z - b, 0)
    I32EnumAttrCase<"Soft", 1, "soft">,   // sign(z) max(|z| - b, 0)
    I32EnumAttrCase<"Hard", 2, "hard">]>; // z 1[|z| > b]
def Csc_Solver : Csc_Enum<"Solver", "unfolded solver", [
    I32EnumAttrCase<"Ista", 0, "ista">,
    I32EnumAttrCase<"Fista", 1, "fista">]>;
def Csc_Gram : Csc_Enum<"Gram", "the D^T D G0 term of a warm start", [
    I32EnumAttrCase<"On", 0, "on">,
    I32EnumAttrCase<"Off", 1, "off">,
    I32EnumAttrCase<"Learned", 2, "learned">]>;
def Csc_BnPlacement : Csc_Enum<"BnPlacement", "where a pursuit normalises", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Prox", 1, "prox">,
    I32EnumAttrCase<"Analysis", 2, "analysis">]>;
def Csc_BnAffine : Csc_Enum<"BnAffine", "batch-norm affine parameters", [
    I32EnumAttrCase<"Shared", 0, "shared">,
    I32EnumAttrCase<"PerIter", 1, "per_iter">]>;

def Csc_ProxAttr : EnumAttr<Csc_Dialect, Csc_Prox, "prox">;
def Csc_SolverAttr : EnumAttr<Csc_Dialect, Csc_Solver, "solver">;
def Csc_GramAttr : EnumAttr<Csc_Dialect, Csc_Gram, "gram">;
def Csc_BnAttr : EnumAttr<Csc_Dialect, Csc_BnPlacement, "bn">;
def Csc_BnAffineAttr : EnumAttr<Csc_Dialect, Csc_BnAffine, "bn_affine">;

def Csc_PursuitOp : Csc_ShapedOp<"pursuit", [AttrSizedOperandSegments]> {
  let summary = "layer-wise pursuit: unfolded ISTA/FISTA for one dictionary";
  let description = [{
    Computes the code G of `input` X in dictionary `dict` (docs/design.md §1):
    G1 = P_b(k G0 + c D^T X + g D^T D G0) (G0 = `init`, or 0), then `unfold`
    more steps G <- P_b(G + c D^T (X - D G)) (with FISTA momentum for
    `solver = #csc<solver fista>`). `step` is c (tensor<1> or one per code channel;
    absent: c = 1), `threshold` is b (one per code channel, one per conv
    code channel, or absent), `gram_coeff` is g when `gram` is learned.
    `bn_params` holds, when `bn` is not none, the affine parameters
    (weight, bias), once (`bn_affine` shared) or per iteration, followed
    by the running mean and variance of each of the `unfold + 1` iterations
    (`bn` prox) or of the one normalisation of D^T X (`bn` analysis).
  }];
  let arguments = (ins Csc_Activation:$input, Csc_DictType:$dict,
                   Optional<AnyStaticShapeTensor>:$step,
                   Optional<AnyStaticShapeTensor>:$threshold,
                   Optional<Csc_Activation>:$init,
                   Optional<AnyStaticShapeTensor>:$gram_coeff,
                   Variadic<AnyStaticShapeTensor>:$bn_params,
                   Csc_ProxAttr:$prox, Csc_SolverAttr:$solver,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$unfold,
                   Csc_GramAttr:$gram,
                   BoolAttr:$keep_init, Csc_BnAttr:$bn,
                   Csc_BnAffineAttr:$bn_affine);
  let results = (outs Csc_Activation:$code);
  let assemblyFormat = [{
    $input `,` $dict (`step` $step^)? (`threshold` $threshold^)?
    (`init` $init^)? (`gram` $gram_coeff^)? (`bn` `(` $bn_params^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Csc_StackedPursuitOp : Csc_ShapedOp<"stacked_pursuit",
                                        [AttrSizedOperandSegments]> {
  let summary = "stacked pursuit: ML-ISTA/ML-FISTA over a chain of dictionaries";
  let description = [{
    Codes G_1..G_d of X in D_1, D_2 D_1, ... (docs/design.md §1): a first
    forward pass, then per unfolding a backward sweep and a forward sweep,
    FISTA momentum on the top code. The result is the top code G_d.
    `steps` and `thresholds` hold one tensor per level (or none);
    `bn_params` holds, per level, the layout of `csc.pursuit`.
  }];
  let arguments = (ins Csc_Activation:$input,
                   Variadic<Csc_DictType>:$dicts,
                   Variadic<AnyStaticShapeTensor>:$steps,
                   Variadic<AnyStaticShapeTensor>:$thresholds,
                   Variadic<AnyStaticShapeTensor>:$bn_params,
                   Csc_ProxAttr:$prox, Csc_SolverAttr:$solver,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$unfold,
                   Csc_BnAttr:$bn, Csc_BnAffineAttr:$bn_affine);
  let results = (outs Csc_Activation:$code);
  let assemblyFormat = [{
    $input `dicts` `(` $dicts `)` (`steps` `(` $steps^ `)`)?
    (`thresholds` `(` $thresholds^ `)`)? (`bn` `(` $bn_params^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dictionary applications (made by csc-unfold-pursuits, expanded by
// csc-expand-dictionaries)
//===----------------------------------------------------------------------===//

def Csc_AnalysisOp : Csc_Op<"analysis", [Pure]> {
  let summary = "D^T x: a dictionary's analysis side applied to a signal";
  let arguments = (ins Csc_DictType:$dict, Csc_Activation:$signal);
  let results = (outs Csc_Activation:$code);
  let assemblyFormat = [{
    $dict `,` $signal attr-dict `:` type($dict) `,` type($signal) `->` type($code)
  }];
  let hasVerifier = 1;
}

def Csc_SynthesisOp : Csc_Op<"synthesis", [Pure]> {
  let summary = "D g: a dictionary's synthesis side (the adjoint) applied to a code";
  let description = [{
    The result type is the signal's: for strided blocks several signal
    sizes map to one code size, so it is stated, not inferred.
  }];
  let arguments = (ins Csc_DictType:$dict, Csc_Activation:$code);
  let results = (outs Csc_Activation:$signal);
  let assemblyFormat = [{
    $dict `,` $code attr-dict `:` type($dict) `,` type($code) `->` type($signal)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Other layers
//===----------------------------------------------------------------------===//

def Csc_ConvOp : Csc_ShapedOp<"conv"> {
  let summary = "2-D convolution (cross-correlation, PyTorch's Conv2d)";
  let arguments = (ins Csc_Activation:$input, AnyStaticShapeTensor:$filter,
                   Optional<AnyStaticShapeTensor>:$bias,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$stride,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$dilation,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$padding);
  let results = (outs Csc_Activation:$output);
  let assemblyFormat = [{
    $input `,` $filter (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Csc_BatchNormOp : Csc_ShapedOp<"batch_norm"> {
  let summary = "batch normalisation over N, H, W per channel";
  let arguments = (ins Csc_Activation:$input, AnyStaticShapeTensor:$weight,
                   AnyStaticShapeTensor:$bias,
                   AnyStaticShapeTensor:$running_mean,
                   AnyStaticShapeTensor:$running_var,
                   F64Attr:$eps, F64Attr:$momentum);
  let results = (outs Csc_Activation:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $running_mean `,` $running_var attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Csc_ReluOp : Csc_ShapedOp<"relu"> {
  let summary = "max(x, 0)";
  let arguments = (ins Csc_Activation:$input);
  let results = (outs Csc_Activation:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

class Csc_PoolOp<string mnemonic, string what> : Csc_ShapedOp<mnemonic> {
  let summary = what # " pooling over a k x k window";
  let arguments = (ins Csc_Activation:$input,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$kernel,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$stride,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$padding);
  let results = (outs Csc_Activation:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}
def Csc_MaxPoolOp : Csc_PoolOp<"max_pool", "max">;
def Csc_AvgPoolOp : Csc_PoolOp<"avg_pool", "average">;

def Csc_GlobalAvgPoolOp : Csc_ShapedOp<"global_avg_pool"> {
  let summary = "mean over H and W: N x C x 1 x 1";
  let arguments = (ins Csc_Activation:$input);
  let results = (outs Csc_Activation:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Csc_LinearOp : Csc_ShapedOp<"linear"> {
  let summary = "fully connected layer on the flattened C*H*W features";
  let description = [{
    `weight` is [out, C*H*W] (PyTorch's Linear after a flatten); the result
    stays NCHW with H = W = 1 so that every activation has one layout.
  }];
  let arguments = (ins Csc_Activation:$input, AnyStaticShapeTensor:$weight,
                   Optional<AnyStaticShapeTensor>:$bias);
  let results = (outs Csc_Activation:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Csc_ShortcutOp : Csc_ShapedOp<"shortcut"> {
  let summary = "parameter-free option-A shortcut: subsample, zero-pad channels";
  let description = [{
    Takes every `stride`-th pixel (starting at 0) and appends zero channels
    up to `channels` (He et al.'s option A), as Res-CSC warm starts across a
    change of stage.
  }];
  let arguments = (ins Csc_Activation:$input,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$channels,
                   ConfinedAttr<I64Attr, [IntMinValue<1>]>:$stride);
  let results = (outs Csc_Activation:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Csc_CrossEntropyOp : Csc_ShapedOp<"cross_entropy"> {
  let summary = "mean softmax cross-entropy of logits N x K x 1 x 1";
  let arguments = (ins Csc_Activation:$logits, Csc_Labels:$labels);
  let results = (outs Csc_Scalar:$loss);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
}

def Csc_L1PenaltyOp : Csc_ShapedOp<"l1_penalty"> {
  let summary = "weight * sum |z| / N: an l1 penalty on a code";
  let arguments = (ins Csc_Activation:$code, F64Attr:$weight);
  let results = (outs Csc_Scalar:$loss);
  let assemblyFormat = "$code attr-dict `:` functional-type(operands, results)";
}

def Csc_TotalLossOp : Csc_ShapedOp<"total_loss"> {
  let summary = "the sum of the loss terms";
  let arguments = (ins Variadic<Csc_Scalar>:$terms);
  let results = (outs Csc_Scalar:$loss);
  let assemblyFormat = "$terms attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // CSC_OPS
