#include "uplink/ArchiveCatchUp.hxx"

#include "store/Store.hxx"
#include "uplink/ServerLink.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {
namespace {

constexpr auto Named = &xml::Element::Named;
// Where we got to: the archive id of the last message read.
constexpr const char* kCursor = "archive-last";
// How far back a first login looks: what came before pigeon was set up is
// not pigeon's to deliver again.
constexpr UnixMs kFirstLook = 24 * 3600 * 1000LL;
// Prosody answers at most 50 per page (max_archive_query_results).
constexpr const char* kPageSize = "50";

xml::Element Field(std::string_view var, std::string_view value)
{
    auto field = Named("field", xmpp::ns::kDataForms);
    field.SetAttr("var", std::string(var));
    field.AddChild(Named("value", xmpp::ns::kDataForms)).AddText(value);
    return field;
}

// <iq type='set'><query queryid=..><x>FORM_TYPE [start]</x><set>max [after]</set></query></iq>,
// to our own account (no 'to').
xml::Element QueryIq(const std::string& query_id, const std::string& after, UnixMs start)
{
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "set");
    auto& query = iq.AddChild(Named("query", xmpp::ns::kMam));
    query.SetAttr("queryid", query_id);
    auto& form = query.AddChild(Named("x", xmpp::ns::kDataForms));
    form.SetAttr("type", "submit");
    form.AddChild(Field("FORM_TYPE", xmpp::ns::kMam)).SetAttr("type", "hidden");
    if (after.empty())
        form.AddChild(Field("start", FormatRfc3339(start)));
    auto& set = query.AddChild(Named("set", xmpp::ns::kRsm));
    set.AddChild(Named("max", xmpp::ns::kRsm)).AddText(kPageSize);
    if (!after.empty())
        set.AddChild(Named("after", xmpp::ns::kRsm)).AddText(after);
    return iq;
}

} // namespace

ArchiveCatchUp::ArchiveCatchUp(store::Store& store, ServerLink& link, Deliver deliver) noexcept
    : store_(store), link_(link), deliver_(std::move(deliver))
{
}

void ArchiveCatchUp::Start(std::function<void()> done)
{
    Stop();
    done_ = std::move(done);
    restarted_ = false;
    const auto cursor = store_.SyncValue(kCursor);
    Query(cursor.value_or(""), NowMs() - kFirstLook);
}

void ArchiveCatchUp::Stop() noexcept
{
    query_id_.clear();
    done_ = nullptr;
    caught_up_ = false;
}

void ArchiveCatchUp::Query(const std::string& after, UnixMs start)
{
    query_id_ = "catch-up-" + std::to_string(++next_query_);
    page_failed_ = false;
    log::Debug("uplink", "reading our archive " +
                             (after.empty() ? "from " + FormatRfc3339(start) : "after " + after));
    link_.SendIq(QueryIq(query_id_, after, start),
                 [this, alive = alive_.Watch(), id = query_id_](std::optional<xml::Element> reply) {
                     if (alive.Gone() || id != query_id_)
                         return; // an earlier session's
                     OnPage(reply);
                 });
}

bool ArchiveCatchUp::Take(const xml::Element& message) noexcept
{
    const auto* result = message.Child("result", xmpp::ns::kMam);
    if (result == nullptr)
        return false;
    const std::string& account = link_.Config().account;
    const auto from = message.Attr("from");
    // Only our own archive, answering the query in flight, speaks for our server.
    if (query_id_.empty() || result->Attr("queryid") != query_id_ ||
        (!from.empty() && xmpp::BareOf(from) != account)) {
        log::Warning("uplink", "ignoring an archive result we did not ask for, from " +
                                   std::string(from.empty() ? "our server" : from));
        return true;
    }
    const auto* forwarded = result->Child("forwarded", xmpp::ns::kForward);
    const auto* inner =
        forwarded != nullptr ? forwarded->Child("message", xmpp::ns::kClient) : nullptr;
    if (inner == nullptr)
        return true;
    // What we sent is archived too: it is not news to us.
    if (xmpp::BareOf(inner->Attr("from")) == account)
        return true;
    const auto* delay = forwarded->Child("delay", xmpp::ns::kDelay);
    const UnixMs archived =
        delay != nullptr ? ParseRfc3339(delay->Attr("stamp")).value_or(NowMs()) : NowMs();
    try {
        deliver_(*inner, archived);
    } catch (const std::exception& e) {
        page_failed_ = true;
        log::Error("uplink", std::string("taking an archived message: ") + e.what());
    }
    return true;
}

void ArchiveCatchUp::OnPage(const std::optional<xml::Element>& reply)
{
    const auto* fin = reply ? reply->Child("fin", xmpp::ns::kMam) : nullptr;
    if (reply && reply->Attr("type") == "error") {
        const auto condition = xmpp::ErrorCondition(*reply);
        if (condition == "item-not-found" && !restarted_) {
            // The message we got to left the archive (it expired): read what is left.
            restarted_ = true;
            Query("", NowMs() - kFirstLook);
            return;
        }
        log::Notice("uplink", "our server keeps no archive we can read (" + condition + ")");
        return Finish();
    }
    if (fin == nullptr || page_failed_) {
        log::Warning("uplink", reply ? "reading our archive failed: a page we could not take"
                                     : "reading our archive: no answer");
        return Finish();
    }
    std::string last;
    if (const auto* set = fin->Child("set", xmpp::ns::kRsm))
        last = set->ChildText("last", xmpp::ns::kRsm);
    try {
        if (!last.empty())
            store_.SetSyncValue(kCursor, last);
    } catch (const std::exception& e) {
        log::Error("uplink",
                   std::string("remembering where we got to in our archive: ") + e.what());
        return Finish();
    }
    if (fin->Attr("complete") != "true" && !last.empty())
        return Query(last, 0);
    Finish();
}

void ArchiveCatchUp::Finish() noexcept
{
    query_id_.clear();
    caught_up_ = true;
    log::Info("uplink", "caught up with our archive");
    if (auto done = std::move(done_)) {
        done_ = nullptr;
        done();
    }
}

void ArchiveCatchUp::Seen(const xml::Element& message)
{
    if (!caught_up_)
        return; // the catch-up still reads what came before: it moves the cursor
    for (const auto& child : message.children) {
        if (child.IsText() || child.name != "stanza-id" || child.ns != xmpp::ns::kStanzaId)
            continue;
        // Our server strips ids that claim to be by us before it adds its own.
        if (xmpp::BareOf(child.Attr("by")) == link_.Config().account && !child.Attr("id").empty())
            store_.SetSyncValue(kCursor, std::string(child.Attr("id")));
    }
}

} // namespace pigeon::uplink
