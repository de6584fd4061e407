//===- Datasets.cpp - read image classification data sets ----------------===//
#include "cscc/Runtime/Datasets.h"

#include "cscc/Runtime/FileIO.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <matio.h>
#include <zlib.h>

namespace cscc::rt {

namespace {

[[noreturn]] void fail(const std::string &what, const std::string &msg) {
  throw std::runtime_error(what + ": " + msg);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string quoted(const std::string &kind, const std::string &path) {
  return kind + " '" + path + "'";
}

// The file's bytes; a file that cannot be read is reported with its kind.
std::vector<uint8_t> readDatasetFile(const std::string &path,
                                     const std::string &what) {
  try {
    return readFileBytes(path);
  } catch (const std::runtime_error &e) {
    std::string reason = e.what();
    // readFileBytes says "cannot read 'PATH': REASON"; keep the reason.
    std::string prefix = "cannot read '" + path + "': ";
    if (reason.compare(0, prefix.size(), prefix) == 0)
      reason = reason.substr(prefix.size());
    fail(what, "cannot read it (" + reason + "); check the path");
  }
}

uint32_t bigEndian32(const uint8_t *p) {
  return (static_cast<uint32_t>(p[0]) << 24) |
         (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

constexpr uint32_t kIdxImagesMagic = 0x00000803; // ubyte, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801; // ubyte, 1 dimension

// What a wrong IDX magic suggests the file is instead.
std::string magicHint(uint32_t magic, bool wantImages) {
  if (wantImages && magic == kIdxLabelsMagic)
    return "it is an IDX labels file, not an images file; are the images and "
           "labels files swapped?";
  if (!wantImages && magic == kIdxImagesMagic)
    return "it is an IDX images file, not a labels file; are the images and "
           "labels files swapped?";
  if ((magic >> 16) == 0 && (magic & 0xff) >= 1 && (magic & 0xff) <= 4)
    return "it is an IDX file of another element type or rank; only unsigned "
           "bytes (type 0x08) are supported";
  return std::string("is this an IDX ") + (wantImages ? "images" : "labels") +
         " file (MNIST / Fashion-MNIST format)? check the path; plain and "
         "gzip-compressed files are read, other archives must be unpacked";
}

// Parses an IDX file of unsigned bytes with `rank` dimensions; returns the
// dimensions and the offset of the data.
std::vector<uint32_t> parseIdxHeader(const std::vector<uint8_t> &bytes,
                                     uint32_t expectMagic, size_t rank,
                                     const std::string &what) {
  bool wantImages = expectMagic == kIdxImagesMagic;
  size_t headerSize = 4 + 4 * rank;
  if (bytes.size() < 4)
    fail(what, "the file is " + std::to_string(bytes.size()) +
                   " bytes, too short for the IDX magic number; it is "
                   "truncated or not an IDX file");
  uint32_t magic = bigEndian32(bytes.data());
  if (magic != expectMagic)
    fail(what, "wrong magic number " + hex32(magic) + ", expected " +
                   hex32(expectMagic) + " (" +
                   (wantImages ? "images: unsigned bytes, 3 dimensions"
                               : "labels: unsigned bytes, 1 dimension") +
                   "); " + magicHint(magic, wantImages));
  if (bytes.size() < headerSize)
    fail(what, "the file is " + std::to_string(bytes.size()) +
                   " bytes, too short for the " + std::to_string(headerSize) +
                   "-byte IDX header; it is truncated");
  std::vector<uint32_t> dims;
  for (size_t d = 0; d < rank; ++d)
    dims.push_back(bigEndian32(bytes.data() + 4 + 4 * d));
  return dims;
}

void checkDataSize(const std::vector<uint8_t> &bytes, size_t headerSize,
                   uint64_t need, const std::string &shape,
                   const std::string &what) {
  uint64_t have = bytes.size() - headerSize;
  if (have < need)
    fail(what, "the header gives " + shape + ", which needs " +
                   std::to_string(need) + " bytes of data, but the file has " +
                   std::to_string(have) +
                   "; it is truncated (download it again)");
  if (have > need)
    fail(what, "the file has " + std::to_string(have - need) +
                   " bytes after the data of " + shape +
                   " (expected " + std::to_string(need) + " bytes, found " +
                   std::to_string(have) + "); it is corrupt");
}

} // namespace

std::vector<uint8_t> gunzipIfCompressed(std::vector<uint8_t> bytes,
                                        const std::string &what) {
  if (bytes.size() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
    return bytes;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) // gzip wrapper only
    fail(what, "cannot initialise zlib");
  std::vector<uint8_t> out(std::max<size_t>(bytes.size() * 4, 1 << 16));
  size_t produced = 0;
  size_t consumed = 0;
  constexpr size_t kChunk = 1u << 30; // zlib counts in uInt
  for (;;) {
    if (produced == out.size())
      out.resize(out.size() * 2);
    zs.next_in = bytes.data() + consumed;
    zs.avail_in = static_cast<uInt>(std::min(bytes.size() - consumed, kChunk));
    zs.next_out = out.data() + produced;
    zs.avail_out = static_cast<uInt>(std::min(out.size() - produced, kChunk));
    uInt inBefore = zs.avail_in, outBefore = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += inBefore - zs.avail_in;
    produced += outBefore - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (as `cat a.gz b.gz` makes).
      if (consumed + 2 <= bytes.size() && bytes[consumed] == 0x1f &&
          bytes[consumed + 1] == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      if (consumed != bytes.size()) {
        inflateEnd(&zs);
        fail(what, "the gzip data is followed by " +
                       std::to_string(bytes.size() - consumed) +
                       " bytes that are not gzip data; the file is corrupt "
                       "(download it again)");
      }
      break;
    }
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR) {
      std::string msg = zs.msg ? zs.msg : "invalid data";
      inflateEnd(&zs);
      fail(what, "corrupt gzip data at compressed byte " +
                     std::to_string(consumed) + " (zlib: " + msg +
                     "); download the file again");
    }
    if (rc == Z_MEM_ERROR) {
      inflateEnd(&zs);
      fail(what, "out of memory while decompressing the gzip data");
    }
    // Z_OK, or Z_BUF_ERROR (no progress possible).
    if (consumed == bytes.size() && zs.avail_out != 0) {
      inflateEnd(&zs);
      fail(what, "the gzip data ends early (" + std::to_string(bytes.size()) +
                     " compressed bytes, " + std::to_string(produced) +
                     " decompressed, no end-of-stream marker); the file is "
                     "truncated (download it again)");
    }
  }
  inflateEnd(&zs);
  out.resize(produced);
  return out;
}

Dataset readIdx(const std::string &imagesPath, const std::string &labelsPath) {
  std::string imgWhat = quoted("IDX images file", imagesPath);
  std::string lblWhat = quoted("IDX labels file", labelsPath);
  std::vector<uint8_t> img =
      gunzipIfCompressed(readDatasetFile(imagesPath, imgWhat), imgWhat);
  std::vector<uint8_t> lbl =
      gunzipIfCompressed(readDatasetFile(labelsPath, lblWhat), lblWhat);

  std::vector<uint32_t> idims = parseIdxHeader(img, kIdxImagesMagic, 3, imgWhat);
  uint64_t n = idims[0], h = idims[1], w = idims[2];
  uint64_t pixels = n * h; // < 2^64
  if (w != 0 && pixels > std::numeric_limits<uint64_t>::max() / w)
    fail(imgWhat, "the header gives an impossibly large size; it is corrupt");
  pixels *= w;
  checkDataSize(img, 16, pixels,
                std::to_string(n) + " images of " + std::to_string(h) + "x" +
                    std::to_string(w),
                imgWhat);

  std::vector<uint32_t> ldims = parseIdxHeader(lbl, kIdxLabelsMagic, 1, lblWhat);
  uint64_t nl = ldims[0];
  checkDataSize(lbl, 8, nl, std::to_string(nl) + " labels", lblWhat);

  if (n != nl)
    throw std::runtime_error(
        imgWhat + " has " + std::to_string(n) + " images but " + lblWhat +
        " has " + std::to_string(nl) +
        " labels; pass the labels file of the same set (train with train, "
        "t10k with t10k)");

  Dataset ds;
  ds.images.dtype = DType::U8;
  ds.images.shape = {static_cast<int64_t>(n), 1, static_cast<int64_t>(h),
                     static_cast<int64_t>(w)};
  ds.images.data.assign(img.begin() + 16, img.end());
  ds.labels.assign(lbl.begin() + 8, lbl.end());
  int64_t maxLabel = -1;
  for (int64_t l : ds.labels)
    maxLabel = std::max(maxLabel, l);
  ds.classes = std::max<int64_t>(10, maxLabel + 1);
  return ds;
}

Dataset readCifar(const std::vector<std::string> &batchFiles, int classes) {
  if (classes != 10 && classes != 100)
    throw std::runtime_error("CIFAR: classes must be 10 (CIFAR-10) or 100 "
                             "(CIFAR-100), got " + std::to_string(classes));
  if (batchFiles.empty())
    throw std::runtime_error("CIFAR-" + std::to_string(classes) +
                             ": no batch files given");
  const size_t labelBytes = classes == 10 ? 1 : 2;
  const size_t pixelBytes = 3 * 32 * 32;
  const size_t record = labelBytes + pixelBytes;
  const size_t otherRecord = classes == 10 ? 3074 : 3073;
  const std::string kind = "CIFAR-" + std::to_string(classes) + " file";

  Dataset ds;
  ds.classes = classes;
  ds.images.dtype = DType::U8;
  for (const std::string &path : batchFiles) {
    std::string what = quoted(kind, path);
    std::vector<uint8_t> bytes = readDatasetFile(path, what);
    if (bytes.empty())
      fail(what, "the file is empty; check the path");
    if (bytes.size() % record != 0) {
      std::string msg =
          "the file is " + std::to_string(bytes.size()) +
          " bytes, not a multiple of the " + std::to_string(record) +
          "-byte record (" +
          (classes == 10 ? "1 label byte" : "2 label bytes (coarse, fine)") +
          " + 3072 pixel bytes): " + std::to_string(bytes.size() / record) +
          " whole records and " + std::to_string(bytes.size() % record) +
          " bytes left over; it is truncated (download it again)";
      if (bytes.size() % otherRecord == 0)
        msg += ", or it is a CIFAR-" + std::string(classes == 10 ? "100" : "10") +
               " file (pass classes " + (classes == 10 ? "100" : "10") + ")";
      if (bytes[0] == 0x80)
        msg += ", or it is the Python (pickle) version: use the binary "
               "version (cifar-" + std::to_string(classes) + "-binary.tar.gz)";
      fail(what, msg);
    }
    size_t records = bytes.size() / record;
    for (size_t r = 0; r < records; ++r) {
      const uint8_t *rec = bytes.data() + r * record;
      if (classes == 100 && rec[0] >= 20)
        fail(what, "record " + std::to_string(r) + " (at byte " +
                       std::to_string(r * record) + ") has coarse label " +
                       std::to_string(rec[0]) +
                       ", outside 0..19; the file is corrupt, or not a "
                       "CIFAR-100 binary file");
      uint8_t label = rec[labelBytes - 1];
      if (label >= classes)
        fail(what, "record " + std::to_string(r) + " (at byte " +
                       std::to_string(r * record) + ") has label " +
                       std::to_string(label) + ", outside 0.." +
                       std::to_string(classes - 1) +
                       (classes == 10
                            ? "; the file is corrupt, or a CIFAR-100 file "
                              "(pass classes 100)"
                            : "; the file is corrupt"));
      ds.labels.push_back(label);
    }
    ds.images.data.reserve(ds.images.data.size() + records * pixelBytes);
    for (size_t r = 0; r < records; ++r) {
      const uint8_t *px = bytes.data() + r * record + labelBytes;
      ds.images.data.insert(ds.images.data.end(), px, px + pixelBytes);
    }
  }
  ds.images.shape = {static_cast<int64_t>(ds.labels.size()), 3, 32, 32};
  return ds;
}

//===----------------------------------------------------------------------===//
// SVHN (MATLAB MAT files through matio)
//===----------------------------------------------------------------------===//

namespace {

const char *kSvhnFix =
    "SVHN cropped digits are train_32x32.mat and test_32x32.mat from "
    "http://ufldl.stanford.edu/housenumbers/ (format 2; the full-numbers "
    "format 1, train.tar.gz, is not supported)";

// matio reports problems (a truncated compressed variable, HDF5 errors,
// "not a valid MAT file") only through its log function, and then often
// returns data anyway. While readSvhn runs, this thread's messages are
// collected so that a read with any warning fails with matio's own words;
// messages outside a read (none in cscc) go to stderr as matio would.
thread_local std::string *tlsMatioLog = nullptr;

void matioLogFunction(int level, char *message) {
  // matio's levels: 1 error, 2 critical, 4 warning, 8 message, 16 debug.
  if (level > 4)
    return;
  if (tlsMatioLog) {
    if (!tlsMatioLog->empty())
      *tlsMatioLog += "; ";
    *tlsMatioLog += message ? message : "(no message)";
    return;
  }
  std::fprintf(stderr, "matio: %s\n", message ? message : "");
}

struct MatioLogCapture {
  std::string text;
  std::string *outer;
  MatioLogCapture() {
    static std::once_flag once;
    std::call_once(once, [] { Mat_LogInitFunc("cscc", matioLogFunction); });
    outer = tlsMatioLog;
    tlsMatioLog = &text;
  }
  ~MatioLogCapture() { tlsMatioLog = outer; }
  MatioLogCapture(const MatioLogCapture &) = delete;
  MatioLogCapture &operator=(const MatioLogCapture &) = delete;
};

struct MatCloser {
  // After a read, whatever matio (HDF5) says while closing has no bearing
  // on the data already checked; keep it off stderr.
  void operator()(mat_t *m) const;
};
struct MatVarFree {
  void operator()(matvar_t *v) const { Mat_VarFree(v); }
};
using MatFile = std::unique_ptr<mat_t, MatCloser>;

void MatCloser::operator()(mat_t *m) const {
  MatioLogCapture ignored;
  Mat_Close(m);
}
using MatVar = std::unique_ptr<matvar_t, MatVarFree>;

const char *matClassName(matio_classes c) {
  switch (c) {
  case MAT_C_EMPTY: return "empty";
  case MAT_C_CELL: return "cell";
  case MAT_C_STRUCT: return "struct";
  case MAT_C_OBJECT: return "object";
  case MAT_C_CHAR: return "char";
  case MAT_C_SPARSE: return "sparse";
  case MAT_C_DOUBLE: return "double";
  case MAT_C_SINGLE: return "single";
  case MAT_C_INT8: return "int8";
  case MAT_C_UINT8: return "uint8";
  case MAT_C_INT16: return "int16";
  case MAT_C_UINT16: return "uint16";
  case MAT_C_INT32: return "int32";
  case MAT_C_UINT32: return "uint32";
  case MAT_C_INT64: return "int64";
  case MAT_C_UINT64: return "uint64";
  case MAT_C_FUNCTION: return "function";
  case MAT_C_OPAQUE: return "opaque";
  }
  return "unknown";
}

std::string matDims(const matvar_t *v) {
  std::string s;
  for (int i = 0; i < v->rank; ++i)
    s += (i ? "x" : "") + std::to_string(v->dims[i]);
  return s.empty() ? "(no dimensions)" : s;
}

std::string printableBytes(const uint8_t *p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s += (p[i] >= 0x20 && p[i] < 0x7f) ? static_cast<char>(p[i]) : '.';
  return s;
}

// Checks the file before matio opens it: matio takes anything without a
// v5/v7.3 header for a MATLAB v4 file (an empty file, a directory, a text
// file can all "open"), and reads a truncated uncompressed v5 variable
// without complaint, returning garbage for the missing bytes. So: a regular
// file, the 128-byte MAT header with version 0x0100 (v5) or 0x0200 (v7.3),
// and for v5 every top-level data element complete. Returns the version.
int checkMatFile(const std::string &path, const std::string &what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fail(what, std::string("cannot read it (") + std::strerror(errno) +
                   "); check the path");
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0)
    fail(what, std::string("cannot read it (") + std::strerror(errno) +
                   "); check the path");
  if (S_ISDIR(st.st_mode))
    fail(what, "cannot read it (it is a directory); check the path");
  uint64_t size = static_cast<uint64_t>(st.st_size);

  auto readAt = [&](uint64_t at, uint8_t *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(at + got));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        fail(what, std::string("cannot read it (") + std::strerror(errno) +
                       "); check the path");
      if (r == 0)
        return false;
      got += static_cast<size_t>(r);
    }
    return true;
  };

