//===- Passes.td - Lowering passes of cscc -----------------*- tablegen -*-===//
//
// csc (model level) -> cst (tensor level) -> linalg/tensor + library calls.
// Each step is a small pass with its own lit test.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_CONVERSION_PASSES
#define CSCC_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def CscUnfoldPursuits : Pass<"csc-unfold-pursuits", "::mlir::func::FuncOp"> {
  let summary = "Unfold layer-wise and stacked pursuits into ISTA/FISTA steps";
  let description = [{
    Rewrites every `csc.pursuit` and `csc.stacked_pursuit` into the
    iterations docs/design.md §1 defines: applications of the dictionary
    (`csc.analysis` D^T x and `csc.synthesis` D g, expanded later by
    `csc-expand-dictionaries`), the step c (`cst.scale`), axpby updates,
    FISTA momentum with the constants t_k computed here, batch norm before
    the prox (`csc.batch_norm`, one set of running statistics per
    iteration) and the prox (`cst.threshold`). Residual warm starts keep
    or drop the X_{-1} term and the Gram term (on, off, learned). D^T X is
    computed once and reused by every iteration. Needs shapes
    (`csc-infer-shapes`).
  }];
  let dependentDialects = ["::mlir::cst::CstDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def CscExpandDictionaries : Pass<"csc-expand-dictionaries", "::mlir::func::FuncOp"> {
  let summary = "Derive D^T and D from a dictionary's blocks";
  let description = [{
    Replaces `csc.analysis` (D^T x) and `csc.synthesis` (D g) by
    tensor-level ops, block by block through the `DictionaryOp`
    interface: an identity block is the signal itself (D: the code slice),
    a convolution is `cst.conv` (D: `cst.conv_transpose` with the same
    stride, dilation and padding), a composition chains its blocks (D in
    reverse order), a stack concatenates its blocks' codes (D: the sum of
    the blocks' adjoints on their channel slices). Dictionary ops left
    unused are erased.
  }];
  let dependentDialects = ["::mlir::cst::CstDialect"];
}

