#include "Commands.hxx"
#include "Daemon.hxx"
#include "control/Error.hxx"
#include "control/Server.hxx"
#include "store/Store.hxx"

#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

using namespace pigeon;
using control::Json;

namespace {

struct Fixture {
    std::filesystem::path dir;
    DaemonConfig config;
    // Not run: the store and no network, no key pair, no account.
    std::unique_ptr<Daemon> daemon;
    store::Store* store = nullptr;
    std::unique_ptr<Commands> commands;

    Fixture()
    {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "pigeon-cmd-XXXXXX").string();
        dir = mkdtemp(pattern.data());
        config.data_dir = dir;
        config.runtime_dir = dir / "run";
        config.max_body = 32;
        daemon = std::make_unique<Daemon>(config);
        store = &daemon->Store();
        commands = std::make_unique<Commands>(*daemon);
    }
    ~Fixture()
    {
        commands.reset();
        daemon.reset();
        std::filesystem::remove_all(dir);
    }

    Json Call(const std::string& line)
    {
        std::string reply;
        control::HandleLine(
            [this](const Json& r, control::Server::Respond respond) {
                commands->Handle(r, std::move(respond));
            },
            line, [&reply](std::string text) { reply = std::move(text); });
        REQUIRE_FALSE(reply.empty()); // answered at once
        return Json::parse(reply);
    }
    std::string ErrorOf(const Json& request)
    {
        const Json reply = Call(request.dump());
        REQUIRE(reply["ok"] == false);
        return reply["error"].get<std::string>();
    }
};

} // namespace

TEST_CASE("send queues a valid message and returns it")
{
    Fixture f;
    const Json reply = f.Call(R"({"cmd":"send","to":"Jerry@Example.ORG","body":"running late"})");
    REQUIRE(reply["ok"] == true);
    CHECK(reply["result"]["state"] == "queued");
    // Prepared as a JID: nameprep folds the domain, nodeprep the localpart.
    CHECK(reply["result"]["to"] == "jerry@example.org");
    CHECK(reply["result"]["id"].get<std::string>().size() == 36);
    CHECK(f.store->Outbox().size() == 1);
}

TEST_CASE("bad requests are refused with stable codes and store nothing")
{
    Fixture f;
    struct Case {
        Json request;
        const char* code;
    };
    const Case cases[] = {
        {{{"cmd", "send"}, {"to", "no spaces@example.org"}, {"body", "x"}}, "bad-jid"},
        {{{"cmd", "send"}, {"to", "example.org"}, {"body", "x"}}, "bad-jid"},
        {{{"cmd", "send"}, {"to", "a@b/"}, {"body", "x"}}, "bad-jid"},
        {{{"cmd", "send"}, {"to", "a@example.org"}, {"body", " \n "}}, "bad-body"},
        {{{"cmd", "send"}, {"to", "a@example.org"}, {"body", std::string(33, 'x')}}, "bad-body"},
        {{{"cmd", "send"}, {"to", "a@example.org"}, {"body", std::string("nul\0x", 5)}},
         "bad-body"},
        {{{"cmd", "send"}, {"to", "a@example.org"}}, "bad-request"},
        {{{"cmd", "send"}, {"to", 5}, {"body", "x"}}, "bad-request"},
        {{{"cmd", "show"}, {"id", "ffffffff"}}, "not-found"},
        {{{"cmd", "show"}, {"id", "ff"}}, "bad-request"},
        {{{"cmd", "search"}, {"text", "  "}}, "bad-request"},
        {{{"cmd", "launch"}}, "unknown-command"},
        {{{"cmd", "register"}}, "no-account"},
        {{{"cmd", "passwd"}, {"password", "x"}}, "no-account"},
        {{{"cmd", "contacts-add"}, {"jid", "not a jid"}}, "bad-jid"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.request.dump());
        CHECK(f.ErrorOf(c.request) == c.code);
    }
    CHECK(f.store->Outbox().empty());
}

TEST_CASE("malformed lines get bad-request")
{
    Fixture f;
    for (const char* line :
         {"", "nope", "[]", "{\"cmd\":1}", "{\"to\":\"x\"}", "{\"cmd\":\"send\""}) {
        CAPTURE(line);
        const Json reply = f.Call(line);
        CHECK(reply["ok"] == false);
        CHECK(reply["error"] == "bad-request");
    }
}

