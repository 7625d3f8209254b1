// Stored records: deflated with a dictionary made from the database's own
// records (lib/storage/record_codec.hpp). What a user sees: every record comes back
// exactly as it went in, whatever was stored before or after the dictionary,
// the database takes less room, and damaged or forged data gives a clear
// error instead of garbage or a crash.
#include <doctest/doctest.h>
#include <xapian.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "test_util.hpp"

using askalike::IndexWriter;
using askalike::Record;
using askalike::Searcher;
using testutil::TempDir;

namespace {

std::vector<Record> sample_records(std::size_t n) {
  std::vector<Record> out;
  std::string path = std::string(ASKALIKE_CORPUS_DIR) + "/medquad-sample.jsonl";
  std::ifstream in(path);
  REQUIRE(in);
  askalike::JsonlReader reader(in, path);
  Record r;
  while (out.size() < n && reader.next(r)) out.push_back(r);
  REQUIRE(out.size() == n);
  return out;
}

std::map<std::string, std::string> exported(const std::string& db) {
  std::map<std::string, std::string> out;
  Searcher(db).for_each([&](const Record& r) { out[r.id] = r.to_json(); });
  return out;
}

std::map<std::string, std::string> as_json(const std::vector<Record>& records) {
  std::map<std::string, std::string> out;
  for (const Record& r : records) out[r.id] = r.to_json();
  return out;
}

std::uintmax_t docdata_bytes(const std::string& db) {
  std::uintmax_t n = 0;
  for (const auto& f : std::filesystem::directory_iterator(db))
    if (f.path().filename().string().rfind("docdata.", 0) == 0) n += f.file_size();
  return n;
}

// How many documents hold a compressed record (first byte 0x01).
std::size_t compressed_count(const std::string& db) {
  Xapian::Database x(db);
  std::size_t n = 0;
  for (auto p = x.postlist_begin(""); p != x.postlist_end(""); ++p) {
    std::string data = x.get_document(*p).get_data();
    n += !data.empty() && data[0] == '\x01';
  }
  return n;
}

}  // namespace

TEST_CASE("records come back exactly as stored, and the stored records take less room") {
  TempDir tmp;
  std::vector<Record> records = sample_records(600);
  const std::string db = tmp.path() + "/db";
  testutil::index_records(db, records);
  CHECK(exported(db) == as_json(records));
  CHECK(compressed_count(db) == records.size());
  Record one;
  REQUIRE(Searcher(db).get(records[17].id, one));
  CHECK(one.to_json() == records[17].to_json());
  // Hits carry their records too.
  askalike::SearchOptions o;
  o.k = 3;
  askalike::Results res = Searcher(db).similar(records[5].question, o);
  REQUIRE(!res.hits.empty());
  CHECK(res.hits[0].record.to_json() == as_json(records)[res.hits[0].id]);

  // Stored, the records take well under half of their JSON (glass's own
  // zlib of each plain record saved about a quarter on MedQuAD).
  std::size_t json_bytes = 0, stored_bytes = 0;
  Xapian::Database x(db);
  for (const Record& r : records) json_bytes += r.to_json().size();
  for (auto p = x.postlist_begin(""); p != x.postlist_end(""); ++p) stored_bytes += x.get_document(*p).get_data().size();
  CHECK(stored_bytes < json_bytes / 2);

  // Fewer records than a dictionary needs: stored as they are.
  const std::string few = tmp.path() + "/few";
  {
    IndexWriter w(few);
    for (std::size_t i = 0; i < 63; ++i) w.upsert(records[i]);
    w.commit();
  }
  CHECK(compressed_count(few) == 0);
  CHECK(exported(few) == as_json(std::vector<Record>(records.begin(), records.begin() + 63)));
}

TEST_CASE("records stored before the dictionary existed stay readable beside compressed ones") {
  TempDir tmp;
  std::vector<Record> records = sample_records(300);
  const std::string db = tmp.path() + "/db";
  {
    IndexWriter w(db);
    for (std::size_t i = 0; i < 10; ++i) w.upsert(records[i]);
    w.commit();  // 10 records: no dictionary yet
  }
  CHECK(compressed_count(db) == 0);
  {
    IndexWriter w(db);
    for (std::size_t i = 10; i < records.size(); ++i) w.upsert(records[i]);
    w.commit();  // the dictionary is made here; the next records use it
    for (std::size_t i = 0; i < 5; ++i) w.upsert(records[i]);  // replacing plain ones
    w.commit();
  }
  CHECK(compressed_count(db) == 5);
  CHECK(exported(db) == as_json(records));

  // A rebuilt database compresses every record.
  const std::string again = tmp.path() + "/again";
  askalike::reindex_database(db, again);
  CHECK(exported(again) == as_json(records));
  CHECK(compressed_count(again) == records.size());
  CHECK(docdata_bytes(again) > 0);
}

