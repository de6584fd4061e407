//===- ModelInputs.cpp - Weights, images and labels for a model -----------===//
#include "cscc/Execution/ModelInputs.h"

#include "cscc/Runtime/Npy.h"
#include "cscc/Runtime/Safetensors.h"

#include <set>
#include <stdexcept>

namespace cscc {

std::vector<rt::Tensor> loadWeights(const std::string &path,
                                    const ModelSignature &sig) {
  rt::TensorFile file = rt::readSafetensors(path);
  rt::DType want = sig.f64 ? rt::DType::F64 : rt::DType::F32;
  std::vector<rt::Tensor> out;
  std::set<std::string> used;
  for (const ParamInfo &p : sig.params) {
    const rt::Tensor *t = file.find(p.name);
    if (!t)
      throw std::runtime_error(
          "weights file '" + path + "' has no tensor '" + p.name +
          "' that the model needs (" + std::to_string(sig.params.size()) +
          " tensors, see 'cscc summary --weights'); was it written for "
          "another model? 'cscc init' writes a complete file");
    if (t->shape != p.shape)
      throw std::runtime_error("weights file '" + path + "': tensor '" +
                               p.name + "' has shape " +
                               rt::shapeString(t->shape) +
                               ", the model needs " +
                               rt::shapeString(p.shape));
    // The runtime's one rule (eval, predict and resume apply it too):
    // F32 or F64, finite, running variances >= 0.
    if (std::string why = rt::weightProblem(p.name, *t); !why.empty())
      throw std::runtime_error("weights file '" + path + "': " + why);
    out.push_back(rt::convertDType(*t, want));
    used.insert(p.name);
  }
  for (const auto &[name, t] : file.tensors)
    if (!used.count(name))
      throw std::runtime_error("weights file '" + path +
                               "' has a tensor '" + name +
                               "' that the model does not have; was it "
                               "written for another model?");
  return out;
}

rt::Tensor loadInput(const std::string &path, const ModelSignature &sig) {
  rt::Tensor x = rt::readNpy(path);
  std::vector<int64_t> want(sig.input.begin() + 1, sig.input.end());
  if (x.shape.size() != 4 ||
      std::vector<int64_t>(x.shape.begin() + 1, x.shape.end()) != want)
    throw std::runtime_error(
        "input '" + path + "' has shape " + rt::shapeString(x.shape) +
        "; the model takes [N, " + std::to_string(want[0]) + ", " +
        std::to_string(want[1]) + ", " + std::to_string(want[2]) +
        "] (NCHW)");
  if (x.dtype != rt::DType::F32 && x.dtype != rt::DType::F64)
    throw std::runtime_error("input '" + path + "' is " +
                             rt::dtypeName(x.dtype) +
                             "; use float32 or float64");
  return rt::convertDType(x, sig.f64 ? rt::DType::F64 : rt::DType::F32);
}

rt::Tensor loadLabels(const std::string &path, int64_t n, int64_t classes) {
  rt::Tensor l = rt::readNpy(path);
  if (l.shape.size() != 1 || l.shape[0] != n)
    throw std::runtime_error("labels '" + path + "' have shape " +
                             rt::shapeString(l.shape) + "; expected [" +
                             std::to_string(n) + "], one per input image");
  std::vector<int64_t> values(n);
  for (int64_t i = 0; i < n; ++i) {
    switch (l.dtype) {
    case rt::DType::I64: values[i] = l.as<int64_t>()[i]; break;
    case rt::DType::I32: values[i] = l.as<int32_t>()[i]; break;
    case rt::DType::U8: values[i] = l.as<uint8_t>()[i]; break;
    default:
      throw std::runtime_error("labels '" + path + "' are " +
                               rt::dtypeName(l.dtype) +
                               "; use int64, int32 or uint8 class indices");
    }
    if (values[i] < 0 || (classes > 0 && values[i] >= classes))
      throw std::runtime_error("labels '" + path + "': entry " +
                               std::to_string(i) + " is " +
                               std::to_string(values[i]) +
                               ", outside the model's classes [0, " +
                               std::to_string(classes) + ")");
  }
  return rt::Tensor::fromValues<int64_t>({n}, values);
}

} // namespace cscc
