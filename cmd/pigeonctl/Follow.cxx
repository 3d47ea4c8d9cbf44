#include "Follow.hxx"

#include "Events.hxx"
#include "Failure.hxx"
#include "Stage.hxx"
#include "control/Client.hxx"
#include "control/Error.hxx"
#include "control/EventStream.hxx"

#include <unistd.h>

#include <iostream>
#include <memory>

namespace pigeon::ctl {
using control::EventStream;
using control::Json;

namespace {

Failure DaemonGone(const std::string& what)
{
    return Failure(kExitUnavailable, "unavailable", "pigeond went away: " + what);
}

// Where a waiting message is, told on stderr as it moves when that is a
// terminal: "queued… handed to kramer@kramer… delivered".
class Progress {
public:
    explicit Progress(bool shown) : shown_(shown) {}
    ~Progress()
    {
        if (shown_ && said_)
            std::cerr << std::endl;
    }
    void Say(const std::string& what)
    {
        if (!shown_)
            return;
        std::cerr << (said_ ? "… " : "") << what << std::flush;
        said_ = true;
    }

private:
    bool shown_;
    bool said_ = false;
};

// One message followed to a stage, on a subscription made before it was
// queued, so that nothing that happens to it is missed.
class Waiter {
public:
    Waiter(const std::filesystem::path& socket, Stage want, const WaitOptions& options)
        : socket_(socket), want_(want), options_(options),
          events_(std::make_unique<EventStream>(socket)),
          progress_(!options.json && isatty(STDERR_FILENO) != 0)
    {
        if (options.timeout_seconds > 0)
            deadline_ = EventStream::Clock::now() + std::chrono::seconds(options.timeout_seconds);
    }

    // Queues the message; returns its outbox item.
    Json Send(const Json& request)
    {
        Json item = control::Client(socket_).Call(request);
        id_ = item.at("id").get<std::string>();
        stage_ = StageOf(item);
        progress_.Say(StageName(stage_));
        return item;
    }

    void Wait()
    {
        while (stage_ < want_) {
            std::variant<Json, EventStream::Stop> next;
            try {
                next = events_->Next(deadline_);
            } catch (const control::RequestError&) {
                CatchUp(); // dropped for falling behind: subscribe again, then look
                continue;
            }
            if (const auto* stop = std::get_if<EventStream::Stop>(&next))
                throw Stopped(*stop);
            if (ExpiredIn(std::get<Json>(next), id_))
                throw Expired();
            if (const auto step = StepOf(std::get<Json>(next), id_))
                Reach(step->stage, step->note);
        }
    }

    // The item as it is now.
    Json Item() const
    {
        return control::Client(socket_).Call({{"cmd", "show"}, {"id", id_}})["item"];
    }

private:
    void Reach(Stage stage, const std::string& note)
    {
        progress_.Say(note);
        stage_ = std::max(stage_, stage);
    }

    void CatchUp()
    {
        events_.reset();
        events_ = std::make_unique<EventStream>(socket_);
        const Json item = Item();
        if (ExpiredItem(item))
            throw Expired();
        const Stage now = StageOf(item);
        if (now > stage_)
            Reach(now, StageName(now));
    }

    Failure Expired() const
    {
        return Failure(kExitRefused, "expired",
                       id_ + " expired while " + StageName(stage_) + ", not yet " + options_.state,
                       {{"id", id_}, {"state", "expired"}});
    }

    Failure Stopped(EventStream::Stop stop) const
    {
        const Json extra = {{"id", id_}, {"state", StageName(stage_)}};
        const std::string where = id_ + " is still " + StageName(stage_);
        switch (stop) {
        case EventStream::Stop::Interrupted:
            return Failure(kExitInterrupted, "interrupted", "interrupted; " + where, extra);
        case EventStream::Stop::TimedOut:
            return Failure(kExitTimeout, "timeout",
                           where + " after " + std::to_string(options_.timeout_seconds) +
                               " s, not yet " + options_.state + "; pigeond goes on with it",
                           extra);
        case EventStream::Stop::Closed:
            break;
        }
        return DaemonGone("stopped while " + where);
    }

    std::filesystem::path socket_;
    Stage want_;
    const WaitOptions& options_;
    std::unique_ptr<EventStream> events_;
    Progress progress_;
    std::optional<EventStream::Clock::time_point> deadline_;
    std::string id_;
    Stage stage_ = Stage::Queued;
};

} // namespace

int Watch(const std::filesystem::path& socket, bool json)
{
    EventStream events(socket);
    // On stderr, so that --json's stdout stays events only: from here on,
    // nothing that happens is missed.
    std::cerr << "pigeonctl: watching pigeond (Ctrl-C to stop)" << std::endl;
    for (;;) {
        const auto next = events.Next();
        if (const auto* stop = std::get_if<EventStream::Stop>(&next)) {
            if (*stop == EventStream::Stop::Interrupted)
                return kExitDone;
            throw DaemonGone("the watch ended");
        }
        const Json& event = std::get<Json>(next);
        if (json)
            std::cout << event.dump() << std::endl; // a line as it comes, for pipes too
        else
            PrintEvent(std::cout, event);
    }
}

int SendAndWait(const std::filesystem::path& socket, const Json& request,
                const WaitOptions& options)
{
    const auto want = ParseStage(options.state);
    if (!want || *want == Stage::Queued)
        throw Failure(kExitUsage, "usage",
                      "--wait takes carried, sent or delivered, not '" + options.state + "'");
    if (options.timeout_seconds < 0)
        throw Failure(kExitUsage, "usage", "--timeout must be 0 (no limit) or more seconds");
    Waiter waiter(socket, *want, options);
    const Json item = waiter.Send(request);
    if (!options.json)
        std::cout << item["id"].get<std::string>() << std::endl; // scripts get it at once
    waiter.Wait();
    if (options.json)
        std::cout << waiter.Item().dump(2) << '\n';
    return kExitDone;
}

} // namespace pigeon::ctl
