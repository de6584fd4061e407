//===- Safetensors.h - read and write .safetensors files ---------*- C++ -*-===//
//
// The safetensors format (checkpoints, docs/design.md §5):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   a JSON object: {"NAME": {"dtype": "F32", "shape": [2, 3],
//             "data_offsets": [BEGIN, END]}, ..., "__metadata__": {"k": "v"}}
//             (metadata optional), possibly padded with spaces
//   the data  each tensor's bytes, C order, little-endian; offsets are
//             relative to the start of this section
//
// Writing: the header's keys are sorted (names in TensorFile are a sorted
// std::map; "__metadata__" is written only when there is metadata), the
// header is padded with spaces to a multiple of 8 bytes so the data starts
// 8-byte aligned, and the data is laid out back to back from offset 0 by
// element size, largest first, then by name (the reference implementation's
// order), so every tensor is aligned to its element size. The file goes
// through writeFileAtomic (temporary file, fsync, rename).
//
// Reading validates the whole file and throws std::runtime_error
// "safetensors file 'PATH': WHAT; WHAT TO DO" for: a file shorter than 8
// bytes, a header length past the end of the file (or over 100 MB), a header
// that is not JSON or not an object of the shape above, an unknown dtype, a
// negative or non-integer extent, offsets out of order, out of range,
// overlapping or leaving gaps, a byte count that is not dtype size *
// prod(shape), and a data section longer than the tensors.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_SAFETENSORS_H
#define CSCC_RUNTIME_SAFETENSORS_H

#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cscc::rt {

struct TensorFile {
  std::map<std::string, Tensor> tensors;       ///< by name (sorted)
  std::map<std::string, std::string> metadata; ///< "__metadata__"

  /// nullptr when absent.
  const Tensor *find(const std::string &name) const;
  /// Throws std::runtime_error naming the missing tensor and the file's
  /// tensors.
  const Tensor &get(const std::string &name) const;
};

TensorFile readSafetensors(const std::string &path);
void writeSafetensors(const std::string &path, const TensorFile &file);
void writeSafetensors(const std::string &path,
                      const std::map<std::string, Tensor> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

/// The same on bytes in memory; `name` stands for the file in messages.
TensorFile parseSafetensors(const std::vector<uint8_t> &bytes,
                            const std::string &name);
std::vector<uint8_t> serializeSafetensors(const TensorFile &file);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_SAFETENSORS_H
