#pragma once

namespace pigeon {

// Gives glibc's allocator a per-thread cache large enough for a batch of
// stanzas (see the .cxx), by starting pigeond again, once, with it in
// GLIBC_TUNABLES: glibc reads that only when a program starts. Returns
// (without restarting) when GLIBC_TUNABLES names the cache's size already
// (ours, or the user's), in a set-id or capable process (AT_SECURE), or when
// the restart fails; never throws.
void TuneAllocator(char* argv[]) noexcept;

} // namespace pigeon