TEST_CASE("list, show, search and status reflect the store")
{
    Fixture f;
    const Json sent = f.Call(R"({"cmd":"send","to":"jerry@example.org","body":"the subway"})");
    const std::string id = sent["result"]["id"];
    store::InboxItem in{"r-1", "elaine@example.org", "hello from the subway", 10, 20, "direct"};
    f.store->AddReceived(in);

    // Listings answer with a page (doc/control-protocol.md, "Pages").
    const Json outbox = f.Call(R"({"cmd":"outbox"})")["result"];
    CHECK(outbox["items"][0]["id"] == id);
    CHECK(outbox["total"] == 1);
    CHECK(outbox["older"] == false);
    CHECK(outbox["items"][0]["cursor"].is_string());
    CHECK(f.Call(R"({"cmd":"inbox"})")["result"]["items"][0]["via"] == "direct");
    CHECK(f.Call(R"({"cmd":"carrying"})")["result"]["items"] == Json::array());
    CHECK(f.Call(R"({"cmd":"outbox","before":"soon"})")["error"] == "bad-request");
    CHECK(f.Call(R"({"cmd":"outbox","limit":"ten"})")["error"] == "bad-request");

    const Json shown = f.Call(Json{{"cmd", "show"}, {"id", id.substr(0, 6)}}.dump());
    CHECK(shown["result"]["box"] == "outbox");
    CHECK(shown["result"]["item"]["body"] == "the subway");

    const Json hits = f.Call(R"({"cmd":"search","text":"subway"})")["result"];
    CHECK(hits.size() == 2);

    CHECK(f.Call(R"({"cmd":"contacts-add","jid":"Jerry@Example.org/phone"})")["result"]["jid"] ==
          "jerry@example.org");
    CHECK(f.Call(R"({"cmd":"contacts"})")["result"][0]["jid"] == "jerry@example.org");

    const Json status = f.Call(R"({"cmd":"status"})")["result"];
    CHECK(status["queues"]["outbox"] == 1);
    CHECK(status["queues"]["inbox"] == 1);
    CHECK(status["connectivity"]["state"] == "offline");
    CHECK(status["counters"]["sent_direct"] == 0);
    CHECK(status["identity"].is_null()); // the fixture has no key pair
    CHECK(status["connectivity"]["key_published"] == false);
}

namespace {

// What a watching connection would carry, kept in memory.
struct RecordingFeed final : control::Feed {
    std::vector<Json> lines;
    std::shared_ptr<void> kept;
    bool Send(const Json& line) noexcept override
    {
        lines.push_back(line);
        return true;
    }
    void Keep(std::shared_ptr<void> resource) noexcept override { kept = std::move(resource); }
};

} // namespace

TEST_CASE("watch feeds the daemon's events to its connection until the feed ends")
{
    Fixture f;
    auto feed = std::make_shared<RecordingFeed>();
    std::string reply;
    control::HandleLine(
        [&f](const Json& r, control::Server::Respond respond) {
            f.commands->Handle(r, std::move(respond));
        },
        R"({"cmd":"watch"})", [&reply](std::string text) { reply = std::move(text); },
        [feed] { return feed; });
    CHECK(Json::parse(reply)["ok"] == true);
    CHECK(f.daemon->Events().Heard());

    const std::string id =
        f.Call(R"({"cmd":"send","to":"jerry@example.org","body":"hi"})")["result"]["id"];
    REQUIRE(feed->lines.size() == 1);
    CHECK(feed->lines[0]["event"] == "queued");
    CHECK(feed->lines[0]["id"] == id);
    CHECK(feed->lines[0]["to"] == "jerry@example.org");
    CHECK(feed->lines[0]["at"].is_string());

    feed->kept.reset(); // the connection ended
    CHECK_FALSE(f.daemon->Events().Heard());
}

TEST_CASE("watch needs a connection that can carry it")
{
    Fixture f;
    CHECK(f.ErrorOf({{"cmd", "watch"}}) == "bad-request");
    CHECK_FALSE(f.daemon->Events().Heard());
}
