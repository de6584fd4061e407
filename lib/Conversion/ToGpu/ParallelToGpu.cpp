//===- ParallelToGpu.cpp - scf.parallel loop nests to GPU kernels ---------===//
//
// cscc-parallel-to-gpu: each outermost scf.parallel of a function becomes a
// gpu.launch with one thread per iteration point, `block-size` threads per
// block in a one-dimensional grid. The points are numbered in row-major
// order over the loop's dimensions (the last one fastest: neighbouring
// threads touch neighbouring elements of an NCHW buffer) and the index
// is taken apart again with divisions by the trip counts.
//
// Upstream's route (gpu-map-parallel-loops, convert-parallel-loops-to-gpu)
// maps a loop's dimensions onto the three block and thread dimensions
// without tiling them: every point is a block of one thread, and
// dimensions beyond the third are sequential. cscc-parallel-loops{gpu}
// emits one scf.parallel per linalg op over all its parallel dimensions
// (any number), which this pass flattens.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCPARALLELTOGPU
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct ParallelToGpuPass
    : mlir::cscc::impl::CsccParallelToGpuBase<ParallelToGpuPass> {
  using Base::Base;

  /// ceil((ub - lb) / step) for a positive step.
  static Value tripCount(OpBuilder &b, Location loc, Value lb, Value ub,
                         Value step) {
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    return arith::CeilDivUIOp::create(b, loc, span, step);
  }

  LogicalResult convert(IRRewriter &rewriter, scf::ParallelOp loop) const {
    if (!loop.getInitVals().empty())
      return loop.emitError(
          "cscc-parallel-to-gpu: scf.parallel with reductions is not "
          "supported (cscc-parallel-loops keeps reductions sequential per "
          "point)");
    if (loop.getBody()->walk([](scf::ParallelOp) {
          return WalkResult::interrupt();
        }).wasInterrupted())
      return loop.emitError(
          "cscc-parallel-to-gpu: nested scf.parallel: a kernel's threads "
          "run one point each; make the inner loop sequential (scf.for)");
    Location loc = loop.getLoc();
    rewriter.setInsertionPoint(loop);
    SmallVector<Value> trips;
    Value total;
    for (auto [lb, ub, step] : llvm::zip(
             loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      Value trip = tripCount(rewriter, loc, lb, ub, step);
      trips.push_back(trip);
      total = total ? arith::MulIOp::create(rewriter, loc, total, trip) : trip;
    }
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value threads = arith::ConstantIndexOp::create(rewriter, loc, blockSize);
    Value blocks = arith::CeilDivUIOp::create(rewriter, loc, total, threads);
    auto launch = gpu::LaunchOp::create(rewriter, loc, blocks, one, one,
                                        threads, one, one);
    Block &body = launch.getBody().front();
    rewriter.setInsertionPointToStart(&body);
    // The point's number: block x * block size + thread x.
    Value id = arith::AddIOp::create(
        rewriter, loc,
        arith::MulIOp::create(rewriter, loc, launch.getBlockIds().x,
                              launch.getBlockSize().x),
        launch.getThreadIds().x);
    Value inRange = arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::ult, id, total);
    auto guard = scf::IfOp::create(rewriter, loc, inRange,
                                   /*withElseRegion=*/false);
    gpu::TerminatorOp::create(rewriter, loc);
    rewriter.setInsertionPointToStart(guard.thenBlock());
    // Row-major: the last dimension varies fastest.
    SmallVector<Value> ivs(trips.size());
    Value rest = id;
    for (int64_t d = trips.size() - 1; d >= 0; --d) {
      Value index = d == 0 ? rest
                           : arith::RemUIOp::create(rewriter, loc, rest,
                                                    trips[d]).getResult();
      if (d > 0)
        rest = arith::DivUIOp::create(rewriter, loc, rest, trips[d]);
      ivs[d] = arith::AddIOp::create(
          rewriter, loc, loop.getLowerBound()[d],
          arith::MulIOp::create(rewriter, loc, index, loop.getStep()[d]));
    }
    Block *loopBody = loop.getBody();
    rewriter.eraseOp(loopBody->getTerminator()); // scf.reduce, no operands
    rewriter.inlineBlockBefore(loopBody, guard.thenBlock()->getTerminator(),
                               ivs);
    rewriter.eraseOp(loop);
    return success();
  }

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError("cscc-parallel-to-gpu: block-size must be "
                               "between 1 and 1024 (CUDA's limit), got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip(); // already a kernel
      if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
        loops.push_back(loop);
        return WalkResult::skip(); // nested ones run inside the thread
      }
      return WalkResult::advance();
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : loops)
      if (failed(convert(rewriter, loop)))
        return signalPassFailure();
  }
};

} // namespace
