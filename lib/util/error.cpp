#include "askalike/error.hpp"

#include <utility>

#include "askalike/version.hpp"

namespace askalike {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kParse: return "parse";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kDatabaseLocked: return "database_locked";
    case ErrorCode::kIncompatibleVersion: return "incompatible_version";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kIO: return "io";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kTimeout: return "timeout";
  }
  return "internal";
}

Error::Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

static std::string where(const std::string& source, std::size_t line, const std::string& reason) {
  std::string s = source;
  if (line > 0) s += ":" + std::to_string(line);
  return s + ": " + reason;
}

ParseError::ParseError(std::string source, std::size_t line, std::string reason)
    : Error(ErrorCode::kParse, where(source, line, reason)),
      source_(std::move(source)),
      line_(line),
      reason_(std::move(reason)) {}

const char* version() noexcept { return ASKALIKE_VERSION_STRING; }

}  // namespace askalike
