// A few long-lived threads that help a caller run the parts of one job at
// once (issue 27: a query searches the shards of a collection on every core).
// Starting a thread costs about as much as a short query's search on one
// shard, so the helpers are started once and wait for work.
//
// The caller always works on its own job too: a job finishes even when every
// helper is busy with other callers' jobs, so jobs never wait on each other.
#ifndef ASKALIKE_LIB_WORKER_POOL_HPP_
#define ASKALIKE_LIB_WORKER_POOL_HPP_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace askalike {

class WorkerPool {
 public:
  // `helpers` threads besides the callers (0: every job runs on its caller).
  explicit WorkerPool(unsigned helpers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs part(0) .. part(parts - 1), each once, on the calling thread and on
  // idle helpers; returns when all have run. The first exception a part threw
  // is rethrown here, after every part has finished (the parts may share
  // state with the caller). Safe to call from many threads at once.
  void run(std::size_t parts, const std::function<void(std::size_t)>& part);

 private:
  struct Job;
  void help();
  static void work_on(Job& job);

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> jobs_;  // jobs with parts nobody has taken yet
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace askalike

#endif  // ASKALIKE_LIB_WORKER_POOL_HPP_
