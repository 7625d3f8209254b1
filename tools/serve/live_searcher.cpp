#include "live_searcher.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace askalike::serve {

LiveSearcher::LiveSearcher(const std::string& path, const SearcherOptions& options,
                           std::chrono::milliseconds interval)
    : path_(path), searcher_(path, options), identity_(identity_of(path)) {
  // Read through the library, which refuses what it must not open (a stub
  // line that would start a program).
  CommittedState state = committed_state(path);
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
    CommittedState state = committed_state(path_);
    // A stub of several databases has no revision: its record count is
    // the sign of a change there.
    bool changed = identity != identity_ || state.revision != revision_ || state.documents != documents_;
    if (changed || force) {
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

void LiveSearcher::watch(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    refresh();
    lock.lock();
  }
}

}  // namespace askalike::serve
