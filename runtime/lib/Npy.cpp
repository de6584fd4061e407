//===- Npy.cpp - read and write NumPy .npy files --------------------------===//
#include "cscc/Runtime/Npy.h"

#include "cscc/Runtime/FileIO.h"

#include <cctype>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

namespace cscc::rt {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

[[noreturn]] void fail(const std::string &file, const std::string &what) {
  throw std::runtime_error(".npy file '" + file + "': " + what);
}

struct DescrInfo {
  const char *code; // without the byte-order character
  DType dtype;
};
constexpr DescrInfo kDescrs[] = {
    {"f2", DType::F16}, {"f4", DType::F32}, {"f8", DType::F64},
    {"i1", DType::I8},  {"i2", DType::I16}, {"i4", DType::I32},
    {"i8", DType::I64}, {"u1", DType::U8},  {"u2", DType::U16},
    {"u4", DType::U32}, {"u8", DType::U64}, {"b1", DType::Bool},
};
const char *kSupported =
    "'<f2' '<f4' '<f8' '|i1' '<i2' '<i4' '<i8' '|u1' '<u2' '<u4' '<u8' '|b1'";

// A value of the header dict.
struct Value {
  enum Kind { String, Bool, Tuple, Other } kind = Other;
  std::string str;
  bool boolean = false;
  std::vector<int64_t> ints;
};

// Parses the Python literal the header holds:
//   {'key': value, ...}   with values 'string', True, False, (int, ...).
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &file)
      : s(text), file(file) {}

  std::vector<std::pair<std::string, Value>> parseDict() {
    std::vector<std::pair<std::string, Value>> out;
    skip();
    expect('{');
    skip();
    while (peek() != '}') {
      std::string key = parseString();
      skip();
      expect(':');
      skip();
      out.push_back({key, parseValue()});
      skip();
      if (peek() == ',') {
        ++i;
        skip();
        continue;
      }
      if (peek() != '}')
        error("expected ',' or '}'");
    }
    ++i;
    skip();
    if (i != s.size())
      error("unexpected text after the closing '}'");
    return out;
  }

private:
  const std::string &s;
  const std::string &file;
  size_t i = 0;

  [[noreturn]] void error(const std::string &what) {
    std::string shown = s;
    while (!shown.empty() && (shown.back() == '\n' || shown.back() == ' '))
      shown.pop_back();
    fail(file, "malformed header " + shown + " (at character " +
                   std::to_string(i) + ": " + what +
                   "); the file is corrupt or not written by NumPy");
  }
  char peek() { return i < s.size() ? s[i] : '\0'; }
  void skip() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
      ++i;
  }
  void expect(char c) {
    if (peek() != c)
      error(std::string("expected '") + c + "'");
    ++i;
  }
  std::string parseString() {
    char q = peek();
    if (q != '\'' && q != '"')
      error("expected a quoted string");
    ++i;
    std::string out;
    while (i < s.size() && s[i] != q) {
      if (s[i] == '\\')
        error("escapes in strings are not supported");
      out += s[i++];
    }
    if (i >= s.size())
      error("unterminated string");
    ++i;
    return out;
  }
  int64_t parseInt() {
    size_t start = i;
    uint64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      uint64_t d = static_cast<uint64_t>(s[i] - '0');
      if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - d) / 10)
        error("shape extent too large");
      v = v * 10 + d;
      ++i;
    }
    if (i == start)
      error("expected a non-negative integer");
    if (peek() == 'L') // Python 2 long
      ++i;
    return static_cast<int64_t>(v);
  }
  Value parseValue() {
    Value v;
    char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = Value::String;
      v.str = parseString();
    } else if (s.compare(i, 4, "True") == 0) {
      v.kind = Value::Bool, v.boolean = true, i += 4;
    } else if (s.compare(i, 5, "False") == 0) {
      v.kind = Value::Bool, v.boolean = false, i += 5;
    } else if (c == '(') {
      v.kind = Value::Tuple;
      ++i;
      skip();
      while (peek() != ')') {
        v.ints.push_back(parseInt());
        skip();
        if (peek() == ',') {
          ++i;
          skip();
          continue;
        }
        if (peek() != ')')
          error("expected ',' or ')' in the shape");
      }
      ++i;
    } else if (c == '[') {
      // A structured dtype's field list; skip it to report it by key.
      int depth = 0;
      do {
        if (peek() == '[')
          ++depth;
        else if (peek() == ']')
          --depth;
        else if (peek() == '\0')
          error("unterminated list");
        ++i;
      } while (depth > 0);
    } else {
      error("expected a string, True, False or a tuple");
    }
    return v;
  }
};

