// A collection stored as several Xapian databases (shards). Its stub file is
// read only by the safe opener (database_open.hpp), as every stub is.
//
// On disk a sharded collection is a directory DIR holding the shards
// DIR/shard-0 ... DIR/shard-(N-1) and Xapian's stub file DIR/XAPIANDB naming
// them ("auto shard-0" ...). Xapian opens such a directory as the databases
// it names, searched as one with global statistics, so stock Xapian tools
// (xapian-delve, quest) read it too. Every record lives in the shard its id
// hashes to (shard_of), so an id is in exactly one shard.
#ifndef ASKALIKE_LIB_SHARDS_HPP_
#define ASKALIKE_LIB_SHARDS_HPP_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace askalike {
namespace shards {

// The stub file's name inside a collection directory: the name Xapian looks
// for when it is asked to open a directory holding no database.
inline constexpr const char* kStubName = "XAPIANDB";

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

// True when `path` is a directory holding a database or a collection.
bool has_database(const std::string& path);

// The paths of the databases that hold the collection at `path`, in shard
// order: the shards of a collection (a directory with a stub file, whatever
// wrote it: its records are then routed by id as askalike's are), or `path`
// itself for one database. With `wanted` > 1 and nothing at `path`, creates
// the collection's stub first (create_if_missing, else Error kNotFound). A
// count other than an existing collection's is Error(kInvalidArgument).
// `sharded` tells whether `path` is a collection.
std::vector<std::string> collection_paths(const std::string& path, std::optional<unsigned> wanted,
                                          bool create_if_missing, bool* sharded);

}  // namespace shards
}  // namespace askalike

#endif  // ASKALIKE_LIB_SHARDS_HPP_
