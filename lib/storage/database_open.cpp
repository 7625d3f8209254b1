// Opening Xapian databases without ever letting a stub start a program
// (see database_open.hpp for what is accepted and why).
#include "storage/database_open.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "askalike/error.hpp"

namespace askalike::detail {

namespace {

// The first bytes of a single-file glass database (Xapian's glass format).
constexpr char kGlassMagic[] = "\x0f\x0dXapian Glass";
constexpr std::size_t kGlassMagicLength = sizeof kGlassMagic - 1;

[[noreturn]] void refuse(const std::string& stub, std::size_t number, const std::string& why) {
  // The line's text is not repeated: the stub might be a file that is not
  // meant to be shown (Xapian holds back the same way).
  throw Error(ErrorCode::kInvalidArgument,
              stub + ":" + std::to_string(number) + ": database stub line refused: " + why);
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// A file descriptor closed when it goes out of scope, unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Opens `path` for reading when it is a regular file (-1 with errno set
// otherwise). O_NONBLOCK: a FIFO planted as a stub must not hang the open;
// the type is checked on the descriptor itself, not on the name.
int open_regular_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return -1;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    errno = EINVAL;
    return -1;
  }
  return fd;
}

// Reads the rest of `fd`, at most kMaxStubBytes.
std::string read_stub_text(int fd, const std::string& name) {
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::kIO, name + ": cannot read: " + std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxStubBytes)
      throw Error(ErrorCode::kInvalidArgument,
                  name + ": not a database (a stub file is at most " + std::to_string(kMaxStubBytes) + " bytes)");
  }
  return text;
}

// Parses a whole stub, returning the lines that name shards.
std::vector<StubLine> parse_stub(const std::string& text, const std::string& stub) {
  std::vector<StubLine> out;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    StubLine s = parse_stub_line(line, stub, ++number);
    if (s.kind != StubLine::Kind::kSkip) out.push_back(std::move(s));
  }
  return out;
}

// Both kinds of database are opened the same way; only the leaves differ.
struct ReadOpener {
  using Db = Xapian::Database;
  unsigned timeout_ms;  // to connect, and for each exchange (0: for ever)
  std::vector<Db>* leaves = nullptr;  // open_database()'s
  Db local(const std::string& path, int backend) const { return leaf(Db(path, backend)); }
  Db single_file(int fd) const { return leaf(Db(fd, Xapian::DB_BACKEND_GLASS)); }
  Db remote(const std::string& host, unsigned port) const {
    return leaf(Xapian::Remote::open(host, port, timeout_ms, timeout_ms));
  }
  Db leaf(Db db) const {
    if (leaves) leaves->push_back(db);
    return db;
  }
  Db empty() const { return Db(); }
  Db missing(const std::string&) const { throw Xapian::DatabaseNotFoundError("no database found"); }
};

// [issue 27] A copy compacted without term lists (CompactOptions) has lost
// what Xapian needs to replace or remove a record's postings: writing to it
// would leave stale postings behind, so it is refused before Xapian opens it.
void refuse_search_only(const std::string& path) {
  struct stat st;
  const std::string version = path + "/iamglass";
  if (::stat(version.c_str(), &st) != 0) return;  // not an existing glass database
  const std::string term_lists = path + "/termlist.glass";
  if (::stat(term_lists.c_str(), &st) == 0) return;
  throw Error(ErrorCode::kInvalidArgument,
              path + " was compacted without term lists (askalike compact --search-only): it searches, but records "
                     "cannot be added to it, replaced or removed; change the database it was compacted from, "
                     "and compact that again, or write its records to a new database with 'askalike reindex'");
}

struct WriteOpener {
  using Db = Xapian::WritableDatabase;
  int flags;
  Db local(const std::string& path, int backend) const {
    refuse_search_only(path);
    return Db(path, flags | backend);
  }
  Db single_file(int fd) const {
    ::close(fd);
    throw Xapian::DatabaseOpeningError("a single-file database cannot be opened for writing");
  }
  Db remote(const std::string& host, unsigned port) const {
    return Xapian::Remote::open_writable(host, port, 0, 10000, flags);
  }
  Db empty() const { throw Xapian::DatabaseOpeningError("the database stub lists no databases"); }
  Db missing(const std::string& path) const { return local(path, Xapian::DB_BACKEND_GLASS); }  // created
};

