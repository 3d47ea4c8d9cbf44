#include "uplink/Uploader.hxx"

#include "store/Store.hxx"
#include "uplink/KeyDirectory.hxx"
#include "uplink/ServerLink.hxx"
#include "util/EventBus.hxx"
#include "util/Log.hxx"
#include "xml/Document.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/post.hpp>

namespace pigeon::uplink {
namespace {

// The stanza id of what we upload: a receipt from a client that knows no
// pigeon quotes it.
constexpr std::string_view kCarriedPrefix = "carried-";

// Carried copies in flight to the server at most. A carrier back online with
// a train's messages sends them a window at a time, read from the store as
// the server takes them: all at once, each flush (every receipt brings one)
// read every copy it carries again, and every stanza waited in memory (5.5
// MiB more for 2,000). Wide, because bursts are what a BOSH server serves
// best: with 256, uploads of 2,000 went at half the rate.
constexpr std::size_t kUploadWindow = 1024;

// What a stock client shows for a carried message.
std::string FallbackBody(const xmpp::ChatMessage& m)
{
    return "[carried by pigeon for " + m.from + ", sent " + FormatRfc3339(m.sent) + "] " + m.body;
}

// The message that carries `item` to its recipient: the origin's forwarded
// stanza as it was handed over, with a body for clients that know no pigeon.
xml::Element CarrierMessage(const store::CarriedItem& item, const xmpp::ChatMessage& original,
                            xml::Element forwarded)
{
    xml::Element wrapper("message", std::string(xmpp::ns::kClient));
    wrapper.SetAttr("to", item.to);
    wrapper.SetAttr("type", "chat");
    wrapper.SetAttr("id", Uploader::CarriedStanzaId(item.id));
    wrapper.AddChild(xml::Element("body", std::string(xmpp::ns::kClient)))
        .AddText(FallbackBody(original));
    // A pigeon recipient answers the origin itself; a stock client answers
    // us, and we tell the origin.
    wrapper.AddChild(xml::Element("request", std::string(xmpp::ns::kReceipts)));
    wrapper.AddChild(xml::Element("carried", std::string(xmpp::ns::kPigeon)))
        .SetAttr("origin", item.origin);
    wrapper.AddChild(std::move(forwarded));
    return wrapper;
}

} // namespace

Uploader::Uploader(boost::asio::io_context& io, store::Store& store, ServerLink& link,
                   const KeyDirectory& keys, bool only_pigeons, UnixMs custody_wait,
                   std::function<void()> drained)
    : store_(store), link_(link), keys_(keys), only_pigeons_(only_pigeons),
      custody_wait_(custody_wait), custody_timer_(io), drained_(std::move(drained))
{
}

std::optional<std::string> Uploader::CarriedIdOf(std::string_view stanza_id)
{
    if (!stanza_id.starts_with(kCarriedPrefix) || stanza_id.size() == kCarriedPrefix.size())
        return std::nullopt;
    return std::string(stanza_id.substr(kCarriedPrefix.size()));
}

std::string Uploader::CarriedStanzaId(std::string_view origin_id)
{
    return std::string(kCarriedPrefix) + std::string(origin_id);
}

void Uploader::Flush() noexcept
{
    try {
        if (!only_pigeons_ && caught_up_) {
            SendOwn();
            ArmCustodyTimer();
        }
        UploadCarried();
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("flushing: ") + e.what());
    }
}

void Uploader::CaughtUp() noexcept
{
    caught_up_ = true;
    Flush();
}

void Uploader::Forget() noexcept
{
    caught_up_ = false;
    custody_timer_.cancel();
    sending_.clear();
    uploading_.clear();
}

void Uploader::ArmCustodyTimer()
{
    const UnixMs now = NowMs();
    const auto earliest = store_.EarliestCustody(now - custody_wait_);
    if (!earliest)
        return;
    const UnixMs wait = *earliest + custody_wait_ - now + 1;
    custody_timer_.expires_after(std::chrono::milliseconds(wait));
    custody_timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code ec) {
        if (ec || alive.Gone() || !link_.Online())
            return;
        log::Info("uplink", "no receipt for what a carrier uploaded: sending it ourselves");
        Flush();
    });
}

