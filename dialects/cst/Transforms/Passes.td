//===- Passes.td - Transforms of the cst dialect -----------*- tablegen -*-===//
//
// Passes that rewrite cst (tensor-level) IR into cst IR: the generated
// backward pass, the optimizer update, code sparsity, and the convolution
// destinations and concatenation buffers that bufferization relies on.
//
//===----------------------------------------------------------------------===//
#ifndef CST_TRANSFORMS_PASSES
#define CST_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def CstAutodiff : Pass<"cst-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode autodiff: build the train step from @forward";
  let description = [{
    Clones the tensor-level `@forward` (train mode, with its scalar loss)
    into `@train_step`, which returns everything `@forward` returns and
    then the gradient of the loss with respect to every learned parameter
    (each `cst.param` argument without `cst.state`), in argument order,
    each result named by a `cst.grad` attribute.

    Ops are visited in reverse; each one on a path from a parameter to the
    loss builds its own vector-Jacobian product (`VjpOpInterface`), and
    the gradients of a value used several times are summed (`cst.axpby`):
    a filter shared by every unfolding, by D and D^T and by several levels
    of a stacked pursuit gets the sum of all its uses.

    Keep or recompute: a forward value a VJP needs is kept alive until the
    backward pass reads it, except the results of cheap elementwise ops
    (the `Recomputable` trait: axpby, scale, bias_add, threshold, ...),
    which are recomputed from their operands at the point of use (each at
    most once), recursively down to kept values. Convolution, pooling,
    batch-norm, linear and view results, parameters and the input are
    kept. Elementwise chains of the forward pass thus stay fused and
    unmaterialised; the recomputation fuses into the backward loops.
    `recompute=false` keeps everything.

    Views: a recomputable value whose storage a kept value shares (the
    input of a channel slice or of a concatenation, `StorageView` trait,
    whose result the backward pass reads) is in memory until then anyway:
    with `reuse-views` (default) the backward pass reads it there instead
    of recomputing it, so the operands it would be recomputed from need
    not be kept for it (an MSD layer's codes live in the next layer's
    concatenation; the batch-norm outputs they were recomputed from are
    then freed in the forward pass). The values are the same bit for bit.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"forward\"",
           "the function to differentiate">,
    Option<"stepName", "name", "std::string", /*default=*/"\"train_step\"",
           "the name of the function built">,
    Option<"recompute", "recompute", "bool", /*default=*/"true",
           "recompute cheap elementwise values instead of keeping them">,
    Option<"reuseViews", "reuse-views", "bool", /*default=*/"true",
           "read a recomputable value from memory when a view of it that "
           "the backward pass reads keeps it alive anyway">,
  ];
  let dependentDialects = ["::mlir::cst::CstDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def CstOptimizer : Pass<"cst-optimizer", "::mlir::ModuleOp"> {
  let summary = "Fuse the optimiser step into the train step: @train_update";
  let description = [{
    Takes `@train_step` as `cst-autodiff` builds it (forward results, then
    one gradient per learned parameter, `cst.grad = "NAME"`) and turns it
    into `@train_update`, which applies one optimiser step to every
    parameter that has a gradient instead of returning the gradients:

      @train_update(x, labels, params..., opt_state..., hyper)
          -> (forward results..., new params..., new opt_state...)

    Appended arguments: the optimiser state of each parameter, in parameter
    (argument) order, each `cst.opt_state = "NAME.momentum_buffer"` (SGD
    with momentum) or `"NAME.exp_avg"`, `"NAME.exp_avg_sq"` (Adam),
    PyTorch's state names, with `cst.init = "zeros"`; then one
    `tensor<8xT>` (T the model's float type) marked `cst.hyper = #cst<optimizer sgd>`
    or `#cst<optimizer adam>`, the runtime hyperparameters (so a schedule changes the
    learning rate without recompiling):

      sgd:  [lr, momentum, weight_decay, 1 - dampening, 0, 0, 0, step]
      adam: [lr, beta1, beta2, eps, weight_decay, lr / (1 - beta1^step),
             sqrt(1 - beta2^step), step]

    (step is 1-based and informational; `cscc::rt::optimizerHyper` fills
    both). Results: the forward results with their attributes, then each
    parameter's new value (`cst.updated = "NAME"`), then the new states
    (`cst.opt_state`, in the order of the state arguments). The gradients
    are no longer results.

    Each parameter gets one `cst.sgd_update` or `cst.adam_update` (same
    semantics as torch.optim.SGD with dampening 0 and torch.optim.Adam:
    L2 weight decay added to the gradient, bias correction, eps after the
    square root), which `cst-lower-to-linalg` turns into one fused
    `linalg.generic` reading the parameter, gradient and state once and
    writing the new parameter and state.

    A parameter whose argument carries `cst.step` (a pursuit's step c,
    marked by csc-lower-to-cst from `csc.param ... {step}`) is its own
    parameter group when `step-lr-scale` is not 1: its update gets
    `lr_scale = step-lr-scale`, its lr (SGD) or step size (Adam) that many
    times the others'.

    With `replica-mean`, the gradients first go through `cst.replica_mean`:
    under data-parallel training every process then updates with the
    gradient of the global batch (the mean over the processes, each
    weighted by its share of the batch), so the parameters stay the same on
    every process; one process alone is unchanged. All gradients travel in
    one bucket: each is flattened into its slice of one 1-D tensor (in
    parameter order), the tensor is averaged once, and each update reads
    its slice back in its shape. One all-reduce pays the collective's
    latency once instead of once per parameter (hundreds of small tensors
    in the paper's residual models).

    With `replica-bucket-bytes` N > 0 the averaging overlaps the backward
    pass: the gradients are taken in the order the backward pass finishes
    them (their producers' order in the function) and cut into buckets of
    at least N bytes (the last takes the rest); each bucket is flattened
    as above right after its last gradient is produced and begun there
    (`cst.replica_mean_start`), and all are waited for
    (`cst.replica_mean_wait`) before the first update, in the order begun.
    The backward work after a start runs while that bucket travels
    (docs/scaling.md says how big a bucket should be).
  }];
  let options = [
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd or adam (the words of cst::OptimizerKind)">,
    Option<"momentum", "momentum", "bool", /*default=*/"true",
           "SGD: keep a momentum buffer per parameter">,
    Option<"nesterov", "nesterov", "bool", /*default=*/"false",
           "SGD with momentum: Nesterov's update">,
    Option<"stepLrScale", "step-lr-scale", "double", /*default=*/"1.0",
           "lr factor of the parameters marked `cst.step` (the pursuits' "
           "steps c): their updates get this lr_scale">,
    Option<"entry", "entry", "std::string", /*default=*/"\"train_step\"",
           "the train step to update (cst-autodiff's result)">,
    Option<"updateName", "name", "std::string", /*default=*/"\"train_update\"",
           "the new name of the function">,
    Option<"replicaMean", "replica-mean", "bool", /*default=*/"false",
           "average each gradient over the data-parallel replicas "
           "(cst.replica_mean) before its update">,
    Option<"replicaBucketBytes", "replica-bucket-bytes", "int64_t",
           /*default=*/"0",
           "with replica-mean: 0 averages every gradient in one bucket "
           "before the updates; N > 0 starts buckets of at least N bytes "
           "as the backward pass finishes them (overlapped)">,
  ];
  let dependentDialects = ["::mlir::cst::CstDialect",
                           "::mlir::tensor::TensorDialect"];
}

def CstSyncBatchNorm : Pass<"cst-sync-batch-norm", "::mlir::ModuleOp"> {
  let summary = "Synchronise train-mode batch norm over data-parallel replicas";
  let description = [{
    Marks every `cst.batch_norm_train` of the module `sync`: its statistics
    become the global batch's (every replica's share together), and the
    backward pass cst-autodiff builds for it (`cst.batch_norm_grad`,
    `sync` too) averages its gradient sums over the replicas. Run before
    cst-autodiff, for the train section's `bn_sync = true`. One process
    alone computes exactly what it computes without the mark.
  }];
}

def CstCodeSparsity : Pass<"cst-code-sparsity", "::mlir::ModuleOp"> {
  let summary = "Return the fraction of zeros of every code (evaluation)";
  let description = [{
    `csc-unfold-pursuits` tags the op defining each pursuit's final code
    (a stacked pursuit's top code) with `csc.code = "NAME"`, NAME the
    layer's name taken from its parameters' names (`g.0` for `g.0.step`,
    `g.0.dict.1.weight`, ...; `pursuit.K`, K the pursuit's index in program
    order, when it has none), and `csc-lower-to-cst` carries it over as
    `cst.code` to the tensor-level op that defines the lowered code.

    This pass appends to the function `@entry`, for every op carrying
    `cst.code` in program order, one result: `cst.zero_fraction` of the
    op's (first) result, the fraction of its elements that are exactly
    zero over the whole batch, a rank-0 tensor with the result attribute
    `cst.sparsity = "NAME"`. The existing results and their attributes are
    kept in front. The runtime (`ProgramBuilder`, role Other) averages them
    over the test set weighted by batch size and reports them per code
    (`cscc eval`: `sparsity NAME: ...`, metrics.jsonl: "sparsity").
    Errors: no function `@entry`, a `cst.code` that is not a string, a
    tagged op without a ranked float tensor result, two codes of one name
    (or a name `@entry` already reports).
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"forward\"",
           "the function whose codes are measured">,
  ];
  let dependentDialects = ["::mlir::cst::CstDialect"];
}

def CstConvDestinations
    : Pass<"cscc-conv-destinations", "::mlir::func::FuncOp"> {
  let summary = "Give each convolution a destination (tensor.empty)";
  let description = [{
    A `cst.conv`, `cst.conv_transpose` or `cst.conv_filter_grad` without
    `into` gets one: a `tensor.empty` of its result type (the batch, if
    dynamic, from its first operand) created just before it. Bufferized,
    the convolution writes that destination's buffer, so
    `eliminate-empty-tensors` can replace the empty tensor by the slice of
    a concatenation the result is inserted into (or by a result argument):
    the kernel writes there directly instead of into a fresh buffer that is
    then copied.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def CstPlaceConcatBuffers
    : Pass<"cscc-place-concat-buffers", "::mlir::func::FuncOp"> {
  let summary = "Create each concatenation's buffer before its first input";
  let description = [{
    A concatenation lowers to a `tensor.empty` filled by `insert_slice`s,
    created where the concatenation is. This gives each such `tensor.empty`
    its own copy (CSE merges identical ones) and moves it up to just before
    the op producing its first input (before the start of that op's chain
    of destinations: a `linalg.fill` of a `tensor.empty` that a pooling
    writes into, a convolution's `tensor.empty`), so that
    `eliminate-empty-tensors`
    can make each producer write straight into its slice: an MSD layer's
    code is then computed in place in the next layer's concatenation
    instead of copied there. Nothing moves further up than it must, so
    buffer lifetimes stay short.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def CstMergeEmbeds : Pass<"cst-merge-embeds", "::mlir::func::FuncOp"> {
  let summary = "Adjacent channel windows in a sum become one concatenation";
  let description = [{
    A sum of activations (`cst.axpby` with alpha = beta = 1, and the sums
    read only by it, flattened into one list of terms) whose terms include
    `cst.embed`s read by it alone: windows that are adjacent (each starts
    where the previous one ends) are one `cst.concat` of their inputs,
    embedded at the first window's offset, or the concatenation itself
    when the windows cover every channel. The other terms keep their
    order; the windows are added after them, by offset. The windows are
    disjoint, so each element still adds the same numbers (no rounding
    changes but the order of additions among the other terms and a
    window's).

    The backward pass of a value read through several channel slices
    sums one embed per slice, each a tensor of zeros with one window
    filled; as a concatenation, each window's producer writes its slice
    of one buffer instead.
  }];
}

// A module pass: it declares the paired kernel in the module.
def CstPairConvolutions : Pass<"cst-pair-convolutions", "::mlir::ModuleOp"> {
  let summary = "Run two convolution calls that read one buffer as one call";
  let description = [{
    After bufferization. Two calls of convolution kernels (as the
    convolution ops bufferize: each declaration marked with its kind) in
    one block, with nothing between them but ops that neither read nor
    write memory or only allocate, the same element type and the same
    stride, dilation and padding, where an input of the second is an input
    of the first (the same buffer, through casts) that the first does not
    write, become one call of the paired kernel the registered kernel
    naming gives (its symbol and kind codes), at the second call's place:
    (kind, in0, in1, out of the first, kind, in0, in1, out of the second,
    stride, dilation, padding). The library then brings the shared buffer
    into its own layout once. Pairs are taken greedily in order; a library
    without a paired kernel keeps the calls.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cst::CstDialect"];
}

#endif // CST_TRANSFORMS_PASSES
