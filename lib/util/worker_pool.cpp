#include "util/worker_pool.hpp"

#include <atomic>
#include <exception>

namespace askalike {

struct WorkerPool::Job {
  explicit Job(std::size_t n, const std::function<void(std::size_t)>& p) : parts(n), part(p) {}
  const std::size_t parts;
  const std::function<void(std::size_t)>& part;  // the caller's, alive until run() returns
  std::atomic<std::size_t> next{0};              // the next part nobody has taken
  std::mutex mu;
  std::condition_variable finished;
  std::size_t done = 0;
  std::exception_ptr error;
};

WorkerPool::WorkerPool(unsigned helpers) {
  threads_.reserve(helpers);
  for (unsigned i = 0; i < helpers; ++i) threads_.emplace_back([this] { help(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

// Takes parts of `job` until none is left.
void WorkerPool::work_on(Job& job) {
  for (std::size_t i = job.next++; i < job.parts; i = job.next++) {
    std::exception_ptr error;
    try {
      job.part(i);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(job.mu);
    if (error && !job.error) job.error = error;
    if (++job.done == job.parts) job.finished.notify_all();
  }
}

void WorkerPool::run(std::size_t parts, const std::function<void(std::size_t)>& part) {
  if (parts == 0) return;
  auto job = std::make_shared<Job>(parts, part);
  if (parts > 1 && !threads_.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(job);
    }
    if (parts == 2)
      wake_.notify_one();
    else
      wake_.notify_all();
  }
  work_on(*job);
  std::unique_lock<std::mutex> lock(job->mu);
  job->finished.wait(lock, [&] { return job->done == job->parts; });
  if (job->error) std::rethrow_exception(job->error);
}

void WorkerPool::help() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A job all of whose parts are taken leaves the queue (its caller or
      // another helper finishes them).
      for (;;) {
        while (!jobs_.empty() && jobs_.front()->next.load() >= jobs_.front()->parts) jobs_.pop_front();
        if (!jobs_.empty() || stopping_) break;
        wake_.wait(lock);
      }
      if (jobs_.empty()) return;  // stopping
      job = jobs_.front();
    }
    work_on(*job);
  }
}

}  // namespace askalike
