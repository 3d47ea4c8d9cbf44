#pragma once
// One of our queued messages as the chat message that goes on the wire,
// whether to the recipient itself or, forwarded, to a carrier.

#include "store/Model.hxx"
#include "xmpp/Message.hxx"

#include <string>

namespace pigeon::link {

// `from`: the origin, our account or (without one) our link-local name.
inline xmpp::ChatMessage OutboxChat(const store::OutboxItem& item, const std::string& from)
{
    return {from, item.to, item.id, item.body, item.created, true};
}

} // namespace pigeon::link
