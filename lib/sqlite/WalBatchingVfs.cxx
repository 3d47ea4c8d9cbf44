#include "sqlite/WalBatchingVfs.hxx"

#include "sqlite/Error.hxx"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <system_error>
#include <vector>

namespace pigeon::sqlite {
namespace {

// The write-ahead log's layout (SQLite's file format, section 4): a header,
// then frames of a header and one page each.
constexpr sqlite3_int64 kLogHeaderBytes = 32;
constexpr sqlite3_int64 kFrameHeaderBytes = 24;
constexpr int kPageSizeAt = 8;   // in the log header, big-endian
constexpr int kCommitSizeAt = 4; // in a frame header: not 0 in a commit frame
constexpr std::size_t kMostHeld = 1 << 20;
// The default VFS writes at most 128 KiB - 1 bytes a call (it masks the size
// to 17 bits: SQLite itself never writes more than a 64 KiB page at once).
constexpr std::size_t kMostAWrite = 120 * 1024;

sqlite3_vfs* base_vfs = nullptr; // the default VFS, once registered

std::uint32_t BigEndian32(const unsigned char* p) noexcept
{
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 |
           std::uint32_t(p[3]);
}

// The writes to one log file that have not reached it yet.
class HeldLog {
public:
    explicit HeldLog(sqlite3_file* file) noexcept : file_(file) {}

    int Write(const void* data, int amount, sqlite3_int64 offset) noexcept;
    // Writes out what is held; SQLITE_OK or the error of the first write that failed.
    int Flush() noexcept;
    // Gives back the memory a transaction's writes took. SQLite syncs the
    // log when it checkpoints, which pigeond does once it is quiet.
    void Release() noexcept { held_ = {}; }

private:
    int WriteThrough(const void* data, int amount, sqlite3_int64 offset) noexcept
    {
        return file_->pMethods->xWrite(file_, data, amount, offset);
    }
    sqlite3_int64 HeldEnd() const noexcept { return start_ + sqlite3_int64(held_.size()); }
    void LearnPageSize(const unsigned char* data, int amount, sqlite3_int64 offset) noexcept;
    void NoteCommits(const unsigned char* data, int amount, sqlite3_int64 offset) noexcept;

