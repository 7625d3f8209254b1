#include "storage/shards.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "askalike/error.hpp"
#include "askalike/validate.hpp"
#include "storage/database_open.hpp"

namespace askalike {
namespace shards {

namespace {

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
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
  // Written aside, then renamed: a reader never sees half a stub.
  const std::string temporary = file + ".new";
  {
    // Relative paths: the collection can be moved or copied as a whole.
    std::ofstream out(temporary, std::ios::trunc);
    out << "# askalike collection of " << count << " shards; records routed by FNV-1a of their id\n";
    for (std::size_t i = 0; i < count; ++i) out << "auto " << shard_name(i) << "\n";
    out.flush();
    if (!out) throw Error(ErrorCode::kIO, "cannot write " + temporary);
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0)
    throw Error(ErrorCode::kIO, "cannot rename " + temporary + " to " + file + ": " + std::strerror(errno));
}

std::vector<std::string> local_shards(const std::string& dir) {
  const std::string stub = dir + "/" + kStubName;
  std::vector<std::string> out;
  for (const detail::StubLine& line : detail::read_stub(stub)) {
    if (line.kind == detail::StubLine::Kind::kRemoteTcp)
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

bool has_database(const std::string& path) {
  struct stat st;
  return ::stat((path + "/iamglass").c_str(), &st) == 0 || ::stat((path + "/iamchert").c_str(), &st) == 0 ||
         is_collection(path);
}

std::vector<std::string> collection_paths(const std::string& path, std::optional<unsigned> wanted_shards,
                                          bool create_if_missing, bool* sharded) {
  const unsigned wanted = wanted_shards.value_or(0);  // checked by validate(IndexOptions)
  *sharded = false;
  if (is_collection(path)) {
    std::vector<std::string> paths = local_shards(path);
    if (wanted_shards && wanted != paths.size())
      throw Error(ErrorCode::kInvalidArgument,
                  path + " holds " + std::to_string(paths.size()) + " shards, not " + std::to_string(wanted) +
                      "; to change the count, export it and index the records into a new collection");
    *sharded = true;
    return paths;
  }
  if (has_database(path)) {
    if (wanted > 1)
      throw Error(ErrorCode::kInvalidArgument,
                  path + " is one database, not " + std::to_string(wanted) +
                      " shards; to shard it, export it and index the records into a new collection");
    return {path};
  }
  if (wanted <= 1) return {path};
  if (!create_if_missing) throw Error(ErrorCode::kNotFound, "no askalike database at " + path);
  // The stub first: a load stopped half-way leaves a collection that the
  // next run completes (opening creates the missing shards).
  write_stub(path, wanted);
  *sharded = true;
  return local_shards(path);
}

}  // namespace shards
}  // namespace askalike
