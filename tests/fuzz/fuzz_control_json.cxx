// A control request line as any local process may send it: exactly one
// reply, itself a well-formed line of the protocol, and a client that reads
// it back gets a result or a RequestError.

#include "FuzzTarget.hxx"
#include "control/Client.hxx"
#include "control/Error.hxx"
#include "control/Server.hxx"

#include <string>

using namespace pigeon;
using control::Json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // A handler that reads its arguments the way the daemon's commands do.
    const auto handler = [](const Json& request, control::Respond respond) {
        const std::string cmd = request.at("cmd").get<std::string>();
        if (cmd == "send")
            respond(control::OkReply({{"to", request.at("to").get<std::string>()},
                                      {"body", request.value("body", "")}}));
        else
            throw control::RequestError("unknown-command", "no command " + cmd);
    };
    int replies = 0;
    std::string reply;
    control::HandleLine(handler, fuzz::Text(data, size), [&](std::string text) {
        ++replies;
        reply = std::move(text);
    });
    fuzz::Expect(replies == 1);
    fuzz::Expect(reply.find('\n') == std::string::npos);
    try {
        (void)control::ResultOf(reply);
    } catch (const control::RequestError& e) {
        fuzz::Expect(!e.Code().empty());
    }
    return 0;
}
