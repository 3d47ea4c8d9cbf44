#include "Stage.hxx"

#include <algorithm>
#include <array>

namespace pigeon::ctl {
using control::Json;

namespace {

constexpr std::array<const char*, 4> kNames = {"queued", "carried", "sent", "delivered"};

bool Lists(const Json& event, const std::string& id)
{
    const auto ids = event.find("ids");
    return ids != event.end() && ids->is_array() &&
           std::find(ids->begin(), ids->end(), id) != ids->end();
}

std::string TextOf(const Json& event, const char* name)
{
    return event.value(name, std::string());
}

} // namespace

std::optional<Stage> ParseStage(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (name == kNames[i])
            return Stage(i);
    return std::nullopt;
}

const char* StageName(Stage stage) noexcept
{
    return kNames[std::size_t(stage)];
}

Stage StageOf(const Json& item)
{
    // A carrier's word counts: it is all a sender who stays offline can learn.
    const std::string state = item.value("state", "queued");
    if (state == "delivered" || state == "delivered-reported-by-carrier")
        return Stage::Delivered;
    if (state == "sent" || state == "uploaded-by-carrier")
        return Stage::Sent;
    return item.value("carriers", 0) > 0 ? Stage::Carried : Stage::Queued;
}

bool ExpiredItem(const Json& item)
{
    return item.value("state", std::string()) == "expired";
}

bool ExpiredIn(const Json& event, const std::string& id)
{
    return TextOf(event, "event") == "expired" && Lists(event, id);
}

std::optional<Step> StepOf(const Json& event, const std::string& id)
{
    const std::string kind = TextOf(event, "event");
    if (kind == "handoff" && Lists(event, id))
        return Step{Stage::Carried, "handed to " + TextOf(event, "carrier")};
    if (kind == "direct" && Lists(event, id))
        return Step{Stage::Queued, "given to " + TextOf(event, "to") + " directly"};
    if (TextOf(event, "id") != id)
        return std::nullopt;
    if (kind == "sent")
        return Step{Stage::Sent, "sent (" + TextOf(event, "via") + ")"};
    if (kind == "delivered")
        return Step{Stage::Delivered, "delivered"};
    if (kind == "custody" && TextOf(event, "state") == "uploaded-by-carrier")
        return Step{Stage::Sent, "uploaded by " + TextOf(event, "carrier")};
    if (kind == "custody")
        return Step{Stage::Delivered, "delivered (reported by " + TextOf(event, "carrier") + ")"};
    return std::nullopt;
}

} // namespace pigeon::ctl
