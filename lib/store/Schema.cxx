#include "store/Schema.hxx"

#include "sqlite/Database.hxx"
#include "store/Migrations.hxx"
#include "store/Store.hxx"

#include <string>

namespace pigeon::store {

int LatestSchemaVersion() noexcept
{
    return int(kSchemaMigrations.size());
}

void Migrate(sqlite::Database& db)
{
    const int current = db.UserVersion();
    if (current > LatestSchemaVersion())
        throw StoreError(StoreError::Reason::SchemaTooNew,
                         "the database was written by a newer pigeon (schema version " +
                             std::to_string(current) + ", this build knows up to " +
                             std::to_string(LatestSchemaVersion()) +
                             "); upgrade pigeon or use another --data-dir");
    for (int version = current + 1; version <= LatestSchemaVersion(); ++version) {
        sqlite::Transaction transaction(db);
        db.Exec(kSchemaMigrations[version - 1]);
        db.Exec(("PRAGMA user_version = " + std::to_string(version)).c_str());
        transaction.Commit();
    }
}

} // namespace pigeon::store
