//===- FileIO.cpp - whole-file reads and crash-safe writes ----------------===//
#include "cscc/Runtime/FileIO.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace cscc::rt {

namespace {
std::string errnoText() { return std::strerror(errno); }

mode_t currentUmask() {
  static const mode_t mask = [] {
    mode_t m = umask(0);
    umask(m);
    return m;
  }();
  return mask;
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}
} // namespace

std::vector<uint8_t> readFileBytes(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("cannot read '" + path + "': " + errnoText());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string e = errnoText();
    ::close(fd);
    throw std::runtime_error("cannot read '" + path + "': " + e);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("cannot read '" + path + "': it is a directory");
  }
  std::vector<uint8_t> bytes;
  if (S_ISREG(st.st_mode))
    bytes.reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      std::string e = errnoText();
      ::close(fd);
      throw std::runtime_error("cannot read '" + path + "': " + e);
    }
    if (n == 0)
      break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  ::close(fd);
  return bytes;
}

void writeFileAtomic(const std::string &path,
                     const std::vector<ByteChunk> &chunks) {
  std::string tmp = path + ".tmpXXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    throw std::runtime_error("cannot write '" + path +
                             "': cannot create a temporary file beside it: " +
                             errnoText());
  auto fail = [&](const std::string &step) {
    std::string e = errnoText();
    if (fd >= 0)
      ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write '" + path + "': " + step + ": " +
                             e);
  };
  if (::fchmod(fd, 0666 & ~currentUmask()) != 0)
    fail("fchmod");
  for (const ByteChunk &c : chunks) {
    const char *p = static_cast<const char *>(c.data);
    size_t left = c.size;
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        fail("write");
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  if (::fsync(fd) != 0)
    fail("fsync");
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0)
    fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    fail("rename");
  // Make the rename itself durable.
  int dfd = ::open(directoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

} // namespace cscc::rt
