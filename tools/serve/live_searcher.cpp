#include "live_searcher.hpp"

#include <xapian.h>

#include <iostream>

namespace askalike::serve {

struct LiveSearcher::Watch {
  Xapian::Database db;
  bool warned = false;
};

namespace {

// A stub naming several databases has no single revision: 0.
std::uint64_t revision_of(const Xapian::Database& db) {
  try {
    return db.get_revision();
  } catch (const Xapian::Error&) {
    return 0;
  }
}

}  // namespace

LiveSearcher::LiveSearcher(const std::string& path, std::chrono::milliseconds interval)
    : path_(path), searcher_(path), watch_(std::make_unique<Watch>()) {
  // Opened only after the Searcher accepted the path (it checks what the
  // database is and refuses what it must not open).
  try {
    watch_->db = Xapian::Database(path);
    revision_ = revision_of(watch_->db);
    documents_ = watch_->db.get_doccount();
  } catch (const Xapian::Error& e) {
    throw Error(ErrorCode::kIO, "watching " + path + " for commits: " + e.get_msg());
  }
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

void LiveSearcher::refresh(bool force) {
  std::lock_guard<std::mutex> lock(refresh_mutex_);
  try {
    bool changed = watch_->db.reopen();
    if (changed || force) {
      searcher_.reopen();
      if (changed) ++reloads_;
    }
    revision_ = revision_of(watch_->db);
    documents_ = watch_->db.get_doccount();
    watch_->warned = false;
  } catch (const Xapian::Error& e) {
    // Keep answering from what is open; say once what went wrong.
    if (!watch_->warned)
      std::cerr << "askalike serve: cannot check " << path_ << " for new commits: " << e.get_msg() << std::endl;
    watch_->warned = true;
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