std::optional<DType> dtypeFromDescr(const std::string &descr, bool &bigEndian) {
  bigEndian = false;
  if (descr.size() != 3)
    return std::nullopt;
  char order = descr[0];
  std::string code = descr.substr(1);
  for (const DescrInfo &d : kDescrs)
    if (code == d.code) {
      bool oneByte = dtypeSize(d.dtype) == 1;
      if (order == '<' || order == '=' || (order == '|' && oneByte))
        return d.dtype;
      if (order == '>') {
        if (oneByte)
          return d.dtype;
        bigEndian = true;
      }
      return std::nullopt;
    }
  return std::nullopt;
}

std::string shapeTuple(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

// The preamble and padded header for t.
std::string buildPrefix(const Tensor &t) {
  std::string dict = "{'descr': '" + npyDescr(t.dtype) +
                     "', 'fortran_order': False, 'shape': " +
                     shapeTuple(t.shape) + ", }";
  // Version 1.0: magic(6) + version(2) + length(2); 2.0: length(4).
  size_t pre = 10;
  size_t total = pre + dict.size() + 1;
  total = (total + 63) / 64 * 64;
  int major = 1;
  if (total - pre > 65535) {
    pre = 12;
    total = (pre + dict.size() + 1 + 63) / 64 * 64;
    major = 2;
  }
  size_t hlen = total - pre;
  std::string header = dict;
  header.append(hlen - dict.size() - 1, ' ');
  header += '\n';
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t b = 0; b < (major == 1 ? 2u : 4u); ++b)
    out += static_cast<char>((hlen >> (8 * b)) & 0xff);
  return out + header;
}

} // namespace

std::string npyDescr(DType dt) {
  for (const DescrInfo &d : kDescrs)
    if (d.dtype == dt)
      return std::string(dtypeSize(dt) == 1 ? "|" : "<") + d.code;
  throw std::invalid_argument(std::string(".npy has no dtype for ") +
                              dtypeName(dt));
}

