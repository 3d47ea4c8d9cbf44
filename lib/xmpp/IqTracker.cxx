#include "xmpp/IqTracker.hxx"

#include "crypto/Random.hxx"
#include "util/CallOut.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

#include <stdexcept>

namespace pigeon::xmpp {
namespace {

constexpr std::string_view kLog = "xmpp";

std::string Hex(std::string_view bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const char b : bytes) {
        out += kDigits[static_cast<unsigned char>(b) >> 4];
        out += kDigits[static_cast<unsigned char>(b) & 15];
    }
    return out;
}

// JIDs compare in their canonical form (lowercased domain...), when they parse.
std::string Canonical(std::string_view jid)
{
    const auto parsed = Jid::TryParse(jid);
    return parsed ? parsed->ToString() : std::string{jid};
}

} // namespace

IqTracker::IqTracker(boost::asio::io_context& io, const std::string& account,
                     std::chrono::seconds timeout)
    : io_(io), bare_(Canonical(account)), domain_(Jid::Parse(account).Domain()), timeout_(timeout),
      id_prefix_(Hex(crypto::RandomBytes(4)))
{
}

IqTracker::~IqTracker() = default;

void IqTracker::Prepare(xml::Element& iq)
{
    const std::string_view type = iq.Attr("type");
    if (iq.name != "iq" || (type != "get" && type != "set"))
        throw std::invalid_argument("SendIq takes an <iq type='get'/> or <iq type='set'/>");
    if (iq.ns.empty())
        iq.ns = ns::kClient;
    if (iq.Attr("id").empty())
        iq.SetAttr("id", NewId());
    if (pending_.contains(std::string{iq.Attr("id")}))
        throw std::invalid_argument("an IQ with id '" + std::string{iq.Attr("id")} +
                                    "' is already waiting for its reply");
}

std::string IqTracker::NewId()
{
    return id_prefix_ + "-" + std::to_string(++next_id_);
}

void IqTracker::Track(const xml::Element& iq, Reply reply)
{
    std::string id{iq.Attr("id")};
    const auto alive = alive_.Watch();
    auto timer = std::make_unique<boost::asio::steady_timer>(io_, timeout_);
    timer->async_wait([this, id, alive](const boost::system::error_code& ec) {
        if (ec || alive.Gone())
            return;
        log::Info(kLog, "no reply to IQ " + id);
        Complete(id, std::nullopt);
    });
    pending_[id] = Pending{std::move(reply), std::string{iq.Attr("to")}, std::move(timer)};
}

void IqTracker::Abandon(const std::string& id) noexcept
{
    Complete(id, std::nullopt);
}

bool IqTracker::Take(const xml::Element& stanza, const std::string& full_jid)
{
    if (stanza.name != "iq" || stanza.ns != ns::kClient)
        return false;
    const std::string_view type = stanza.Attr("type");
    if (type != "result" && type != "error")
        return false;
    const std::string id{stanza.Attr("id")};
    const auto it = pending_.find(id);
    if (it != pending_.end() && IsReply(stanza, it->second.to, full_jid))
        Complete(id, stanza);
    else
        log::Debug(kLog, "dropping an IQ reply nobody waits for: " + id);
    return true;
}

bool IqTracker::IsReply(const xml::Element& stanza, const std::string& expected_from,
                        const std::string& full_jid) const
{
    const std::string_view from = stanza.Attr("from");
    if (expected_from.empty() || Canonical(expected_from) == bare_) {
        // Addressed to our own account: the server answers for it, with or without a from.
        if (from.empty())
            return true;
        const std::string sender = Canonical(from);
        return sender == bare_ || sender == full_jid ||
               (expected_from.empty() && sender == domain_);
    }
    return Canonical(from) == Canonical(expected_from);
}

void IqTracker::Complete(const std::string& id, std::optional<xml::Element> result) noexcept
{
    const auto it = pending_.find(id);
    if (it == pending_.end())
        return;
    auto reply = std::move(it->second.reply);
    pending_.erase(it); // also its timer, whose handler may be what called us
    CallOut(kLog, reply, std::move(result));
}

bool IqTracker::FailAll() noexcept
{
    auto pending = std::move(pending_);
    pending_.clear();
    const auto alive = alive_.Watch();
    for (auto& [id, iq] : pending) {
        CallOut(kLog, iq.reply, std::nullopt);
        if (alive.Gone())
            return false;
    }
    return true;
}

} // namespace pigeon::xmpp
