#include "live_searcher.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace askalike::serve {

LiveSearcher::LiveSearcher(const std::string& path, const SearcherOptions& options,
                           std::chrono::milliseconds interval)
    : path_(path),
      timeout_ms_(options.timeout_ms),
      searcher_(path, options),
      identity_(identity_of(path)),
      watcher_(path, options.timeout_ms) {
  shards_ = watcher_.check();
  CommittedState state = StateWatcher::total(shards_);
  revision_ = state.revision;
  documents_ = state.documents;
  thread_ = std::thread([this, interval] { watch(interval); });
}

LiveSearcher::~LiveSearcher() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

LiveSearcher::Identity LiveSearcher::identity_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw Error(ErrorCode::kIO, path + ": " + std::strerror(errno));
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

void LiveSearcher::refresh(bool force) {
  std::lock_guard<std::mutex> lock(refresh_mutex_);
  try {
    const Identity identity = identity_of(path_);
    if (identity != identity_) watcher_ = StateWatcher(path_, timeout_ms_);  // a new stub may name others
    std::vector<ShardState> shards = watcher_.check();
    bool was_down = false;
    {
      std::lock_guard<std::mutex> shards_lock(shards_mutex_);
      for (const ShardState& s : shards_) was_down = was_down || !s.ok;
      shards_ = shards;
    }
    CommittedState state = StateWatcher::total(shards);
    // A stub of several databases has no revision: its record count is
    // the sign of a change there.
    bool changed = identity != identity_ || state.revision != revision_ || state.documents != documents_;
    // A shard back after a failure: the searcher's idle connections to it
    // are broken, so they are all opened anew.
    if (changed || force || was_down) {
      searcher_.reopen();
      if (changed) ++reloads_;
    }
    identity_ = identity;
    revision_ = state.revision;
    documents_ = state.documents;
    warned_ = false;
  } catch (const Error& e) {
    // Keep answering from what is open; say once what went wrong.
    if (!warned_) std::cerr << "askalike serve: cannot check " << path_ << " for new commits: " << e.what() << std::endl;
    warned_ = true;
  }
}

std::vector<ShardState> LiveSearcher::shards() const {
  std::lock_guard<std::mutex> lock(shards_mutex_);
  return shards_;
}

void LiveSearcher::watch(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    refresh();
    lock.lock();
  }
}

}  // namespace askalike::serve