Tensor parseNpy(const std::vector<uint8_t> &bytes, const std::string &file) {
  if (bytes.size() < kMagicLen ||
      std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
    fail(file, "not a .npy file (it does not start with \\x93NUMPY); write "
               "it with numpy.save");
  if (bytes.size() < 10)
    fail(file, "the file is " + std::to_string(bytes.size()) +
                   " bytes, too short for the .npy preamble; it is truncated");
  int major = bytes[6], minor = bytes[7];
  size_t pre;
  uint64_t hlen = 0;
  if (major == 1 && minor == 0) {
    pre = 10;
    hlen = bytes[8] | (static_cast<uint64_t>(bytes[9]) << 8);
  } else if ((major == 2 || major == 3) && minor == 0) {
    pre = 12;
    if (bytes.size() < pre)
      fail(file, "the file is " + std::to_string(bytes.size()) +
                     " bytes, too short for the .npy preamble; it is "
                     "truncated");
    for (int b = 0; b < 4; ++b)
      hlen |= static_cast<uint64_t>(bytes[8 + b]) << (8 * b);
  } else {
    fail(file, "unsupported .npy format version " + std::to_string(major) +
                   "." + std::to_string(minor) +
                   " (supported: 1.0, 2.0, 3.0)");
  }
  if (hlen > bytes.size() - pre)
    fail(file, "the header length is " + std::to_string(hlen) +
                   " bytes but only " + std::to_string(bytes.size() - pre) +
                   " bytes follow the preamble; the file is truncated");
  std::string text(bytes.begin() + pre, bytes.begin() + pre + hlen);
  HeaderParser parser(text, file);
  auto entries = parser.parseDict();

  std::optional<Value> descr, fortran, shape;
  for (auto &[key, v] : entries) {
    if (key == "descr")
      descr = v;
    else if (key == "fortran_order")
      fortran = v;
    else if (key == "shape")
      shape = v;
    else
      fail(file, "the header has an unknown key '" + key +
                     "' (expected descr, fortran_order, shape); the file is "
                     "corrupt or not written by NumPy");
  }
  if (!descr || !fortran || !shape)
    fail(file, std::string("the header lacks '") +
                   (!descr ? "descr" : !fortran ? "fortran_order" : "shape") +
                   "'; the file is corrupt or not written by NumPy");
  if (descr->kind != Value::String)
    fail(file, "unsupported descr (a structured dtype with named fields); "
               "save one plain array per file (supported: " +
                   std::string(kSupported) + ")");
  bool big = false;
  std::optional<DType> dt = dtypeFromDescr(descr->str, big);
  if (big)
    fail(file, "big-endian data ('" + descr->str +
                   "') is not supported; save a little-endian copy, e.g. "
                   "a.astype(a.dtype.newbyteorder('<'))");
  if (!dt)
    fail(file, "unsupported descr '" + descr->str +
                   "'; convert the array to one of " + kSupported);
  if (fortran->kind != Value::Bool)
    fail(file, "fortran_order must be True or False; the file is corrupt or "
               "not written by NumPy");
  if (fortran->boolean)
    fail(file, "the array is stored in Fortran order (fortran_order: "
               "True); only C order is supported: save "
               "numpy.ascontiguousarray(a) instead");
  if (shape->kind != Value::Tuple)
    fail(file, "shape must be a tuple of integers; the file is corrupt or "
               "not written by NumPy");

  Tensor t;
  t.dtype = *dt;
  t.shape = shape->ints;
  uint64_t numel;
  try {
    numel = static_cast<uint64_t>(shapeNumel(t.shape));
  } catch (const std::exception &e) {
    fail(file, e.what());
  }
  uint64_t have = bytes.size() - pre - hlen;
  uint64_t es = dtypeSize(*dt);
  if (numel > std::numeric_limits<uint64_t>::max() / es || numel * es > have)
    fail(file, "shape " + shapeString(t.shape) + " of '" + descr->str +
                   "' needs " + std::to_string(numel) + " x " +
                   std::to_string(es) + " bytes of data but the file has " +
                   std::to_string(have) + "; it is truncated");
  if (numel * es < have)
    fail(file, "the file has " + std::to_string(have - numel * es) +
                   " bytes after the data of shape " + shapeString(t.shape) +
                   "; it is corrupt");
  t.data.assign(bytes.begin() + pre + hlen, bytes.end());
  return t;
}

Tensor readNpy(const std::string &path) {
  return parseNpy(readFileBytes(path), path);
}

std::vector<uint8_t> serializeNpy(const Tensor &t) {
  std::string prefix = buildPrefix(t);
  std::vector<uint8_t> out(prefix.begin(), prefix.end());
  out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

void writeNpy(const std::string &path, const Tensor &t) {
  std::string prefix;
  try {
    prefix = buildPrefix(t);
  } catch (const std::invalid_argument &e) {
    throw std::runtime_error("cannot write '" + path + "': " + e.what());
  }
  uint64_t expect = static_cast<uint64_t>(t.numel()) * dtypeSize(t.dtype);
  if (t.data.size() != expect)
    throw std::runtime_error("cannot write '" + path + "': the tensor has " +
                             std::to_string(t.data.size()) + " bytes but " +
                             shapeString(t.shape) + " needs " +
                             std::to_string(expect));
  writeFileAtomic(path, {{prefix.data(), prefix.size()},
                         {t.data.data(), t.data.size()}});
}

} // namespace cscc::rt
