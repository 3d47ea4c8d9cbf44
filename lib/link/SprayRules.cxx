#include "link/SprayRules.hxx"

#include <algorithm>

namespace pigeon::link {

BudgetSplit SplitBudget(int budget) noexcept
{
    if (budget <= 1)
        return {0, std::max(budget, 0)};
    return {budget / 2, budget - budget / 2};
}

int OriginGrant(int copies, int handed) noexcept
{
    if (copies < 1)
        return 0;
    const int left = copies - std::max(handed, 0);
    // Once down to its last copy the origin still serves its K carriers, one
    // copy each: K keeps the meaning it had before budgets.
    return std::max(SplitBudget(left).give, 1);
}

bool MayHandOn(const HeldRoute& route, std::span<const std::string> next_names,
               int hop_limit) noexcept
{
    if (route.tombstoned || SplitBudget(route.copies).give == 0)
        return false;
    // Our handoff adds us to the path: it counts as one more hop.
    if (int(route.path.size()) + 1 > hop_limit)
        return false;
    return std::none_of(next_names.begin(), next_names.end(), [&](const std::string& name) {
        return !name.empty() &&
               std::find(route.path.begin(), route.path.end(), name) != route.path.end();
    });
}

std::string_view RefuseRoute(std::span<const std::string> path,
                             std::span<const std::string> our_names, int hop_limit) noexcept
{
    for (const auto& name : our_names)
        if (!name.empty() && std::find(path.begin(), path.end(), name) != path.end())
            return "we held it before";
    if (int(path.size()) > hop_limit)
        return "past the hop limit";
    return {};
}

std::vector<std::string> KeptPath(std::vector<std::string> path, const std::string& from_peer)
{
    if (path.empty() || path.back() != from_peer)
        path.push_back(from_peer);
    return path;
}

std::string JoinPath(std::span<const std::string> path)
{
    std::string text;
    for (const auto& name : path) {
        if (!text.empty())
            text += '\n';
        text += name;
    }
    return text;
}

std::vector<std::string> SplitPath(std::string_view text)
{
    std::vector<std::string> path;
    while (!text.empty()) {
        const auto end = text.find('\n');
        path.emplace_back(text.substr(0, end));
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return path;
}

int PathHops(std::string_view path) noexcept
{
    return int(std::count(path.begin(), path.end(), '\n')) + 1;
}

} // namespace pigeon::link
