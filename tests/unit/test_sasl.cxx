// lib/sasl (GNU SASL, client side) against GNU SASL's own server side in the
// same process, and xmpp::SaslExchange's choice of mechanism.

#include "sasl/Client.hxx"
#include "xml/Element.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/SaslExchange.hxx"

#include <doctest/doctest.h>
#include <gsasl.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

using pigeon::sasl::ChannelBinding;
using pigeon::sasl::Client;
using pigeon::sasl::Credentials;

namespace {

// What the in-process server knows.
struct ServerSide {
    std::string password = "pencil";
    std::string iterations = "4096";
    std::optional<ChannelBinding> binding;
};

int ServerCallback(Gsasl*, Gsasl_session* session, Gsasl_property property)
{
    const auto* side = static_cast<const ServerSide*>(gsasl_session_hook_get(session));
    switch (property) {
    case GSASL_PASSWORD:
        return gsasl_property_set(session, property, side->password.c_str());
    case GSASL_SCRAM_ITER:
        return gsasl_property_set(session, property, side->iterations.c_str());
    case GSASL_CB_TLS_UNIQUE:
    case GSASL_CB_TLS_EXPORTER: {
        if (!side->binding)
            return GSASL_NO_CALLBACK;
        char* b64 = nullptr;
        gsasl_base64_to(side->binding->data.data(), side->binding->data.size(), &b64, nullptr);
        const int rc = gsasl_property_set(session, property, b64);
        gsasl_free(b64);
        return rc;
    }
    default:
        return GSASL_NO_CALLBACK;
    }
}

// A GNU SASL server for one exchange.
class Server {
public:
    Server(const std::string& mechanism, const ServerSide& side)
    {
        REQUIRE(gsasl_init(&ctx_) == GSASL_OK);
        gsasl_callback_set(ctx_, ServerCallback);
        REQUIRE(gsasl_server_start(ctx_, mechanism.c_str(), &session_) == GSASL_OK);
        gsasl_session_hook_set(session_, const_cast<ServerSide*>(&side));
    }
    ~Server()
    {
        gsasl_finish(session_);
        gsasl_done(ctx_);
    }

    // The server's answer, and its return code.
    std::pair<std::string, int> Step(const std::string& input)
    {
        char* out = nullptr;
        std::size_t size = 0;
        const int rc = gsasl_step(session_, input.data(), input.size(), &out, &size);
        std::string output = out != nullptr ? std::string(out, size) : std::string();
        gsasl_free(out);
        return {output, rc};
    }

private:
    Gsasl* ctx_ = nullptr;
    Gsasl_session* session_ = nullptr;
};

const ChannelBinding kUnique{ChannelBinding::Type::TlsUnique, std::string("finished\0msg", 12)};
const ChannelBinding kExporter{ChannelBinding::Type::TlsExporter, std::string(32, '\x5a')};

// A SCRAM exchange: client-first, server-first, client-final, server-final. tamper may change
// the server-final message before the client sees it. Returns whether the client completed.
bool Exchange(const std::string& mechanism, const std::string& password, ServerSide side,
              std::optional<ChannelBinding> client_binding, void (*tamper)(std::string&) = nullptr)
{
    Server server(mechanism, side);
    Client client(mechanism, Credentials{"user", password}, client_binding);
    auto first = client.Next({});
    CHECK_FALSE(first.complete);
    auto [server_first, rc1] = server.Step(first.output);
    REQUIRE(rc1 == GSASL_NEEDS_MORE);
    auto final = client.Next(server_first);
    CHECK_FALSE(final.complete);
    auto [server_final, rc2] = server.Step(final.output);
    if (rc2 != GSASL_OK)
        return false; // the server refused the proof
    if (tamper != nullptr)
        tamper(server_final);
    return client.Next(server_final).complete;
}

} // namespace

TEST_CASE("GNU SASL here speaks every mechanism we offer, strongest first")
{
    const std::vector<std::string> expected{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS",
                                            "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"};
    CHECK(Client::Supported() == expected);
}

TEST_CASE("each SCRAM mechanism logs in against GNU SASL's server")
{
    for (const char* mechanism : {"SCRAM-SHA-1", "SCRAM-SHA-256"}) {
        CAPTURE(mechanism);
        CHECK(Exchange(mechanism, "pencil", {}, std::nullopt));
    }
    for (const char* mechanism : {"SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"})
        for (const auto& binding : {kUnique, kExporter}) {
            CAPTURE(mechanism);
            CAPTURE(binding.Name());
            ServerSide side;
            side.binding = binding;
            CHECK(Exchange(mechanism, "pencil", side, binding));
        }
}

TEST_CASE("a wrong password is refused by the server")
{
    CHECK_FALSE(Exchange("SCRAM-SHA-256", "pen", {}, std::nullopt));
    CHECK_FALSE(Exchange("SCRAM-SHA-1", "pen", {}, std::nullopt));
}

TEST_CASE("another TLS channel under the client is refused by the server")
{
    ServerSide side;
    side.binding = ChannelBinding{ChannelBinding::Type::TlsExporter, std::string(32, '\x01')};
    CHECK_FALSE(Exchange("SCRAM-SHA-256-PLUS", "pencil", side, kExporter));
}

TEST_CASE("a server that cannot prove it knows the password is refused")
{
    const auto tamper = [](std::string& server_final) {
        // v=<base64 signature>: change one character of the signature.
        REQUIRE(server_final.size() > 4);
        server_final[3] = server_final[3] == 'A' ? 'B' : 'A';
    };
    try {
        Exchange("SCRAM-SHA-256", "pencil", {}, std::nullopt, tamper);
        FAIL("a tampered server signature was accepted");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find("signature does not match") != std::string::npos);
    }
    const auto error = [](std::string& server_final) { server_final = "e=other-error"; };
    CHECK_THROWS_AS(Exchange("SCRAM-SHA-1", "pencil", {}, std::nullopt, error), std::system_error);
}

