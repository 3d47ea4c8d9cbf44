#include "link/StreamDeadline.hxx"

#include <algorithm>

namespace pigeon::link {

namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

} // namespace

StreamDeadline::StreamDeadline(const DeadlineRules& rules, Clock::time_point start) noexcept
    : rules_(rules), start_(start), last_complete_(start)
{
    rules_.min_rate = std::max<std::size_t>(rules_.min_rate, 1);
}

void StreamDeadline::OnBytes(Clock::time_point now, std::string_view chunk, bool completed) noexcept
{
    if (completed) {
        last_complete_ = now;
        stanza_start_.reset();
        stanza_bytes_ = 0;
        // What follows the last '>' may be the start of the next stanza. (An
        // open tag of the next one ending the chunk is taken for the end of
        // this one: its clock then starts with its next byte.)
        const auto end = chunk.rfind('>');
        chunk = end == std::string_view::npos ? std::string_view() : chunk.substr(end + 1);
    }
    if (!stanza_start_) {
        const auto first = chunk.find_first_not_of(kWhitespace);
        if (first == std::string_view::npos)
            return;
        stanza_start_ = now;
        chunk.remove_prefix(first);
    }
    stanza_bytes_ += chunk.size();
}

StreamDeadline::Due StreamDeadline::Next() const noexcept
{
    Due due{last_complete_ + rules_.idle, Reason::Idle};
    if (stanza_start_) {
        const auto allowed = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(double(stanza_bytes_) / double(rules_.min_rate)));
        due = {*stanza_start_ + rules_.stanza_grace + allowed, Reason::Stanza};
    }
    if (!identified_ && start_ + rules_.identify < due.when)
        due = {start_ + rules_.identify, Reason::Identify};
    return due;
}

} // namespace pigeon::link
