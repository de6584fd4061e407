//===- Datasets.cpp - read image classification data sets ----------------===//
#include "cscc/Runtime/Datasets.h"

#include "cscc/Runtime/FileIO.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>

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

} // namespace cscc::rt
