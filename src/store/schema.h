// The database schema as an ordered list of migrations. Version N is reached
// by running migrations 1..N once each, in one transaction per open, and is
// recorded in the schema_version table. Migrating is idempotent: a database
// already at the latest version is left untouched; one from a newer aegis is
// refused rather than guessed at.
#pragma once

#include "base/result.h"
#include "store/sqlite.h"
#include "store/store_error.h"

namespace aegis::store {

// The version this build writes.
int LatestSchemaVersion();

// Brings `db` to LatestSchemaVersion(); returns the version found before.
Result<int, StoreError> Migrate(Database& db);

// Brings `db` up to `target` (at most LatestSchemaVersion()); a database
// already past it is left alone. For tests that need an older schema.
Result<int, StoreError> MigrateTo(Database& db, int target);

// The recorded version (0 for an empty database).
Result<int, StoreError> SchemaVersion(Database& db);

}  // namespace aegis::store
