// askalike serve: a Searcher that follows the database as other processes
// (and the service itself) commit to it.
#ifndef ASKALIKE_TOOLS_SERVE_LIVE_SEARCHER_HPP_
#define ASKALIKE_TOOLS_SERVE_LIVE_SEARCHER_HPP_

#include <askalike/error.hpp>
#include <askalike/search.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace askalike::serve {

// Thread-safe. A thread checks the database's revision every `interval`
// and reopens the Searcher when it changed, so new commits show without a
// restart. A search that still meets a commit mid-read (Xapian overwrote
// the revision it was reading) is retried on the newest revision, so no
// request fails because someone committed.
class LiveSearcher {
 public:
  // Throws askalike::Error when the database cannot be opened.
  LiveSearcher(const std::string& path, const SearcherOptions& options, std::chrono::milliseconds interval);
  ~LiveSearcher();
  LiveSearcher(const LiveSearcher&) = delete;
  LiveSearcher& operator=(const LiveSearcher&) = delete;

  // Runs `search` with the searcher, retried (a few times, each on a fresh
  // reopen) when the database changed under it.
  template <typename Search>
  auto run(Search&& search) -> decltype(search(std::declval<const Searcher&>())) {
    for (int attempt = 1;; ++attempt) {
      try {
        return search(searcher_);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kIO || attempt == kAttempts) throw;
        ++retries_;
        refresh(true);
      }
    }
  }

  // Checks for a new revision now (after the service's own commit, so that
  // the next request sees it); `force` reopens even when none is seen.
  void refresh(bool force = false);

  std::uint64_t revision() const { return revision_; }    // 0 when the database cannot tell (a stub)
  std::uint64_t documents() const { return documents_; }  // as of the last check
  std::uint64_t reloads() const { return reloads_; }
  std::uint64_t retries() const { return retries_; }
  const std::string& path() const { return path_; }
  // [issue 23] Each database of the collection as of the last check.
  std::vector<ShardState> shards() const;

 private:
  static constexpr int kAttempts = 4;
  void watch(std::chrono::milliseconds interval);

  // The file or directory at the path (device, inode): a database moved into
  // place (compact or reindex, then mv) may have the old one's revision and
  // record count, but never its inode while the old one exists.
  using Identity = std::pair<std::uint64_t, std::uint64_t>;
  static Identity identity_of(const std::string& path);

  std::string path_;
  unsigned timeout_ms_;
  Searcher searcher_;
  Identity identity_;  // guarded by refresh_mutex_
  // Checks over connections it keeps: an idle service does not connect to
  // remote shards again at every check (guarded by refresh_mutex_).
  StateWatcher watcher_;
  mutable std::mutex shards_mutex_;
  std::vector<ShardState> shards_;  // guarded by shards_mutex_
  std::mutex refresh_mutex_;
  bool warned_ = false;  // a failed check was reported (guarded by refresh_mutex_)
  std::atomic<std::uint64_t> revision_{0}, documents_{0}, reloads_{0}, retries_{0};
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace askalike::serve

#endif  // ASKALIKE_TOOLS_SERVE_LIVE_SEARCHER_HPP_
