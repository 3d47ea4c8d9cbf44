// JIDs through libidn's stringprep profiles: a JID that parses writes back
// as text that parses to the same JID.

#include "FuzzTarget.hxx"
#include "xmpp/Jid.hxx"

using namespace pigeon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto jid = xmpp::Jid::TryParse(fuzz::Text(data, size));
    if (!jid)
        return 0;
    const auto again = xmpp::Jid::TryParse(jid->ToString());
    fuzz::Expect(again.has_value() && *again == *jid);
    fuzz::Expect(xmpp::BareOf(jid->ToString()) == jid->Bare().ToString());
    return 0;
}
