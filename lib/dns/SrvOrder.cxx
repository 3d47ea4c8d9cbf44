#include "dns/SrvOrder.hxx"

#include <algorithm>

namespace pigeon::dns {

std::vector<SrvRecord> OrderSrv(std::vector<SrvRecord> records, const RandomUpTo& random)
{
    // Zero weights first within their priority: RFC 2782 gives them a small chance.
    std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
        if (a.priority != b.priority)
            return a.priority < b.priority;
        return a.weight == 0 && b.weight != 0;
    });
    std::vector<SrvRecord> ordered;
    ordered.reserve(records.size());
    auto group = records.begin();
    while (group != records.end()) {
        auto end = std::find_if(group, records.end(),
                                [&](const auto& r) { return r.priority != group->priority; });
        std::vector<SrvRecord> left(group, end);
        while (!left.empty()) {
            std::uint32_t total = 0;
            for (const auto& r : left)
                total += r.weight;
            const std::uint32_t draw = random(total);
            std::uint32_t running = 0;
            auto pick = left.begin();
            for (; pick != left.end(); ++pick) {
                running += pick->weight;
                if (running >= draw)
                    break;
            }
            if (pick == left.end())
                pick = left.end() - 1;
            ordered.push_back(std::move(*pick));
            left.erase(pick);
        }
        group = end;
    }
    return ordered;
}

} // namespace pigeon::dns
