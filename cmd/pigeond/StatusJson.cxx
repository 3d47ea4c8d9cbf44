#include "StatusJson.hxx"

#include "StoreJson.hxx"

namespace pigeon {

using control::Json;

namespace {

// Empty means "not known yet": null, not "".
Json OrNull(const std::string& text)
{
    return text.empty() ? Json(nullptr) : Json(text);
}

} // namespace

Json NoUplinkJson(UnixMs started, const std::string& account, const std::string& bosh_url)
{
    return {
        {"state", "offline"},       {"since", control::TimeToJson(started)},
        {"last_probe", nullptr},    {"session", "no account"}, // an account always gets an uplink
        {"session_error", nullptr}, {"transport", nullptr},
        {"connection", nullptr},    {"tls_insecure", false},
        {"problem", "none"},        {"jid", account},
        {"bosh_url", bosh_url},     {"bosh_url_source", nullptr},
        {"host_meta_url", nullptr}, {"key_published", false}};
}

Json ConnectivityJson(const uplink::UplinkStatus& s, const std::string& account)
{
    return {{"state", s.online ? "online" : "offline"},
            {"since", control::TimeToJson(s.since)},
            {"last_probe", s.last_probe == 0 ? Json(nullptr)
                                             : Json{{"at", control::TimeToJson(s.last_probe)},
                                                    {"result", s.last_result}}},
            {"session", s.session},
            {"session_error", OrNull(s.session_error)},
            {"transport", OrNull(s.transport)},
            {"connection", OrNull(s.connection)},
            {"tls_insecure", s.tls_insecure},
            {"problem", s.problem},
            {"jid", s.jid.empty() ? account : s.jid},
            {"bosh_url", s.bosh_url},
            {"bosh_url_source", OrNull(s.bosh_url_source)},
            {"host_meta_url", OrNull(s.host_meta_url)},
            {"key_published", s.key_published}};
}

Json CarryJson(const std::map<std::string, store::CarriedLoad>& holders,
               const link::CarryLimits* limits)
{
    store::CarriedLoad held;
    Json biggest = nullptr; // the neighbour whose copies make room first
    for (const auto& [peer, load] : holders) {
        held = {held.messages + load.messages, held.bytes + load.bytes};
        if (biggest.is_null() || load.bytes > biggest["bytes"].get<std::int64_t>())
            biggest = {{"neighbour", peer}, {"messages", load.messages}, {"bytes", load.bytes}};
    }
    Json quota = nullptr; // no link-local: we carry nothing
    if (limits != nullptr)
        quota = {{"total", ToJson(limits->total)},
                 {"per_neighbour", ToJson(limits->per_neighbour)},
                 {"per_origin", ToJson(limits->per_origin)}};
    return {{"held", ToJson(held)},
            {"neighbours", holders.size()},
            {"biggest", std::move(biggest)},
            {"quota", std::move(quota)}};
}

} // namespace pigeon