def CscLowerToCst : Pass<"csc-lower-to-cst", "::mlir::ModuleOp"> {
  let summary = "Lower the remaining csc ops to the tensor-level dialect";
  let description = [{
    Parameters become arguments of `@forward` after the input and the
    labels, in program order, each named by a `cst.param` argument
    attribute (with `cst.init`, and `cst.state` for running statistics).
    Layers become tensor-level ops. With `mode=eval` batch norm uses the
    running statistics; with `mode=train` it uses batch statistics and the
    updated running statistics are returned after the logits and the loss,
    in the order of their arguments. `loss=false` drops the loss (and the
    labels argument) for prediction. Every csc op is illegal afterwards:
    one left behind (a pursuit or a dictionary) is an error naming it.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"eval\"",
           "eval (running statistics) or train (batch statistics)">,
    Option<"withLoss", "loss", "bool", /*default=*/"true",
           "keep the loss result and the labels argument">
  ];
  let dependentDialects = ["::mlir::cst::CstDialect"];
}

def CstLowerToLinalg : Pass<"cst-lower-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower tensor-level ops to linalg on tensors (generated loops)";
  let description = [{
    Every op except the three convolutions becomes `linalg.generic` (or a
    linalg named op, `tensor.extract_slice`/`insert_slice` for channel
    views) on tensors, so that `linalg-fuse-elementwise-ops` fuses the
    elementwise chains between convolutions into one loop nest. The
    convolutions stay: One-Shot Bufferize turns them into calls of the
    runtime's oneDNN kernels (`cst` implements BufferizableOpInterface).
    A dialect conversion, one pattern per op in files by family
    (lib/Conversion/CstToLinalg); any other cst op left behind is an error
    naming it.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def CsccRecomputeCheapProducers
    : Pass<"cscc-recompute-cheap-producers", "::mlir::func::FuncOp"> {
  let summary = "Give each consumer of a cheap elementwise op its own copy, "
                "so that fusion recomputes it instead of storing it";
  let description = [{
    linalg-fuse-elementwise-ops fuses a producer only into its single
    consumer: a result with several consumers is written out and read back
    by each. For a cheap elementwise op on tensors (parallel iterators, one
    result, at most `max-ops` scalar ops, at most one operand as large as
    its result: a scaling by the ISTA step, a ReLU, a bias add) that costs
    more than recomputing it, since every consumer reads its large operand
    instead of the result at the same price. This pass clones such an op
    for each of its linalg.generic consumers beyond the first that
    elementwise fusion can take (the consumer indexes the result with all
    of the producer's loops), so that the fusion that follows folds a copy
    into each of them and the op and its buffer disappear. Uses by other
    ops (a convolution, a concatenation) keep the original. The values
    computed are the same (the same scalar ops on the same operands).
  }];
  let options = [
    Option<"maxOps", "max-ops", "unsigned", /*default=*/"3",
           "the most scalar ops (yield aside) of an op that is recomputed">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CsccMergeSiblingReductions
    : Pass<"cscc-merge-sibling-reductions", "::mlir::func::FuncOp"> {
  let summary = "Two reductions over one tensor as one loop nest";
  let description = [{
    Two linalg.generic reductions on tensors in one block with the same
    iterators, reading one tensor at the same indexing map over all loops,
    where every use of the first comes after the second, become one generic
    at the second's place: the second's inputs, then the first's not
    already among them, the second's outputs, then the first's, the two
    bodies one after the other. The shared tensor is read once instead of
    twice. Each output is computed by the same scalar ops in the same loop
    order as before; where the CPU target lets LLVM reassociate reductions
    (vector partial sums), the loop's other outputs can change how LLVM
    groups the partial sums, so the sums may differ in the last bits
    (deterministically). Repeated while pairs remain (three siblings become
    one op).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CsccCopyToLinalg : Pass<"cscc-copy-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy (generated loops)";
  let description = [{
    Bufferization leaves `memref.copy` (channel slices written into a
    concatenation, results copied out). Lowered directly, a strided copy
    calls `memrefCopy` of MLIR's C runner library; as `linalg.copy` it
    becomes a loop nest like every other generated op, so the compiled
    model needs no MLIR library at run time. An unranked copy, which
    linalg.copy cannot take, is an error naming it.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CsccParallelLoops : Pass<"cscc-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Lower linalg ops on buffers to loops, outer parallel "
                "dimensions as scf.parallel, reductions in registers";
  let description = [{
    Replaces convert-linalg-to-loops in the CPU pipeline, for the cores and
    the vector units:
     - a `linalg.generic` whose iterators are not parallel first is
       interchanged so that they are (a per-channel sum over (n, c, h, w)
       becomes c outside; n, h, w inside, in their order);
     - trailing dimensions of one kind that every operand indexes together
       and holds contiguously collapse into one loop (h, w -> h*w): LLVM's
       vector loops never run on 7- or 14-long w loops;
     - the outer parallel dimensions (at most `max-dims`, never the
       innermost loop of a nest, which LLVM vectorises) become one
       `scf.parallel` (an OpenMP worksharing loop after
       convert-scf-to-openmp) when the estimated work (static iteration
       count, a dynamic dimension counted as `dynamic-size`) reaches
       `min-work`: a parallel region costs a few microseconds;
     - a reduction carries its outputs' values through its loops in
       registers (iter_args), `jam` points of its last parallel dimension
       at a time, so that their additions do not wait on one another.
    Each output element is computed by one thread with the same operations
    in the same order as convert-linalg-to-loops' loops: results are
    bitwise the same at any thread count. No reduction is split across
    threads or reassociated.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"16384",
           "Smallest estimated iteration count run in parallel">,
    Option<"dynamicSize", "dynamic-size", "int64_t", /*default=*/"32",
           "Size assumed for a dynamic dimension (the batch) in the work "
           "estimate">,
    Option<"jam", "jam", "int64_t", /*default=*/"4",
           "Points of a reduction's last parallel dimension accumulated "
           "together (1: none)">,
    Option<"collapse", "collapse", "bool", /*default=*/"true",
           "Collapse contiguous trailing dimensions of one iterator type "
           "into one loop">,
    Option<"maxDims", "max-dims", "unsigned", /*default=*/"2",
           "Most leading parallel dimensions in one scf.parallel">,
    Option<"reassociateReductions", "reassociate-reductions", "bool",
           /*default=*/"false",
           "Mark each reduction's combiner (arith.addf, ...) reassoc, so "
           "that LLVM vectorises the reduction loop with vector partial "
           "results: faster, deterministic for a given build and any thread "
           "count, but not bitwise the sequential order">,
    Option<"gpu", "gpu", "bool", /*default=*/"false",
           "For GPU kernels (cscc-parallel-to-gpu): every leading parallel "
           "dimension that indexes all outputs joins the scf.parallel, the "
           "innermost too, whatever the work (min-work and max-dims are "
           "ignored); an op without one gets a single-iteration "
           "scf.parallel">,
    Option<"splitReductions", "split-reductions", "int64_t",
           /*default=*/"0",
           "With gpu: a reduction of at least this many iterations (a "
           "dynamic dimension counted as dynamic-size) onto fewer than 4096 "
           "output points is split along its first reduction dimension: "
           "chunks reduced in parallel into a partial buffer, then combined "
           "per point (0: never)">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def CsccSplitFunctions : Pass<"cscc-split-functions", "::mlir::ModuleOp"> {
  let summary = "Split long straight-line functions into calls of private "
                "functions of at most max-ops operations each";
  let description = [{
    LLVM's optimisation and code generation are superlinear in the size of
    a function (SelectionDAG's store merging compares the stores of a
    block with one another): a forward pass or train step of hundreds of
    layers, one function with one block, compiled in minutes. This pass
    cuts the top-level operations of each function body longer than
    `max-ops` into consecutive runs of at most `max-ops` operations and
    moves each run into a private function `<name>_part<k>` called in its
    place: the values a run uses from before become its arguments (constants
    are cloned instead), the values used after it its results.

    It runs on buffers after deallocation has been made explicit, where a
    value is only a buffer descriptor or a scalar and moving code between
    functions changes nothing about ownership. A run is never cut where a
    stack allocation (`memref.alloca`) or a view of one would cross into a
    later run; functions whose body is not a single block are left alone.
  }];
  let options = [
    Option<"maxOps", "max-ops", "int64_t", /*default=*/"200",
           "Most top-level operations left in one function">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def CsccResultsToDestinations
    : Pass<"cscc-results-to-destinations", "::mlir::ModuleOp"> {
  let summary = "Make @forward write its results into caller-given tensors";
  let description = [{
    Appends one writable argument per result (`cscc.result = i`) and
    returns `bufferization.materialize_in_destination` of each result in
    it, so that after One-Shot Bufferize (and drop-equivalent-buffer-results)
    the caller owns every buffer: the runtime allocates the outputs, with
    the batch size it chose, and nothing is returned.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def CsccDropDestinationResults
    : Pass<"cscc-drop-destination-results", "::mlir::ModuleOp"> {
  let summary = "After bufferization, stop returning the destination buffers";
  let description = [{
    The results of `cscc-results-to-destinations` bufferize to the caller's
    own buffers (the `cscc.result` arguments); returning them again would
    hand the caller descriptors it already has. Upstream
    drop-equivalent-buffer-results leaves public functions alone, so this
    drops exactly those results of public functions.
  }];
}

def CsccParallelToGpu : Pass<"cscc-parallel-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Outermost scf.parallel loops to gpu.launch kernels, one "
                "thread per point";
  let description = [{
    Each outermost `scf.parallel` (without reductions) becomes a
    `gpu.launch` over a one-dimensional grid of `block-size`-thread blocks,
    one thread per iteration point: the point's number (block id x block
    size + thread id) is taken apart in row-major order over the loop's
    trip counts (the last dimension fastest, so neighbouring threads touch
    neighbouring elements), threads past the last point do nothing. The
    loop's body, sequential loops included, runs in the thread.

    Upstream's gpu-map-parallel-loops + convert-parallel-loops-to-gpu map
    dimensions onto the block and thread ids untiled (a block of one thread
    per point; dimensions beyond three sequential); `cscc-parallel-loops
    {gpu}` emits one scf.parallel over all parallel dimensions of each
    linalg op, which this pass flattens into one grid.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (1 to 1024)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect"];
}

def CsccMergeGpuModules
    : Pass<"cscc-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "All outlined kernels in one gpu.module";
  let description = [{
    `gpu-kernel-outlining` puts each kernel in a `gpu.module` of its own,
    and `gpu-module-to-binary` compiles each module separately (LLVM's
    NVPTX back end, then a ptxas process): a Res-CSC-56 train step has
    1,241 kernels, and its compilation spent 90% of its 30 s there (11 s
    in one module).
    This pass moves every kernel into one module named `module-name`,
    points each `gpu.launch_func` at it and erases the emptied modules, so
    the host module has one binary, compiled once and loaded once. Each
    kernel takes its module's name (outlining names the modules uniquely,
    the kernels of a function alike); a module holding anything but one
    kernel, or already given targets, is an error.
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string",
           /*default=*/"\"cscc_kernels\"",
           "Name of the gpu.module that holds every kernel">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def CsccDeviceBuffers : Pass<"cscc-device-buffers", "::mlir::ModuleOp"> {
  let summary = "Buffers in GPU memory: allocations on the device, entry "
                "arguments copied in and out, device runtime calls";
  let description = [{
    After the loops became kernels (`cscc-parallel-to-gpu`):
     - `memref.alloc` / `memref.dealloc` become `gpu.alloc` / `gpu.dealloc`;
     - a public function keeps its host ABI (the runtime passes host
       buffers): each buffer argument is copied into GPU memory on entry
       (`gpu.memcpy`) and back before returning when the function may write
       it (a write effect, or a call, on it or a view of it), then freed;
     - calls of the external functions `device-kernels` maps (the host
       library's convolutions) go to the functions they map to (the
       target's device kernels, declared with the same type).
    An op that still reads or writes a buffer on the host is an error, but
    for a scalar an entry point reads on the host from an argument it never
    writes (the optimiser's hyperparameters), which is read from the host's
    copy. The pass knows no kernel library: the target supplies the map.
  }];
  let options = [
    ListOption<"deviceKernels", "device-kernels", "std::string",
               "HOST:DEVICE pairs: calls of the function HOST go to DEVICE">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // CSCC_CONVERSION_PASSES
