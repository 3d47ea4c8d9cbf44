#pragma once
// Human-readable rendering of control replies. --json bypasses all of this.

#include "control/Json.hxx"

#include <ostream>
#include <string>
#include <string_view>

namespace pigeon::ctl {

// The 8 characters lists show of a message id: its end, the random part of
// the ids pigeond makes (they begin with the time they were made). Any
// command taking an id takes them (or a unique beginning).
std::string ShortId(std::string_view id);

void PrintOutbox(std::ostream& out, const control::Json& items);
void PrintCarrying(std::ostream& out, const control::Json& items);
void PrintInbox(std::ostream& out, const control::Json& items);
// After a page of a listing: how many of how many it shows, and the command
// for the older rows when some remain.
void PrintPageNote(std::ostream& out, const control::Json& page, const std::string& command);
// How many rows of a listing fit the terminal (20 when not on one).
int ScreenRows();
void PrintShow(std::ostream& out, const control::Json& found);
void PrintSearch(std::ostream& out, const control::Json& hits);
void PrintStatus(std::ostream& out, const control::Json& status);
void PrintAccount(std::ostream& out, const control::Json& account);
void PrintContacts(std::ostream& out, const control::Json& contacts);
void PrintPeers(std::ostream& out, const control::Json& peers);
void PrintHandshakeLog(std::ostream& out, const control::Json& events);

} // namespace pigeon::ctl