    sqlite3_file* file_;
    std::vector<unsigned char> held_;
    sqlite3_int64 start_ = 0;     // where held_ goes in the file
    sqlite3_int64 page_size_ = 0; // from the log header; 0 until known, and nothing is held
    sqlite3_int64 flush_at_ = -1; // the end of the last commit frame seen, or -1
};

int HeldLog::Write(const void* data, int amount, sqlite3_int64 offset) noexcept
{
    const auto* bytes = static_cast<const unsigned char*>(data);
    if (!held_.empty() && offset != HeldEnd())
        if (const int rc = Flush(); rc != SQLITE_OK)
            return rc;
    LearnPageSize(bytes, amount, offset);
    if (page_size_ == 0) // a layout we cannot follow: as the default VFS would
        return WriteThrough(data, amount, offset);
    if (held_.empty())
        start_ = offset;
    try {
        held_.insert(held_.end(), bytes, bytes + amount);
    } catch (...) { // out of memory: what is held, then this, as they come
        const int rc = Flush();
        return rc != SQLITE_OK ? rc : WriteThrough(data, amount, offset);
    }
    NoteCommits(bytes, amount, offset);
    if ((flush_at_ >= 0 && HeldEnd() >= flush_at_) || held_.size() >= kMostHeld)
        return Flush();
    return SQLITE_OK;
}

int HeldLog::Flush() noexcept
{
    if (held_.empty())
        return SQLITE_OK;
    int rc = SQLITE_OK;
    for (std::size_t done = 0; done < held_.size() && rc == SQLITE_OK; done += kMostAWrite) {
        const auto amount = std::min(kMostAWrite, held_.size() - done);
        rc = WriteThrough(held_.data() + done, int(amount), start_ + sqlite3_int64(done));
    }
    if (flush_at_ <= HeldEnd()) // else it ends in a frame still to come
        flush_at_ = -1;
    held_.clear();
    if (held_.capacity() > kMostHeld)
        held_.shrink_to_fit();
    return rc;
}

// From the log header as SQLite writes it, or else as the file has it.
void HeldLog::LearnPageSize(const unsigned char* data, int amount, sqlite3_int64 offset) noexcept
{
    unsigned char header[kLogHeaderBytes];
    const unsigned char* from = nullptr;
    if (offset == 0 && amount >= kLogHeaderBytes)
        from = data;
    else if (page_size_ == 0 &&
             file_->pMethods->xRead(file_, header, sizeof(header), 0) == SQLITE_OK)
        from = header;
    if (from == nullptr)
        return;
    const auto size = BigEndian32(from + kPageSizeAt);
    const bool valid = size >= 512 && size <= 65536 && (size & (size - 1)) == 0;
    page_size_ = valid ? sqlite3_int64(size) : 0;
}

// Each frame header in these bytes that marks a commit, and any header they
// cut short (taken for one), moves flush_at_ to the end of its frame.
void HeldLog::NoteCommits(const unsigned char* data, int amount, sqlite3_int64 offset) noexcept
{
    const sqlite3_int64 frame = kFrameHeaderBytes + page_size_;
    const sqlite3_int64 end = offset + amount;
    sqlite3_int64 at = kLogHeaderBytes;
    if (offset > at)
        at += (offset - at + frame - 1) / frame * frame;
    for (; at < end; at += frame) {
        const bool cut = at + kFrameHeaderBytes > end;
        if (cut || BigEndian32(data + (at - offset) + kCommitSizeAt) != 0)
            flush_at_ = std::max(flush_at_, at + frame);
        if (cut)
            break;
    }
}

// What SQLite holds for each open file: ours first, then the default VFS's.
struct File {
    sqlite3_file base;
    sqlite3_file* real;
    HeldLog* log;   // a log file's: what it holds back
    File* database; // a log file's: the database it logs for
    File* log_file; // a database's: its log file, while open
};

File& Of(sqlite3_file* file) noexcept
{
    return *reinterpret_cast<File*>(file);
}

sqlite3_file* Real(sqlite3_file* file) noexcept
{
    return Of(file).real;
}

int FlushLog(sqlite3_file* file) noexcept
{
    auto* log = Of(file).log;
    return log != nullptr ? log->Flush() : SQLITE_OK;
}

// Runs `call` on the default VFS's file once the log (if this is it) is written out.
template <typename Call> int AfterFlush(sqlite3_file* file, Call call) noexcept
{
    const int rc = FlushLog(file);
    return rc != SQLITE_OK ? rc : call(Real(file));
}

int Close(sqlite3_file* file) noexcept
{
    auto& ours = Of(file);
    const int flushed = FlushLog(file);
    delete ours.log;
    ours.log = nullptr;
    if (ours.database != nullptr)
        ours.database->log_file = nullptr;
    if (ours.log_file != nullptr)
        ours.log_file->database = nullptr;
    const int closed = ours.real->pMethods->xClose(ours.real);
    return flushed != SQLITE_OK ? flushed : closed;
}

int Read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) noexcept
{
    return AfterFlush(file,
                      [&](sqlite3_file* f) { return f->pMethods->xRead(f, data, amount, offset); });
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) noexcept
{
    if (auto* log = Of(file).log)
        return log->Write(data, amount, offset);
    return Real(file)->pMethods->xWrite(Real(file), data, amount, offset);
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) noexcept
{
    return AfterFlush(file, [&](sqlite3_file* f) { return f->pMethods->xTruncate(f, size); });
}

int Sync(sqlite3_file* file, int flags) noexcept
{
    const int rc = AfterFlush(file, [&](sqlite3_file* f) { return f->pMethods->xSync(f, flags); });
    if (auto* log = Of(file).log; log != nullptr && rc == SQLITE_OK)
        log->Release();
    return rc;
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) noexcept
{
    return AfterFlush(file, [&](sqlite3_file* f) { return f->pMethods->xFileSize(f, size); });
}

int FileControl(sqlite3_file* file, int op, void* arg) noexcept
{
    return AfterFlush(file, [&](sqlite3_file* f) { return f->pMethods->xFileControl(f, op, arg); });
}

// A writer lets go of the log (SQLITE_SHM_UNLOCK of its write lock among
// others): what its log still holds is a transaction's spilled frames that
// were rolled back (a commit's went out with its commit frame). They go out
// now, while no other connection can write where they go, as the default
// VFS would have written them at once; never later, over another's commit.
// Unlocking cannot fail, so neither may this: frames nobody reads are lost
// at worst.
int ShmLock(sqlite3_file* file, int offset, int n, int flags) noexcept
{
    if (auto* log_file = Of(file).log_file; log_file != nullptr && (flags & SQLITE_SHM_UNLOCK) != 0)
        FlushLog(&log_file->base);
    return Real(file)->pMethods->xShmLock(Real(file), offset, n, flags);
}

int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** page) noexcept
{
    return AfterFlush(
        file, [&](sqlite3_file* f) { return f->pMethods->xFetch(f, offset, amount, page); });
}

