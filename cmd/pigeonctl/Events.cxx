#include "Events.hxx"
#include "Format.hxx"

#include "util/Time.hxx"

#include <ctime>
#include <iomanip>
#include <map>

namespace pigeon::ctl {
using control::Json;

namespace {

std::string Text(const Json& event, const char* name)
{
    const auto it = event.find(name);
    if (it == event.end())
        return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

// "1 message", "3 messages".
std::string Messages(const Json& event, const char* name)
{
    const long long n = event.value(name, 0LL);
    return std::to_string(n) + (n == 1 ? " message" : " messages");
}

std::string Names(const Json& list)
{
    std::string text;
    for (const auto& name : list)
        text += (text.empty() ? "" : ", ") + name.get<std::string>();
    return text.empty() ? "none" : text;
}

using Describe = std::string (*)(const Json& e);

// clang-format off
// The gist of each kind, to read after the kind: "handoff  2 messages to kramer@kramer".
const std::map<std::string, Describe, std::less<>> kDescriptions = {
    {"queued", [](const Json& e) { return ShortId(Text(e, "id")) + " for " + Text(e, "to"); }},
    {"neighbour-up", [](const Json& e) {
         const std::string jid = Text(e, "jid");
         return Text(e, "instance") + " (" + Text(e, "kind") + (jid.empty() ? "" : ", " + jid) + ")"; }},
    {"neighbour-down", [](const Json& e) { return Text(e, "instance"); }},
    {"handoff", [](const Json& e) {
         const long long refused = e.value("refused", 0LL);
         return Messages(e, "count") + " to " + Text(e, "carrier") +
                (refused > 0 ? " (" + std::to_string(refused) + " refused)" : ""); }},
    {"direct", [](const Json& e) { return Messages(e, "count") + " straight to " + Text(e, "to"); }},
    {"carrying", [](const Json& e) {
         return Messages(e, "new") + " from " + Text(e, "from") + " (" + Text(e, "duplicate") +
                " already held, " + Text(e, "refused") + " refused)"; }},
    {"refused", [](const Json& e) {
         const std::string why = Text(e, "condition") + (Text(e, "text").empty() ? "" : ": " + Text(e, "text"));
         return Text(e, "by") == "us" ? "we would not carry for " + Text(e, "peer") + " (" + why + ")"
                                      : Text(e, "peer") + " would not carry for us (" + why + ")"; }},
    {"expired", [](const Json& e) {
         const auto ids = e.find("ids");
         const std::size_t ours = ids != e.end() && ids->is_array() ? ids->size() : 0;
         return Messages(e, "count") + " carried for others, past their expiry" +
                (ours > 0 ? "; " + std::to_string(ours) + " of ours" : ""); }},
    {"upload", [](const Json& e) {
         return ShortId(Text(e, "id")) + " from " + Text(e, "origin") + " for " + Text(e, "to"); }},
    {"sent", [](const Json& e) { return ShortId(Text(e, "id")) + " to " + Text(e, "to") + " (" + Text(e, "via") + ")"; }},
    {"received", [](const Json& e) {
         return ShortId(Text(e, "id")) + " from " + Text(e, "from") + " via " + Text(e, "via") + ", " +
                Text(e, "authenticity"); }},
    {"verified", [](const Json& e) { return ShortId(Text(e, "id")) + " from " + Text(e, "from") + " is signed"; }},
    {"dropped", [](const Json& e) {
         return ShortId(Text(e, "id")) + " claiming to come from " + Text(e, "from") + ": no copy bears its signature"; }},
    {"forged", [](const Json& e) {
         return ShortId(Text(e, "id")) + " claiming to come from " + Text(e, "from") + " via " + Text(e, "via") +
                ": unsigned or forged, refused"; }},
    {"delivered", [](const Json& e) {
         return ShortId(Text(e, "id")) + " to " + Text(e, "by") + " (" + Text(e, "route") + ")"; }},
    {"summary", [](const Json& e) {
         return e.value("held", -1LL) < 0
                    ? "none from " + Text(e, "from") + ": it gets everything"
                    : Text(e, "from") + " holds " + Messages(e, "held") + ", knows " + Text(e, "delivered") +
                          " delivered (" + Text(e, "ms") + " ms)"; }},
    {"online", [](const Json& e) { return "as " + Text(e, "jid"); }},
    {"offline", [](const Json& e) { return Text(e, "jid"); }},
    {"reloaded", [](const Json& e) {
         std::string text = "changed: " + Names(e.value("changed", Json::array()));
         if (!e.value("restart", Json::array()).empty())
             text += "; need a restart: " + Names(e["restart"]);
         return text; }},
};
// clang-format on

// An event this pigeonctl does not know: its fields as they are.
std::string Fields(const Json& event)
{
    std::string text;
    for (const auto& [name, value] : event.items())
        if (name != "event" && name != "at")
            text += (text.empty() ? "" : " ") + name + "=" +
                    (value.is_string() ? value.get<std::string>() : value.dump());
    return text;
}

// "14:02:11" in the user's time zone.
std::string TimeOfDay(const Json& at)
{
    const auto ms = at.is_string() ? ParseRfc3339(at.get<std::string>()) : std::nullopt;
    const std::time_t seconds = ms ? *ms / 1000 : std::time(nullptr);
    std::tm tm{};
    localtime_r(&seconds, &tm);
    char text[16];
    std::strftime(text, sizeof(text), "%H:%M:%S", &tm);
    return text;
}

} // namespace

std::string DescribeEvent(const Json& event)
{
    const std::string kind = Text(event, "event");
    const auto it = kDescriptions.find(kind);
    return it != kDescriptions.end() ? it->second(event) : Fields(event);
}

void PrintEvent(std::ostream& out, const Json& event)
{
    out << TimeOfDay(event.value("at", Json())) << "  " << std::left << std::setw(15)
        << Text(event, "event") << DescribeEvent(event) << std::endl; // a live view: now
}

} // namespace pigeon::ctl
