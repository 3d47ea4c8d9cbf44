#include "c2s/StreamManagement.hxx"

#include "xmpp/Namespaces.hxx"

#include <stdexcept>

namespace pigeon::c2s {

xml::Element StreamManagement::Element(const char* name)
{
    return xml::Element{name, std::string{xmpp::ns::kStreamManagement}};
}

std::uint32_t StreamManagement::ParseH(const xml::Element& element)
{
    const std::string h{element.Attr("h")};
    if (h.empty() || h.size() > 10 || h.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("bad h='" + h + "' in <" + element.name + "/>");
    const unsigned long long value = std::stoull(h);
    if (value > 0xffffffffULL)
        throw std::invalid_argument("h='" + h + "' out of range");
    return static_cast<std::uint32_t>(value);
}

void StreamManagement::Enabled(std::string id, std::optional<std::chrono::seconds> max)
{
    active_ = true;
    id_ = std::move(id);
    if (max)
        window_ = *max;
}

void StreamManagement::Sent(xml::Element stanza, Done done)
{
    unacked_.push_back({std::move(stanza), std::move(done)});
}

std::vector<StreamManagement::Done> StreamManagement::Acknowledged(std::uint32_t h)
{
    // h counts modulo 2^32 (XEP-0198 section 4); the difference is what is newly covered.
    const std::uint32_t covered = h - acked_;
    if (covered > unacked_.size())
        throw std::out_of_range("the server acknowledges " + std::to_string(covered) +
                                " stanzas but only " + std::to_string(unacked_.size()) +
                                " are unacknowledged");
    acked_ = h;
    std::vector<Done> dones;
    for (std::uint32_t i = 0; i < covered; ++i) {
        dones.push_back(std::move(unacked_.front().done));
        unacked_.pop_front();
    }
    return dones;
}

std::vector<StreamManagement::Unacked> StreamManagement::TakeUnacked()
{
    std::vector<Unacked> out(std::make_move_iterator(unacked_.begin()),
                             std::make_move_iterator(unacked_.end()));
    unacked_.clear();
    Reset();
    return out;
}

std::vector<StreamManagement::Done> StreamManagement::TakeDones()
{
    std::vector<Done> out;
    for (auto& u : unacked_)
        out.push_back(std::move(u.done));
    unacked_.clear();
    Reset();
    return out;
}

void StreamManagement::Reset() noexcept
{
    active_ = false;
    id_.clear();
    inbound_ = 0;
    acked_ = 0;
}

std::vector<xml::Element> StreamManagement::Resend() const
{
    std::vector<xml::Element> out;
    for (const auto& u : unacked_)
        out.push_back(u.stanza);
    return out;
}

} // namespace pigeon::c2s
