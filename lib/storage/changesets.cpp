// One process-wide XAPIAN_MAX_CHANGESETS shared by the commits that need it
// (see changesets.hpp).
#include "storage/changesets.hpp"

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>

namespace askalike::detail {

namespace {

class ChangesetEnvironment {
 public:
  static ChangesetEnvironment& instance() {
    static ChangesetEnvironment env;
    return env;
  }

  void run(unsigned keep, const std::function<void()>& commit) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return users_ == 0 || value_ == keep; });
      // Set only while no commit runs: none of them reads it meanwhile.
      if (users_++ == 0 && value_ != keep) {
        if (keep > 0)
          ::setenv("XAPIAN_MAX_CHANGESETS", std::to_string(keep).c_str(), 1);
        else
          ::unsetenv("XAPIAN_MAX_CHANGESETS");
        value_ = keep;
      }
    }
    struct Release {
      ChangesetEnvironment& env;
      ~Release() {
        std::lock_guard<std::mutex> lock(env.mutex_);
        if (--env.users_ == 0) env.changed_.notify_all();
      }
    } release{*this};
    commit();
  }

 private:
  ChangesetEnvironment() {
    const char* set = std::getenv("XAPIAN_MAX_CHANGESETS");
    value_ = set ? static_cast<unsigned>(std::strtoul(set, nullptr, 10)) : 0;
    // A value set outside askalike that is not a number counts as "other": the first commit sets its own.
    if (set && value_ == 0) value_ = ~0u;
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  unsigned users_ = 0;  // commits running with value_
  unsigned value_ = 0;  // what the variable says now (0: unset)
};

}  // namespace

void with_max_changesets(unsigned keep, const std::function<void()>& commit) {
  ChangesetEnvironment::instance().run(keep, commit);
}

}  // namespace askalike::detail
