//===- DeviceBuffers.cpp - buffers in GPU memory, host arguments copied ---===//
//
// cscc-device-buffers, after the loops became kernels (cscc-parallel-to-gpu):
//  - every buffer a function allocates lives in GPU memory: memref.alloc and
//    memref.dealloc become gpu.alloc and gpu.dealloc;
//  - a public function (an entry point the runtime calls) keeps its host
//    ABI: each buffer argument is copied into GPU memory on entry, and
//    copied back before returning when the function may write it (a store
//    or a call that takes it or a view of it), then freed;
//  - the runtime functions the code calls that `device-kernels` maps (the
//    host library's convolutions, HOST:DEVICE) are replaced by what they
//    map to, which takes GPU memory. The target supplies the map
//    (lib/Target/CUDA): this pass knows no library's names.
// A buffer read or written on the host after this (outside a gpu.launch)
// would be a GPU pointer dereferenced by the CPU: an error names the op.
// The one exception: a scalar an entry point reads on the host from an
// argument it never writes (a hyperparameter) is read from the host's copy.
//
// Copying the arguments at every call keeps the runtime (trainer,
// checkpoints, data loader) unchanged; for the models of the papers the
// parameters and a batch are a few MiB, copied in microseconds on PCIe 5.
//
//===----------------------------------------------------------------------===//
#include "cscc/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::cscc {
#define GEN_PASS_DEF_CSCCDEVICEBUFFERS
#include "cscc/Conversion/Passes.h.inc"
} // namespace mlir::cscc

using namespace mlir;

namespace {

struct DeviceBuffersPass
    : mlir::cscc::impl::CsccDeviceBuffersBase<DeviceBuffersPass> {
  using Base::Base;

  /// A scalar the host reads from an entry point's argument that nothing
  /// writes (the optimiser's hyperparameters): the host's copy stays
  /// right, so the load stays on the host instead of becoming a kernel and
  /// a copy back.
  static bool isHostRead(Operation *op) {
    auto load = dyn_cast<memref::LoadOp>(op);
    if (!load || op->getParentOfType<gpu::LaunchOp>())
      return false;
    auto arg = dyn_cast<BlockArgument>(load.getMemref());
    auto fn = op->getParentOfType<func::FuncOp>();
    return arg && fn && fn.isPublic() &&
           arg.getOwner() == &fn.getBody().front() &&
           !mayBeWritten(arg, nullptr);
  }

  /// Whether `op` reads or writes buffer contents on the host.
  static bool touchesBufferOnHost(Operation *op) {
    if (isHostRead(op))
      return false;
    if (isa<memref::LoadOp, memref::StoreOp, memref::CopyOp,
            memref::AllocaOp>(op))
      return true;
    // linalg ops, vector transfers, ...: anything else with a read or
    // write effect on a memref operand (allocation and free are not).
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects || isa<CallOpInterface>(op))
      return false;
    for (Value v : op->getOperands()) {
      if (!isa<MemRefType>(v.getType()))
        continue;
      if (effects.getEffectOnValue<MemoryEffects::Read>(v) ||
          effects.getEffectOnValue<MemoryEffects::Write>(v))
        return true;
    }
    return false;
  }

  /// Whether a call may write the buffer it gets as `operand`: unless the
  /// callee declares the argument read-only (bufferization.access "read"
  /// or "none", as the runtime's convolution kernels do), it may.
  static bool callMayWrite(OpOperand &operand) {
    auto call = dyn_cast<func::CallOp>(operand.getOwner());
    if (!call)
      return true;
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (!callee)
      return true;
    auto access = callee.getArgAttrOfType<StringAttr>(
        operand.getOperandNumber(), "bufferization.access");
    return !access ||
           (access.getValue() != "read" && access.getValue() != "none");
  }

