#include "control/Json.hxx"

#include "util/Time.hxx"

namespace pigeon::control {

Json TimeToJson(UnixMs t)
{
    return t == 0 ? Json(nullptr) : Json(FormatRfc3339(t));
}

Json ToJson(const Event& event)
{
    Json json = {{"event", event.kind}, {"at", TimeToJson(event.at)}};
    for (const auto& [name, value] : event.fields)
        std::visit([&json, &name](const auto& v) { json[name] = v; }, value);
    return json;
}

std::string ToLine(const Json& value)
{
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace pigeon::control
