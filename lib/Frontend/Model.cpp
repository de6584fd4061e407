//===- Model.cpp - Shapes and parameter counts of the elaborated model ----===//
#include "cscc/Frontend/Model.h"

namespace cscc {

std::string Shape::str() const {
  return "[" + std::to_string(c) + ", " + std::to_string(h) + ", " +
         std::to_string(w) + "]";
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padding) {
  int64_t span = in + 2 * padding - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  return span / stride + 1;
}

int64_t Dictionary::codeChannels() const {
  int64_t k = 0;
  for (const auto &b : blocks)
    k += b.codeChannels;
  return k;
}

int64_t Dictionary::convCodeChannels() const {
  int64_t k = 0;
  for (const auto &b : blocks)
    if (!b.identity)
      k += b.codeChannels;
  return k;
}

int64_t Dictionary::weightCount() const {
  int64_t n = 0;
  for (const auto &b : blocks)
    for (const auto &c : b.chain)
      n += c.weightCount();
  return n;
}

std::string Dictionary::str() const {
  std::string s = "[";
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i)
      s += ", ";
    const auto &b = blocks[i];
    if (b.identity) {
      s += "identity";
      continue;
    }
    for (size_t j = 0; j < b.chain.size(); ++j) {
      const auto &c = b.chain[j];
      if (j)
        s += " >> ";
      s += "conv(" + std::to_string(c.out) + ", " + std::to_string(c.kernel);
      if (c.dilation != 1)
        s += ", dilation = " + std::to_string(c.dilation);
      if (c.stride != 1)
        s += ", stride = " + std::to_string(c.stride);
      if (c.padding != 0)
        s += ", padding = " + std::to_string(c.padding);
      s += ")";
    }
  }
  return s + "]";
}

const char *layerKindName(LayerKind k) {
  switch (k) {
  case LayerKind::Conv: return "conv";
  case LayerKind::BatchNorm: return "bn";
  case LayerKind::Relu: return "relu";
  case LayerKind::MaxPool: return "maxpool";
  case LayerKind::AvgPool: return "avgpool";
  case LayerKind::GlobalAvgPool: return "global_avgpool";
  case LayerKind::Linear: return "linear";
  case LayerKind::Shortcut: return "shortcut";
  case LayerKind::Pursuit: return "pursuit";
  case LayerKind::Stack: return "stack";
  }
  return "?";
}

int64_t Model::totalParameters() const {
  int64_t n = 0;
  for (const auto &l : layers)
    n += l.parameterCount;
  return n;
}

std::vector<DictionaryUse> Model::dictionaryUses() const {
  std::vector<DictionaryUse> uses;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer &l = layers[i];
    bool hasStep = l.opts.step != Step::None;
    bool normalised = false;
    switch (l.opts.bn) {
    case BnPlacement::Prox:
      normalised = true;
      break;
    case BnPlacement::None:
    case BnPlacement::Analysis: // D^T D G is not normalised
      break;
    }
    switch (l.kind) {
    case LayerKind::Pursuit: {
      DictionaryUse u;
      u.layer = i;
      u.name = l.name;
      u.step = hasStep ? l.name + ".step" : "";
      u.signal = l.in;
      u.code = l.out;
      u.normalised = normalised;
      u.iterated = l.opts.unfold > 0;
      uses.push_back(u);
      break;
    }
    case LayerKind::Stack: {
      // Every level keeps the spatial size (Sema checks it).
      Shape signal = l.in;
      for (size_t j = 0; j < l.dicts.size(); ++j) {
        DictionaryUse u;
        u.layer = i;
        u.level = j;
        u.name = l.name + "." + std::to_string(j);
        u.step = hasStep ? u.name + ".step" : "";
        u.signal = signal;
        u.code = Shape{l.dicts[j].codeChannels(), signal.h, signal.w};
        signal = u.code;
        u.normalised = normalised;
        u.iterated = l.opts.unfold > 0;
        uses.push_back(u);
      }
      break;
    }
    case LayerKind::Conv:
    case LayerKind::BatchNorm:
    case LayerKind::Relu:
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
    case LayerKind::GlobalAvgPool:
    case LayerKind::Linear:
    case LayerKind::Shortcut:
      break;
    }
  }
  return uses;
}

} // namespace cscc