  /// Whether the buffer `v` (or a view of it) may be written by one of its
  /// users other than `except`: a write effect, or a call that may write it
  /// (callMayWrite).
  static bool mayBeWritten(Value v, Operation *except) {
    SmallVector<Value> worklist{v};
    while (!worklist.empty()) {
      Value buffer = worklist.pop_back_val();
      for (OpOperand &use : buffer.getUses()) {
        Operation *user = use.getOwner();
        if (user == except || isa<gpu::DeallocOp, memref::DeallocOp>(user))
          continue;
        if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
          if (view.getViewSource() == buffer) {
            llvm::append_range(worklist, user->getResults());
            continue;
          }
        }
        if (isa<CallOpInterface>(user)) {
          if (callMayWrite(use))
            return true;
          continue;
        }
        auto effects = dyn_cast<MemoryEffectOpInterface>(user);
        if (!effects || effects.getEffectOnValue<MemoryEffects::Write>(buffer))
          return true;
      }
    }
    return false;
  }

  LogicalResult moveAllocations(IRRewriter &rewriter, func::FuncOp fn) {
    SmallVector<Operation *> ops;
    fn.walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::DeallocOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return op->emitError("cscc-device-buffers: a kernel allocates or "
                             "frees a buffer; only the host can");
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        rewriter.replaceOp(alloc, gpu::AllocOp::create(
                                      rewriter, alloc.getLoc(),
                                      alloc.getType(), Type(), ValueRange(),
                                      alloc.getDynamicSizes(),
                                      alloc.getSymbolOperands())
                                      .getMemref());
      } else {
        auto dealloc = cast<memref::DeallocOp>(op);
        gpu::DeallocOp::create(rewriter, dealloc.getLoc(), Type(),
                               ValueRange(), dealloc.getMemref());
        rewriter.eraseOp(dealloc);
      }
    }
    return success();
  }

  /// Host arguments of an entry point copied in (and back out).
  LogicalResult copyArguments(IRRewriter &rewriter, func::FuncOp fn) {
    Block &entry = fn.getBody().front();
    SmallVector<func::ReturnOp> returns;
    fn.walk([&](func::ReturnOp r) { returns.push_back(r); });
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || arg.use_empty())
        continue;
      if (!type.getLayout().isIdentity())
        return fn.emitError("cscc-device-buffers: argument #")
               << arg.getArgNumber() << " of @" << fn.getSymName()
               << " has a non-identity layout " << type
               << "; entry points take dense buffers "
                  "(one-shot-bufferize{function-boundary-type-conversion="
                  "identity-layout-map})";
      Location loc = arg.getLoc();
      rewriter.setInsertionPointToStart(&entry);
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          sizes.push_back(memref::DimOp::create(rewriter, loc, arg, d));
      Value device =
          gpu::AllocOp::create(rewriter, loc, type, Type(), ValueRange(),
                               sizes, ValueRange())
              .getMemref();
      auto copyIn = gpu::MemcpyOp::create(rewriter, loc, Type(), ValueRange(),
                                          device, arg);
      // Every use but the copy, the sizes (read from the host's
      // descriptor) and the host's own scalar reads (isHostRead) now reads
      // the device copy.
      SmallPtrSet<Operation *, 4> keep{copyIn};
      for (Value size : sizes)
        keep.insert(size.getDefiningOp());
      rewriter.replaceUsesWithIf(arg, device, [&](OpOperand &use) {
        return !keep.contains(use.getOwner()) && !isHostRead(use.getOwner());
      });
      bool written = mayBeWritten(device, copyIn);
      for (func::ReturnOp r : returns) {
        rewriter.setInsertionPoint(r);
        if (written)
          gpu::MemcpyOp::create(rewriter, loc, Type(), ValueRange(), arg,
                                device);
        gpu::DeallocOp::create(rewriter, loc, Type(), ValueRange(), device);
      }
    }
    return success();
  }

  /// Calls of the mapped host kernels redirected to their device variants.
  LogicalResult redirectRuntimeCalls(ModuleOp module,
                                     const llvm::StringMap<std::string> &map) {
    SymbolTable symbols(module);
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) { calls.push_back(call); });
    for (func::CallOp call : calls) {
      StringRef callee = call.getCallee();
      auto decl = symbols.lookup<func::FuncOp>(callee);
      auto mapped = map.find(callee);
      if (!decl || !decl.isExternal() || mapped == map.end())
        continue;
      const std::string &name = mapped->second;
      auto deviceDecl = symbols.lookup<func::FuncOp>(name);
      if (!deviceDecl) {
        deviceDecl = decl.clone();
        deviceDecl.setSymName(name);
        symbols.insert(deviceDecl, Block::iterator(decl));
      } else if (deviceDecl.getFunctionType() != decl.getFunctionType()) {
        return call.emitError("cscc-device-buffers: @")
               << name << " is declared with type "
               << deviceDecl.getFunctionType() << ", but @" << callee
               << " has type " << decl.getFunctionType();
      }
      call.setCallee(name);
    }
    for (func::FuncOp fn :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (fn.isExternal() && map.contains(fn.getSymName()) &&
          SymbolTable::symbolKnownUseEmpty(fn, module))
        fn.erase();
    return success();
  }

  /// `device-kernels` as a map; fails on an entry that is not two
  /// different, non-empty names.
  LogicalResult parseDeviceKernels(ModuleOp module,
                                   llvm::StringMap<std::string> &map) {
    for (const std::string &entry : deviceKernels) {
      auto [host, device] = StringRef(entry).split(':');
      if (host.empty() || device.empty() || host == device)
        return module.emitError("cscc-device-buffers: device-kernels entry '")
               << entry
               << "' is not HOST:DEVICE, two different non-empty names";
      map[host] = device.str();
    }
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<std::string> map;
    if (failed(parseDeviceKernels(module, map)))
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (func::FuncOp fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      // Everything that reads or writes a buffer must run in a kernel.
      WalkResult host = fn.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (isa<gpu::LaunchOp>(op))
          return WalkResult::skip();
        if (touchesBufferOnHost(op)) {
          op->emitError("cscc-device-buffers: '")
              << op->getName()
              << "' reads or writes a buffer on the host, but buffers live "
                 "in GPU memory; lower it into a kernel first "
                 "(cscc-parallel-loops{gpu}, cscc-parallel-to-gpu)";
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (host.wasInterrupted())
        return signalPassFailure();
      if (failed(moveAllocations(rewriter, fn)))
        return signalPassFailure();
      if (fn.isPublic() && failed(copyArguments(rewriter, fn)))
        return signalPassFailure();
    }
    if (failed(redirectRuntimeCalls(module, map)))
      return signalPassFailure();
  }
};

} // namespace
