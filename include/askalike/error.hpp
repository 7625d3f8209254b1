// askalike: the one error model of the library.
//
// Every failure is reported by throwing askalike::Error (or its subclass
// ParseError). No Xapian, ICU or JSON exception ever leaves the library:
// they are translated at the boundary, keeping their message.
#ifndef ASKALIKE_ERROR_HPP_
#define ASKALIKE_ERROR_HPP_

#include <cstddef>
#include <stdexcept>
#include <string>

#include "askalike/export.hpp"

namespace askalike {

enum class ErrorCode {
  kInvalidArgument,      // a bad option or argument from the caller
  kParse,                // malformed input record (see ParseError)
  kNotFound,             // no database at the path, or no record with the id
  kDatabaseLocked,       // another writer holds the database's lock
  kIncompatibleVersion,  // written by another (newer) askalike, or not ours
  kCorrupt,              // the database is damaged
  kIO,                   // a file could not be read or written
  kInternal,             // anything else (a bug: please report it)
  kUnavailable,          // a remote shard's server refused or dropped the connection
  kTimeout,              // a remote shard's server did not answer within the timeout
};

// A short, stable name for the code ("not_found", "parse", ...).
ASKALIKE_EXPORT const char* error_code_name(ErrorCode code) noexcept;

class ASKALIKE_EXPORT Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// A malformed record: what() reads "FILE:LINE: REASON".
class ASKALIKE_EXPORT ParseError : public Error {
 public:
  ParseError(std::string source, std::size_t line, std::string reason);
  const std::string& source() const noexcept { return source_; }
  std::size_t line() const noexcept { return line_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string source_;
  std::size_t line_;
  std::string reason_;
};

}  // namespace askalike

#endif  // ASKALIKE_ERROR_HPP_
