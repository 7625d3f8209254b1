#include "shards.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "askalike/error.hpp"

namespace askalike {
namespace shards {

namespace {

// Stubs may name stubs; a stub naming itself must not recurse for ever.
constexpr int kMaxStubDepth = 8;

// One line of a stub file, as Xapian's stub format reads it.
struct StubLine {
  enum Kind { kLocal, kRemote } kind = kLocal;
  std::string backend;  // auto, glass or chert (kLocal)
  std::string path;     // kLocal: resolved against the stub's directory
  std::string host;     // kRemote
  unsigned port = 0;    // kRemote
};

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string directory_of(const std::string& file) {
  auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash == 0 ? 1 : slash);
}

// "HOST:PORT" or "[IPV6]:PORT"; false when malformed.
bool parse_host_port(const std::string& text, std::string& host, unsigned& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  }
  unsigned long value = 0;
  for (std::size_t i = colon + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
    if (value > 65535) return false;
  }
  port = static_cast<unsigned>(value);
  return port > 0;
}

// The lines of the stub file `file`. Throws Error naming the file and line.
std::vector<StubLine> read_stub(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error(ErrorCode::kIO, "cannot read the stub file " + file + ": " + std::strerror(errno));
  std::vector<StubLine> out;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty() || text[0] == '#') continue;
    auto where = [&] { return file + ":" + std::to_string(number) + ": "; };
    auto space = text.find(' ');
    std::string type = text.substr(0, space);
    std::string rest = space == std::string::npos ? std::string() : text.substr(space + 1);
    StubLine line;
    if (type == "auto" || type == "glass" || type == "chert") {
      if (rest.empty()) throw Error(ErrorCode::kInvalidArgument, where() + "'" + type + "' names no database");
      line.backend = type;
      line.path = rest[0] == '/' ? rest : directory_of(file) + "/" + rest;
    } else if (type == "remote") {
      // "remote :PROGRAM ARGS" would start a program: askalike does not.
      if (!rest.empty() && rest[0] == ':')
        throw Error(ErrorCode::kInvalidArgument,
                    where() + "a remote shard reached by starting a program; askalike opens remote shards over "
                              "TCP only (remote HOST:PORT, served by xapian-tcpsrv)");
      line.kind = StubLine::kRemote;
      if (!parse_host_port(rest, line.host, line.port))
        throw Error(ErrorCode::kInvalidArgument, where() + "a remote shard is 'remote HOST:PORT', not '" + text + "'");
    } else {
      throw Error(ErrorCode::kInvalidArgument,
                  where() + "not a line of a stub file (auto PATH, glass PATH or remote HOST:PORT): '" + text + "'");
    }
    out.push_back(std::move(line));
  }
  return out;
}

// The stub file that `path` stands for, or "" when it is a database.
std::string stub_file_of(const std::string& path) {
  if (is_directory(path)) return is_collection(path) ? path + "/" + kStubName : std::string();
  if (!is_regular_file(path)) return std::string();
  // A single-file glass database starts with Xapian's magic bytes; a stub is text.
  char first = 0;
  std::ifstream in(path, std::ios::binary);
  in.get(first);
  return first == '\x0f' ? std::string() : path;
}

Xapian::Database open_at_depth(const std::string& path, unsigned timeout_ms, int depth) {
  const std::string stub = stub_file_of(path);
  if (stub.empty()) return Xapian::Database(path);
  if (depth >= kMaxStubDepth)
    throw Error(ErrorCode::kInvalidArgument, stub + ": stub files nested more than " + std::to_string(kMaxStubDepth) +
                                                 " deep (does a stub name itself?)");
  Xapian::Database db;
  for (const StubLine& line : read_stub(stub)) {
    if (line.kind == StubLine::kRemote)
      db.add_database(Xapian::Remote::open(line.host, line.port, timeout_ms, timeout_ms));
    else if (line.backend == "auto")
      db.add_database(open_at_depth(line.path, timeout_ms, depth + 1));
    else
      db.add_database(Xapian::Database(line.path, line.backend == "glass" ? Xapian::DB_BACKEND_GLASS
                                                                          : Xapian::DB_BACKEND_CHERT));
  }
  return db;
}

}  // namespace

std::size_t shard_of(const std::string& id, std::size_t count) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64-bit offset basis
  for (unsigned char c : id) {
    hash ^= c;
    hash *= 1099511628211ull;  // FNV prime
  }
  return static_cast<std::size_t>(hash % count);
}

std::string shard_name(std::size_t index) { return "shard-" + std::to_string(index); }

bool is_collection(const std::string& path) { return is_regular_file(path + "/" + kStubName); }

void write_stub(const std::string& dir, std::size_t count) {
  if (!is_directory(dir) && ::mkdir(dir.c_str(), 0777) != 0)
    throw Error(ErrorCode::kIO, "cannot create the directory " + dir + ": " + std::strerror(errno));
  const std::string file = dir + "/" + kStubName;
  // Relative paths: the collection can be moved or copied as a whole.
  std::ofstream out(file, std::ios::trunc);
  out << "# askalike collection of " << count << " shards; records routed by FNV-1a of their id\n";
  for (std::size_t i = 0; i < count; ++i) out << "auto " << shard_name(i) << "\n";
  out.flush();
  if (!out) throw Error(ErrorCode::kIO, "cannot write " + file);
}

std::vector<std::string> local_shards(const std::string& dir) {
  const std::string stub = dir + "/" + kStubName;
  std::vector<std::string> out;
  for (const StubLine& line : read_stub(stub)) {
    if (line.kind == StubLine::kRemote)
      throw Error(ErrorCode::kInvalidArgument,
                  stub + " names a remote shard (" + line.host + ":" + std::to_string(line.port) +
                      "); write to a collection on the machine that holds its shards");
    out.push_back(line.path);
  }
  if (out.empty() || out.size() > kMaxShards)
    throw Error(ErrorCode::kInvalidArgument, stub + " names " + std::to_string(out.size()) +
                                                 " shards; a collection has 1 to " + std::to_string(kMaxShards));
  return out;
}

Xapian::Database open_for_reading(const std::string& path, unsigned timeout_ms) {
  return open_at_depth(path, timeout_ms, 0);
}

}  // namespace shards
}  // namespace askalike
