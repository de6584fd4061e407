//===- ParallelLoops.cpp - Linalg on buffers to (parallel) loops ----------===//
//
// cscc-parallel-loops, in place of convert-linalg-to-loops in the CPU
// pipeline: the outer parallel dimensions of each linalg op become one
// scf.parallel (then OpenMP, convert-scf-to-openmp), reductions stay
// sequential per output element, so results are bitwise those of
// convert-linalg-to-loops at any thread count. Upstream has no such pass:
// convert-linalg-to-parallel-loops makes every parallel dimension of a
// nest parallel (also the innermost one, which LLVM should vectorise, and
// tiny per-channel loops where a fork costs more than the work), and keeps
// a reduction's accumulator in memory.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <functional>

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCPARALLELLOOPS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

/// Lowers every linalg op of a function (on buffers) to loops, in place of
/// convert-linalg-to-loops, for the CPU's cores and vector units:
///  - a linalg.generic whose iterators are not parallel first is
///    interchanged so that they are (a per-channel sum over (n, c, h, w)
///    becomes c outside; n, h, w inside, in their order);
///  - trailing dimensions of one kind that every operand indexes together
///    and holds contiguously collapse into one loop (h, w -> h*w; c, h, w
///    -> c*h*w where no operand is per channel): LLVM's vector loops (16
///    floats, unrolled) never run on 7- or 14-long w loops;
///  - the outer parallel dimensions (at most `max-dims`, never the
///    innermost loop of a nest, which LLVM vectorises) become one
///    scf.parallel, which convert-scf-to-openmp turns into an OpenMP
///    worksharing loop, when the estimated work (static iteration count, a
///    dynamic dimension counted as `dynamic-size`) reaches `min-work`: a
///    parallel region costs a few microseconds;
///  - a reduction carries its outputs' values through its loops in
///    registers (iter_args), `jam` points of its last parallel dimension at
///    a time, so that their floating-point additions do not wait on one
///    another.
/// Each output element is computed by one thread, with the same operations
/// in the same order as convert-linalg-to-loops' loops: the results are
/// bitwise the same, whatever the thread count. No reduction is split
/// across threads or reassociated (a sum over everything, such as a loss,
/// stays one sequential loop).
struct ParallelLoopsPass
    : mlir::cscc::impl::CsccParallelLoopsBase<ParallelLoopsPass> {
  using Base::Base;

  /// linalg.generic with its parallel dimensions first (stable).
  static linalg::LinalgOp parallelFirst(RewriterBase &rewriter,
                                        linalg::LinalgOp op) {
    SmallVector<utils::IteratorType> its = op.getIteratorTypesArray();
    SmallVector<unsigned> perm;
    for (unsigned i = 0; i < its.size(); ++i)
      if (linalg::isParallelIterator(its[i]))
        perm.push_back(i);
    unsigned numParallel = perm.size();
    if (numParallel == 0 || numParallel == its.size())
      return op;
    for (unsigned i = 0; i < its.size(); ++i)
      if (!linalg::isParallelIterator(its[i]))
        perm.push_back(i);
    if (llvm::equal(perm, llvm::seq<unsigned>(0, perm.size())))
      return op;
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic) {
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
      if (failed(g))
        return op;
      generic = *g;
    }
    FailureOr<linalg::GenericOp> swapped =
        linalg::interchangeGenericOp(rewriter, generic, perm);
    return succeeded(swapped) ? linalg::LinalgOp(*swapped)
                              : linalg::LinalgOp(generic);
  }

  /// Rewrites, in place, each operand of `op` that is indexed by a
  /// constant 0 in a dimension of extent 1 (a step size `memref<1xf32>`
  /// read at (0) in every point, a [N, C, 1, 1] pooled map read at
  /// (n, c, 0, 0), a step size's gradient summed into [1] at (0)) to a view
  /// without those dimensions, and its indexing map without those results.
  /// The op then indexes every operand by a projected permutation, which
  /// collapseInner needs: the ISTA and FISTA updates (x - step * g + ...)
  /// otherwise kept their 14- or 7-long w loops, too short for LLVM to
  /// vectorise with the runtime alias checks they need, and a total sum
  /// over (n, c, h, w) kept its 7-long w loop (LLVM vectorised it across c
  /// with gathers). The same elements are read and written.
  static void dropUnitConstantIndices(RewriterBase &rewriter,
                                      linalg::LinalgOp op) {
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    bool changed = false;
    for (OpOperand *in : llvm::make_pointer_range(op->getOpOperands())) {
      auto type = dyn_cast<MemRefType>(in->get().getType());
      AffineMap m = maps[in->getOperandNumber()];
      if (!type || m.isProjectedPermutation())
        continue;
      // Kept results; each dropped one joins the group of the kept result
      // before it (the first kept one's group when none is before).
      SmallVector<AffineExpr> kept;
      SmallVector<ReassociationIndices> groups;
      ReassociationIndices leading;
      bool droppable = true;
      for (auto [pos, e] : llvm::enumerate(m.getResults())) {
        auto c = dyn_cast<AffineConstantExpr>(e);
        if (!c) {
          if (!isa<AffineDimExpr>(e)) {
            droppable = false;
            break;
          }
          kept.push_back(e);
          groups.push_back(leading);
          leading.clear();
          groups.back().push_back(pos);
          continue;
        }
        if (c.getValue() != 0 || type.getDimSize(pos) != 1) {
          droppable = false;
          break;
        }
        if (groups.empty())
          leading.push_back(pos);
        else
          groups.back().push_back(pos);
      }
      if (!droppable || kept.size() == m.getNumResults() ||
          !memref::CollapseShapeOp::isGuaranteedCollapsible(type, groups))
        continue;
      rewriter.setInsertionPoint(op);
      Value view = memref::CollapseShapeOp::create(rewriter, op.getLoc(),
                                                   in->get(), groups);
      rewriter.modifyOpInPlace(op, [&] { in->set(view); });
      maps[in->getOperandNumber()] =
          AffineMap::get(m.getNumDims(), 0, kept, op.getContext());
      changed = true;
    }
    if (changed)
      rewriter.modifyOpInPlace(op, [&] {
        op->setAttr("indexing_maps", rewriter.getAffineMapArrayAttr(maps));
      });
  }

  /// `op` with its longest run of trailing dimensions of one iterator type
  /// collapsed into one, where every operand indexes them together in
  /// order and its buffer holds them contiguously: an NCHW elementwise op
  /// without per-channel operands becomes [N, CHW], with one [N, C, H*W].
  /// Longer innermost loops: LLVM's vector loops (16 floats, unrolled)
  /// never run on a 7- or 14-long w loop. The same elements in the same
  /// order.
  static linalg::LinalgOp collapseInner(RewriterBase &rewriter,
                                        linalg::LinalgOp op) {
    SmallVector<utils::IteratorType> its = op.getIteratorTypesArray();
    unsigned numLoops = its.size();
    if (numLoops < 2 || !op.getBlock()->getOps<linalg::IndexOp>().empty())
      return op;
    if (!isa<linalg::GenericOp>(op.getOperation())) {
      // fills, maps, copies
      if (!llvm::all_of(its, linalg::isParallelIterator))
        return op;
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
      if (failed(g))
        return op;
      op = *g;
    }
    dropUnitConstantIndices(rewriter, op);
    if (!op.hasOnlyProjectedPermutations())
      return op;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    // A parallel first dimension (the batch) stays a loop of its own, the
    // one that runs in parallel.
    unsigned from = linalg::isParallelIterator(its.front()) ? 1 : 0;
    for (unsigned first = from; first + 1 < numLoops; ++first) {
      if (llvm::any_of(ArrayRef(its).drop_front(first),
                       [&](utils::IteratorType t) { return t != its.back(); }))
        continue;
      ReassociationIndices tail;
      for (unsigned d = first; d < numLoops; ++d)
        tail.push_back(d);
      SmallVector<ReassociationIndices> groups;
      for (unsigned d = 0; d < first; ++d)
        groups.push_back({static_cast<int64_t>(d)});
      groups.push_back(tail);
      if (!linalg::areDimSequencesPreserved(maps, tail))
        continue;
      // Each buffer must hold the collapsed dimensions contiguously.
      bool contiguous = llvm::all_of(op->getOpOperands(), [&](OpOperand &o) {
        auto type = dyn_cast<MemRefType>(o.get().getType());
        if (!type)
          return true;
        AffineMap m = op.getMatchingIndexingMap(&o);
        SmallVector<ReassociationIndices> operandGroups;
        ReassociationIndices current;
        for (auto [pos, e] : llvm::enumerate(m.getResults())) {
          unsigned dim = cast<AffineDimExpr>(e).getPosition();
          current.push_back(pos);
          bool inTail = dim >= first;
          bool nextInTail =
              pos + 1 < m.getNumResults() &&
              cast<AffineDimExpr>(m.getResult(pos + 1)).getPosition() >= first;
          if (!(inTail && nextInTail)) {
            operandGroups.push_back(current);
            current.clear();
          }
        }
        return memref::CollapseShapeOp::isGuaranteedCollapsible(
            type, operandGroups);
      });
      if (!contiguous)
        continue;
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, groups, rewriter);
      if (failed(collapsed))
        continue;
      rewriter.eraseOp(op);
      return collapsed->collapsedOp;
    }
    return op;
  }

  /// How many leading loops of `op` may run in parallel: parallel
  /// iterators, each indexing every output directly (so that two
  /// iterations never write the same element), not the innermost loop of
  /// a deeper nest, and enough work.
  int64_t estimatedWork(linalg::LinalgOp op) const {
    int64_t work = 1;
    for (int64_t size : op.getStaticLoopRanges())
      work = std::min<int64_t>(
          work * (ShapedType::isDynamic(size) ? dynamicSize : size),
          int64_t(1) << 40);
    return work;
  }

  unsigned parallelDims(linalg::LinalgOp op, int64_t work) const {
    SmallVector<utils::IteratorType> its = op.getIteratorTypesArray();
    if (its.empty() || (!gpu && work < minWork))
      return 0;
    // A GPU runs every parallel point as a thread of one kernel (the
    // innermost loop too: no vector units to leave it to).
    unsigned limit = its.size();
    if (!gpu)
      limit = std::min<unsigned>(its.size() == 1 ? 1 : its.size() - 1,
                                 maxDims);
    unsigned n = 0;
    for (; n < limit && linalg::isParallelIterator(its[n]); ++n) {
      bool indexesOutputs = llvm::all_of(op.getDpsInitsMutable(),
                                         [&](OpOperand &init) {
        AffineMap m = op.getMatchingIndexingMap(&init);
        return m.isProjectedPermutation() &&
               m.getResultPosition(getAffineDimExpr(n, op.getContext()));
      });
      if (!indexesOutputs)
        break;
    }
    return n;
  }

  /// The number of parallel iterators (first, in a register reduction).
  static unsigned parallelDimsOf(linalg::LinalgOp op) {
    return llvm::count_if(op.getIteratorTypesArray(),
                          linalg::isParallelIterator);
  }

  /// Output points below which cscc-parallel-loops{gpu} splits a long
  /// reduction (a GPU runs tens of thousands of threads at once).
  static constexpr int64_t kSplitMaxPoints = 4096;

  /// Replaces the outer `n` loops of a perfect scf.for nest by one
  /// scf.parallel.
  static void toParallel(RewriterBase &rewriter, ArrayRef<Operation *> loops,
                         unsigned n) {
    SmallVector<scf::ForOp> fors;
    for (Operation *l : loops.take_front(n))
      fors.push_back(cast<scf::ForOp>(l));
    SmallVector<Value> lbs, ubs, steps;
    for (scf::ForOp f : fors) {
      for (Value v : {f.getLowerBound(), f.getUpperBound(), f.getStep()})
        if (Operation *def = v.getDefiningOp();
            def && fors.front()->isAncestor(def))
          return; // a bound computed inside the nest: keep it sequential
      lbs.push_back(f.getLowerBound());
      ubs.push_back(f.getUpperBound());
      steps.push_back(f.getStep());
    }
    rewriter.setInsertionPoint(fors.front());
    auto par = scf::ParallelOp::create(rewriter, fors.front().getLoc(), lbs,
                                       ubs, steps);
    for (auto [f, iv] : llvm::zip(fors, par.getInductionVars()))
      rewriter.replaceAllUsesWith(f.getInductionVar(), iv);
    Block *body = fors.back().getBody();
    rewriter.eraseOp(body->getTerminator());
    rewriter.inlineBlockBefore(body, par.getBody()->getTerminator(),
                               par.getInductionVars().back());
    rewriter.eraseOp(fors.front());
  }

  /// The buffer `v` is a view of (a function argument or an allocation).
  static Value rootBuffer(Value v) {
    while (Operation *def = v.getDefiningOp()) {
      auto view = dyn_cast<ViewLikeOpInterface>(def);
      if (!view)
        break;
      v = view.getViewSource();
    }
    return v;
  }

  /// Whether `op` can keep its accumulators in registers: a reduction
  /// (parallel dimensions first, at least one reduction dimension) whose
  /// outputs are indexed by projected permutations of the parallel
  /// dimensions, and whose inputs are not views of an output's buffer (the
  /// outputs are written back only after each point's reduction).
  static bool isRegisterReduction(linalg::LinalgOp op) {
    SmallVector<utils::IteratorType> its = op.getIteratorTypesArray();
    unsigned numParallel = llvm::count_if(its, linalg::isParallelIterator);
    if (numParallel == its.size())
      return false;
    for (unsigned i = 0; i < its.size(); ++i)
      if (linalg::isParallelIterator(its[i]) != (i < numParallel))
        return false;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      AffineMap m = op.getMatchingIndexingMap(&init);
      // A total sum into a [1] buffer is indexed (0): a constant index is
      // a register reduction too (else it became a loop nest on one thread
      // that loads and stores its accumulator at every element).
      if (!m.isProjectedPermutation(/*allowZeroInResults=*/true))
        return false;
      for (AffineExpr e : m.getResults())
        if (auto d = dyn_cast<AffineDimExpr>(e);
            d && d.getPosition() >= numParallel)
          return false;
      Value root = rootBuffer(init.get());
      for (OpOperand *in : op.getDpsInputOperands())
        if (isa<MemRefType>(in->get().getType()) &&
            rootBuffer(in->get()) == root)
          return false;
    }
    return true;
  }

  /// The element of `operand` at the iteration point `ivs` (a scalar
  /// operand is itself).
  static Value loadAt(OpBuilder &b, Location loc, linalg::LinalgOp op,
                      OpOperand &operand, ArrayRef<Value> ivs) {
    Value v = operand.get();
    if (!isa<MemRefType>(v.getType()))
      return v;
    return memref::LoadOp::create(b, loc, v,
                                  indicesAt(b, loc, op, operand, ivs));
  }

  static SmallVector<Value> indicesAt(OpBuilder &b, Location loc,
                                      linalg::LinalgOp op, OpOperand &operand,
                                      ArrayRef<Value> ivs) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    SmallVector<Value> indices;
    for (AffineExpr e : map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e))
        indices.push_back(ivs[d.getPosition()]);
      else if (auto c = dyn_cast<AffineConstantExpr>(e))
        // no loop variable: a reduction's output is loaded before its
        // reduction loops exist
        indices.push_back(arith::ConstantIndexOp::create(b, loc, c.getValue()));
      else
        indices.push_back(affine::AffineApplyOp::create(
            b, loc, AffineMap::get(map.getNumDims(), 0, e), ivs));
    }
    return indices;
  }

  /// One application of the op's body at `ivs`, the outputs' values
  /// `accs`: returns what it yields.
  static SmallVector<Value> applyBody(OpBuilder &b, Location loc,
                                      linalg::LinalgOp op,
                                      ArrayRef<Value> ivs,
                                      ArrayRef<Value> accs,
                                      bool reassociate = false) {
    IRMapping map;
    Block *body = op.getBlock();
    for (OpOperand *in : op.getDpsInputOperands())
      map.map(op.getMatchingBlockArgument(in), loadAt(b, loc, op, *in, ivs));
    for (auto [init, acc] : llvm::zip(op.getDpsInitsMutable(), accs))
      map.map(op.getMatchingBlockArgument(&init), acc);
    for (Operation &o : body->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(o)) {
        map.map(index.getResult(), ivs[index.getDim()]);
        continue;
      }
      Operation *copy = b.clone(o, map);
      // The combiner of a reduction (its result yielded) may be
      // reassociated, so that LLVM vectorises the loop with vector partial
      // sums (see `reassociate-reductions`).
      if (reassociate && llvm::any_of(o.getUsers(), [&](Operation *u) {
            return u == body->getTerminator();
          }))
        if (auto fm = dyn_cast<arith::ArithFastMathInterface>(copy))
          copy->setAttr(fm.getFastMathAttrName(),
                        arith::FastMathFlagsAttr::get(
                            b.getContext(), fm.getFastMathFlagsAttr().getValue() |
                                                arith::FastMathFlags::reassoc));
    }
    return llvm::map_to_vector(body->getTerminator()->getOperands(),
                               [&](Value v) { return map.lookupOrDefault(v); });
  }

  /// Sequential loops over dimensions `d`.. of a reduction, bounds
  /// `lbs`/`ubs`/`steps` per dimension, carrying `accs` (setting `ivs` as
  /// they open); at the innermost point `leaf` gives the next values.
  /// Returns the values after the loops.
  static SmallVector<Value>
  reductionLoops(OpBuilder &b, Location loc, unsigned d, ArrayRef<Value> lbs,
                 ArrayRef<Value> ubs, ArrayRef<Value> steps, ValueRange accs,
                 SmallVectorImpl<Value> &ivs,
                 function_ref<SmallVector<Value>(OpBuilder &, ValueRange)>
                     leaf) {
    if (d == ubs.size())
      return leaf(b, accs);
    auto loop = scf::ForOp::create(
        b, loc, lbs[d], ubs[d], steps[d], accs,
        [&](OpBuilder &b, Location loc, Value iv, ValueRange args) {
          ivs[d] = iv;
          scf::YieldOp::create(b, loc,
                               reductionLoops(b, loc, d + 1, lbs, ubs, steps,
                                              args, ivs, leaf));
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// Lowers a reduction (isRegisterReduction) to loops: the first
  /// `numParallelLoops` parallel dimensions as one scf.parallel, the other
  /// parallel dimensions as scf.for, then for each output point the
  /// reduction loops carrying the outputs' values in registers (iter_args)
  /// instead of loading and storing them at every step. The last parallel
  /// dimension is jammed by `jam` points (when its size is a multiple):
  /// `jam` independent accumulations per step of the reduction loops, so
  /// that they do not wait on one another's floating-point latency. Each
  /// output element still sees the same additions in the same order.
  void lowerReduction(OpBuilder &b, linalg::LinalgOp op,
                      unsigned numParallelLoops) const {
    Location loc = op.getLoc();
    SmallVector<utils::IteratorType> its = op.getIteratorTypesArray();
    unsigned numLoops = its.size();
    unsigned numParallel = llvm::count_if(its, linalg::isParallelIterator);
    SmallVector<Range> ranges = op.createLoopRanges(b, loc);
    SmallVector<Value> lbs, ubs, steps;
    for (Range r : ranges) {
      lbs.push_back(getValueOrCreateConstantIndexOp(b, loc, r.offset));
      ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
      steps.push_back(getValueOrCreateConstantIndexOp(b, loc, r.stride));
    }
    // The jammed dimension: the last parallel one, indexed by every output,
    // its size a multiple of the factor.
    int64_t factor = 1;
    unsigned jamDim = numParallel - 1;
    if (numParallel > 0) {
      int64_t size = op.getStaticLoopRanges()[jamDim];
      std::optional<int64_t> stride = getConstantIntValue(ranges[jamDim].stride);
      std::optional<int64_t> offset = getConstantIntValue(ranges[jamDim].offset);
      bool indexed = llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &o) {
        return op.getMatchingIndexingMap(&o)
            .getResultPosition(b.getAffineDimExpr(jamDim))
            .has_value();
      });
      // When the jammed dimension is also the parallel one (per-channel
      // sums), leave at least 4 iterations to share among the threads.
      int64_t minIterations = jamDim < numParallelLoops ? 4 : 1;
      if (!ShapedType::isDynamic(size) && stride == 1 && offset == 0 &&
          indexed)
        for (int64_t f = jam; f > 1; f /= 2)
          if (size % f == 0 && size / f >= minIterations) {
            factor = f;
            break;
          }
      if (factor > 1)
        steps[jamDim] = arith::ConstantIndexOp::create(b, loc, factor);
    }
    unsigned numInits = op.getNumDpsInits();
    SmallVector<Value> ivs(numLoops);

    // The iteration point of jammed copy j.
    auto pointOf = [&](OpBuilder &b, Location loc, int64_t j) {
      SmallVector<Value> p(ivs);
      if (j > 0)
        p[jamDim] = arith::AddIOp::create(
            b, loc, ivs[jamDim], arith::ConstantIndexOp::create(b, loc, j));
      return p;
    };
    // Reduction loops from dimension d on, accumulators `accs` (jammed
    // copy-major): returns the accumulators after them.
    auto reduce = [&](OpBuilder &b, ValueRange accs) {
      return reductionLoops(
          b, loc, numParallel, lbs, ubs, steps, accs, ivs,
          [&](OpBuilder &b, ValueRange accs) {
            SmallVector<Value> next;
            for (int64_t j = 0; j < factor; ++j) {
              SmallVector<Value> point = pointOf(b, loc, j);
              llvm::append_range(
                  next, applyBody(b, loc, op, point,
                                  SmallVector<Value>(accs.slice(
                                      j * numInits, numInits)),
                                  reassociateReductions));
            }
            return next;
          });
    };
    // Parallel dimensions from d on (sequential loops), then one point.
    std::function<void(OpBuilder &, unsigned)> points = [&](OpBuilder &b,
                                                             unsigned d) {
      if (d < numParallel) {
        scf::ForOp::create(b, loc, lbs[d], ubs[d], steps[d], ValueRange(),
                           [&](OpBuilder &b, Location loc, Value iv,
                               ValueRange) {
                             ivs[d] = iv;
                             points(b, d + 1);
                             scf::YieldOp::create(b, loc);
                           });
        return;
      }
      SmallVector<Value> accs;
      for (int64_t j = 0; j < factor; ++j) {
        SmallVector<Value> point = pointOf(b, loc, j);
        for (OpOperand &init : op.getDpsInitsMutable())
          accs.push_back(loadAt(b, loc, op, init, point));
      }
      SmallVector<Value> results = reduce(b, accs);
      for (int64_t j = 0; j < factor; ++j) {
        SmallVector<Value> point = pointOf(b, loc, j);
        for (auto [k, init] : llvm::enumerate(op.getDpsInitsMutable()))
          memref::StoreOp::create(b, loc, results[j * numInits + k],
                                  init.get(),
                                  indicesAt(b, loc, op, init, point));
      }
    };
    if (numParallelLoops == 0) {
      points(b, 0);
      return;
    }
    scf::ParallelOp::create(
        b, loc, ArrayRef(lbs).take_front(numParallelLoops),
        ArrayRef(ubs).take_front(numParallelLoops),
        ArrayRef(steps).take_front(numParallelLoops),
        [&](OpBuilder &b, Location loc, ValueRange parallelIvs) {
          for (auto [d, iv] : llvm::enumerate(parallelIvs))
            ivs[d] = iv;
          points(b, numParallelLoops);
        });
  }

  /// For the GPU (`split-reductions`): a reduction with few output points
  /// and a long reduction is split along its first reduction dimension
  /// into chunks reduced in parallel, then combined:
  ///   partial[s, p] = combine over the s-th chunk, from the neutral element
  ///   out[p]        = out[p] combined with partial[0, p], ..., partial[S-1, p]
  /// (a per-channel batch-norm sum over N*H*W would otherwise be a handful
  /// of threads each reading the whole batch). Each output's yielded value
  /// must be `combiner(accumulator, x)` with an arith combiner that has a
  /// neutral element (addf, maximumf, ...), the accumulator used nowhere
  /// else. The additions are reassociated: the result differs from the
  /// sequential sum in the last bits. Returns false (nothing done) when the
  /// op does not qualify.
  /// `work` is estimatedWork of the op before collapseInner (which turns
  /// (n, c, h, w) into one dynamic dimension whose size it no longer
  /// knows).
  bool splitReduction(OpBuilder &b, linalg::LinalgOp op, int64_t work) const {
    SmallVector<utils::IteratorType> its = op.getIteratorTypesArray();
    unsigned numLoops = its.size();
    unsigned numParallel = llvm::count_if(its, linalg::isParallelIterator);
    if (numParallel == numLoops)
      return false;
    SmallVector<int64_t> sizes = op.getStaticLoopRanges();
    int64_t points = 1;
    for (unsigned d = 0; d < numParallel; ++d) {
      if (ShapedType::isDynamic(sizes[d]))
        return false; // unknown: leave it one thread per point
      points *= sizes[d];
    }
    if (points == 0)
      return false;
    int64_t length = work / points;
    if (points >= kSplitMaxPoints || length < splitReductions)
      return false;
    // The combiner of each output, and its neutral element.
    Block *body = op.getBlock();
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    SmallVector<Operation *> combiners;
    SmallVector<TypedAttr> neutral;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      BlockArgument acc = op.getMatchingBlockArgument(&init);
      Value yielded = yield.getOperand(init.getOperandNumber() -
                                       op.getNumDpsInputs());
      Operation *combiner = yielded.getDefiningOp();
      if (!combiner || combiner->getBlock() != body ||
          combiner->getNumOperands() != 2 || !acc.hasOneUse() ||
          acc.getUses().begin()->getOwner() != combiner)
        return false;
      std::optional<TypedAttr> identity = arith::getNeutralElement(combiner);
      if (!identity)
        return false;
      combiners.push_back(combiner);
      neutral.push_back(*identity);
    }
    int64_t chunks = std::clamp<int64_t>(
        (kSplitMaxPoints + points - 1) / points, 2, 1024);
    if (!ShapedType::isDynamic(sizes[numParallel]))
      chunks = std::min<int64_t>(chunks, sizes[numParallel]);
    if (chunks < 2)
      return false;

    Location loc = op.getLoc();
    SmallVector<Range> ranges = op.createLoopRanges(b, loc);
    for (Range r : ranges)
      if (getConstantIntValue(r.offset) != 0 ||
          getConstantIntValue(r.stride) != 1)
        return false;
    SmallVector<Value> ubs;
    for (Range r : ranges)
      ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value numChunks = arith::ConstantIndexOp::create(b, loc, chunks);
    Value chunk = arith::CeilDivUIOp::create(b, loc, ubs[numParallel],
                                             numChunks);
    // The chunks that hold something: ceil(length / chunk) of them, all
    // full but the last. The loops run over these only: with a batch of
    // 128 images in 1024 chunks of one, a static schedule over all 1024
    // gave every image to the first thread (chunks 0-511 of two threads').
    // The empty chunks' partials would be the neutral element, so the
    // results are those of combining all of them.
    Value usedChunks = arith::CeilDivUIOp::create(
        b, loc, ubs[numParallel], arith::MaxUIOp::create(b, loc, chunk, one));
    // partial[s, parallel dims...] per output
    SmallVector<Value> partials;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      auto type = cast<MemRefType>(init.get().getType());
      SmallVector<int64_t> shape{chunks};
      llvm::append_range(shape, ArrayRef(sizes).take_front(numParallel));
      partials.push_back(memref::AllocOp::create(
          b, loc, MemRefType::get(shape, type.getElementType())));
    }
    unsigned numInits = op.getNumDpsInits();
    SmallVector<Value> ivs(numLoops);
    // Kernel 1: (chunk, point) -> its partial result.
    SmallVector<Value> lbs1(numParallel + 1, zero), ubs1{usedChunks},
        steps1(numParallel + 1, one);
    llvm::append_range(ubs1, ArrayRef(ubs).take_front(numParallel));
    scf::ParallelOp::create(
        b, loc, lbs1, ubs1, steps1,
        [&](OpBuilder &b, Location loc, ValueRange pivs) {
          for (unsigned d = 0; d < numParallel; ++d)
            ivs[d] = pivs[d + 1];
          Value lo = arith::MulIOp::create(b, loc, pivs[0], chunk);
          Value hi = arith::MinUIOp::create(
              b, loc, arith::AddIOp::create(b, loc, lo, chunk),
              ubs[numParallel]);
          SmallVector<Value> accs;
          for (TypedAttr n : neutral)
            accs.push_back(arith::ConstantOp::create(b, loc, n));
          // The chunk's part of the first reduction dimension, the others
          // whole.
          SmallVector<Value> from(numLoops, zero), to(ubs);
          from[numParallel] = lo;
          to[numParallel] = hi;
          SmallVector<Value> results = reductionLoops(
              b, loc, numParallel, from, to,
              SmallVector<Value>(numLoops, one), accs, ivs,
              [&](OpBuilder &b, ValueRange accs) {
                return applyBody(b, loc, op, ivs, SmallVector<Value>(accs),
                                 reassociateReductions);
              });
          for (unsigned k = 0; k < numInits; ++k)
            memref::StoreOp::create(b, loc, results[k], partials[k], pivs);
        });
    // Kernel 2: each point's output combined with its partials, in order.
    auto combine = [&](OpBuilder &b, Location loc, ValueRange allIvs) {
      ValueRange pivs = allIvs.take_front(numParallel);
      for (unsigned d = 0; d < numParallel; ++d)
        ivs[d] = pivs[d];
      SmallVector<Value> accs;
      for (OpOperand &init : op.getDpsInitsMutable())
        accs.push_back(loadAt(b, loc, op, init, ivs));
      auto loop = scf::ForOp::create(
          b, loc, zero, usedChunks, one, accs,
          [&](OpBuilder &b, Location loc, Value s, ValueRange args) {
            SmallVector<Value> next;
            for (unsigned k = 0; k < numInits; ++k) {
              SmallVector<Value> at{s};
              llvm::append_range(at, pivs);
              Value part = memref::LoadOp::create(b, loc, partials[k], at);
              Operation *c = combiners[k];
              BlockArgument acc =
                  op.getMatchingBlockArgument(&op.getDpsInitsMutable()[k]);
              IRMapping map;
              for (Value operand : c->getOperands())
                map.map(operand, operand == acc ? args[k] : part);
              next.push_back(b.clone(*c, map)->getResult(0));
            }
            scf::YieldOp::create(b, loc, next);
          });
      for (auto [k, init] : llvm::enumerate(op.getDpsInitsMutable()))
        memref::StoreOp::create(b, loc, loop.getResult(k), init.get(),
                                indicesAt(b, loc, op, init, ivs));
    };
    if (numParallel == 0 && !gpu) {
      // A total reduction on the CPU: one point, combined on the calling
      // thread (a parallel region of one iteration would fork the team
      // for it).
      combine(b, loc, {});
    } else {
      // On the GPU a total reduction's point is a single-iteration kernel,
      // so that the host never touches device memory.
      SmallVector<Value> ubs2(ubs.begin(), ubs.begin() + numParallel);
      if (numParallel == 0)
        ubs2.push_back(one);
      scf::ParallelOp::create(b, loc, SmallVector<Value>(ubs2.size(), zero),
                              ubs2, SmallVector<Value>(ubs2.size(), one),
                              combine);
    }
    for (Value partial : partials)
      memref::DeallocOp::create(b, loc, partial);
    return true;
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<linalg::LinalgOp> ops;
    fn.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    IRRewriter rewriter(ctx);
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics()) {
        op->emitError("cscc-parallel-loops expects linalg ops on buffers");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      op = parallelFirst(rewriter, op);
      int64_t work = estimatedWork(op);
      if (collapse)
        op = collapseInner(rewriter, op);
      rewriter.setInsertionPoint(op);
      unsigned n = parallelDims(op, work);
      // A reduction left without a parallel loop (a total sum) would run
      // on one thread: split it too on the CPU.
      if (splitReductions > 0 && isRegisterReduction(op) &&
          (gpu ? n == parallelDimsOf(op) : n == 0) &&
          splitReduction(rewriter, op, work)) {
        rewriter.eraseOp(op);
        continue;
      }
      if (gpu && n == 0) {
        // Nothing to share out (a total sum, a 0-d op): a single-iteration
        // scf.parallel, so that it still becomes a (one-thread) kernel and
        // the host never touches device memory.
        Location loc = op.getLoc();
        Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
        Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
        auto single = scf::ParallelOp::create(rewriter, loc, zero, one, one);
        rewriter.moveOpBefore(op, single.getBody()->getTerminator());
        rewriter.setInsertionPoint(op);
      }
      if (isRegisterReduction(op)) {
        rewriter.setInsertionPoint(op);
        lowerReduction(rewriter, op, n);
        rewriter.eraseOp(op);
        continue;
      }
      FailureOr<linalg::LinalgLoops> loops =
          linalg::linalgOpToLoops(rewriter, op);
      if (failed(loops)) {
        // linalgOpToLoops fails only on ops without buffer semantics,
        // checked above: an internal error.
        op->emitError("cscc-parallel-loops: internal error: cannot lower "
                      "this linalg op to loops");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
      if (n > 0 && loops->size() >= n)
        toParallel(rewriter, *loops, n);
    }
    // The foldings convert-linalg-to-loops applies after lowering.
    RewritePatternSet patterns(ctx);
    memref::DimOp::getCanonicalizationPatterns(patterns, ctx);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    (void)applyPatternsGreedily(fn, std::move(patterns));
  }
};
} // namespace
