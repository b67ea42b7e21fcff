// Why the data folder or its database could not be used. The code is for
// callers and tests; the message is for the operator (it names the path and
// what to do) and never contains secret material.
#pragma once

#include <string>

namespace aegis::store {

enum class StoreErrorCode {
  kFolder,          // cannot create/open the data folder
  kInsecureFolder,  // folder is group/world-writable, not ours, or a symlink
  kInsecureFile,    // aegis.db is not ours or not a regular file
  kSqlite,          // SQLite reported an error
  kSchemaTooNew,    // database written by a newer aegis
  kNotFound,        // no such row
  kInvalidArgument, // value outside what the store accepts
};

struct StoreError {
  StoreErrorCode code = StoreErrorCode::kSqlite;
  std::string message;
};

}  // namespace aegis::store
