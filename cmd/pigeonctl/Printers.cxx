#include "Printers.hxx"

#include "Events.hxx"
#include "Format.hxx"
#include "control/Command.hxx"

#include <cstddef>
#include <string_view>

namespace pigeon::ctl {
using control::Json;

namespace {

using Printer = void (*)(std::ostream& out, const Json& result, const Json& request);

// Whether a row has a printer is kept beside the pointer: comparing function
// pointers is not a constant expression under -fsanitize=undefined.
struct Binding {
    constexpr Binding(std::string_view wire_name, Printer printer)
        : wire(wire_name), print(printer), printed(true)
    {
    }
    // For the rows pigeonctl has no words for.
    constexpr Binding(std::string_view wire_name, std::nullptr_t)
        : wire(wire_name), print(nullptr), printed(false)
    {
    }
    std::string_view wire;
    Printer print;
    bool printed;
};

template <void (*Print)(std::ostream&, const Json&)>
void ResultOnly(std::ostream& out, const Json& result, const Json&)
{
    Print(out, result);
}

// A listing's page (pigeond's outbox, carrying, inbox): the table, then how
// many of how many it shows and how to see the older ones.
template <void (*Print)(std::ostream&, const Json&)>
void Listing(std::ostream& out, const Json& page, const Json& request)
{
    Print(out, page["items"]);
    PrintPageNote(out, page, request["cmd"].get<std::string>());
}

bool IsListing(const Json& request)
{
    return request.contains("before");
}

// send: the new message's id, for scripts.
void PrintId(std::ostream& out, const Json& item, const Json&)
{
    out << item["id"].get<std::string>() << '\n';
}

// What pigeond says it did, or "done".
void PrintDone(std::ostream& out, const Json& result, const Json&)
{
    out << (result.contains("note") ? result["note"].get<std::string>() : std::string("done"))
        << '\n';
}

void PrintPeersOrLog(std::ostream& out, const Json& result, const Json& request)
{
    if (request.value("log", false))
        PrintHandshakeLog(out, result);
    else
        PrintPeers(out, result);
}

// clang-format off
constexpr Binding kPrinters[] = {
    {"send", PrintId},
    {"outbox", Listing<PrintOutbox>},
    {"carrying", Listing<PrintCarrying>},
    {"inbox", Listing<PrintInbox>},
    {"show", ResultOnly<PrintShow>},
    {"search", ResultOnly<PrintSearch>},
    {"status", ResultOnly<PrintStatus>},
    {"ping", nullptr},
    {"peers", PrintPeersOrLog},
    {"presence", PrintDone},
    {"account", ResultOnly<PrintAccount>},
    {"register", PrintDone},
    {"passwd", PrintDone},
    {"account-set", PrintDone},
    {"contacts", ResultOnly<PrintContacts>},
    {"contacts-add", PrintDone},
    {"watch", ResultOnly<PrintEvent>}, // each event, as it comes
    {"forget-pin", PrintDone},
};
// clang-format on

// One printer per row, in order; exactly the rows with words have one.
constexpr bool PrintersMatchTable()
{
    if (!control::BindsEveryCommand(kPrinters))
        return false;
    for (std::size_t i = 0; i < control::kCommandCount; ++i)
        if (kPrinters[i].printed == control::kCommands[i].words.empty())
            return false;
    return true;
}
static_assert(PrintersMatchTable(), "each pigeonctl command of control::kCommands needs a printer");

} // namespace

void PrintJsonResult(std::ostream& out, std::ostream& notes, const Json& result,
                     const Json& request)
{
    if (!IsListing(request)) {
        out << result.dump(2) << '\n';
        return;
    }
    out << result["items"].dump(2) << '\n';
    PrintPageNote(notes, result, request["cmd"].get<std::string>());
}

void FitListingToScreen(Json& request)
{
    if (IsListing(request) && request.value("limit", 0) == 0)
        request["limit"] = ScreenRows();
}

void PrintResult(std::size_t command, std::ostream& out, const Json& result, const Json& request)
{
    kPrinters[command].print(out, result, request);
}

} // namespace pigeon::ctl
