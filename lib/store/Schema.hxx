#pragma once

namespace pigeon::sqlite {
class Database;
}

namespace pigeon::store {

// The schema version this build writes.
int LatestSchemaVersion() noexcept;

// Brings the database up to LatestSchemaVersion(), one migration per
// transaction. Throws StoreError if the file was written by a newer pigeon,
// std::system_error on SQLite failure.
void Migrate(sqlite::Database& db);

} // namespace pigeon::store
