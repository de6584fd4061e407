//===- Datasets.h - read image classification data sets ---------*- C++ -*-===//
//
// Readers for the on-disk formats of the data sets cscc trains on:
//
//  * IDX (MNIST, Fashion-MNIST): an images file, magic 0x00000803 (unsigned
//    bytes, 3 dimensions) then N, H, W as 32-bit big-endian integers and
//    N*H*W pixel bytes; a labels file, magic 0x00000801 then N and N label
//    bytes. Either file may be gzip-compressed (as distributed: *.gz); gzip
//    is recognised by its magic bytes 1f 8b, not by the file name.
//  * CIFAR binary version (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz):
//    fixed-size records, CIFAR-10 one label byte then 3072 pixel bytes,
//    CIFAR-100 a coarse and a fine label byte then 3072 pixel bytes (the fine
//    label is used). The pixels are 1024 red, 1024 green, 1024 blue bytes of
//    a 32x32 image, row-major: already [C, H, W].
//  * SVHN cropped digits (train_32x32.mat, test_32x32.mat): a MATLAB MAT
//    file (v5 as distributed, or v7.3 = HDF5; read with matio) holding X,
//    uint8 32x32x3xN in MATLAB's column-major order (X(h, w, c, n)), and y,
//    N labels 1..10 where 10 stands for the digit 0 (any real numeric class;
//    the distributed file stores doubles).
//
// Reading validates everything and throws std::runtime_error
// "IDX images file 'PATH': WHAT; WHAT TO DO" (or "IDX labels file",
// "CIFAR-10 file", "CIFAR-100 file", "SVHN file"): a missing or unreadable
// file, a wrong magic (naming the magic expected and what the file seems
// to be instead), truncated or over-long data (bytes expected vs present), corrupt or
// truncated gzip data, image/label count mismatch, a CIFAR file whose size
// is not a multiple of the record size, a label out of range; for SVHN a
// file that is not a MAT file (v4 files, which carry no header, included),
// a truncated one, a missing X or y, a wrong class, rank or dimensions
// (with a hint when X was saved in C order), a count mismatch, a label
// outside 1..10 or not an integer.
//
//===----------------------------------------------------------------------===//
#ifndef CSCC_RUNTIME_DATASETS_H
#define CSCC_RUNTIME_DATASETS_H

#include "cscc/Runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cscc::rt {

/// A labelled image set: images U8 [N, C, H, W] (C order), labels[i] in
/// [0, classes) for image i.
struct Dataset {
  Tensor images;
  std::vector<int64_t> labels;
  int64_t classes = 0;
};

/// An IDX images file and its labels file (each plain or gzip-compressed).
/// images has shape [N, 1, H, W]. IDX files do not record the number of
/// classes: classes is 10 (the MNIST family), or the largest label + 1 when
/// that is larger.
Dataset readIdx(const std::string &imagesPath, const std::string &labelsPath);

/// CIFAR-10 (classes 10) or CIFAR-100 (classes 100) binary batch files, read
/// in order and concatenated; images has shape [N, 3, 32, 32].
Dataset readCifar(const std::vector<std::string> &batchFiles, int classes);

/// SVHN cropped digits (train_32x32.mat or test_32x32.mat): images U8
/// [N, 3, 32, 32] (C order: X(h, w, c, n) becomes images[n][c][h][w]),
/// labels 0..9 (MATLAB's label 10 is the digit 0), classes 10.
Dataset readSvhn(const std::string &matPath);

/// The bytes of `bytes`, gunzipped when they start with the gzip magic 1f 8b
/// (every member of a multi-member file), else unchanged. `what` names the
/// file in messages ("IDX images file 'PATH'").
std::vector<uint8_t> gunzipIfCompressed(std::vector<uint8_t> bytes,
                                        const std::string &what);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_DATASETS_H