TEST_CASE("a dictionary made in a rolled-back transaction is not used afterwards") {
  TempDir tmp;
  std::vector<Record> records = sample_records(200);
  const std::string db = tmp.path() + "/db";
  IndexWriter w(db);
  for (std::size_t i = 0; i < 150; ++i) w.upsert(records[i]);
  Record probe;
  REQUIRE(w.get(records[3].id, probe));  // stores the waiting records: the dictionary is made here
  CHECK(probe.to_json() == records[3].to_json());
  w.rollback();  // ...and is gone with them
  for (std::size_t i = 150; i < 200; ++i) w.upsert(records[i]);
  w.commit();  // 50 records: too few for a dictionary of their own
  CHECK(compressed_count(db) == 0);
  CHECK(Xapian::Database(db).get_metadata("askalike.record_dictionary").empty());
  CHECK(exported(db) == as_json(std::vector<Record>(records.begin() + 150, records.end())));
}

TEST_CASE("a schema 3 database (records as plain JSON) is read, and written as schema 4 once compressed") {
  TempDir tmp;
  std::vector<Record> records = sample_records(120);
  const std::string db = tmp.path() + "/db";
  {
    IndexWriter w(db);
    for (std::size_t i = 0; i < 20; ++i) w.upsert(records[i]);
    w.commit();
  }
  {
    Xapian::WritableDatabase x(db);
    x.set_metadata("askalike.schema", "3");  // as the previous release wrote it
    x.commit();
  }
  CHECK(exported(db) == as_json(std::vector<Record>(records.begin(), records.begin() + 20)));
  {
    IndexWriter w(db);
    for (std::size_t i = 20; i < records.size(); ++i) w.upsert(records[i]);
    w.commit();
  }
  CHECK(Xapian::Database(db).get_metadata("askalike.schema") == std::to_string(askalike::schema_version()));
  CHECK(exported(db) == as_json(records));
}

TEST_CASE("forged or damaged stored records give a clear error, never garbage") {
  TempDir tmp;
  std::vector<Record> records = sample_records(100);
  const std::string db = tmp.path() + "/db";
  testutil::index_records(db, records);
  std::string good;
  {
    Xapian::Database x(db);
    good = x.get_document(1).get_data();
  }
  REQUIRE(good[0] == '\x01');
  // 70 MB of one byte, deflated (no use of the dictionary is needed for a
  // valid stream): inflating it must stop at the cap, not fill memory.
  std::string bomb = good.substr(0, 5);
  {
    std::string zeros(70u << 20, 'a');
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, zeros.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(zeros.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    bomb += out;
  }
  const std::map<std::string, std::string> forged = {
      {"truncated", good.substr(0, good.size() / 2)},
      {"another dictionary", std::string("\x01\x12\x34\x56\x78", 5) + good.substr(5)},
      {"unknown format", "\x07garbage"},
      {"inflates too far", bomb},
      {"bit flip", good.substr(0, 8) + static_cast<char>(good[8] ^ 0x5A) + good.substr(9)},
  };
  for (const auto& entry : forged) {  // no structured binding: Clang 14 refuses one inside CAPTURE
    const std::string& what = entry.first;
    const std::string& data = entry.second;
    CAPTURE(what);
    {
      Xapian::WritableDatabase x(db);
      Xapian::Document d = x.get_document(1);
      d.set_data(data);
      x.replace_document(1, d);
      x.commit();
    }
    Record out;
    askalike::Error e = testutil::error_of([&] { Searcher(db).get(records[0].id, out); });
    // A flipped bit may still inflate to text that is not a record: then the
    // JSON reader reports it. Either way an error, naming the database.
    if (what == "bit flip" && e.code() != askalike::ErrorCode::kCorrupt) {
      CHECK(std::string(e.what()).find("<database>") != std::string::npos);
      continue;
    }
    CHECK(e.code() == askalike::ErrorCode::kCorrupt);
    CHECK(std::string(e.what()).find(db) != std::string::npos);
    CHECK(std::string(e.what()).find("rebuild") != std::string::npos);
    CHECK(askalike::check_database(db).errors > 0);
  }
}
