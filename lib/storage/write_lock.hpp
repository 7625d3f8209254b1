// askalike (private): waiting for a database's write lock (issue 24).
//
// Xapian's lock is taken or refused at once. A writer given a wait
// (IndexOptions::wait_lock_ms) retries with backoff, and says that it waits
// by holding a shared flock on the file kWaitingFile in the database
// directory; a writer opened without a wait finds the database locked while
// anyone waits. So a bulk load (`askalike index --wait-lock`) gets the lock
// in the first gap between a live service's short writes, however many
// arrive: they stand aside for it rather than race it.
#ifndef ASKALIKE_LIB_WRITE_LOCK_HPP_
#define ASKALIKE_LIB_WRITE_LOCK_HPP_

#include <xapian.h>

#include <string>
#include <vector>

namespace askalike::detail {

inline constexpr const char* kWaitingFile = "askalike-waiting.lock";

// Opens every database of `paths` (the shards of the collection at
// `collection`, or the one database) for writing with Xapian's `flags`.
// wait_ms 0: a lock held by another writer, or another writer waiting for
// it, throws Xapian::DatabaseLockError at once. Otherwise retries until
// wait_ms have passed, then throws Error(kDatabaseLocked) saying how long
// it waited.
std::vector<Xapian::WritableDatabase> open_writers(const std::string& collection,
                                                   const std::vector<std::string>& paths, int flags,
                                                   unsigned wait_ms);

}  // namespace askalike::detail

#endif  // ASKALIKE_LIB_WRITE_LOCK_HPP_
