#pragma once
// Binary spray-and-wait (doc/carry-protocol.md, "Copy budgets and paths"):
// what a holder of a message gives the next carrier, and whether it may hand
// a copy on at all. Pure functions, so that tests (and any simulator) drive
// the very rules the daemon runs.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::link {

// The most names a handed-over path may hold: more than any hop limit allows.
inline constexpr std::size_t kMaxPath = 16;
// The longest name in a path (an mDNS instance name or a JID).
inline constexpr std::size_t kMaxPathName = 255;

struct SprayRules {
    int copies = 8;    // L: a message's budget at its origin
    int hop_limit = 4; // handoffs on any path, the origin's included
};

struct BudgetSplit {
    int give = 0; // to the next carrier
    int keep = 0; // left with us
};

// A holder with budget n > 1 gives floor(n/2) and keeps the rest; with 1 it
// only delivers (gives nothing).
BudgetSplit SplitBudget(int budget) noexcept;

// What the origin gives its next carrier, `handed` copies of an L-copy
// budget being gone already: the split while the budget lasts, then a single
// copy to each further carrier up to K, as before budgets existed. Zero only
// when `copies` is below one.
int OriginGrant(int copies, int handed) noexcept;

// A carried copy as the hand-on decision sees it.
struct HeldRoute {
    int copies = 1;                // our budget for it
    std::vector<std::string> path; // who held it before us, the origin first
    bool tombstoned = false;       // a tombstone, verified or not, says it arrived
};

// Whether we may hand our copy to the neighbour going by `next_names` (its
// instance, its account): budget left, the path (with us) within the hop
// limit, the neighbour never on the path, nothing known delivered.
bool MayHandOn(const HeldRoute& route, std::span<const std::string> next_names,
               int hop_limit) noexcept;

// Why we refuse an incoming copy with `path` (the holders before us, the
// giver last), or empty to take it: one of `our_names` on it (it would come
// back), or more holders than the hop limit.
std::string_view RefuseRoute(std::span<const std::string> path,
                             std::span<const std::string> our_names, int hop_limit) noexcept;

// The path we keep with a copy `from_peer` handed us: what it said, with the
// giver appended when an older peer (or a short path) left it out.
std::vector<std::string> KeptPath(std::vector<std::string> path, const std::string& from_peer);

// A path as the store keeps it (names one a line) and back.
std::string JoinPath(std::span<const std::string> path);
std::vector<std::string> SplitPath(std::string_view text);

// The carriers a copy we hold with the stored `path` went through, us
// included: its holders but the origin, and us (1 for a copy stored before
// paths). The store counts the same for our uploads' tombstones.
int PathHops(std::string_view path) noexcept;

} // namespace pigeon::link
