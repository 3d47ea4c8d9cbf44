#pragma once

#include <span>

namespace pigeon::store {

// Migration N (1-based) takes a database from user_version N-1 to N.
extern const std::span<const char* const> kSchemaMigrations;

} // namespace pigeon::store
