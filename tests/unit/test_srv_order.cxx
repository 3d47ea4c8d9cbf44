// RFC 2782 ordering of SRV targets: priority first, then a weighted draw.

#include "dns/SrvOrder.hxx"

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>

using pigeon::dns::OrderSrv;
using pigeon::dns::SrvRecord;

namespace {

SrvRecord Record(std::string target, std::uint16_t priority, std::uint16_t weight)
{
    return {std::move(target), 5222, priority, weight, false};
}

std::vector<std::string> Targets(const std::vector<SrvRecord>& records)
{
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.target);
    return out;
}

} // namespace

TEST_CASE("lower priority comes first, whatever the weights")
{
    const auto always_max = [](std::uint32_t bound) { return bound; };
    const auto ordered =
        OrderSrv({Record("c", 30, 100), Record("a", 10, 0), Record("b", 20, 65535)}, always_max);
    CHECK(Targets(ordered) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("within a priority the draw follows the weights")
{
    std::mt19937 engine(42);
    const auto random = [&](std::uint32_t bound) {
        return std::uniform_int_distribution<std::uint32_t>(0, bound)(engine);
    };
    std::map<std::string, int> first;
    for (int i = 0; i < 4000; ++i)
        ++first[OrderSrv({Record("light", 1, 10), Record("heavy", 1, 30)}, random)[0].target];
    // 3:1 expected; far from 1:1 either way.
    CHECK(first["heavy"] > 2 * first["light"]);
    CHECK(first["light"] > 500);
}

TEST_CASE("every record is kept, zero weights included")
{
    const auto zero = [](std::uint32_t) { return 0u; };
    const auto ordered = OrderSrv({Record("a", 1, 0), Record("b", 1, 0), Record("c", 1, 5)}, zero);
    CHECK(ordered.size() == 3);
    // A draw of 0 picks the first of the zero-weight records, which RFC 2782 puts first.
    CHECK(ordered[0].target == "a");
}
