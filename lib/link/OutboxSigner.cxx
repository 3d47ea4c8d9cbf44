#include "link/OutboxSigner.hxx"

#include "link/OutboxChat.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"

#include <boost/asio/post.hpp>

namespace pigeon::link {
namespace {

// Seals made per turn of the loop while catching up: about 10 ms of signing,
// so that a peer or a command waits no longer than that.
constexpr int kPage = 256;

} // namespace

OutboxSigner::OutboxSigner(boost::asio::io_context& io, store::Store& store,
                           const crypto::Identity& us) noexcept
    : io_(io), store_(store), us_(us)
{
}

const std::optional<std::string>& OutboxSigner::KeyOf(const std::string& recipient, Keys& keys)
{
    auto [known, added] = keys.try_emplace(recipient);
    if (added) // preparing a JID costs more than the rest of a handoff's item
        known->second = store_.Key(xmpp::BareOf(recipient));
    return known->second;
}

store::OutboxSeal OutboxSigner::Make(const store::OutboxItem& item, const std::string& origin,
                                     Keys& keys)
{
    const auto& key_text = KeyOf(item.to, keys);
    const auto key = key_text ? crypto::ParsePublicKey(*key_text) : std::nullopt;
    auto seal = xmpp::MakeSeal(OutboxChat(item, origin), us_, key ? &*key : nullptr);
    return {origin, key ? *key_text : std::string(), std::move(seal.sealed),
            std::move(seal.signature)};
}

xmpp::Seal OutboxSigner::SealOf(const store::OutboxItem& item, const std::string& origin,
                                Keys& keys)
{
    const auto& kept = item.seal;
    const auto& key_text = KeyOf(item.to, keys);
    if (!kept.signature.empty() && kept.signed_as == origin &&
        kept.sealed_for == key_text.value_or(std::string()))
        return {kept.sealed, kept.signature};
    auto made = Make(item, origin, keys);
    return {std::move(made.sealed), std::move(made.signature)};
}

void OutboxSigner::CatchUp(const std::string& origin)
{
    if (origin.empty() || origin == origin_)
        return;
    const bool idle = origin_.empty();
    origin_ = origin;
    at_ = {};
    sealed_ = 0;
    if (idle)
        SealNextPage();
}

void OutboxSigner::SealNextPage()
{
    boost::asio::post(io_, [this, alive = alive_.Watch()] {
        if (!alive.Gone())
            SealPage();
    });
}

void OutboxSigner::SealPage()
{
    try {
        auto items = store_.UnsealedQueue(origin_, at_, kPage);
        Keys keys;
        for (auto& item : items)
            item.seal = Make(item, origin_, keys);
        store_.SaveSeals(items);
        sealed_ += items.size();
        if (int(items.size()) == kPage) {
            at_ = {items.back().created, items.back().id};
            SealNextPage();
            return;
        }
        if (sealed_ > 0)
            log::Info("outbox",
                      "sealed " + std::to_string(sealed_) + " queued message(s) as " + origin_);
    } catch (const std::exception& e) { // a handoff makes what is missing
        log::Warning("outbox", std::string("sealing queued messages: ") + e.what());
    }
    origin_.clear();
}

} // namespace pigeon::link