  uint8_t header[128];
  if (size < 128 || !readAt(0, header, 128))
    fail(what, "the file is " + std::to_string(size) +
                   " bytes, too short for the 128-byte MAT-file header: it "
                   "is not a MAT file, or truncated; " + kSvhnFix);
  bool little = header[126] == 'I' && header[127] == 'M';
  bool big = header[126] == 'M' && header[127] == 'I';
  if (!little && !big)
    fail(what, "not a MAT file (no MATLAB v5/v7.3 header: it begins '" +
                   printableBytes(header, 24) +
                   "'; headerless MATLAB v4 files are not read); " + kSvhnFix);
  auto u16 = [&](const uint8_t *p) -> uint32_t {
    return little ? (p[0] | (p[1] << 8)) : ((p[0] << 8) | p[1]);
  };
  auto u32 = [&](const uint8_t *p) -> uint32_t {
    return little ? (static_cast<uint32_t>(p[0]) | (p[1] << 8) | (p[2] << 16) |
                     (static_cast<uint32_t>(p[3]) << 24))
                  : bigEndian32(p);
  };
  uint32_t version = u16(header + 124);
  if (version == 0x0200) {
    // v7.3: HDF5 with the MAT header in a 512-byte user block; HDF5 checks
    // the rest (a truncated file fails to open).
    static const uint8_t kHdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    uint8_t sb[64] = {};
    if (size < 520 || !readAt(512, sb, 8) || std::memcmp(sb, kHdf5, 8) != 0)
      fail(what, "a MAT v7.3 header without the HDF5 data after it (no HDF5 "
                 "signature at byte 512); the file is truncated or corrupt "
                 "(download it again)");
    // The HDF5 superblock records the end of the file's data (an absolute
    // address). matio opens a truncated v7.3 file without complaint and then
    // finds no variables, so check it here: superblock versions 0 and 1 keep
    // the offset size at byte 13 and the end address after 24 (v1: 28)
    // bytes and two addresses; versions 2 and 3 at byte 9 and after 12.
    readAt(512, sb, std::min<uint64_t>(sizeof sb, size - 512));
    unsigned sbVersion = sb[8];
    unsigned offsetSize = sbVersion <= 1 ? sb[13] : sb[9];
    unsigned fixed = sbVersion == 0 ? 24 : sbVersion == 1 ? 28 : 12;
    if (sbVersion <= 3 && (offsetSize == 4 || offsetSize == 8) &&
        fixed + 3 * offsetSize <= sizeof sb) {
      uint64_t eof = 0;
      for (unsigned i = 0; i < offsetSize; ++i)
        eof |= static_cast<uint64_t>(sb[fixed + 2 * offsetSize + i]) << (8 * i);
      if (size < eof)
        fail(what, "the HDF5 (MAT v7.3) data ends at byte " +
                       std::to_string(eof) + " but the file has " +
                       std::to_string(size) +
                       " bytes; it is truncated (download it again)");
    }
    return 0x0200;
  }
  if (version != 0x0100)
    fail(what, "a MAT-file header with unknown version " + hex32(version) +
                   " (v5 is 0x00000100, v7.3 0x00000200); the file is "
                   "corrupt, or from a MATLAB format matio does not read");
  // A compressed (miCOMPRESSED) element is one zlib stream. matio inflates
  // only as many bytes as the variable needs and never reaches the stream's
  // Adler-32 checksum, so a flipped bit gave changed pixels without an
  // error: inflate each element to its end here, which verifies it.
  auto checkCompressedElement = [&](uint64_t at, uint64_t n, int element,
                                    uint64_t tagAt) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK)
      fail(what, "cannot initialise zlib");
    struct ZsEnd {
      z_stream &zs;
      ~ZsEnd() { inflateEnd(&zs); }
    } zsEnd{zs};
    auto corrupt = [&](const std::string &why) {
      fail(what, "compressed data element " + std::to_string(element) +
                     " (at byte " + std::to_string(tagAt) + ") " + why +
                     "; the file is corrupt (download it again)");
    };
    std::vector<uint8_t> in(1 << 16), out(1 << 18);
    uint64_t done = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      if (zs.avail_in == 0) {
        if (done == n)
          corrupt("ends before its zlib stream does");
        size_t k = static_cast<size_t>(std::min<uint64_t>(in.size(), n - done));
        if (!readAt(at + done, in.data(), k))
          corrupt("cannot be read to its end");
        done += k;
        zs.next_in = in.data();
        zs.avail_in = static_cast<uInt>(k);
      }
      zs.next_out = out.data();
      zs.avail_out = static_cast<uInt>(out.size());
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR)
        corrupt("fails its zlib check (zlib: " +
                std::string(zs.msg ? zs.msg : "invalid data") + ")");
      if (rc == Z_MEM_ERROR)
        fail(what, "out of memory while checking its compressed data");
    }
  };
  // v5: a sequence of data elements, each an 8-byte tag (type, byte count)
  // then its data; miCOMPRESSED (15) elements are not padded, others are
  // padded to 8 bytes. A tag whose upper 16 bits are set is a 'small'
  // element, 8 bytes in all.
  uint64_t pos = 128;
  int element = 0;
  while (pos < size) {
    uint8_t tag[8];
    if (size - pos < 8 || !readAt(pos, tag, 8))
      fail(what, "the file ends inside the tag of data element " +
                     std::to_string(element) + " (at byte " +
                     std::to_string(pos) + " of " + std::to_string(size) +
                     "); it is truncated (download it again)");
    uint32_t type = u32(tag), nbytes = u32(tag + 4);
    uint64_t next;
    if (type >> 16)
      next = pos + 8;
    else if (type == 15)
      next = pos + 8 + nbytes;
    else
      next = pos + 8 + ((static_cast<uint64_t>(nbytes) + 7) / 8) * 8;
    uint64_t unpaddedEnd = type >> 16 ? pos + 8 : pos + 8 + nbytes;
    if (unpaddedEnd > size)
      fail(what, "data element " + std::to_string(element) + " (at byte " +
                     std::to_string(pos) + ") needs " +
                     std::to_string(unpaddedEnd - pos) +
                     " bytes but the file ends after " +
                     std::to_string(size - pos) +
                     "; it is truncated (download it again)");
    if (type == 15)
      checkCompressedElement(pos + 8, nbytes, element, pos);
    pos = next;
    ++element;
  }
  return 0x0100;
}

