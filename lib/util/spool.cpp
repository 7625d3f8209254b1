#include "util/spool.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "askalike/error.hpp"

namespace askalike {

static void fail(const char* doing) {
  throw Error(ErrorCode::kIO, std::string(doing) + " a temporary file (in $TMPDIR or /tmp): " + std::strerror(errno));
}

// tmpfile(): the file has no name, so it is gone when closed or when the
// process dies.
Spool::Spool() : file_(std::tmpfile()) {
  if (!file_) fail("cannot create");
}

void Spool::add(const std::string& item) {
  const std::uint64_t size = item.size();
  if (std::fwrite(&size, sizeof size, 1, file_.get()) != 1 ||
      (size > 0 && std::fwrite(item.data(), size, 1, file_.get()) != 1))
    fail("cannot write to");
}

void Spool::clear() {
  if (std::fflush(file_.get()) != 0 || ::ftruncate(fileno(file_.get()), 0) != 0) fail("cannot empty");
  std::rewind(file_.get());
}

void Spool::replay(const std::function<void(const std::string&)>& visit) {
  if (std::fflush(file_.get()) != 0) fail("cannot write to");
  std::rewind(file_.get());
  std::string item;
  for (std::uint64_t size = 0; std::fread(&size, sizeof size, 1, file_.get()) == 1;) {
    item.resize(size);
    if (size > 0 && std::fread(&item[0], size, 1, file_.get()) != 1) fail("cannot read back");
    visit(item);
  }
  if (std::ferror(file_.get())) fail("cannot read back");
}

}  // namespace askalike
