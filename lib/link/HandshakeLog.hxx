#pragma once
// What happened with a neighbour, told twice: to the journal, and to the
// store's handshake log that `pigeonctl peers --log` shows.

#include <string>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

// Throws std::bad_alloc only: a store that cannot keep the record costs only
// the record (a warning says so).
void LogHandshake(store::Store& store, const std::string& instance, const std::string& event,
                  const std::string& detail);

} // namespace pigeon::link
