#pragma once
// What a carrier tells the origin of a message it carried (doc/carry-protocol.md,
// "Custody"): that it uploaded it, or that the recipient has it. And the
// recipient's signature over its receipt, which a carrier passes on but
// cannot make, so that no carrier can fake "delivered".

#include "crypto/Identity.hxx"
#include "xml/Element.hxx"

#include <optional>
#include <string>
#include <string_view>

namespace pigeon::xmpp {

// <report xmlns='urn:xmpp:pigeon:custody:0' origin=.. id=.. to=.. status=..
//         carrier=.. [receipt=..] signature=../>
struct CustodyReport {
    std::string origin;  // the message's origin (bare JID, or its link-local name)
    std::string id;      // its origin-id
    std::string to;      // its recipient, bare
    std::string status;  // "uploaded" or "delivered"
    std::string carrier; // who reports: its bare JID, or its link-local name
    // With "delivered": the recipient's receipt signature (base64), empty when
    // the recipient is a client that knows no pigeon and acknowledged unsigned.
    std::string receipt;
    std::string signature = {}; // the carrier's, over all of the above (base64)
};

inline constexpr std::string_view kUploaded = "uploaded";
inline constexpr std::string_view kDelivered = "delivered";

xml::Element ToElement(const CustodyReport& report);
// A <report/> element; nullopt when a field is missing or the status unknown.
std::optional<CustodyReport> ParseReport(const xml::Element& element);
// The first <report/> child of `parent`, read; nullopt if none or malformed.
std::optional<CustodyReport> FindReport(const xml::Element& parent);

// Signs `report` with the carrier's key.
void Sign(CustodyReport& report, const crypto::Identity& carrier);
// Whether the carrier's signature on `report` checks with `carrier_key`.
bool Check(const CustodyReport& report, const crypto::PublicKey& carrier_key) noexcept;

// What a recipient tells the origin (through its server, which vouches for
// it) when it refused a carried copy of the origin's message: forged, or
// unsigned. <refused xmlns='urn:xmpp:pigeon:custody:0' id=.. via=../>
xml::Element RefusalElement(std::string_view id, std::string_view via);
// The origin-id the <refused/> child of `message` names, if it has one.
std::optional<std::string> RefusedId(const xml::Element& message);

// The recipient's signature (base64) over "`recipient` has message `id` of
// `origin`" (all bare), which rides on its receipt.
std::string SignReceipt(const crypto::Identity& recipient_identity, std::string_view recipient,
                        std::string_view origin, std::string_view id);
bool CheckReceipt(const crypto::PublicKey& recipient_key, std::string_view recipient,
                  std::string_view origin, std::string_view id,
                  std::string_view signature) noexcept;

} // namespace pigeon::xmpp