template <typename Opener>
typename Opener::Db open_path(const Opener& opener, const std::string& path, int depth);

// A server that cannot be reached says only "Couldn't connect": the error
// is given the shard's stub line, so that a message names which one failed.
template <typename Opener>
typename Opener::Db open_remote(const Opener& opener, const StubLine& line) {
  try {
    return opener.remote(line.host, line.port);
  } catch (const Xapian::NetworkTimeoutError& e) {
    throw Xapian::NetworkTimeoutError(e.get_msg(), remote_shard_name(line.host, line.port), e.get_error_string());
  } catch (const Xapian::NetworkError& e) {
    throw Xapian::NetworkError(e.get_msg(), remote_shard_name(line.host, line.port), e.get_error_string());
  }
}

template <typename Opener>
typename Opener::Db open_stub_text(const Opener& opener, const std::string& text, const std::string& stub,
                                   int depth) {
  if (depth >= kMaxStubDepth)
    throw Error(ErrorCode::kInvalidArgument,
                stub + ": database stubs nested more than " + std::to_string(kMaxStubDepth) + " deep");
  // Every line is checked before anything is opened or connected to.
  std::vector<StubLine> lines = parse_stub(text, stub);
  if (lines.empty()) return opener.empty();
  typename Opener::Db db;
  for (const StubLine& line : lines) {
    switch (line.kind) {
      case StubLine::Kind::kAuto: db.add_database(open_path(opener, line.path, depth + 1)); break;
      case StubLine::Kind::kGlass: db.add_database(opener.local(line.path, Xapian::DB_BACKEND_GLASS)); break;
      case StubLine::Kind::kChert: db.add_database(opener.local(line.path, Xapian::DB_BACKEND_CHERT)); break;
      case StubLine::Kind::kRemoteTcp: db.add_database(open_remote(opener, line)); break;
      case StubLine::Kind::kSkip: break;
    }
  }
  return db;
}

// A stub file, or a single-file glass database: told apart by its first
// bytes, read from the same descriptor that is then used, so the file cannot
// change in between.
template <typename Opener>
typename Opener::Db open_file(const Opener& opener, const std::string& path, int depth) {
  Fd fd(open_regular_file(path));
  if (fd.get() < 0) throw Xapian::DatabaseOpeningError("cannot open " + path + " as a file", errno);
  std::string text = read_stub_text(fd.get(), path);
  if (text.compare(0, kGlassMagicLength, kGlassMagic) == 0) {
    if (::lseek(fd.get(), 0, SEEK_SET) != 0) throw Xapian::DatabaseOpeningError("cannot seek in " + path, errno);
    return opener.single_file(fd.release());
  }
  return open_stub_text(opener, text, path, depth);
}

template <typename Opener>
typename Opener::Db open_path(const Opener& opener, const std::string& path, int depth) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return opener.missing(path);
  if (S_ISREG(st.st_mode)) return open_file(opener, path, depth);
  if (!S_ISDIR(st.st_mode)) throw Xapian::DatabaseOpeningError("not a regular file or directory: " + path);
  // The backend is named explicitly: Xapian then opens that format only and
  // never looks for a stub itself.
  if (file_exists(path + "/iamglass")) return opener.local(path, Xapian::DB_BACKEND_GLASS);
  if (file_exists(path + "/iamchert")) return opener.local(path, Xapian::DB_BACKEND_CHERT);
  const std::string stub = path + "/XAPIANDB";
  if (file_exists(stub)) {
    Fd fd(open_regular_file(stub));
    if (fd.get() < 0) throw Xapian::DatabaseOpeningError("cannot open " + stub + " as a file", errno);
    return open_stub_text(opener, read_stub_text(fd.get(), stub), stub, depth);
  }
  return opener.missing(path);
}

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

