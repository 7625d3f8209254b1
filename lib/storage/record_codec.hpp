// How a record is stored in its document's data: the record's JSON, deflated
// with a preset dictionary sampled from the database's own records.
//
// Why: records are small (a few hundred bytes to a few KB), too small for
// zlib alone to find much to share inside one record; glass's own zlib of
// the document data saved only a quarter on MedQuAD, and the stored records
// were half of the index. A dictionary of 32 KB taken from the database's
// records gives deflate the keys, URLs, category names and stock phrases that
// every record repeats (measured on MedQuAD: the stored records from 18.7 MB
// to about 9–12 MB; benchmarks/speed/notes.md).
//
// Layout of a compressed record: the byte 0x01, the dictionary's id (Adler-32
// of its bytes, 4 bytes big-endian), then a raw deflate stream. Data that
// starts with '{' is a record stored as plain JSON (a database's records from
// before its dictionary was made, or a record that did not shrink).
#ifndef ASKALIKE_LIB_RECORD_CODEC_HPP_
#define ASKALIKE_LIB_RECORD_CODEC_HPP_

#include <xapian.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct z_stream_s;

namespace askalike {

class RecordDictionary {
 public:
  // The most a dictionary can help deflate: its window is 32 KB.
  static constexpr std::size_t kMaxBytes = 32768;

  // A dictionary from sample records (their JSON): the samples joined, the
  // last kMaxBytes kept. Empty samples give an empty dictionary.
  static RecordDictionary from_samples(const std::vector<std::string>& samples);
  // A dictionary as stored (bytes()); throws Error(kCorrupt) if too long.
  static RecordDictionary from_stored(std::string bytes, const std::string& path);

  bool empty() const { return bytes_.empty(); }
  const std::string& bytes() const { return bytes_; }
  std::uint32_t id() const { return id_; }

  // The data to store for a record's JSON: compressed, or the JSON itself
  // when that is not larger. Safe to call from several threads.
  std::string compress(const std::string& json) const;

 private:
  void prime();

  std::string bytes_;
  std::uint32_t id_ = 0;
  // A deflate stream that has read the dictionary: each record starts from
  // a copy of it (deflateCopy), which costs a fifth of reading the
  // dictionary again for every record. Only read after prime().
  std::shared_ptr<z_stream_s> primed_;
};

// Reads stored records of one database, loading its dictionary when a record
// names it (once; again if the database's dictionary changed, as after a
// reopen). Not thread-safe: one per thread, like the Xapian::Database it reads.
class RecordDecoder {
 public:
  RecordDecoder(const Xapian::Database& db, std::string path) : db_(db), path_(std::move(path)) {}
  // The record's JSON. Throws Error(kCorrupt) for data that is neither JSON
  // nor a record compressed with this database's dictionary, or that would
  // inflate past `max_bytes`.
  std::string json(const std::string& data);

 private:
  const Xapian::Database& db_;
  std::string path_;
  std::shared_ptr<const RecordDictionary> dictionary_;
};

// Reservoir sample of records' JSON while a database has no dictionary yet
// (the same sample for the same input: a fixed seed).
class RecordSampler {
 public:
  static constexpr std::size_t kSamples = 512;
  // Fewer records than this make no dictionary yet (it would fit them alone).
  static constexpr std::size_t kMinRecords = 64;
  void add(const std::string& json);
  bool ready() const { return seen_ >= kMinRecords; }
  const std::vector<std::string>& samples() const { return samples_; }
  void clear();

 private:
  std::vector<std::string> samples_;
  std::uint64_t seen_ = 0;
  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
};

}  // namespace askalike

#endif  // ASKALIKE_LIB_RECORD_CODEC_HPP_
