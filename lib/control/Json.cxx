#include "control/Json.hxx"

#include "util/Time.hxx"

#include <algorithm>

namespace pigeon::control {
namespace {

// The deepest nesting of arrays and objects in `text`, counting no further
// than `limit + 1`. Brackets inside strings do not count; whatever is not
// JSON is left for the parser to refuse.
std::size_t NestingDepth(std::string_view text, std::size_t limit) noexcept
{
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit)
                break;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

} // namespace

// nlohmann_json's own ids start at 101; 0 is none of theirs.
JsonTooDeep::JsonTooDeep() : Json::exception(0, "JSON nested deeper than 32 levels")
{
    static_assert(kMaxJsonDepth == 32, "the message names the limit");
}

Json ParseLine(std::string_view text)
{
    if (NestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth)
        throw JsonTooDeep();
    return Json::parse(text);
}

Json TimeToJson(UnixMs t)
{
    return t == 0 ? Json(nullptr) : Json(FormatRfc3339(t));
}

Json ToJson(const Event& event)
{
    Json json = {{"event", event.kind}, {"at", TimeToJson(event.at)}};
    // Not a structured binding: clang 14 (scripts/fuzz) cannot capture one.
    for (const auto& field : event.fields) {
        const std::string& name = field.first;
        std::visit([&json, &name](const auto& v) { json[name] = v; }, field.second);
    }
    return json;
}

std::string ToLine(const Json& value)
{
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace pigeon::control
