#pragma once
// Choices written "a|b|c", as the command and settings tables list them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon {

// The names in `choices`, in order; none for "".
std::vector<std::string_view> ChoiceNames(std::string_view choices);
// The position of `value` among `choices`; nullopt if it is none of them.
std::optional<std::size_t> ChoiceIndex(std::string_view choices, std::string_view value);
// "a, b or c", for messages.
std::string ChoiceList(std::string_view choices);

} // namespace pigeon