StubLine parse_stub_line(const std::string& raw, const std::string& stub, std::size_t number) {
  StubLine out;
  std::string line = raw;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty() || line[0] == '#') return out;
  auto space = line.find(' ');
  std::string type = line.substr(0, space);
  std::string rest = space == std::string::npos ? std::string() : line.substr(space + 1);
  auto resolved = [&stub](std::string p) {
    if (p.empty() || p[0] != '/') {
      auto slash = stub.rfind('/');
      if (slash != std::string::npos) p.insert(0, stub, 0, slash + 1);
    }
    return p;
  };
  if (type == "auto" || type == "glass" || type == "chert") {
    if (rest.empty()) refuse(stub, number, "no path after \"" + type + "\"");
    out.kind = type == "auto" ? StubLine::Kind::kAuto
               : type == "glass" ? StubLine::Kind::kGlass
                                 : StubLine::Kind::kChert;
    out.path = resolved(rest);
    return out;
  }
  if (type == "remote") {
    if (!rest.empty() && rest[0] == ':')
      refuse(stub, number,
             "\"remote :PROGRAM\" would start a program; askalike never runs programs named by a database "
             "(only local databases and \"remote HOST:PORT\" TCP servers are allowed)");
    auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || !all_digits(rest.substr(colon + 1)))
      refuse(stub, number, "\"remote\" wants HOST:PORT");
    std::string host = rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned long port = std::stoul(rest.substr(colon + 1));
    if (host.empty() || port == 0 || port > 65535) refuse(stub, number, "\"remote\" wants HOST:PORT");
    out.kind = StubLine::Kind::kRemoteTcp;
    out.host = host;
    out.port = static_cast<unsigned>(port);
    return out;
  }
  refuse(stub, number,
         "not a database line askalike opens (auto, glass or chert PATH, or remote HOST:PORT)");
}

std::string remote_shard_name(const std::string& host, unsigned port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "remote " + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string shard_of_context(const std::string& context) {
  // Xapian names a connection "remote:tcp(HOST:PORT)".
  const std::string prefix = "remote:tcp(";
  if (context.rfind(prefix, 0) == 0 && context.size() > prefix.size() + 1 && context.back() == ')') {
    const std::string address = context.substr(prefix.size(), context.size() - prefix.size() - 1);
    const auto colon = address.rfind(':');
    if (colon != std::string::npos && all_digits(address.substr(colon + 1)))
      return remote_shard_name(address.substr(0, colon), static_cast<unsigned>(std::stoul(address.substr(colon + 1))));
  }
  return context;
}

Xapian::Database open_stub_line(const StubLine& line, unsigned timeout_ms) {
  const ReadOpener opener{timeout_ms};
  switch (line.kind) {
    case StubLine::Kind::kRemoteTcp: return open_remote(opener, line);
    case StubLine::Kind::kGlass: return opener.local(line.path, Xapian::DB_BACKEND_GLASS);
    case StubLine::Kind::kChert: return opener.local(line.path, Xapian::DB_BACKEND_CHERT);
    case StubLine::Kind::kAuto: return open_path(opener, line.path, 1);
    case StubLine::Kind::kSkip: break;
  }
  return opener.empty();
}

Xapian::Database open_database(const std::string& path, unsigned timeout_ms, std::vector<Xapian::Database>* leaves) {
  if (leaves) leaves->clear();
  return open_path(ReadOpener{timeout_ms, leaves}, path, 0);
}

std::vector<StubLine> read_stub(const std::string& stub) {
  Fd fd(open_regular_file(stub));
  if (fd.get() < 0) throw Error(ErrorCode::kIO, "cannot open " + stub + " as a file: " + std::strerror(errno));
  return parse_stub(read_stub_text(fd.get(), stub), stub);
}

Xapian::WritableDatabase open_writable_database(const std::string& path, int flags) {
  return open_path(WriteOpener{flags & ~(Xapian::DB_BACKEND_GLASS | Xapian::DB_BACKEND_CHERT | Xapian::DB_BACKEND_INMEMORY)}, path, 0);
}

}  // namespace askalike::detail
