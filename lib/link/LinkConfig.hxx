#pragma once
// What the link layer is told at start; `account` changes with
// LinkManager::SetAccount, the rest stays.

#include "avahi/ServiceInfo.hxx"
#include "link/Admission.hxx"
#include "link/CarryDecision.hxx"
#include "link/SprayRules.hxx"
#include "link/Stream.hxx"
#include "util/Time.hxx"

#include <cstdint>
#include <functional>
#include <string>

namespace pigeon {
class EventBus;
} // namespace pigeon
namespace pigeon::crypto {
class Identity;
} // namespace pigeon::crypto
namespace pigeon::store {
class WalSync;
} // namespace pigeon::store

namespace pigeon::link {

struct LinkConfig {
    std::string user;          // our XEP-0174 user part; the instance is user@host
    std::uint16_t port = 5298; // where we listen (v4 and v6)
    std::string account;       // our account JID, empty if none
    int carriers = 5;          // K
    SprayRules spray;          // L and the hop limit
    CarryPolicy carry = CarryPolicy::On;
    UnixMs ttl = 7 * 24 * 3600 * 1000LL; // how long our messages may be carried
    CarryLimits carry_limits;            // most we hold for others (resolved: no zeros)
    std::size_t batch_bytes = 96 * 1024; // keep a handoff well under the stanza limit
    int batch_items = 1000;
    StreamSettings stream;
    AdmissionRules admission;         // which inbound streams we take
    avahi::TxtRecord profile;         // 1st / last / nick, as the user chose to publish them
    std::function<void()> on_carried; // we took on new messages to carry
    // A carrier handed us message `id` of `origin` (bare) and we owe it a
    // receipt: the owner sends it through the server too, if it can.
    std::function<void(const std::string& origin, const std::string& id)> on_receipt;
    // Signs what we hand to carriers. Required; must outlive the LinkManager.
    const crypto::Identity* identity = nullptr;
    // Asks our server for the key of `account`, whose agent's TLS pin waits
    // for it (PinTrust); may be empty (never online). Must not throw.
    std::function<void(const std::string& account)> want_key;
    // Hears what happens on the link (neighbours, handoffs, what we carry);
    // may be null. Must outlive the LinkManager.
    EventBus* events = nullptr;
    // Where what we take to carry waits for the disk before we answer, while
    // the loop goes on; null: each batch is committed durably at once. Must
    // outlive the LinkManager.
    store::WalSync* wal_sync = nullptr;
};

} // namespace pigeon::link
