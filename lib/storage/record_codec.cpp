#include "storage/record_codec.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <numeric>

#include "askalike/error.hpp"
#include "storage/schema.hpp"

namespace askalike {

namespace {

constexpr unsigned char kCompressed = 0x01;
constexpr std::size_t kHeaderBytes = 5;
// A stored record inflates to at most this: far above any record an input
// limit lets in, far below what a forged one could make us allocate.
constexpr std::size_t kMaxInflatedBytes = 64u << 20;

std::uint32_t adler32_of(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      ::adler32(::adler32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

[[noreturn]] void damaged(const std::string& path, const std::string& why) {
  throw Error(ErrorCode::kCorrupt, "a stored record of the database " + path + " cannot be read (" + why +
                                       "); rebuild the database from its source files with 'askalike index' into a "
                                       "new directory, or restore it from a backup");
}

}  // namespace

RecordDictionary RecordDictionary::from_samples(const std::vector<std::string>& samples) {
  RecordDictionary d;
  // Samples come in collection order, and neighbours are alike (one source,
  // one topic): taking them in golden-ratio steps across the whole sample
  // fills the 32 KB with records from everywhere, not from one end.
  const std::size_t n = samples.size();
  std::size_t step = std::max<std::size_t>(1, static_cast<std::size_t>(n * 0.618));
  while (n > 1 && std::gcd(step, n) != 1) ++step;
  std::vector<const std::string*> picked;
  std::size_t total = 0;
  for (std::size_t i = 0, at = 0; i < n && total < kMaxBytes; ++i, at = (at + step) % n) {
    picked.push_back(&samples[at]);
    total += samples[at].size();
  }
  for (auto it = picked.rbegin(); it != picked.rend(); ++it) d.bytes_ += **it;
  // Deflate's window is 32 KB: the end of the dictionary is what it can reach.
  if (d.bytes_.size() > kMaxBytes) d.bytes_.erase(0, d.bytes_.size() - kMaxBytes);
  d.prime();
  return d;
}

void RecordDictionary::prime() {
  id_ = bytes_.empty() ? 0 : adler32_of(bytes_);
  primed_.reset();
  if (bytes_.empty()) return;
  auto z = std::shared_ptr<z_stream>(new z_stream{}, [](z_stream* s) {
    deflateEnd(s);
    delete s;
  });
  // Raw deflate (negative window bits): the id in our header replaces zlib's.
  if (deflateInit2(z.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(ErrorCode::kInternal, "zlib: cannot start deflating records");
  if (deflateSetDictionary(z.get(), reinterpret_cast<const Bytef*>(bytes_.data()), static_cast<uInt>(bytes_.size())) !=
      Z_OK)
    throw Error(ErrorCode::kInternal, "zlib: cannot load the record dictionary");
  primed_ = std::move(z);
}

RecordDictionary RecordDictionary::from_stored(std::string bytes, const std::string& path) {
  if (bytes.size() > kMaxBytes) damaged(path, "its record dictionary is longer than " + std::to_string(kMaxBytes) + " bytes");
  RecordDictionary d;
  d.bytes_ = std::move(bytes);
  d.prime();
  return d;
}

std::string RecordDictionary::compress(const std::string& json) const {
  if (!primed_ || json.size() > UINT_MAX / 2) return json;
  z_stream z{};
  if (deflateCopy(&z, primed_.get()) != Z_OK) return json;
  std::string out(kHeaderBytes + deflateBound(&z, static_cast<uLong>(json.size())), '\0');
  out[0] = static_cast<char>(kCompressed);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((id_ >> (24 - 8 * i)) & 0xFF);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(json.data()));
  z.avail_in = static_cast<uInt>(json.size());
  z.next_out = reinterpret_cast<Bytef*>(&out[kHeaderBytes]);
  z.avail_out = static_cast<uInt>(out.size() - kHeaderBytes);
  const bool done = deflate(&z, Z_FINISH) == Z_STREAM_END;
  out.resize(done ? out.size() - z.avail_out : 0);
  deflateEnd(&z);
  if (out.empty() || out.size() >= json.size()) return json;
  return out;
}

std::string RecordDecoder::json(const std::string& data) {
  if (data.empty() || data[0] == '{') return data;  // plain JSON
  if (static_cast<unsigned char>(data[0]) != kCompressed || data.size() < kHeaderBytes)
    damaged(path_, "unknown record format");
  std::uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<unsigned char>(data[1 + i]);
  if (!dictionary_ || dictionary_->id() != id) {
    dictionary_ = std::make_shared<const RecordDictionary>(
        RecordDictionary::from_stored(db_.get_metadata(schema::kRecordDictionaryKey), path_));
    if (dictionary_->empty() || dictionary_->id() != id)
      damaged(path_, "it was compressed with a record dictionary the database does not hold");
  }
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw Error(ErrorCode::kInternal, "zlib: cannot start inflating a record");
  std::string out;
  int rc = inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dictionary_->bytes().data()),
                                static_cast<uInt>(dictionary_->bytes().size()));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + kHeaderBytes));
  z.avail_in = static_cast<uInt>(data.size() - kHeaderBytes);
  char buffer[16384];
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buffer, sizeof buffer - z.avail_out);
    if (out.size() > kMaxInflatedBytes) rc = Z_MEM_ERROR;
    else if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_BUF_ERROR;  // input ended early
  }
  inflateEnd(&z);
  if (rc == Z_MEM_ERROR) damaged(path_, "it inflates past " + std::to_string(kMaxInflatedBytes >> 20) + " MB");
  if (rc != Z_STREAM_END) damaged(path_, "its compressed data is damaged");
  return out;
}

void RecordSampler::add(const std::string& json) {
  ++seen_;
  if (samples_.size() < kSamples) {
    samples_.push_back(json);
    return;
  }
  // xorshift64*: a fixed sequence, so the same input makes the same dictionary.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  std::uint64_t r = (state_ * 0x2545F4914F6CDD1DULL) % seen_;
  if (r < kSamples) samples_[r] = json;
}

void RecordSampler::clear() {
  samples_.clear();
  seen_ = 0;
}

}  // namespace askalike
