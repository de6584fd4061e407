//===- ModelInputs.h - Weights, images and labels for a model --*- C++ -*-===//
//
// What `cscc run` and `cscc grad` call a compiled model on, read from files
// and checked against its signature, with errors that name the file, the
// tensor and what the model needs.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_EXECUTION_MODELINPUTS_H
#define CSCC_EXECUTION_MODELINPUTS_H

#include "cscc/Execution/JitModel.h"
#include "cscc/Runtime/Tensor.h"

#include <string>
#include <vector>

namespace cscc {

/// The weights (.safetensors) in the model's order and dtype; a clear error
/// for a missing, misshapen or unexpected tensor.
std::vector<rt::Tensor> loadWeights(const std::string &path,
                                    const ModelSignature &sig);

/// An NCHW batch (.npy) of the model's image size, converted to its dtype.
rt::Tensor loadInput(const std::string &path, const ModelSignature &sig);

/// Labels [n] (.npy of int64, int32 or uint8) as int64 in [0, classes);
/// classes 0: not range-checked.
rt::Tensor loadLabels(const std::string &path, int64_t n, int64_t classes);

} // namespace cscc

#endif // CSCC_EXECUTION_MODELINPUTS_H
