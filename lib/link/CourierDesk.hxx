#pragma once
// What a carrier says to us over a link-local stream (doc/carry-protocol.md),
// as the recipient or as the origin of what it carried:
// - its copies for us go into the inbox through inbox::Receiver, as an upload
//   would (one copy, the origin's signature checked, held as unverified
//   while its key is unknown); our receipt, signed, goes back in the answer,
//   after the commit, and through our server too when we are online;
// - its reports on our messages go to the Receiver as well, with nothing to
//   vouch for the carrier but the recipient's signature.

#include "link/CourierProtocol.hxx"
#include "link/LinkConfig.hxx"

#include <string>
#include <utility>
#include <vector>

namespace pigeon::inbox {
class Receiver;
} // namespace pigeon::inbox

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::xml {
struct Element;
} // namespace pigeon::xml

namespace pigeon::link {

class Stream;

class CourierDesk {
public:
    // All must outlive the desk; `config` is the LinkManager's (our identity,
    // on_receipt).
    CourierDesk(store::Store& store, inbox::Receiver& receiver, const LinkConfig& config) noexcept;

    // Answers a deliver request (FindDeliver finds it) that `carrier` (its
    // account, or its instance) sent over `stream`. `us`: the names we go by,
    // our account and our instance. Out of disk space, it refuses for now
    // (wait, resource-constraint): what it committed before is taken again
    // as a duplicate, with its receipt. Throws what else the store throws;
    // then nothing was answered.
    void TakeDelivery(Stream& stream, const xml::Element& iq, const std::string& carrier,
                      const std::vector<std::string>& us);
    // Answers reports (FindReports finds them) from `carrier` on our messages,
    // which come from `origin` (our account, or our instance).
    void TakeReports(Stream& stream, const xml::Element& iq, const std::string& carrier,
                     const std::string& origin);

private:
    struct Kept {
        std::vector<DeliveredItem> answer;                         // one for each item
        std::vector<std::pair<std::string, std::string>> receipts; // due: origin, id
        int fresh = 0;                                             // new in the inbox
    };
    // Keeps what `iq` carries for `us` (see TakeDelivery).
    Kept Keep(const xml::Element& iq, const std::string& carrier,
              const std::vector<std::string>& us);

    store::Store& store_;
    inbox::Receiver& receiver_;
    const LinkConfig& config_;
};

} // namespace pigeon::link
