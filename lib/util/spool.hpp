// A temporary file of strings, written once and read back in order: a
// consistent read of a whole database is kept here until it is complete,
// without holding it all in memory.
#ifndef ASKALIKE_LIB_SPOOL_HPP_
#define ASKALIKE_LIB_SPOOL_HPP_

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

namespace askalike {

// Not thread-safe. Throws Error(kIO) when the temporary file fails.
class Spool {
 public:
  Spool();
  void add(const std::string& item);
  // Forgets every item.
  void clear();
  // Calls `visit` with every item in the order added.
  void replay(const std::function<void(const std::string&)>& visit);

 private:
  struct Close {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Close> file_;
};

}  // namespace askalike

#endif  // ASKALIKE_LIB_SPOOL_HPP_
