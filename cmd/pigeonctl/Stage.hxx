#pragma once
// How far one of our messages got, for `pigeonctl send --wait`. The stages
// come in this order, and a message at one has passed the earlier ones (a
// message sent directly was never "carried", but it is further on):
//   queued < carried (a carrier holds it) < sent (our server, a chat-only
//   neighbour, or a carrier's server took it) < delivered (its receipt came
//   back, or a carrier says so).

#include "control/Json.hxx"

#include <optional>
#include <string>
#include <string_view>

namespace pigeon::ctl {

enum class Stage { Queued, Carried, Sent, Delivered };

std::optional<Stage> ParseStage(std::string_view name) noexcept;
const char* StageName(Stage stage) noexcept;

// The stage of an outbox item as the control protocol shows it.
Stage StageOf(const control::Json& item);

// What an event says about message `id`: the stage it shows it at, and what
// happened in words ("handed to kramer@kramer"); nullopt if it says nothing.
struct Step {
    Stage stage;
    std::string note;
};
std::optional<Step> StepOf(const control::Json& event, const std::string& id);

// Whether message `id` is given up: the item (its state) or an event (an
// "expired" one listing it) says so. It gets no further.
bool ExpiredItem(const control::Json& item);
bool ExpiredIn(const control::Json& event, const std::string& id);

} // namespace pigeon::ctl