void Uploader::SendOwn()
{
    for (const auto& item : store_.PendingForServer(1000, NowMs() - custody_wait_, NowMs())) {
        if (!sending_.insert(item.id).second)
            continue;
        xmpp::ChatMessage m{{}, item.to, item.id, item.body, item.created, true};
        auto stanza = xmpp::ToStanza(m);
        keys_.Attach(stanza);
        link_.Send(std::move(stanza), [this, id = item.id, to = item.to](bool accepted) {
            sending_.erase(id);
            if (!accepted)
                return; // offered again on the next flush
            try {
                if (!store_.MarkSent(id, NowMs()))
                    return;
                log::Info("uplink", "sent " + id + " directly");
                Publish(link_.Config().events, [&] {
                    return Event{
                        "sent", 0, {{"id", id}, {"to", to}, {"via", std::string("server")}}};
                });
            } catch (const std::exception& e) {
                log::Error("uplink", std::string("recording a send: ") + e.what());
            }
        });
    }
}

void Uploader::UploadCarried()
{
    if (const int expired = store_.ExpireCarried(NowMs()); expired > 0)
        Publish(link_.Config().events, [&] {
            return Event{"expired", 0, {{"count", std::int64_t{expired}}}};
        });
    // Once half the window is free: every receipt brings a flush, and
    // reading the window again for each would cost more than the uploads.
    if (!HalfWindowFree())
        return;
    // The oldest first: those in flight, still carried until the server
    // takes them, and as many after them as there is room for.
    for (const auto& item : store_.Carrying(NowMs(), int(kUploadWindow))) {
        if (uploading_.size() >= kUploadWindow)
            break;
        // Distinct copies of one message each go up (the recipient tells them apart).
        const std::string key = item.origin + "\n" + item.id + "\n" + item.digest;
        if (uploading_.count(key))
            continue;
        std::optional<xmpp::Unwrapped> original;
        xml::Element forwarded;
        try {
            forwarded = xml::ParseDocument(item.payload);
            original = xmpp::Unwrap(forwarded);
        } catch (const std::exception&) {
        }
        if (!original) {
            log::Error("uplink", "dropping an unreadable carried message " + item.id);
            store_.MarkUploaded(item.origin, item.id, NowMs(), item.digest);
            continue;
        }
        auto message = CarrierMessage(item, original->message, std::move(forwarded));
        uploading_.insert(key);
        link_.Send(std::move(message), [this, key, origin = item.origin, id = item.id, to = item.to,
                                        digest = item.digest](bool ok) {
            uploading_.erase(key);
            RefillWhenHalfEmpty(); // posted: runs after what follows
            if (!ok)
                return; // retried on the next flush (the refill's, if it comes first)
            try {
                // And a tombstone on our word, which goes along with the
                // next contact: only proof is worth one of its own.
                store_.MarkUploaded(origin, id, NowMs(), digest);
                log::Info("uplink", "uploaded " + id + " for " + origin);
                Publish(link_.Config().events, [&] {
                    return Event{"upload", 0, {{"origin", origin}, {"id", id}, {"to", to}}};
                });
            } catch (const std::exception& e) {
                log::Error("uplink", std::string("recording an upload: ") + e.what());
            }
        });
    }
}

bool Uploader::HalfWindowFree() const noexcept
{
    return uploading_.size() <= kUploadWindow / 2;
}

void Uploader::RefillWhenHalfEmpty()
{
    if (refill_posted_ || !HalfWindowFree())
        return;
    // Not from inside the link's completion, which may be walking its queue.
    refill_posted_ = true;
    boost::asio::post(custody_timer_.get_executor(), [this, alive = alive_.Watch()] {
        if (alive.Gone())
            return;
        refill_posted_ = false;
        if (!link_.Online())
            return;
        try {
            UploadCarried();
        } catch (const std::exception& e) {
            log::Error("uplink", std::string("uploading: ") + e.what());
        }
        if (uploading_.empty() && drained_)
            drained_();
    });
}

} // namespace pigeon::uplink
