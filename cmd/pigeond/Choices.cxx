#include "Choices.hxx"

namespace pigeon {

std::vector<std::string_view> ChoiceNames(std::string_view choices)
{
    std::vector<std::string_view> parts;
    if (choices.empty())
        return parts;
    for (std::size_t bar; (bar = choices.find('|')) != std::string_view::npos;) {
        parts.push_back(choices.substr(0, bar));
        choices.remove_prefix(bar + 1);
    }
    parts.push_back(choices);
    return parts;
}

std::optional<std::size_t> ChoiceIndex(std::string_view choices, std::string_view value)
{
    const auto parts = ChoiceNames(choices);
    for (std::size_t i = 0; i < parts.size(); ++i)
        if (parts[i] == value)
            return i;
    return std::nullopt;
}

std::string ChoiceList(std::string_view choices)
{
    const auto parts = ChoiceNames(choices);
    std::string text;
    for (std::size_t i = 0; i < parts.size(); ++i)
        text.append(i == 0 ? "" : i + 1 == parts.size() ? " or " : ", ").append(parts[i]);
    return text;
}

} // namespace pigeon
