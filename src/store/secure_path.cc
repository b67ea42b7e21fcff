#include "store/secure_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace aegis::store {
namespace {

StoreError Error(StoreErrorCode code, const std::string& path, std::string_view what) {
  std::string message = "data folder: " + path + ": ";
  message += what;
  return StoreError{code, std::move(message)};
}

StoreError Errno(StoreErrorCode code, const std::string& path, std::string_view what, int err) {
  std::string text(what);
  text += ": ";
  text += std::strerror(err);
  return Error(code, path, text);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<void, StoreError> EnsureSecureFolder(const std::string& path) {
  if (path.empty()) return Err{Error(StoreErrorCode::kFolder, path, "empty path")};
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Err{Errno(StoreErrorCode::kFolder, path, "cannot stat", errno)};
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return Err{Errno(StoreErrorCode::kFolder, path, "cannot create", errno)};
    }
    // mkdir's mode is filtered by the umask; we want exactly 0700.
    if (::chmod(path.c_str(), 0700) != 0) return Err{Errno(StoreErrorCode::kFolder, path, "cannot chmod", errno)};
  } else if (S_ISLNK(st.st_mode)) {
    return Err{Error(StoreErrorCode::kInsecureFolder, path, "is a symlink; refusing to use it")};
  }
  // O_NOFOLLOW: a symlink here could point the secret at someone else's folder.
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ELOOP) return Err{Error(StoreErrorCode::kInsecureFolder, path, "is a symlink; refusing to use it")};
    if (err == ENOTDIR) return Err{Error(StoreErrorCode::kFolder, path, "is not a directory")};
    return Err{Errno(StoreErrorCode::kFolder, path, "cannot open", err)};
  }
  if (::fstat(fd.get(), &st) != 0) return Err{Errno(StoreErrorCode::kFolder, path, "cannot stat", errno)};
  if (!S_ISDIR(st.st_mode)) return Err{Error(StoreErrorCode::kFolder, path, "is not a directory")};
  if (st.st_uid != ::geteuid()) {
    return Err{Error(StoreErrorCode::kInsecureFolder, path,
                     "is owned by another user; refusing to use it (it holds the API secret)")};
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Err{Error(StoreErrorCode::kInsecureFolder, path,
                     "is writable by group or others; refusing to use it (run: chmod 700 " + path + ")")};
  }
  return {};
}

Result<void, StoreError> EnsureSecureFile(const std::string& path) {
  // An existing database is checked by path, never opened here: closing a
  // descriptor of ours on it would drop every POSIX lock SQLite holds on it
  // in this process (aegis serve keeps two connections open), and commits
  // were lost that way. The folder above is ours and 0700 (checked first),
  // so nobody else can swap the file between this check and SQLite's open,
  // which refuses symlinks itself (SQLITE_OPEN_NOFOLLOW).
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) return Err{Error(StoreErrorCode::kInsecureFile, path, "is a symlink; refusing to use it")};
    if (!S_ISREG(st.st_mode)) return Err{Error(StoreErrorCode::kInsecureFile, path, "is not a regular file")};
    if (st.st_uid != ::geteuid()) {
      return Err{Error(StoreErrorCode::kInsecureFile, path, "is owned by another user; refusing to use it")};
    }
    if ((st.st_mode & 07777) != 0600 && ::chmod(path.c_str(), 0600) != 0) {
      return Err{Errno(StoreErrorCode::kInsecureFile, path, "cannot chmod 600", errno)};
    }
    return {};
  }
  if (errno != ENOENT) return Err{Errno(StoreErrorCode::kInsecureFile, path, "cannot stat", errno)};
  // New: created 0600 before SQLite sees it (nothing holds locks on it yet).
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EEXIST) return EnsureSecureFile(path);  // another process created it meanwhile
    return Err{Errno(StoreErrorCode::kInsecureFile, path, "cannot create", err)};
  }
  return {};
}

}  // namespace aegis::store
