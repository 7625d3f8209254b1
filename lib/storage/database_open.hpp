// askalike (private): the one place that opens Xapian databases.
//
// Xapian follows "stub" files (a directory's XAPIANDB, or a plain file given
// as the database): one line per shard. A line `remote :PROGRAM ARGS` makes
// Xapian start PROGRAM, so a database someone hands you could run anything.
// These functions read the stub themselves, refuse every line that would
// start a program, and build the database from the lines they accept: Xapian
// is only ever asked to open a named backend (glass, chert) or a TCP server,
// never to interpret a stub, so a stub swapped between our check and the
// open cannot slip a program line through.
//
// Accepted stub lines (Xapian 1.4 syntax): blank lines and "#" comments;
// `auto PATH` (followed again, nested stubs up to kMaxStubDepth), `glass
// PATH`, `chert PATH` (relative paths are relative to the stub's folder);
// `remote HOST:PORT` and `remote [IPV6]:PORT` (a TCP connection to a
// xapian-tcpsrv: a stub can make askalike connect to the hosts it names).
// Refused: `remote :PROGRAM ...`, `inmemory`, anything else.
#ifndef ASKALIKE_LIB_DATABASE_OPEN_HPP_
#define ASKALIKE_LIB_DATABASE_OPEN_HPP_

#include <xapian.h>

#include <cstddef>
#include <string>
#include <vector>

namespace askalike::detail {

// How deep stubs may name other stubs.
inline constexpr int kMaxStubDepth = 8;
// A stub larger than this is not a stub.
inline constexpr std::size_t kMaxStubBytes = 1 << 20;

// How long to wait for a remote shard's server unless told otherwise (Xapian's own default).
inline constexpr unsigned kDefaultRemoteTimeoutMs = 10000;

// Opens the database at `path` for reading: a glass or chert directory, a
// single-file glass database, or a stub. Remote shards are given
// `timeout_ms` to connect and for every exchange (0: wait for ever), so a
// server that is down or hung gives Xapian's NetworkError or
// NetworkTimeoutError, never a hang. Throws askalike::Error
// (kInvalidArgument) for a refused stub line, naming the stub and the line;
// Xapian::Error for the rest (the caller translates it).
// [issue 27] `leaves`, when given, receives the databases the result is
// made of, each on its own and in order (one for a single database, one per
// shard of a stub, nested stubs followed), sharing the result's state and
// connections: Xapian 1.4 reads a combined database's metadata from its
// first shard alone, so what each shard keeps there is read through these.
Xapian::Database open_database(const std::string& path, unsigned timeout_ms = kDefaultRemoteTimeoutMs,
                               std::vector<Xapian::Database>* leaves = nullptr);

// Opens (or, with `flags` allowing it, creates) the database directory
// `path` for writing; a stub directory is followed as above. `flags` are
// Xapian's DB_CREATE_OR_OPEN, DB_OPEN, ...
Xapian::WritableDatabase open_writable_database(const std::string& path, int flags);

// One line of a stub file, as read (exposed for the fuzz target).
struct StubLine {
  enum class Kind { kSkip, kAuto, kGlass, kChert, kRemoteTcp } kind = Kind::kSkip;
  std::string path;  // kAuto, kGlass, kChert: resolved against the stub's folder
  std::string host;  // kRemoteTcp
  unsigned port = 0;
};

// The lines of the stub file `stub` that name databases, in order, each
// checked as open_database checks it (a sharded collection's writer lists
// its shards with it). Throws askalike::Error: kInvalidArgument for a
// refused line, kIO for a file that cannot be read or is not a regular file.
std::vector<StubLine> read_stub(const std::string& stub);

// Parses one stub line; `stub` names the file (for relative paths and
// messages), `number` is its 1-based line number. Throws askalike::Error
// (kInvalidArgument) for a refused or malformed line.
StubLine parse_stub_line(const std::string& line, const std::string& stub, std::size_t number);

// How a message names a remote shard: as its stub line says, "remote HOST:PORT".
std::string remote_shard_name(const std::string& host, unsigned port);
// The shard a Xapian error's context names ("remote:tcp(HOST:PORT)" becomes
// "remote HOST:PORT"); any other context as it is.
std::string shard_of_context(const std::string& context);

// Opens the one database a stub line names (a nested stub is followed).
Xapian::Database open_stub_line(const StubLine& line, unsigned timeout_ms = kDefaultRemoteTimeoutMs);

}  // namespace askalike::detail

#endif  // ASKALIKE_LIB_DATABASE_OPEN_HPP_
