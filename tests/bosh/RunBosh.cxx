// Drives lib/bosh against a real XMPP server for tests/bosh/bosh.sh: each
// scenario prints what it sees and exits 0 when everything it checks held.
//
//   run-bosh login URL JID PASSWORD [MECHANISM]
//   run-bosh wrong-password URL JID PASSWORD
//   run-bosh chat URL ALICE PASSWORD BOB PASSWORD COUNT
//   run-bosh outage URL JID PASSWORD GO_FILE
//   run-bosh register URL JID PASSWORD
//   run-bosh passwd URL JID OLD_PASSWORD NEW_PASSWORD

#include "bosh/Session.hxx"
#include "curl/Multi.hxx"
#include "util/Log.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Registration.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace pigeon;
namespace asio = boost::asio;

namespace {

using xmpp::ns::kRoster;

// Body text with XML's special characters, a CDATA end, and non-ASCII (accents, CJK, an emoji).
const std::string kTrickyBody =
    "Fish & chips <3 \"quoted\" 'apos' ]]> </body> caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC "
    "\xF0\x9F\x90\xA6\nsecond line\ttab";

int failures = 0;

void Fail(const std::string& what)
{
    std::cout << "FAIL: " << what << std::endl;
    ++failures;
}

void Say(const std::string& what)
{
    std::cout << what << std::endl;
}

// A Session whose listener calls are std::functions set by the scenario.
class Client : bosh::Session::Listener {
public:
    Client(curl::Multi& multi, bosh::Account account, bosh::SessionOptions options = Options())
        : session(multi, std::move(account), *this, std::move(options))
    {
    }

    static bosh::SessionOptions Options()
    {
        bosh::SessionOptions options;
        options.binding.wait = std::chrono::seconds(10);
        options.binding.retry_delay = std::chrono::milliseconds(200);
        options.binding.max_retries = 3;
        options.binding.use_environment_proxy = false;
        options.iq_timeout = std::chrono::seconds(15);
        return options;
    }

    std::function<void(const std::string&)> on_online;
    std::function<void(const xml::Element&)> on_stanza;
    std::function<void(const std::string&, bool)> on_offline;
    bosh::Session session;

private:
    void OnOnline(const std::string& jid) noexcept override
    {
        if (on_online)
            on_online(jid);
    }
    void OnStanza(const xml::Element& stanza) noexcept override
    {
        if (on_stanza)
            on_stanza(stanza);
    }
    void OnOffline(const std::string& reason, Failure failure) noexcept override
    {
        if (on_offline)
            on_offline(reason, failure == Failure::Auth);
    }
};

xml::Element Message(const std::string& to, const std::string& body)
{
    xmpp::ChatMessage message;
    message.to = to;
    message.id = "m-" + std::to_string(std::rand());
    message.body = body;
    message.request_receipt = false;
    return xmpp::ToStanza(message);
}

// Runs the loop until done() is called or the deadline passes.
struct Runner {
    asio::io_context io;
    curl::Multi multi{io};
    bool finished = false;

    void Done()
    {
        finished = true;
        io.stop();
    }

    void Run(std::chrono::seconds deadline, const std::string& what)
    {
        asio::steady_timer timer(io, deadline);
        timer.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) {
                Fail(what + ": no outcome within " + std::to_string(deadline.count()) + " s");
                io.stop();
            }
        });
        io.restart();
        io.run();
    }

    void After(std::chrono::milliseconds delay, std::function<void()> f)
    {
        auto timer = std::make_shared<asio::steady_timer>(io, delay);
        timer->async_wait([timer, f = std::move(f)](const boost::system::error_code& ec) {
            if (!ec)
                f();
        });
    }
};

bosh::Account MakeAccount(const std::string& url, const std::string& jid,
                          const std::string& password)
{
    return {jid, password, url, "run-bosh"};
}

// Logs in, fetches the roster, logs out. Returns whether the login worked.
bool Login(const std::string& url, const std::string& jid, const std::string& password,
           const std::string& mechanism, bool expect_auth_failure = false)
{
    Runner r;
    auto options = Client::Options();
    options.mechanism = mechanism;
    Client client(r.multi, MakeAccount(url, jid, password), options);
    bool online = false;
    client.on_online = [&](const std::string& full) {
        online = true;
        Say("online as " + full + (mechanism.empty() ? "" : " with " + mechanism));
        if (expect_auth_failure) {
            Fail("login with a wrong password succeeded");
            r.Done();
            return;
        }
        xml::Element iq{"iq", std::string{xmpp::ns::kClient}};
        iq.SetAttr("type", "get");
        iq.AddChild(xml::Element{"query", std::string{kRoster}});
        client.session.SendIq(iq, [&](std::optional<xml::Element> reply) {
            if (!reply)
                Fail("no roster reply");
            else if (reply->Attr("type") != "result" || !reply->Child("query", kRoster))
                Fail("roster get gave " + xmpp::ErrorCondition(*reply));
            else
                Say("roster: result");
            client.session.Stop();
            r.After(std::chrono::milliseconds(200), [&] { r.Done(); });
        });
    };
    client.on_offline = [&](const std::string& reason, bool auth_failed) {
        Say("offline: " + reason + (auth_failed ? " (auth failed)" : ""));
        if (expect_auth_failure && !auth_failed)
            Fail("wrong password ended without auth_failed");
        if (!expect_auth_failure)
            Fail("login failed: " + reason);
        r.Done();
    };
    client.session.Start();
    r.Run(std::chrono::seconds(30), "login " + jid);
    return online && r.finished;
}

