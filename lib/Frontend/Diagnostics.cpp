#include "cscc/Frontend/Diagnostics.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cscc {

/// What kind of file `st` is, for "it is not a regular file (...)".
static std::string fileKind(std::filesystem::file_type t) {
  using std::filesystem::file_type;
  switch (t) {
  case file_type::directory:
    return "a directory";
  case file_type::character:
    return "a character device";
  case file_type::block:
    return "a block device";
  case file_type::fifo:
    return "a FIFO";
  case file_type::socket:
    return "a socket";
  default:
    return "not a regular file";
  }
}

int SourceManager::addFile(const std::string &path, std::string *why) {
  namespace fs = std::filesystem;
  auto fail = [&](std::string r) {
    if (why)
      *why = std::move(r);
    return -1;
  };
  // Only regular files: a device (/dev/zero) would be read without end and
  // opening a FIFO blocks until a writer comes. The type is checked before
  // the file is opened.
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return fail("");
  if (!fs::is_regular_file(st))
    return fail("it is " + fileKind(st.type()) + ", not a regular file");
  uintmax_t size = fs::file_size(path, ec);
  auto tooLarge = [&](uintmax_t n) {
    return fail("it is larger than " + std::to_string(kMaxFileBytes >> 20) +
                " MiB (" + std::to_string(n) + " bytes)");
  };
  if (!ec && size > kMaxFileBytes)
    return tooLarge(size);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("");
  // Read at most one chunk past the limit (the file may grow meanwhile).
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes)
      return tooLarge(text.size());
  }
  std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
  if (ec)
    canonical = path;
  files.push_back({path, canonical, std::move(text)});
  return static_cast<int>(files.size()) - 1;
}

int SourceManager::addBuffer(const std::string &name, std::string text) {
  files.push_back({name, name, std::move(text)});
  return static_cast<int>(files.size()) - 1;
}

int SourceManager::findFile(const std::string &canonicalPath) const {
  for (size_t i = 0; i < files.size(); ++i)
    if (files[i].canonical == canonicalPath)
      return static_cast<int>(i);
  return -1;
}

std::string SourceManager::lineText(int file, int line) const {
  if (file < 0 || file >= static_cast<int>(files.size()) || line < 1)
    return {};
  const std::string &t = files[file].text;
  size_t pos = 0;
  for (int l = 1; l < line; ++l) {
    pos = t.find('\n', pos);
    if (pos == std::string::npos)
      return {};
    ++pos;
  }
  size_t end = t.find('\n', pos);
  std::string s = t.substr(pos, end == std::string::npos ? std::string::npos
                                                         : end - pos);
  if (!s.empty() && s.back() == '\r')
    s.pop_back();
  return s;
}

static void renderLocated(std::ostringstream &os, const SourceManager &sm,
                          Location loc, const char *kind,
                          const std::string &message) {
  if (loc.file >= 0)
    os << sm.path(loc.file) << ":" << loc.line << ":" << loc.col << ": ";
  else
    os << "cscc: ";
  os << kind << ": " << message << "\n";
  if (loc.file < 0)
    return;
  std::string line = sm.lineText(loc.file, loc.line);
  if (line.empty() && loc.col <= 1)
    return;
  os << line << "\n";
  // Keep tabs so the caret lines up with the source as a terminal shows it.
  std::string caret;
  for (int i = 1; i < loc.col && i - 1 < static_cast<int>(line.size()); ++i)
    caret += line[i - 1] == '\t' ? '\t' : ' ';
  os << caret << "^\n";
}

std::string renderError(const SourceManager &sm, const CompileError &err) {
  std::ostringstream os;
  renderLocated(os, sm, err.loc, "error", err.what());
  for (const auto &[loc, msg] : err.notes)
    renderLocated(os, sm, loc, "note", msg);
  if (!err.help.empty())
    os << "help: " << err.help << "\n";
  return os.str();
}

size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                         prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closestMatch(const std::string &name,
                         const std::vector<std::string> &candidates) {
  std::string best;
  size_t bestDist = std::max<size_t>(2, name.size() / 3) + 1;
  for (const auto &c : candidates) {
    size_t d = editDistance(name, c);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}

std::string didYouMean(const std::string &name,
                       const std::vector<std::string> &candidates) {
  std::string m = closestMatch(name, candidates);
  return m.empty() ? std::string() : "; did you mean '" + m + "'?";
}

} // namespace cscc
