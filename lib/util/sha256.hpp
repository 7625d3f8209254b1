// SHA-256 (FIPS 180-4), for the identity of a model's weights. None of the
// libraries askalike links (Xapian, ICU, zlib) offers one, and OpenSSL would
// be a new dependency for a few dozen lines.
#ifndef ASKALIKE_UTIL_SHA256_HPP_
#define ASKALIKE_UTIL_SHA256_HPP_

#include <cstddef>
#include <cstdint>
#include <string>

namespace askalike {
namespace util {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex_digest();

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

// The hex SHA-256 of `size` bytes at `data`.
std::string sha256_hex(const void* data, std::size_t size);

}  // namespace util
}  // namespace askalike

#endif  // ASKALIKE_UTIL_SHA256_HPP_