// The rest is the default VFS's as it is.
constexpr sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    [](sqlite3_file* f, int lock) { return Real(f)->pMethods->xLock(Real(f), lock); },
    [](sqlite3_file* f, int lock) { return Real(f)->pMethods->xUnlock(Real(f), lock); },
    [](sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); },
    FileControl,
    [](sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); },
    [](sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); },
    [](sqlite3_file* f, int region, int size, int extend, void volatile** p) {
        return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, p);
    },
    ShmLock,
    [](sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); },
    [](sqlite3_file* f, int remove) { return Real(f)->pMethods->xShmUnmap(Real(f), remove); },
    Fetch,
    [](sqlite3_file* f, sqlite3_int64 offset, void* page) {
        return Real(f)->pMethods->xUnfetch(Real(f), offset, page);
    },
};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) noexcept
{
    auto& ours = Of(file);
    ours.base.pMethods = nullptr;
    ours.real = reinterpret_cast<sqlite3_file*>(&ours + 1);
    ours.log = nullptr;
    ours.database = nullptr;
    ours.log_file = nullptr;
    const int rc = base_vfs->xOpen(base_vfs, name, ours.real, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (ours.real->pMethods != nullptr) // it asks to be closed even so
            ours.real->pMethods->xClose(ours.real);
        return rc;
    }
    if (ours.real->pMethods->iVersion < kMethods.iVersion) { // no call here may miss
        ours.real->pMethods->xClose(ours.real);
        return SQLITE_CANTOPEN;
    }
    if ((flags & SQLITE_OPEN_WAL) != 0) {
        ours.log = new (std::nothrow) HeldLog(ours.real);
        if (ours.log == nullptr) {
            ours.real->pMethods->xClose(ours.real);
            return SQLITE_NOMEM;
        }
        if (auto* database = sqlite3_database_file_object(name);
            database != nullptr && database->pMethods == &kMethods) {
            ours.database = &Of(database);
            ours.database->log_file = &ours;
        }
    }
    ours.base.pMethods = &kMethods;
    return SQLITE_OK;
}

sqlite3_vfs MakeVfs(sqlite3_vfs* base) noexcept
{
    sqlite3_vfs vfs = *base; // every other call goes to base, which keeps its own pAppData...
    vfs.pNext = nullptr;
    vfs.szOsFile = int(sizeof(File)) + base->szOsFile;
    vfs.zName = "pigeon-wal-batching";
    vfs.xOpen = Open;
    // ...as long as it is handed base, not this VFS.
    vfs.xDelete = [](sqlite3_vfs*, const char* path, int sync) {
        return base_vfs->xDelete(base_vfs, path, sync);
    };
    vfs.xAccess = [](sqlite3_vfs*, const char* path, int what, int* out) {
        return base_vfs->xAccess(base_vfs, path, what, out);
    };
    vfs.xFullPathname = [](sqlite3_vfs*, const char* path, int size, char* out) {
        return base_vfs->xFullPathname(base_vfs, path, size, out);
    };
    vfs.xDlOpen = [](sqlite3_vfs*, const char* path) { return base_vfs->xDlOpen(base_vfs, path); };
    vfs.xDlError = [](sqlite3_vfs*, int size, char* out) {
        base_vfs->xDlError(base_vfs, size, out);
    };
    vfs.xDlSym = [](sqlite3_vfs*, void* handle, const char* symbol) {
        return base_vfs->xDlSym(base_vfs, handle, symbol);
    };
    vfs.xDlClose = [](sqlite3_vfs*, void* handle) { base_vfs->xDlClose(base_vfs, handle); };
    vfs.xRandomness = [](sqlite3_vfs*, int size, char* out) {
        return base_vfs->xRandomness(base_vfs, size, out);
    };
    vfs.xSleep = [](sqlite3_vfs*, int us) { return base_vfs->xSleep(base_vfs, us); };
    vfs.xCurrentTime = [](sqlite3_vfs*, double* now) {
        return base_vfs->xCurrentTime(base_vfs, now);
    };
    vfs.xGetLastError = [](sqlite3_vfs*, int size, char* out) {
        return base_vfs->xGetLastError(base_vfs, size, out);
    };
    if (base->iVersion >= 2 && base->xCurrentTimeInt64 != nullptr)
        vfs.xCurrentTimeInt64 = [](sqlite3_vfs*, sqlite3_int64* now) {
            return base_vfs->xCurrentTimeInt64(base_vfs, now);
        };
    // System calls are the default VFS's to swap (tests of SQLite itself do).
    vfs.iVersion = std::min(base->iVersion, 2);
    return vfs;
}

} // namespace

const char* WalBatchingVfs::Name()
{
    static sqlite3_vfs vfs = [] {
        sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
        if (base == nullptr)
            throw std::system_error(SQLITE_ERROR, Category(), "SQLite has no default VFS");
        base_vfs = base;
        sqlite3_vfs made = MakeVfs(base);
        return made;
    }();
    static const int registered = sqlite3_vfs_register(&vfs, 0);
    if (registered != SQLITE_OK)
        throw std::system_error(registered, Category(), "cannot register the WAL batching VFS");
    return vfs.zName;
}

} // namespace pigeon::sqlite
