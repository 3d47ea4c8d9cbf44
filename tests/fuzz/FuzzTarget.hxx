#pragma once
// What every fuzz target defines: libFuzzer's entry point. Built with
// -fsanitize=fuzzer (scripts/fuzz) libFuzzer drives it; in the ordinary
// build RunCorpus.cxx feeds it each file of the target's seed corpus, so the
// corpus is a regression test wherever the tests run.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace pigeon::fuzz {

inline std::string_view Text(const std::uint8_t* data, std::size_t size) noexcept
{
    return {reinterpret_cast<const char*>(data), size};
}

// A property that must hold for every input: abort, which both libFuzzer and
// the corpus run report with the input that broke it.
inline void Expect(bool holds) noexcept
{
    if (!holds)
        std::abort();
}

} // namespace pigeon::fuzz
