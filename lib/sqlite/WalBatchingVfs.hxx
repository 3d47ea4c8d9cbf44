#pragma once
// SQLite's default VFS ("unix") with one change: the write-ahead log's
// frames reach the file in one write per transaction, not two per page.
//
// SQLite writes each frame of the log as two calls, its 24-byte header and
// then its page: a carrier's batch of 100 copies was ~130 pwrites, a tenth of
// its CPU in the kernel, each one also rewriting part of a page. Here the
// log's writes gather in memory, in file order, and go out as one write when:
//  - a commit frame (a header whose "database size" field is not zero, per
//    SQLite's file format) is complete, before SQLite publishes the commit
//    in the shared index, so that no reader, in this process or another,
//    is ever pointed at a frame the file does not have yet;
//  - SQLite reads, syncs, sizes, truncates or closes the log, or asks it
//    anything through a file control;
//  - a write does not follow on from the last, or a megabyte is held;
//  - the connection lets go of the log's write lock: a rolled-back
//    transaction's spilled frames go out then, under that lock, never later
//    over another connection's commit.
// (Out in writes of 120 KiB at most: the default VFS takes no more a call.)
// A failed write is the failure of the SQLite call that caused it (the
// commit among them): nothing is acknowledged that did not reach the file.
// Every other file (the database, its shared index) is the default VFS's,
// untouched.

namespace pigeon::sqlite {

class WalBatchingVfs {
public:
    // The VFS's name for sqlite3_open_v2, registered (not as the default) on
    // first use. Throws std::system_error if SQLite has no default VFS or
    // cannot register this one.
    static const char* Name();
};

} // namespace pigeon::sqlite