std::string variableList(mat_t *mat) {
  Mat_Rewind(mat);
  std::string names;
  while (MatVar v{Mat_VarReadNextInfo(mat)}) {
    if (!v->name)
      continue;
    names += (names.empty() ? "" : ", ") + std::string(v->name);
  }
  return names.empty() ? "none" : names;
}

// Reads the named variable's header; fails naming the variables present.
MatVar readVariableInfo(mat_t *mat, const char *name, const std::string &what,
                        const std::string &role) {
  MatioLogCapture log;
  MatVar v{Mat_VarReadInfo(mat, name)};
  if (!v) {
    std::string present = variableList(mat);
    fail(what, std::string("has no variable '") + name + "' (" + role +
                   "); the file holds: " + present + ". " + kSvhnFix +
                   (log.text.empty() ? "" : " (matio: " + log.text + ")"));
  }
  return v;
}

// Reads the named variable's data; fails on any matio warning (matio
// returns data even when it could not read all of it).
MatVar readVariable(mat_t *mat, const char *name, size_t wantBytes,
                    const std::string &what) {
  MatioLogCapture log;
  MatVar v{Mat_VarRead(mat, name)};
  if (!v || !v->data || !log.text.empty() || v->nbytes != wantBytes)
    fail(what, std::string("cannot read the data of variable '") + name +
                   "'" + (log.text.empty() ? "" : " (matio: " + log.text + ")") +
                   "; the file is truncated or corrupt (download it again)");
  return v;
}