int Chat(const std::string& url, const std::string& alice_jid, const std::string& alice_pass,
         const std::string& bob_jid, const std::string& bob_pass, int count)
{
    Runner r;
    Client alice(r.multi, MakeAccount(url, alice_jid, alice_pass));
    Client bob(r.multi, MakeAccount(url, bob_jid, bob_pass));
    int online = 0;
    bool tricky_accepted = false;
    bool tricky_received = false;
    int accepted = 0;
    int next_expected = 0;
    const auto start = std::chrono::steady_clock::now();
    std::function<void(int)> chain;

    const auto send_burst = [&] {
        // Half at once, to be batched; the rest one after another as each is accepted.
        const int burst = count / 2;
        for (int i = 0; i < burst; ++i)
            alice.session.Send(Message(bob_jid, "n=" + std::to_string(i)), [&](bool ok) {
                accepted += ok ? 1 : 0;
                if (!ok)
                    Fail("a burst message was not accepted");
            });
        chain = [&](int i) {
            if (i >= count)
                return;
            alice.session.Send(Message(bob_jid, "n=" + std::to_string(i)), [&, i](bool ok) {
                accepted += ok ? 1 : 0;
                if (!ok)
                    Fail("a chained message was not accepted");
                else
                    chain(i + 1);
            });
        };
        chain(burst);
    };

    bob.on_stanza = [&](const xml::Element& stanza) {
        if (stanza.name != "message")
            return;
        const std::string body = stanza.ChildText("body", xmpp::ns::kClient);
        if (!tricky_received) {
            tricky_received = true;
            if (body != kTrickyBody)
                Fail("body arrived changed: [" + body + "]");
            else
                Say("special characters arrived intact");
            send_burst();
            return;
        }
        if (body != "n=" + std::to_string(next_expected)) {
            Fail("expected n=" + std::to_string(next_expected) + ", got " + body);
            r.Done();
            return;
        }
        if (++next_expected == count) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start);
            Say(std::to_string(count) + " messages arrived in order (" +
                std::to_string(ms.count()) + " ms)");
            // Let the last done(true) come in.
            r.After(std::chrono::milliseconds(500), [&] { r.Done(); });
        }
    };
    const auto both_online = [&](const std::string& jid) {
        Say("online as " + jid);
        if (++online < 2)
            return;
        alice.session.Send(Message(bob_jid, kTrickyBody), [&](bool ok) {
            tricky_accepted = ok;
            Say(std::string("done(") + (ok ? "true" : "false") + ") for the first message");
        });
    };
    alice.on_online = both_online;
    bob.on_online = both_online;
    const auto offline = [&](const std::string& reason, bool) {
        Fail("offline during the chat: " + reason);
        r.Done();
    };
    alice.on_offline = offline;
    bob.on_offline = offline;
    alice.session.Start();
    bob.session.Start();
    r.Run(std::chrono::seconds(120), "chat");
    if (!tricky_accepted)
        Fail("done(true) never came for the first message");
    if (accepted != count)
        Fail(std::to_string(accepted) + " of " + std::to_string(count) + " accepted");
    if (next_expected != count)
        Fail(std::to_string(next_expected) + " of " + std::to_string(count) + " arrived");
    alice.session.Stop();
    bob.session.Stop();
    return failures == 0 ? 0 : 1;
}

int Outage(const std::string& url, const std::string& jid, const std::string& password,
           const std::string& go_file)
{
    Runner r;
    Client client(r.multi, MakeAccount(url, jid, password));
    int sent = 0, completions = 0, refused = 0;
    bool was_offline = false, again = false;
    int attempts = 0;
    std::function<void()> keep_sending;
    std::function<void()> wait_for_go;

    keep_sending = [&] {
        if (was_offline)
            return;
        ++sent;
        client.session.Send(Message(jid, "ping " + std::to_string(sent)), [&](bool ok) {
            ++completions;
            refused += ok ? 0 : 1;
        });
        r.After(std::chrono::milliseconds(100), keep_sending);
    };
    wait_for_go = [&] {
        if (!std::filesystem::exists(go_file)) {
            r.After(std::chrono::milliseconds(100), wait_for_go);
            return;
        }
        ++attempts;
        client.session.Start();
    };
    client.on_online = [&](const std::string& full) {
        if (!was_offline) {
            Say("ready " + full);
            keep_sending();
            return;
        }
        Say("online again as " + full + " after " + std::to_string(attempts) + " attempts");
        client.session.Send(Message(jid, "back"), [&](bool ok) {
            if (!ok)
                Fail("no done(true) after reconnecting");
            again = ok;
            client.session.Stop();
            r.Done();
        });
    };
    client.on_offline = [&](const std::string& reason, bool auth_failed) {
        if (auth_failed)
            Fail("auth failure during outage: " + reason);
        if (!was_offline) {
            was_offline = true;
            Say("offline: " + reason);
            // Completions are posted, not immediate: look after they ran.
            r.After(std::chrono::milliseconds(50), [&] {
                Say(std::to_string(sent) + " sent, " + std::to_string(completions) +
                    " completed, " + std::to_string(refused) + " done(false)");
                if (completions != sent)
                    Fail("some sends never completed");
                if (refused == 0)
                    Fail("no done(false) although the server went away");
                wait_for_go();
            });
            return;
        }
        // The server is still starting: try again shortly.
        if (attempts >= 50) {
            Fail("could not reconnect: " + reason);
            r.Done();
            return;
        }
        r.After(std::chrono::milliseconds(200), [&] {
            ++attempts;
            client.session.Start();
        });
    };
    client.session.Start();
    r.Run(std::chrono::seconds(120), "outage");
    if (!again)
        Fail("no new session after the server came back");
    return failures == 0 ? 0 : 1;
}

