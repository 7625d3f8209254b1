// A collection stored as several Xapian databases (shards), and opening any
// collection for searching with its remote shards under a timeout.
//
// On disk a sharded collection is a directory DIR holding the shards
// DIR/shard-0 ... DIR/shard-(N-1) and Xapian's stub file DIR/XAPIANDB naming
// them ("auto shard-0" ...). Xapian opens such a directory as the databases
// it names, searched as one with global statistics, so stock Xapian tools
// (xapian-delve, quest) read it too. Every record lives in the shard its id
// hashes to (shard_of), so an id is in exactly one shard.
#ifndef ASKALIKE_LIB_SHARDS_HPP_
#define ASKALIKE_LIB_SHARDS_HPP_

#include <xapian.h>

#include <cstddef>
#include <string>
#include <vector>

namespace askalike {
namespace shards {

// The stub file's name inside a collection directory: the name Xapian looks
// for when it is asked to open a directory holding no database.
inline constexpr const char* kStubName = "XAPIANDB";
// The most shards a collection may have (a sanity bound on a typo).
inline constexpr std::size_t kMaxShards = 1024;

// The shard (0..count-1) that the record with this id lives in: 64-bit
// FNV-1a of the id's UTF-8 bytes, modulo count. Fixed forever: it is how a
// later import finds the record an earlier one stored (std::hash may differ
// between builds).
std::size_t shard_of(const std::string& id, std::size_t count);

// "shard-3".
std::string shard_name(std::size_t index);

// True when `path` is a directory holding a stub file (a sharded collection).
bool is_collection(const std::string& path);

// Writes the stub file of a new collection of `count` shards at `dir`
// (created if missing). Throws Error(kIO).
void write_stub(const std::string& dir, std::size_t count);

// The local paths of the shards the stub of collection `dir` names, in
// order. Throws Error: kInvalidArgument for a shard that is not a local
// database (a writer writes on the machine that holds the shard), kIO.
std::vector<std::string> local_shards(const std::string& dir);

// Opens a database, a stub file or a collection directory for reading.
// Remote shards ("remote HOST:PORT" lines, served by xapian-tcpsrv) are
// opened with `timeout_ms` for connecting and for every exchange (0: wait
// for ever), so a server that is down or hung gives Xapian's NetworkError or
// NetworkTimeoutError rather than a hang. Throws Error for a stub line it
// will not open (a program to start, a malformed line, stubs nested too
// deep), naming the file and line; Xapian::Error for the rest.
Xapian::Database open_for_reading(const std::string& path, unsigned timeout_ms);

}  // namespace shards
}  // namespace askalike

#endif  // ASKALIKE_LIB_SHARDS_HPP_