// Element i of a real numeric matio array, as a double.
double numericAt(const matvar_t *v, size_t i) {
  switch (v->class_type) {
  case MAT_C_DOUBLE: return static_cast<const double *>(v->data)[i];
  case MAT_C_SINGLE: return static_cast<const float *>(v->data)[i];
  case MAT_C_INT8: return static_cast<const int8_t *>(v->data)[i];
  case MAT_C_UINT8: return static_cast<const uint8_t *>(v->data)[i];
  case MAT_C_INT16: return static_cast<const int16_t *>(v->data)[i];
  case MAT_C_UINT16: return static_cast<const uint16_t *>(v->data)[i];
  case MAT_C_INT32: return static_cast<const int32_t *>(v->data)[i];
  case MAT_C_UINT32: return static_cast<const uint32_t *>(v->data)[i];
  case MAT_C_INT64:
    return static_cast<double>(static_cast<const int64_t *>(v->data)[i]);
  case MAT_C_UINT64:
    return static_cast<double>(static_cast<const uint64_t *>(v->data)[i]);
  default: return std::nan("");
  }
}

size_t numericSize(matio_classes c) {
  switch (c) {
  case MAT_C_DOUBLE: case MAT_C_INT64: case MAT_C_UINT64: return 8;
  case MAT_C_SINGLE: case MAT_C_INT32: case MAT_C_UINT32: return 4;
  case MAT_C_INT16: case MAT_C_UINT16: return 2;
  case MAT_C_INT8: case MAT_C_UINT8: return 1;
  default: return 0;
  }
}

} // namespace

