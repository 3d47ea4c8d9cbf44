// Every statement of the store's table (lib/store/Statements.cxx), as SQLite
// plans it on a fresh store: none walks a table that grows with use (outbox,
// carried, inbox) from end to end, itself or through an index of every row
// (a partial index, of what is queued or carried, may be walked), nor
// through every copy one neighbour gave us, unless it is listed below with
// the reason it may. A planner's choice is invisible in review, and one such
// choice made each handoff quadratic (issue 13: 8,400 messages/s down to
// 490); this catches the next one.
#include "store/Impl.hxx"
#include "store/Store.hxx"

#include "StoreFixture.hxx"

#include <doctest/doctest.h>

#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Known full walks, each found by a piece of its SQL.
constexpr std::array kMayWalk = {
    // `show ID`: a beginning or end of an id, typed by a person, at most once
    // a command.
    std::string_view(
        "WHERE (substr(origin_id, 1, length(?1)) = ?1 OR substr(origin_id, -length(?1)) = ?1)"),
    // Receipts left to resend after a login: once per login.
    std::string_view("WHERE custody = 'reported' AND state != 'delivered'"),
};

std::vector<std::string> Plan(pigeon::sqlite::Database& db, std::string_view sql)
{
    auto statement = db.Prepare("EXPLAIN QUERY PLAN " + std::string(sql));
    std::vector<std::string> steps;
    while (statement.Step())
        steps.push_back(statement.Text(3));
    return steps;
}

bool Listed(std::string_view sql)
{
    for (const auto piece : kMayWalk)
        if (sql.find(piece) != std::string_view::npos)
            return true;
    return false;
}

// The indexes of the schema that hold only some rows (CREATE INDEX ... WHERE):
// walking one of those reads what is queued or carried, not the history.
std::set<std::string> PartialIndexes(pigeon::sqlite::Database& db)
{
    std::set<std::string> names;
    auto statement = db.Prepare("SELECT il.name FROM sqlite_master m, pragma_index_list(m.name) il "
                                "WHERE m.type = 'table' AND il.partial");
    while (statement.Step())
        names.insert(statement.Text(0));
    return names;
}

// A step that reads a growing table whole, itself or through an index that
// holds every row, or one neighbour's copies where the statement does not ask
// for them by name.
bool Walks(std::string_view step, std::string_view sql, const std::set<std::string>& partial)
{
    for (const std::string_view table : {"outbox", "carried", "inbox"}) {
        const std::string scan = "SCAN " + std::string(table);
        if (step == scan)
            return true;
        if (step.starts_with(scan + " USING ")) {
            const auto index = step.substr(step.rfind(' ') + 1);
            if (!partial.contains(std::string(index)))
                return true;
        }
    }
    return step.find("INDEX carried_by_peer") != std::string_view::npos &&
           sql.find("INDEXED BY carried_by_peer") == std::string_view::npos;
}

} // namespace

TEST_CASE("no statement walks a growing table unless it is listed")
{
    pigeon::test::TempDb temp;
    {
        pigeon::store::Store store(temp.File()); // the whole schema
    }
    pigeon::sqlite::Database db(temp.File());
    const auto partial = PartialIndexes(db);
    REQUIRE(partial.contains("carried_listing"));
    REQUIRE_FALSE(partial.contains("outbox_listing"));
    int listed_walks = 0;
    for (const char* sql : pigeon::store::kStatements)
        for (const auto& step : Plan(db, sql)) {
            if (!Walks(step, sql, partial))
                continue;
            if (Listed(sql)) {
                ++listed_walks;
                continue;
            }
            FAIL_CHECK(step << " in: " << std::string(sql));
        }
    // Each listed walk is still there: a list that outlives its reasons
    // would hide the next one.
    CHECK(listed_walks >= int(kMayWalk.size()));
}
