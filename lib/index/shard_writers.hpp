// A thread per shard of a collection, each applying the tasks given for its
// shard in the order they were given (issue 11: "shards are built in
// parallel"). A parallel load's storing thread decides everything that
// depends on the order of records (which record replaces which, the averages
// each is normalised by) and hands the writing itself, most of a load's time
// inside Xapian, to the thread of the record's shard. A Xapian database is
// not safe to share between threads; here each shard's is used by its own
// thread only, between drain()s.
#ifndef ASKALIKE_LIB_SHARD_WRITERS_HPP_
#define ASKALIKE_LIB_SHARD_WRITERS_HPP_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace askalike {

template <typename Task>
class ShardWriters {
 public:
  // Tasks waiting per shard at the most: bounds the memory of a load whose
  // storing thread runs ahead of a slow shard.
  static constexpr std::size_t kMaxQueued = 256;

  // `apply(shard, task)` runs on the shard's thread.
  ShardWriters(std::size_t shards, std::function<void(std::size_t, Task&)> apply)
      : apply_(std::move(apply)), queues_(shards), changed_(shards) {
    threads_.reserve(shards);
    for (std::size_t i = 0; i < shards; ++i) threads_.emplace_back([this, i] { run(i); });
  }

  ShardWriters(const ShardWriters&) = delete;
  ShardWriters& operator=(const ShardWriters&) = delete;

  // Applies what was given (a load stopped by an error elsewhere keeps the
  // records it handed over, as a serial load would), then stops the threads.
  ~ShardWriters() {
    {
      std::unique_lock<std::mutex> lock(mu_);
      stopping_ = true;
    }
    for (auto& c : changed_) c.notify_all();
    for (auto& t : threads_) t.join();
  }

  // Queues `task` for `shard`, waiting while that shard has kMaxQueued tasks.
  // Throws the first error a task threw (after which no task runs).
  void post(std::size_t shard, Task task) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return error_ || queues_[shard].size() < kMaxQueued; });
    if (error_) std::rethrow_exception(error_);
    queues_[shard].push_back(std::move(task));
    ++pending_;
    changed_[shard].notify_one();
  }

  // Waits until every task given has been applied; throws the first error.
  void drain() {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return error_ || pending_ == 0; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run(std::size_t shard) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      changed_[shard].wait(lock, [&] { return stopping_ || !queues_[shard].empty(); });
      if (queues_[shard].empty() || error_) return;  // stopping, or nothing more may run
      Task task = std::move(queues_[shard].front());
      queues_[shard].pop_front();
      lock.unlock();
      std::exception_ptr failed;
      try {
        apply_(shard, task);
      } catch (...) {
        failed = std::current_exception();
      }
      lock.lock();
      if (failed && !error_) error_ = failed;
      --pending_;
      room_.notify_all();
    }
  }

  const std::function<void(std::size_t, Task&)> apply_;
  std::mutex mu_;
  std::vector<std::deque<Task>> queues_;
  std::vector<std::condition_variable> changed_;  // per shard: a task queued, or stopping
  std::condition_variable room_;                  // a task applied (room in a queue, or drained)
  std::size_t pending_ = 0;                       // tasks queued or being applied
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> threads_;
};

}  // namespace askalike

#endif  // ASKALIKE_LIB_SHARD_WRITERS_HPP_