Dataset readSvhn(const std::string &matPath) {
  const std::string what = quoted("SVHN file", matPath);
  checkMatFile(matPath, what);

  MatFile mat;
  {
    MatioLogCapture log;
    mat.reset(Mat_Open(matPath.c_str(), MAT_ACC_RDONLY));
    if (!mat)
      fail(what, "matio cannot open it as a MAT file" +
                     (log.text.empty() ? "" : " (matio: " + log.text + ")") +
                     "; the file is corrupt (download it again)");
  }

  // X: uint8 32x32x3xN.
  MatVar xInfo = readVariableInfo(mat.get(), "X", what, "the images");
  if (xInfo->class_type != MAT_C_UINT8 || xInfo->isComplex ||
      xInfo->rank != 4 || xInfo->dims[0] != 32 || xInfo->dims[1] != 32 ||
      xInfo->dims[2] != 3) {
    std::string msg = "variable 'X' is " + std::string(xInfo->isComplex ? "complex " : "") +
                      matClassName(xInfo->class_type) + " " + matDims(xInfo.get()) +
                      ", expected uint8 32x32x3xN (height, width, channel, image: "
                      "MATLAB's column-major order)";
    if (xInfo->rank == 4 && xInfo->dims[1] == 3 && xInfo->dims[2] == 32 &&
        xInfo->dims[3] == 32)
      msg += "; it looks like images saved as Nx3x32x32 (C order): save "
             "X(h, w, c, n), e.g. scipy.io.savemat with an array of shape "
             "(32, 32, 3, N), i.e. images.transpose(2, 3, 1, 0)";
    else if (xInfo->rank == 4 && xInfo->dims[1] == 32 &&
             xInfo->dims[2] == 32 && xInfo->dims[3] == 3)
      msg += "; it looks like images saved as Nx32x32x3 (C order): save "
             "X(h, w, c, n), e.g. scipy.io.savemat with an array of shape "
             "(32, 32, 3, N), i.e. images.transpose(1, 2, 3, 0)";
    else
      msg += std::string("; ") + kSvhnFix;
    fail(what, msg);
  }
  const size_t n = xInfo->dims[3];

  // y: N labels, Nx1 as distributed (1xN accepted), real numeric.
  MatVar yInfo = readVariableInfo(mat.get(), "y", what, "the labels");
  size_t yElemSize = numericSize(yInfo->class_type);
  if (yElemSize == 0 || yInfo->isComplex)
    fail(what, "variable 'y' is " +
                   std::string(yInfo->isComplex ? "complex " : "") +
                   matClassName(yInfo->class_type) + " " +
                   matDims(yInfo.get()) +
                   ", expected a real numeric Nx1 array of labels 1..10; " +
                   kSvhnFix);
  if (yInfo->rank != 2 || (yInfo->dims[0] != 1 && yInfo->dims[1] != 1))
    fail(what, "variable 'y' is " + matDims(yInfo.get()) +
                   ", expected Nx1 (one label per image); " + kSvhnFix);
  size_t nl = yInfo->dims[0] * yInfo->dims[1];
  if (nl != n)
    fail(what, "variable 'X' holds " + std::to_string(n) +
                   " images but 'y' holds " + std::to_string(nl) +
                   " labels; the file is corrupt, or X and y come from "
                   "different sets (download it again)");

  MatVar x = readVariable(mat.get(), "X", n * 3 * 32 * 32, what);
  MatVar y = readVariable(mat.get(), "y", n * yElemSize, what);

  Dataset ds;
  ds.classes = 10;
  ds.labels.resize(n);
  for (size_t i = 0; i < n; ++i) {
    double l = numericAt(y.get(), i);
    if (!(l >= 1 && l <= 10) || l != std::floor(l)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", l);
      fail(what, "label y(" + std::to_string(i + 1) + ") (image " +
                     std::to_string(i) + ", counting from 0) is " + buf +
                     ", outside 1..10 (SVHN labels are 1..10, 10 standing "
                     "for the digit 0); the file is corrupt, or not SVHN "
                     "(labels already 0..9 must be stored as 1..10: 0 -> 10)");
    }
    ds.labels[i] = static_cast<int64_t>(l) % 10; // 10 is the digit 0
  }

  // X(h, w, c, n) is at h + 32 (w + 32 (c + 3 n)); images[n][c][h][w] at
  // ((n 3 + c) 32 + h) 32 + w: each 32x32 plane is transposed.
  ds.images = Tensor(DType::U8, {static_cast<int64_t>(n), 3, 32, 32});
  const uint8_t *src = static_cast<const uint8_t *>(x->data);
  uint8_t *dst = ds.images.data.data();
  for (size_t plane = 0; plane < n * 3; ++plane) {
    const uint8_t *s = src + plane * 1024;
    uint8_t *d = dst + plane * 1024;
    for (size_t h = 0; h < 32; ++h)
      for (size_t w = 0; w < 32; ++w)
        d[h * 32 + w] = s[w * 32 + h];
  }
  return ds;
}

} // namespace cscc::rt