// Registration's own session: unauthenticated, as run-bosh's clients are configured.
xmpp::Registration::MakeSession Unauthenticated(curl::Multi& multi, const std::string& url,
                                                const std::string& jid)
{
    return [&multi, url, jid](xmpp::ClientSession::Listener& listener) {
        auto options = Client::Options();
        options.authenticate = false;
        return std::make_unique<bosh::Session>(multi, MakeAccount(url, jid, ""), listener, options);
    };
}

int Register(const std::string& url, const std::string& jid, const std::string& password)
{
    std::string first = "(none)", second = "(none)";
    {
        Runner r;
        xmpp::Registration registration(jid, password, Unauthenticated(r.multi, url, jid),
                                        [&](const std::string& error) {
                                            first = error;
                                            r.Done();
                                        });
        r.Run(std::chrono::seconds(30), "register");
    }
    Say("registration: " + (first.empty() ? std::string{"ok"} : first));
    if (!first.empty())
        Fail("registration failed: " + first);
    {
        Runner r;
        xmpp::Registration registration(jid, password, Unauthenticated(r.multi, url, jid),
                                        [&](const std::string& error) {
                                            second = error;
                                            r.Done();
                                        });
        r.Run(std::chrono::seconds(30), "register again");
    }
    Say("registering again: " + (second.empty() ? std::string{"ok"} : second));
    if (second != "conflict")
        Fail("registering an existing account gave '" + second + "', not conflict");
    if (!Login(url, jid, password, {}))
        Fail("cannot log in with the registered account");
    return failures == 0 ? 0 : 1;
}

int Passwd(const std::string& url, const std::string& jid, const std::string& old_password,
           const std::string& new_password)
{
    Runner r;
    Client client(r.multi, MakeAccount(url, jid, old_password));
    std::string outcome = "(none)";
    client.on_online = [&](const std::string&) {
        xmpp::ChangePassword(client.session, jid, new_password, [&](const std::string& error) {
            outcome = error;
            client.session.Stop();
            r.After(std::chrono::milliseconds(200), [&] { r.Done(); });
        });
    };
    client.on_offline = [&](const std::string& reason, bool) {
        Fail("offline before the password changed: " + reason);
        r.Done();
    };
    client.session.Start();
    r.Run(std::chrono::seconds(30), "password change");
    Say("password change: " + (outcome.empty() ? std::string{"ok"} : outcome));
    if (!outcome.empty())
        Fail("password change failed: " + outcome);
    if (client.session.GetAccount().password != new_password)
        Fail("the session did not take the new password");
    if (!Login(url, jid, new_password, {}))
        Fail("cannot log in with the new password");
    Say("the old password:");
    Login(url, jid, old_password, {}, true);
    return failures == 0 ? 0 : 1;
}

int Usage()
{
    std::cerr << "usage: run-bosh login|wrong-password|chat|outage|register|passwd URL ...\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (std::getenv("BOSH_DEBUG") != nullptr)
        log::SetLevel(log::Level::Debug);
    if (args.size() < 4)
        return Usage();
    const std::string& command = args[0];
    const std::string& url = args[1];
    try {
        if (command == "login") {
            Login(url, args[2], args[3], args.size() > 4 ? args[4] : "");
        } else if (command == "wrong-password") {
            Login(url, args[2], args[3], {}, true);
        } else if (command == "chat" && args.size() == 7) {
            return Chat(url, args[2], args[3], args[4], args[5], std::stoi(args[6]));
        } else if (command == "outage" && args.size() == 5) {
            return Outage(url, args[2], args[3], args[4]);
        } else if (command == "register") {
            return Register(url, args[2], args[3]);
        } else if (command == "passwd" && args.size() == 5) {
            return Passwd(url, args[2], args[3], args[4]);
        } else {
            return Usage();
        }
    } catch (const std::exception& e) {
        Fail(std::string("exception: ") + e.what());
    }
    return failures == 0 ? 0 : 1;
}