TEST_CASE("a server asking for an absurd iteration count is refused before PBKDF2 runs")
{
    ServerSide side;
    side.iterations = "50000000";
    try {
        Exchange("SCRAM-SHA-1", "pencil", side, std::nullopt);
        FAIL("the client ran 50 million iterations");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find("iterations") != std::string::npos);
    }
}

TEST_CASE("a -PLUS mechanism needs a channel to bind to")
{
    CHECK_THROWS_AS(Client("SCRAM-SHA-1-PLUS", Credentials{"user", "pencil"}),
                    std::invalid_argument);
    CHECK_THROWS_AS(Client("NO-SUCH-MECH", Credentials{"user", "pencil"}), std::system_error);
}

TEST_CASE("only a -PLUS mechanism binds to the channel")
{
    CHECK_THROWS_AS(Client("SCRAM-SHA-1", Credentials{"user", "pencil"}, kExporter),
                    std::invalid_argument);
    Client plain("SCRAM-SHA-1", Credentials{"user", "pencil"});
    CHECK(plain.Next({}).output.starts_with("n,,"));
    Client plus("SCRAM-SHA-1-PLUS", Credentials{"user", "pencil"}, kExporter);
    CHECK(plus.Next({}).output.starts_with("p=tls-exporter,,"));
}

namespace {

namespace ns = pigeon::xmpp::ns;
using pigeon::xml::Element;
using pigeon::xmpp::SaslChannel;
using pigeon::xmpp::SaslExchange;

Element Features(const std::vector<std::string>& mechanisms,
                 const std::vector<std::string>& binding_types = {}, bool say_types = false)
{
    Element features{"features", std::string{ns::kStreams}};
    Element& list = features.AddChild(Element{"mechanisms", std::string{ns::kSasl}});
    for (const auto& m : mechanisms)
        list.AddChild(Element{"mechanism", std::string{ns::kSasl}}).AddText(m);
    if (say_types) {
        Element& cb = features.AddChild(
            Element{"sasl-channel-binding", std::string{ns::kSaslChannelBinding}});
        for (const auto& t : binding_types)
            cb.AddChild(Element{"channel-binding", std::string{ns::kSaslChannelBinding}})
                .SetAttr("type", t);
    }
    return features;
}

} // namespace

TEST_CASE("the strongest offered mechanism the channel allows is chosen")
{
    const SaslChannel bosh_http{false, false, std::nullopt};
    const SaslChannel tls{true, true, kExporter};
    const auto all = Features({"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"});

    // A server that does not name its binding types (XEP-0440) is taken to
    // bind with tls-unique only (TLS 1.2): ejabberd 23.01 offers -PLUS over
    // TLS 1.3 and refuses tls-exporter. Then SCRAM without binding.
    CHECK(SaslExchange::Choose(all, "", tls).mechanism == "SCRAM-SHA-256");
    CHECK_FALSE(SaslExchange::Choose(all, "", tls).binding);
    const SaslChannel tls12{true, true, kUnique};
    CHECK(SaslExchange::Choose(all, "", tls12).mechanism == "SCRAM-SHA-1-PLUS");
    const auto exporter_named =
        Features({"SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"}, {"tls-exporter"}, true);
    CHECK(SaslExchange::Choose(exporter_named, "", tls).mechanism == "SCRAM-SHA-1-PLUS");
    CHECK(SaslExchange::Choose(all, "", bosh_http).mechanism == "SCRAM-SHA-256");
    CHECK(SaslExchange::Choose(all, "", bosh_http).binding == std::nullopt);
    // The server names the types it binds with (XEP-0440): ours is not among them.
    const auto unique_only =
        Features({"SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"}, {"tls-unique"}, true);
    const auto choice = SaslExchange::Choose(unique_only, "", tls);
    CHECK(choice.mechanism == "SCRAM-SHA-256");
    CHECK_FALSE(choice.binding); // 'n': the server does bind, only not with our type
    const auto no_plus = SaslExchange::Choose(Features({"SCRAM-SHA-1"}), "", tls);
    CHECK(no_plus.mechanism == "SCRAM-SHA-1");
    CHECK_FALSE(no_plus.binding);
}

TEST_CASE("PLAIN only inside TLS whose certificate was checked")
{
    const auto plain = Features({"PLAIN"});
    CHECK(SaslExchange::Choose(plain, "", {true, true, std::nullopt}).mechanism == "PLAIN");
    CHECK(SaslExchange::Choose(plain, "", {true, false, std::nullopt}).mechanism.empty());
    CHECK(SaslExchange::Choose(plain, "PLAIN", {false, false, std::nullopt}).mechanism.empty());
}

TEST_CASE("a forced mechanism is the only one considered")
{
    const auto all = Features({"SCRAM-SHA-1", "SCRAM-SHA-256"});
    CHECK(SaslExchange::Choose(all, "SCRAM-SHA-1", {}).mechanism == "SCRAM-SHA-1");
    CHECK(SaslExchange::Choose(all, "SCRAM-SHA-512", {}).mechanism.empty());
}

TEST_CASE("success without the server's proof is refused")
{
    SaslExchange exchange({"SCRAM-SHA-1", std::nullopt}, Credentials{"user", "pencil"});
    (void)exchange.Auth();
    CHECK_THROWS_AS(exchange.Succeed(Element{"success", std::string{ns::kSasl}}),
                    pigeon::xmpp::SaslError);
}
