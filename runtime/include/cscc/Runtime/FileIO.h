//===- FileIO.h - whole-file reads and crash-safe writes ---------*- C++ -*-===//
#ifndef CSCC_RUNTIME_FILEIO_H
#define CSCC_RUNTIME_FILEIO_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cscc::rt {

/// The whole file; throws std::runtime_error "cannot read 'PATH': REASON".
std::vector<uint8_t> readFileBytes(const std::string &path);

struct ByteChunk {
  const void *data;
  size_t size;
};

/// Writes the chunks, in order, as the new content of `path`, so that `path`
/// is either its old self or the complete new file, even after a crash:
/// a temporary file in the same directory (PATH.tmpXXXXXX) is written,
/// fsync'ed, renamed over `path`, and the directory is fsync'ed. The new
/// file gets mode 0666 minus the umask. Throws std::runtime_error naming the
/// file and the failing step; the temporary file is removed on failure.
void writeFileAtomic(const std::string &path,
                     const std::vector<ByteChunk> &chunks);

} // namespace cscc::rt

#endif // CSCC_RUNTIME_FILEIO_H
