#include "storage/write_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

#include "askalike/error.hpp"
#include "storage/database_open.hpp"

namespace askalike::detail {
namespace {

std::string seconds(unsigned ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", ms / 1000.0);
  return text;
}

std::string waiting_file(const std::string& collection) { return collection + "/" + kWaitingFile; }

// Whether another writer holds the waiting file (is waiting for the lock).
bool someone_waits(const std::string& collection) {
  const int fd = ::open(waiting_file(collection).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return false;
  const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // also drops the lock just taken, if it was
  return busy;
}

// Holds the waiting file (shared: several may wait) while this writer waits.
// Without a writable directory the wait goes on unannounced.
class Waiting {
 public:
  Waiting() = default;
  void announce(const std::string& collection) {
    if (fd_ >= 0) return;
    fd_ = ::open(waiting_file(collection).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (fd_ >= 0) ::flock(fd_, LOCK_SH);
  }
  ~Waiting() {
    if (fd_ >= 0) ::close(fd_);
  }
  Waiting(const Waiting&) = delete;
  Waiting& operator=(const Waiting&) = delete;

 private:
  int fd_ = -1;
};

std::vector<Xapian::WritableDatabase> open_all(const std::vector<std::string>& paths, int flags) {
  std::vector<Xapian::WritableDatabase> dbs;
  for (const std::string& p : paths) dbs.push_back(open_writable_database(p, flags));
  return dbs;  // on a throw, the shards opened so far are closed (their locks released)
}

}  // namespace

std::vector<Xapian::WritableDatabase> open_writers(const std::string& collection,
                                                   const std::vector<std::string>& paths, int flags,
                                                   unsigned wait_ms) {
  if (wait_ms == 0) {
    if (someone_waits(collection))
      throw Xapian::DatabaseLockError("another writer is waiting for the lock");
    return open_all(paths, flags);
  }
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
  std::chrono::milliseconds pause(2);
  Waiting waiting;
  for (;;) {
    try {
      return open_all(paths, flags);
    } catch (const Xapian::DatabaseLockError&) {
      waiting.announce(collection);
      const auto now = Clock::now();
      if (now >= deadline)
        throw Error(ErrorCode::kDatabaseLocked,
                    "the database " + collection + " is still locked by another writer after waiting " +
                        seconds(wait_ms) + " s for it; try again later, or wait longer");
      // Short pauses first (a service's write takes milliseconds), then at
      // most 50 ms: the lock is seen free within 50 ms of its release.
      std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
  }
}

}  // namespace askalike::detail
