#pragma once
// The control requests pigeond answers (doc/control-protocol.md): one handler
// per row of control::kCommands, bound in Commands.cxx. Every refusal is a
// control::RequestError with a stable code.

#include "control/Command.hxx"
#include "control/Json.hxx"
#include "control/Server.hxx"

#include <map>
#include <string_view>

namespace pigeon {

class Daemon;

class Commands {
public:
    explicit Commands(Daemon& daemon) noexcept : daemon_(daemon) {}

    // Answers through `respond`, at once or (the commands whose reply waits
    // on the server) later. Throws control::RequestError for bad requests,
    // std::system_error on store failure.
    void Handle(const control::Json& request, control::Server::Respond respond);

private:
    using Json = control::Json;
    using Respond = control::Server::Respond;

    // A row's handler: `now` returns the result at once; `later` answers
    // through `respond` when the server has (control::Reply::Later), or
    // answers and then feeds the connection (control::Reply::Stream).
    // The reply kind is kept beside the pointer: comparing member pointers
    // is not a constant expression under -fsanitize=undefined, so the
    // compile-time check reads `reply` instead.
    struct Handler {
        using Now = Json (Commands::*)(const Json& request);
        using Later = void (Commands::*)(const Json& request, Respond respond);
        constexpr Handler(std::string_view wire_name, Now handler)
            : wire(wire_name), now(handler), reply(control::Reply::Now)
        {
        }
        constexpr Handler(std::string_view wire_name, Later handler,
                          control::Reply kind = control::Reply::Later)
            : wire(wire_name), later(handler), reply(kind)
        {
        }
        std::string_view wire;
        Now now = nullptr;
        Later later = nullptr;
        control::Reply reply;
    };
    static const Handler kHandlers[];
    static constexpr bool HandlersMatchTable();

    Json Send(const Json& request);
    Json Outbox(const Json& request);
    Json Carrying(const Json& request);
    Json Inbox(const Json& request);
    Json Show(const Json& request);
    Json Search(const Json& request);
    Json Status(const Json& request);
    Json Ping(const Json& request);
    Json ForgetPin(const Json& request);
    Json Peers(const Json& request);
    Json Presence(const Json& request);
    Json Account(const Json& request);
    void Register(const Json& request, Respond respond);
    void ChangePassword(const Json& request, Respond respond);
    Json SetAccount(const Json& request);
    Json Contacts(const Json& request);
    Json AddContact(const Json& request);
    void Watch(const Json& request, Respond respond);

    Json Connectivity() const;
    // A reply that waits on the server; Answer() sends it unless already sent.
    unsigned Await(Respond respond);
    void Answer(unsigned ticket, const Json& reply);

    Daemon& daemon_;
    std::map<unsigned, Respond> awaiting_;
    unsigned next_ticket_ = 0;
};

} // namespace pigeon
