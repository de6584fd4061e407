//===- TensorFileChecks.cpp - cscc-runtime-check: tensor files --------------===//
//
// safetensors and .npy reading and writing, and weight initialisation into
// .npy files.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"

#include "cscc/Runtime/Init.h"
#include "cscc/Runtime/Npy.h"
#include "cscc/Runtime/Safetensors.h"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

using namespace cscc::rt;
using namespace runtime_check;

namespace {

int cmdSafetensorsList(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({});
  args.expectPositionals(1, "safetensors-list FILE");
  TensorFile f = readSafetensors(args.positionals()[0]);
  for (const auto &[k, v] : f.metadata)
    std::printf("metadata %s = %s\n", k.c_str(), v.c_str());
  for (const auto &[name, t] : f.tensors)
    std::printf("%s %s %s\n", name.c_str(), dtypeName(t.dtype),
                shapeString(t.shape).c_str());
  return 0;
}

int cmdSafetensorsRoundtrip(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({});
  args.expectPositionals(2, "safetensors-roundtrip IN OUT");
  writeSafetensors(args.positionals()[1], readSafetensors(args.positionals()[0]));
  return 0;
}

int cmdSafetensorsPack(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({"--meta"});
  if (args.positionals().empty())
    throw UsageError("expected safetensors-pack OUT NAME=FILE.npy...");
  TensorFile f;
  for (size_t i = 1; i < args.positionals().size(); ++i) {
    const std::string &s = args.positionals()[i];
    size_t eq = s.find('=');
    if (eq == std::string::npos)
      throw UsageError("expected NAME=FILE.npy, got '" + s + "'");
    f.tensors[s.substr(0, eq)] = readNpy(s.substr(eq + 1));
  }
  for (const std::string &m : args.all("--meta")) {
    size_t eq = m.find('=');
    if (eq == std::string::npos)
      throw UsageError("expected --meta KEY=VALUE, got '" + m + "'");
    f.metadata[m.substr(0, eq)] = m.substr(eq + 1);
  }
  writeSafetensors(args.positionals()[0], f);
  return 0;
}

int cmdSafetensorsGet(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({"-o"});
  args.expectPositionals(2, "safetensors-get FILE NAME -o OUT.npy");
  if (!args.has("-o"))
    throw UsageError("safetensors-get needs -o OUT.npy");
  TensorFile f = readSafetensors(args.positionals()[0]);
  writeNpy(args.get("-o"), f.get(args.positionals()[1]));
  return 0;
}

int cmdNpyInfo(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({});
  args.expectPositionals(1, "npy-info FILE");
  Tensor t = readNpy(args.positionals()[0]);
  std::printf("%s %s\n", npyDescr(t.dtype).c_str(),
              shapeString(t.shape).c_str());
  return 0;
}

int cmdNpyRoundtrip(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({});
  args.expectPositionals(2, "npy-roundtrip IN OUT");
  writeNpy(args.positionals()[1], readNpy(args.positionals()[0]));
  return 0;
}

int cmdNpyConvert(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({"--dtype", "-o"});
  args.expectPositionals(1, "npy-convert IN --dtype f32|f64 -o OUT");
  if (!args.has("-o") || !args.has("--dtype"))
    throw UsageError("npy-convert needs --dtype and -o");
  writeNpy(args.get("-o"),
           convertDType(readNpy(args.positionals()[0]), parseDType(args.get("--dtype"))));
  return 0;
}

int cmdInit(int argc, char **argv) {
  CommandLine args = CommandLine::fromArgv(argc, argv, 1, {});
  args.allowOnly({"--seed", "--dtype", "-o"});
  args.expectPositionals(2, "init KIND SHAPE --seed N -o OUT.npy");
  if (!args.has("-o") || !args.has("--seed"))
    throw UsageError("init needs --seed N and -o OUT.npy");
  int64_t seed = parseInteger(args.get("--seed"), "seed");
  Rng rng(static_cast<uint64_t>(seed));
  Tensor t = initTensor(args.positionals()[0], parseShape(args.positionals()[1]), rng,
                        parseDType(args.get("--dtype", "f32")));
  writeNpy(args.get("-o"), t);
  return 0;
}

} // namespace

CheckFamily runtime_check::tensorFileChecks() {
  CheckFamily family;
  family.usage = R"(  safetensors-list FILE               metadata, then NAME DTYPE [SHAPE]
  safetensors-roundtrip IN OUT        read IN, write it as OUT
  safetensors-pack OUT NAME=FILE.npy... [--meta KEY=VALUE]...
  safetensors-get FILE NAME -o OUT.npy
  npy-info FILE                       DESCR [SHAPE]
  npy-roundtrip IN OUT
  npy-convert IN --dtype f32|f64 -o OUT
  init KIND SHAPE --seed N [--dtype f32|f64] -o OUT.npy
      KIND: kaiming, authors, zeros, ones; SHAPE: e.g. 64,3,3,3
)";
  family.checks = {
      {"safetensors-list", cmdSafetensorsList},
      {"safetensors-roundtrip", cmdSafetensorsRoundtrip},
      {"safetensors-pack", cmdSafetensorsPack},
      {"safetensors-get", cmdSafetensorsGet},
      {"npy-info", cmdNpyInfo},
      {"npy-roundtrip", cmdNpyRoundtrip},
      {"npy-convert", cmdNpyConvert},
      {"init", cmdInit},
  };
  return family;
}
