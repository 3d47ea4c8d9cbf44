#pragma once
// Calls a completion that came from outside (a done or reply callback) from
// the loop: an exception it throws is logged under `tag`, never let into the
// loop (doc/error-handling.md). An empty std::function is not called.

#include "util/Log.hxx"

#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace pigeon {

template <typename F, typename... Args>
void CallOut(std::string_view tag, const F& f, Args&&... args) noexcept
{
    if (!f)
        return;
    try {
        f(std::forward<Args>(args)...);
    } catch (const std::exception& e) {
        log::Error(tag, std::string("completion failed: ") + e.what());
    } catch (...) {
        log::Error(tag, "completion failed");
    }
}

} // namespace pigeon
