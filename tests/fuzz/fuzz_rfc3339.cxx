// Every time ParseRfc3339 accepts, FormatRfc3339 writes back as text that
// parses to the same instant (issue 12: a year-10000 time did not).

#include "FuzzTarget.hxx"
#include "util/Time.hxx"

using namespace pigeon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto t = ParseRfc3339(fuzz::Text(data, size));
    if (t)
        fuzz::Expect(ParseRfc3339(FormatRfc3339(*t)) == t);
    return 0;
}
