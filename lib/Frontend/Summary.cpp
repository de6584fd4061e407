//===- Summary.cpp - The table of `cscc summary` --------------------------===//
#include "cscc/Frontend/Sema.h"

#include <algorithm>
#include <iomanip>
#include <ostream>

namespace cscc {

void printSummary(const Model &m, std::ostream &os) {
  os << "model " << m.name << ": input " << m.input.str() << "\n";
  if (!m.params.empty()) {
    os << "parameters:";
    for (const auto &[n, v] : m.params)
      os << " " << n << "=" << v;
    os << "\n";
  }
  auto kindOf = [](const Layer &l) {
    std::string kind = layerKindName(l.kind);
    if (l.kind == LayerKind::Pursuit || l.kind == LayerKind::Stack) {
      kind += std::string("/") + kindWord(l.opts.solver);
      if (l.opts.unfold)
        kind += "x" + std::to_string(l.opts.unfold);
    }
    return kind;
  };
  // Columns are at least as wide as before and always leave two spaces.
  size_t nameW = 4, kindW = 16, outW = 16;
  for (const auto &l : m.layers) {
    nameW = std::max(nameW, l.name.size());
    kindW = std::max(kindW, kindOf(l).size());
    outW = std::max(outW, l.out.str().size());
  }
  os << std::left << std::setw(5) << "#" << std::setw(nameW + 2) << "name"
     << std::setw(kindW + 2) << "kind" << std::setw(outW + 2) << "output"
     << std::setw(7) << "code" << "params\n";
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Layer &l = m.layers[i];
    bool coded = l.kind == LayerKind::Pursuit || l.kind == LayerKind::Stack;
    std::string code = coded ? std::to_string(l.out.c) : std::string("-");
    os << std::left << std::setw(5) << i << std::setw(nameW + 2) << l.name
       << std::setw(kindW + 2) << kindOf(l) << std::setw(outW + 2)
       << l.out.str() << std::setw(std::max<size_t>(7, code.size() + 2))
       << code << l.parameterCount << "\n";
  }
  if (m.loss)
    os << "loss: " << kindWord(*m.loss) << "\n";
  for (const auto &p : m.penalties)
    os << "penalty: " << kindWord(p.kind) << "(" << p.name << ", " << p.weight << ")\n";
  os << "total parameters: " << m.totalParameters() << "\n";
}

} // namespace cscc
