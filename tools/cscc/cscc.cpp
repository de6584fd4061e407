//===- cscc.cpp - The cscc driver -----------------------------------------===//
//
//   cscc summary FILE [-D name=value]... [--model NAME]
//   cscc [--emit=ast|mlir] FILE [-D name=value]... [--model NAME] [-o OUT]
//
// The front end (no MLIR) parses and elaborates; MLIRGen builds the csc
// dialect; shape inference and the verifier run before printing.
//===----------------------------------------------------------------------===//
#include "cscc/Dialect/Csc/CscDialect.h"
#include "cscc/Dialect/Csc/Passes.h"
#include "cscc/Frontend/Parser.h"
#include "cscc/Frontend/Sema.h"
#include "cscc/MLIRGen/MLIRGen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

const char *kUsage =
    "usage: cscc summary FILE [options]\n"
    "       cscc [--emit=ast|mlir] FILE [options]\n"
    "\n"
    "commands:\n"
    "  summary        print each layer's output shape, code channels and\n"
    "                 parameter count, then 'total parameters: N'\n"
    "  (none)         compile FILE and print the --emit form (default: mlir)\n"
    "\n"
    "options:\n"
    "  --emit=ast     the parsed syntax tree (before elaboration)\n"
    "  --emit=mlir    the model in the csc dialect, shapes inferred\n"
    "  --no-infer-shapes  with --emit=mlir: leave activation types unranked\n"
    "  --debuginfo    with --emit=mlir: print source locations\n"
    "  -D NAME=VALUE  override a 'param' of the model (repeatable)\n"
    "  --model NAME   pick a model when the file holds several\n"
    "  -o FILE        write the output to FILE instead of stdout\n"
    "  -h, --help     this text\n";

int usageError(const std::string &msg) {
  std::cerr << "cscc: error: " << msg << "\n"
            << "run 'cscc --help' for usage\n";
  return 1;
}

struct Options {
  std::string command; // "" or "summary"
  std::string emit = "mlir";
  std::string file;
  std::string output;
  std::string model;
  bool inferShapes = true;
  bool debugInfo = false;
  std::vector<cscc::ParamOverride> overrides;
};

/// Returns 0 on success, 1 on a usage error (already reported), 2 for help.
int parseArgs(int argc, char **argv, Options &o) {
  int i = 1;
  if (argc > 1 && std::strcmp(argv[1], "summary") == 0) {
    o.command = "summary";
    ++i;
  }
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string &flag) -> std::string {
      if (i + 1 >= argc)
        throw std::runtime_error(flag + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "-h" || a == "--help") {
        std::cout << kUsage;
        return 2;
      } else if (a.rfind("--emit=", 0) == 0) {
        o.emit = a.substr(7);
        if (o.emit != "ast" && o.emit != "mlir")
          return usageError("unknown --emit kind '" + o.emit +
                            "'; use --emit=ast or --emit=mlir");
      } else if (a == "--debuginfo") {
        o.debugInfo = true;
      } else if (a == "--no-infer-shapes") {
        o.inferShapes = false;
      } else if (a == "-D" || (a.rfind("-D", 0) == 0 && a.size() > 2)) {
        std::string kv = a == "-D" ? value("-D") : a.substr(2);
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
          return usageError("-D expects NAME=VALUE, got '" + kv + "'");
        o.overrides.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
      } else if (a == "--model") {
        o.model = value("--model");
      } else if (a == "-o") {
        o.output = value("-o");
      } else if (!a.empty() && a[0] == '-') {
        return usageError("unknown option '" + a + "'");
      } else if (o.file.empty()) {
        o.file = a;
      } else {
        return usageError("more than one input file ('" + o.file + "' and '" +
                          a + "')");
      }
    } catch (std::runtime_error &e) {
      return usageError(e.what());
    }
  }
  if (o.file.empty())
    return usageError("no input file");
  return 0;
}

/// Writes `text` to -o FILE (through a temporary file, so a failed write
/// never leaves half a file) or to stdout.
int writeOutput(const Options &o, const std::string &text) {
  if (o.output.empty()) {
    std::cout << text;
    return 0;
  }
  std::string tmp = o.output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) {
      std::cerr << "cscc: error: cannot write '" << o.output << "'\n";
      std::remove(tmp.c_str());
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), o.output.c_str()) != 0) {
    std::cerr << "cscc: error: cannot write '" << o.output << "'\n";
    std::remove(tmp.c_str());
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  if (int rc = parseArgs(argc, argv, opts))
    return rc == 2 ? 0 : rc;

  cscc::SourceManager sm;
  cscc::Module ast;
  cscc::Model model;
  try {
    ast = cscc::parseFile(sm, opts.file);
    if (opts.command.empty() && opts.emit == "ast") {
      std::ostringstream os;
      cscc::dumpAST(ast, sm, os);
      return writeOutput(opts, os.str());
    }
    model = cscc::elaborate(ast, sm, opts.overrides, opts.model);
  } catch (cscc::CompileError &err) {
    std::cerr << cscc::renderError(sm, err);
    return 1;
  } catch (std::exception &err) {
    // Anything else is a bug in cscc; still no crash and a clear message.
    std::cerr << "cscc: internal error: " << err.what() << "\n";
    return 1;
  }

  if (opts.command == "summary") {
    std::ostringstream os;
    cscc::printSummary(model, os);
    return writeOutput(opts, os.str());
  }

  mlir::MLIRContext context;
  context.loadDialect<mlir::csc::CscDialect, mlir::func::FuncDialect>();
  // Report every MLIR diagnostic and fail on errors (a verifier error must
  // not print a module and exit 0).
  bool failed = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      failed = true;
    return mlir::failure(); // let the default handler print it
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      cscc::mlirGen(context, model, sm);
  if (!module || failed)
    return 1;
  if (opts.inferShapes) {
    mlir::PassManager pm(&context);
    pm.addNestedPass<mlir::func::FuncOp>(mlir::csc::createShapeInferencePass());
    if (mlir::failed(pm.run(*module)) || failed)
      return 1;
  }
  if (mlir::failed(mlir::verify(*module)) || failed)
    return 1;
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  if (opts.debugInfo)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(os, flags);
  os.flush();
  return writeOutput(opts, text);
}
