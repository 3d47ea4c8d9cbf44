#include "Format.hxx"

#include "When.hxx"
#include "util/Time.hxx"

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

#include <sys/ioctl.h>
#include <unistd.h>

namespace pigeon::ctl {
using control::Json;

namespace {

// One line of a body: newlines shown as spaces, cut to `width` characters.
std::string OneLine(std::string text, std::size_t width)
{
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    if (text.size() <= width)
        return text;
    std::size_t cut = width - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
        --cut; // never split a UTF-8 sequence
    return text.substr(0, cut) + "...";
}

// "queued" with carriers is on its way: say so (JSON keeps the stored state).
// What carriers report reads as words; a delivery, the way it went.
std::string DisplayState(const Json& m)
{
    const std::string state = m["state"].get<std::string>();
    if (state == "delivered" && m.contains("delivered_via") && m["delivered_via"].is_string()) {
        const int hops = m.value("hops", 0);
        return state + " via " + m["delivered_via"].get<std::string>() +
               (hops > 0 ? " (" + std::to_string(hops) + (hops == 1 ? " hop)" : " hops)") : "");
    }
    if (state == "queued" && m["carriers"].get<int>() > 0)
        return "carried";
    if (state == "uploaded-by-carrier")
        return "uploaded by carrier";
    if (state == "delivered-reported-by-carrier")
        return "delivered (reported by carrier)";
    return state;
}

// The counters of the status object in words, in the order of a message's
// way: ours first, then what we do for others.
constexpr std::pair<const char*, const char*> kCounterWords[] = {
    {"sent_direct", "sent directly"},
    {"handed_to_carriers", "handed to carriers"},
    {"delivered_by_carriers", "delivered by carriers"},
    {"carried_for_others", "carried for others"},
    {"uploaded_for_others", "uploaded for others"},
    {"forged_refused", "forged or unsigned copies refused"},
    {"expired", "expired undelivered"},
    {"expired_carried", "carried copies dropped at expiry"},
    {"tombstones_learned", "deliveries learnt (tombstones)"},
    {"summary_skipped", "spared by neighbours' summaries"},
};

void PrintCounters(std::ostream& out, const Json& counters)
{
    const auto line = [&out](const std::string& words, const Json& value) {
        out << "  " << std::left << std::setw(34) << words << value.get<long long>() << '\n';
    };
    for (const auto& [name, words] : kCounterWords)
        if (counters.contains(name))
            line(words, counters[name]);
    for (const auto& item : counters.items()) {
        // Not a structured binding: clang 14 cannot capture one in the lambda.
        const std::string name = item.key();
        const Json& value = item.value();
        const auto known = std::find_if(std::begin(kCounterWords), std::end(kCounterWords),
                                        [&name](const auto& c) { return name == c.first; });
        if (known != std::end(kCounterWords))
            continue;
        std::string words = name; // a counter this pigeonctl does not know yet
        std::replace(words.begin(), words.end(), '_', ' ');
        line(words, value);
    }
}

void Empty(std::ostream& out, const char* what)
{
    out << "(" << what << " is empty)\n";
}

// The BOSH URL and where it came from, or where it is being looked for.
std::string ServerSource(const Json& connectivity)
{
    const auto text = [&connectivity](const char* key) { // null and absent read as ""
        const auto it = connectivity.find(key);
        return it != connectivity.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto url = text("bosh_url");
    const auto source = text("bosh_url_source");
    const auto host_meta = text("host_meta_url");
    if (url.empty())
        return host_meta.empty() ? "-" : "not yet discovered (from " + host_meta + ")";
    if (source == "discovered")
        return url + " (discovered from " + host_meta + ")";
    return url + (source.empty() ? "" : " (" + source + ")");
}

// The session's transport and how it was set up, its last error, and the
// warning that certificates go unchecked.
std::string TransportLine(const Json& connectivity)
{
    const auto text = [&connectivity](const char* key) { // null and absent read as ""
        const auto it = connectivity.find(key);
        return it != connectivity.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string line = text("transport").empty() ? "-" : text("transport");
    if (!text("connection").empty())
        line += ", " + text("connection");
    if (!text("session_error").empty())
        line += "\n              last error: " + text("session_error");
    if (connectivity.value("tls_insecure", false))
        line += "\n              WARNING: tls-insecure is set: the server's certificate is not "
                "checked";
    return line;
}

} // namespace

std::string ShortId(std::string_view id)
{
    return std::string(id.substr(id.size() > 8 ? id.size() - 8 : 0));
}

void PrintOutbox(std::ostream& out, const Json& items)
{
    if (items.empty())
        return Empty(out, "outbox");
    std::size_t state_width = 11;
    for (const auto& m : items)
        state_width = std::max(state_width, DisplayState(m).size() + 2);
    const int width = int(state_width);
    out << std::left << std::setw(10) << "ID" << std::setw(width) << "STATE" << std::setw(9)
        << "CARRIERS" << std::setw(18) << "CREATED" << std::setw(28) << "TO"
        << "BODY\n";
    for (const auto& m : items)
        out << std::setw(10) << ShortId(m["id"].get<std::string>()) << std::setw(width)
            << DisplayState(m) << std::setw(9) << m["carriers"].get<int>() << std::setw(18)
            << Relative(m["created"]) << std::setw(28) << m["to"].get<std::string>()
            << OneLine(m["body"], 40) << '\n';
}

void PrintCarrying(std::ostream& out, const Json& items)
{
    if (items.empty())
        return Empty(out, "carrying list");
    out << std::left << std::setw(10) << "ID" << std::setw(26) << "ORIGIN" << std::setw(26) << "TO"
        << std::setw(22) << "FROM PEER" << std::setw(18) << "RECEIVED" << std::setw(18) << "EXPIRES"
        << "COPIES\n";
    for (const auto& m : items)
        out << std::setw(10) << ShortId(m["id"].get<std::string>()) << std::setw(26)
            << m["origin"].get<std::string>() << std::setw(26) << m["to"].get<std::string>()
            << std::setw(22) << m["from_peer"].get<std::string>() << std::setw(18)
            << Relative(m["received"]) << std::setw(18) << Relative(m["expires"])
            << m.value("copies", 1) << '\n';
}

void PrintInbox(std::ostream& out, const Json& items)
{
    if (items.empty())
        return Empty(out, "inbox");
    out << std::left << std::setw(10) << "ID" << std::setw(26) << "FROM" << std::setw(18) << "SENT"
        << std::setw(22) << "VIA" << std::setw(12) << "CHECKED"
        << "BODY\n";
    for (const auto& m : items)
        out << std::setw(10) << ShortId(m["id"].get<std::string>()) << std::setw(26)
            << m["from"].get<std::string>() << std::setw(18) << Relative(m["sent"]) << std::setw(22)
            << m["via"].get<std::string>() << std::setw(12) << m.value("authenticity", "")
            << OneLine(m["body"], 40) << '\n';
}

void PrintPageNote(std::ostream& out, const Json& page, const std::string& command)
{
    const auto shown = page["items"].size();
    const auto total = page["total"].get<long long>();
    if (page["older"].get<bool>() && shown > 0)
        out << shown << " of " << total << " shown; older ones: pigeonctl " << command
            << " --before " << page["items"][0]["cursor"].get<std::string>() << '\n';
    else if (shown > 0 && (long long)shown < total)
        out << shown << " of " << total << " shown\n";
}

int ScreenRows()
{
    constexpr int kNotATerminal = 20;
    winsize size{};
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 8)
        return size.ws_row - 4; // the header, the note and the prompt stay in view
    return kNotATerminal;
}

void PrintShow(std::ostream& out, const Json& found)
{
    out << "box: " << found["box"].get<std::string>() << '\n';
    for (const auto& [key, value] : found["item"].items()) {
        if (key == "carrier_list") {
            for (const auto& c : value)
                out << "carrier: " << c["carrier"].get<std::string>() << " (since "
                    << LocalAndRelative(c["handed"]) << ")\n";
        } else if (value.is_string()) {
            const std::string text = value.get<std::string>();
            out << key << ": " << (ParseRfc3339(text) ? LocalAndRelative(value) : text) << '\n';
        } else {
            out << key << ": " << (value.is_null() ? "-" : value.dump()) << '\n';
        }
    }
}

void PrintSearch(std::ostream& out, const Json& hits)
{
    if (hits.empty()) {
        out << "(no match)\n";
        return;
    }
    for (const auto& h : hits)
        out << std::left << std::setw(8) << h["box"].get<std::string>() << std::setw(10)
            << ShortId(h["id"].get<std::string>()) << std::setw(26) << h["peer"].get<std::string>()
            << std::setw(18) << Relative(h["time"]) << OneLine(h["snippet"], 60) << '\n';
}

void PrintAccount(std::ostream& out, const Json& a)
{
    if (a["jid"].get<std::string>().empty()) {
        out << "no account configured (pigeonctl account set JID, or account and password-file "
               "in pigeon.conf)\n";
        return;
    }
    const auto& c = a["connectivity"];
    out << "account:  " << a["jid"].get<std::string>() << '\n'
        << "server:   " << ServerSource(c) << '\n'
        << "password: " << a["password"].get<std::string>() << '\n'
        << "uplink:   " << c["state"].get<std::string>() << ", session "
        << c["session"].get<std::string>() << '\n';
}

void PrintContacts(std::ostream& out, const Json& contacts)
{
    if (contacts.empty()) {
        out << "(no contacts)\n";
        return;
    }
    for (const auto& c : contacts)
        out << std::left << std::setw(32) << c["jid"].get<std::string>() << std::setw(20)
            << c["name"].get<std::string>() << std::setw(8) << c["subscription"].get<std::string>()
            << std::setw(41) << (c["key"].is_string() ? c["key"].get<std::string>() : "(no key)")
            << (c["synced"].get<bool>() ? "" : "(not yet on the server)") << '\n';
}

void PrintPeers(std::ostream& out, const Json& peers)
{
    if (peers.empty()) {
        out << "(no neighbour seen yet)\n";
        return;
    }
    out << std::left << std::setw(32) << "INSTANCE" << std::setw(11) << "KIND" << std::setw(10)
        << "STATE" << std::setw(11) << "STREAM" << std::setw(11) << "PIN" << std::setw(18)
        << "LAST SEEN"
        << "ADDRESSES\n";
    for (const auto& p : peers) {
        const bool connected = p["connected"].get<bool>();
        const char* state = connected ? "connected" : p["present"].get<bool>() ? "present" : "away";
        // Encrypted or plain while connected; else whether it will have to be encrypted.
        const bool pinned = p.value("pinned", false);
        const char* stream = connected ? (p.value("encrypted", false) ? "encrypted" : "plain")
                             : pinned  ? "pinned"
                                       : "-";
        out << std::setw(32) << p["instance"].get<std::string>() << std::setw(11)
            << p["kind"].get<std::string>() << std::setw(10) << state << std::setw(11) << stream
            << std::setw(11) << p.value("pin", "none") << std::setw(18) << Relative(p["last_seen"])
            << p["addresses"].get<std::string>() << '\n';
    }
}

void PrintHandshakeLog(std::ostream& out, const Json& events)
{
    if (events.empty()) {
        out << "(handshake log is empty)\n";
        return;
    }
    for (const auto& e : events)
        out << std::left << std::setw(18) << LocalTime(e["at"]) << std::setw(32)
            << e["instance"].get<std::string>() << std::setw(16) << e["event"].get<std::string>()
            << e["detail"].get<std::string>() << '\n';
}

namespace {

// " (why)" when the daemon knows why it is not online.
std::string Problem(const Json& connectivity)
{
    const auto it = connectivity.find("problem");
    if (it == connectivity.end() || !it->is_string() || *it == "none")
        return {};
    static const std::map<std::string, std::string> kWhy = {
        {"no-uplink", "no uplink: the server does not answer"},
        {"discovery-failed", "the server's BOSH URL could not be discovered"},
        {"auth-failed", "the server refused the password"}};
    const auto why = kWhy.find(it->get<std::string>());
    return " (" + (why != kWhy.end() ? why->second : it->get<std::string>()) + ")";
}

// 1536 as "1.5 KiB": sizes people read at a glance.
std::string Size(std::int64_t bytes)
{
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(kUnits)) {
        value /= 1024;
        ++unit;
    }
    std::ostringstream text;
    text << std::setprecision(value < 10 && unit > 0 ? 2 : 3) << value << ' ' << kUnits[unit];
    return text.str();
}

std::string Load(const Json& load)
{
    return std::to_string(load["messages"].get<std::int64_t>()) + " messages, " +
           Size(load["bytes"].get<std::int64_t>());
}

// "carrying: 12 messages, 40 KiB of 100000 messages, 1 GiB (...)".
std::string CarryLine(const Json& carry)
{
    std::string line = Load(carry["held"]);
    const auto& quota = carry["quota"];
    if (quota.is_object())
        line += " of " + Load(quota["total"]) + " (each neighbour " + Load(quota["per_neighbour"]) +
                ", each origin " + Load(quota["per_origin"]) + ")";
    if (carry["biggest"].is_object())
        line += "\n              biggest holder " +
                carry["biggest"]["neighbour"].get<std::string>() + ": " + Load(carry["biggest"]);
    return line;
}

} // namespace

void PrintStatus(std::ostream& out, const Json& s)
{
    const auto& conn = s["connectivity"];
    out << "pigeond " << s["version"].get<std::string>() << ", started " << Relative(s["started"])
        << '\n'
        << "link-local:   "
        << (s["instance"].get<std::string>().empty() ? std::string("(not announced)")
                                                     : s["instance"].get<std::string>())
        << '\n'
        << "connectivity: " << conn["state"].get<std::string>() << " since "
        << Relative(conn["since"]) << " (last probe: "
        << (conn["last_probe"].is_null() ? std::string("none")
                                         : Relative(conn["last_probe"]["at"]) + ", " +
                                               conn["last_probe"]["result"].get<std::string>())
        << ")\n"
        << "account:      "
        << (conn["jid"].get<std::string>().empty()
                ? std::string("none")
                : conn["jid"].get<std::string>() + ", session " +
                      conn["session"].get<std::string>() + Problem(conn))
        << '\n'
        << "server:       " << ServerSource(conn) << '\n'
        << "transport:    " << TransportLine(conn) << '\n'
        << "identity:     "
        << (s["identity"].is_string() ? s["identity"].get<std::string>() : std::string("none"))
        << (conn["key_published"].get<bool>() ? " (published)" : "") << '\n'
        << "neighbours:   " << s["neighbours"].get<int>() << '\n'
        << "queues:       " << s["queues"]["outbox"].get<int>() << " to send, "
        << s["queues"]["carrying"].get<int>() << " carried for others, "
        << s["queues"]["inbox"].get<int>() << " in inbox\n"
        << "carry quota:  " << CarryLine(s["carry"]) << '\n'
        << "counters:\n";
    PrintCounters(out, s["counters"]);
}

} // namespace pigeon::ctl
