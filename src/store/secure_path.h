// Filesystem checks for the data folder: it holds the API secret, so only
// our own user may write (or, for the database, read) anything in it.
#pragma once

#include <string>

#include "base/result.h"
#include "store/store_error.h"

namespace aegis::store {

// Creates `path` (the last component only) with mode 0700 if it does not
// exist. Refuses a folder that is a symlink, not a directory, not owned by
// the effective user, or writable by group or others.
Result<void, StoreError> EnsureSecureFolder(const std::string& path);

// Creates `path` with mode 0600 if it does not exist. Refuses a symlink, a
// non-regular file or a file owned by someone else; tightens an existing
// file's mode to 0600 (the folder above is 0700, so nobody else could have
// opened it through us).
Result<void, StoreError> EnsureSecureFile(const std::string& path);

}  // namespace aegis::store
