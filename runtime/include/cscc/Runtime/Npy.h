//===- Npy.h - read and write NumPy .npy files -------------------*- C++ -*-===//
//
// The .npy format, versions 1.0, 2.0 and 3.0: "\x93NUMPY", major and minor
// version bytes, the header length (2 bytes little-endian in 1.0, 4 bytes in
// 2.0/3.0), then a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the data.
//
// Supported descr: '<f2' '<f4' '<f8', '<i1'/'|i1' '<i2' '<i4' '<i8',
// '<u1'/'|u1' '<u2' '<u4' '<u8', '|b1' ('=' for native order is read as
// little-endian). Only C order (fortran_order False) and little-endian data.
//
// Reading validates everything and throws std::runtime_error
// ".npy file 'PATH': WHAT; WHAT TO DO" (bad magic, unsupported version, a
// header past the end of the file, a malformed or incomplete header, an
// unknown or big-endian descr, Fortran order, a data size that does not
// match the shape). Writing produces version 1.0 (2.0 when the header needs
// more than 65535 bytes) with the header padded so the data starts at a
// multiple of 64 bytes, through writeFileAtomic (temporary file + rename).
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_NPY_H
#define CSCC_RUNTIME_NPY_H

#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cscc::rt {

Tensor readNpy(const std::string &path);
void writeNpy(const std::string &path, const Tensor &t);

/// The same on bytes in memory; `name` stands for the file in messages.
Tensor parseNpy(const std::vector<uint8_t> &bytes, const std::string &name);
std::vector<uint8_t> serializeNpy(const Tensor &t);

/// The descr written for a dtype ("<f4", "|u1", ...); throws
/// std::invalid_argument for BF16 and the 8-bit floats, which .npy lacks.
std::string npyDescr(DType dt);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_NPY_H
