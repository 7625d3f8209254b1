// fts5_plain: SQLite FTS5 as a user would set it up, a peer of the askalike
// benchmarks.
//
// Index: one FTS5 table (id and group unindexed; title, question, answer
// indexed) with tokenize='porter unicode61', or 'trigram' when the corpus is
// Chinese (lang "zh"), filled in transactions of 10,000 rows.
// Search: the query's words OR-ed, each word double-quoted (so that no word
// is read as FTS5 syntax), ORDER BY bm25() with default column weights. For
// Chinese every 3-character window of a word is one quoted term (the trigram
// tokenizer matches nothing shorter).
//
// Usage: see peer_common.hpp.
#include <sqlite3.h>

#include <cctype>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "peer_common.hpp"

namespace {

struct Db {
  sqlite3* h = nullptr;
  ~Db() { sqlite3_close(h); }
};

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw std::runtime_error(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(sql + ": " + msg);
  }
}

std::string db_path(const std::string& dir) { return dir + "/fts.db"; }

int do_index(const std::string& corpus, const std::string& dir) {
  double t0 = peer::now_s();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Db db;
  if (sqlite3_open(db_path(dir).c_str(), &db.h) != SQLITE_OK) fail(db.h, "open");
  Stmt ins;
  std::size_t n = 0;
  bool created = false;
  peer::read_corpus(corpus, [&](peer::Doc& d) {
    if (!created) {
      // The tokenizer is chosen once, by the language of the first record.
      std::string tok = d.lang == "zh" ? "trigram" : "porter unicode61";
      exec(db.h, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)");
      exec(db.h, "INSERT INTO meta VALUES('lang', '" + std::string(d.lang == "zh" ? "zh" : "en") + "')");
      exec(db.h, "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, grp UNINDEXED, title, question, answer, "
                 "tokenize='" + tok + "')");
      if (sqlite3_prepare_v2(db.h, "INSERT INTO docs(id, grp, title, question, answer) VALUES(?,?,?,?,?)", -1,
                             &ins.s, nullptr) != SQLITE_OK)
        fail(db.h, "prepare insert");
      exec(db.h, "BEGIN");
      created = true;
    }
    const std::string* cols[] = {&d.id, &d.group, &d.title, &d.question, &d.answer};
    for (int i = 0; i < 5; ++i)
      sqlite3_bind_text(ins.s, i + 1, cols[i]->data(), static_cast<int>(cols[i]->size()), SQLITE_TRANSIENT);
    if (sqlite3_step(ins.s) != SQLITE_DONE) fail(db.h, "insert " + d.id);
    sqlite3_reset(ins.s);
    if (++n % 10000 == 0) {
      exec(db.h, "COMMIT");
      exec(db.h, "BEGIN");
    }
  });
  if (created) exec(db.h, "COMMIT");
  sqlite3_finalize(ins.s);
  ins.s = nullptr;
  sqlite3_close(db.h);
  db.h = nullptr;
  peer::print_index_report(n, peer::now_s() - t0, dir);
  return 0;
}

bool has_word_char(const std::string& w) {
  for (unsigned char c : w)
    if (std::isalnum(c) || c >= 0x80) return true;
  return false;
}

std::string quoted(const std::string& w) {
  std::string out = "\"";
  for (char c : w) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The code points of a UTF-8 word, each as its bytes.
std::vector<std::string> chars_of(const std::string& w) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < w.size();) {
    unsigned char c = w[i];
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    out.push_back(w.substr(i, len));
    i += len;
  }
  return out;
}

std::string match_expression(const std::string& text, bool trigram) {
  std::string expr;
  std::size_t i = 0;
  auto add = [&](const std::string& term) {
    if (!expr.empty()) expr += " OR ";
    expr += quoted(term);
  };
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    std::string w = text.substr(i, j - i);
    i = j;
    if (w.empty() || !has_word_char(w)) continue;
    if (!trigram) {
      add(w);
      continue;
    }
    std::vector<std::string> cs = chars_of(w);
    for (std::size_t s = 0; s + 3 <= cs.size(); ++s) add(cs[s] + cs[s + 1] + cs[s + 2]);
  }
  return expr;
}

peer::Worker make_worker(const std::string& dir) {
  auto db = std::make_shared<Db>();
  if (sqlite3_open_v2(db_path(dir).c_str(), &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK)
    fail(db->h, "open " + db_path(dir));
  bool trigram = false;
  {
    Stmt s;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key='lang'", -1, &s.s, nullptr) == SQLITE_OK &&
        sqlite3_step(s.s) == SQLITE_ROW)
      trigram = std::string(reinterpret_cast<const char*>(sqlite3_column_text(s.s, 0))) == "zh";
  }
  auto st = std::make_shared<Stmt>();
  const char* sql =
      "SELECT id, bm25(docs) FROM docs WHERE docs MATCH ?1 AND (?3 = '' OR grp = ?3) AND (?4 = '' OR id != ?4) "
      "ORDER BY bm25(docs) LIMIT ?2";
  if (sqlite3_prepare_v2(db->h, sql, -1, &st->s, nullptr) != SQLITE_OK) fail(db->h, "prepare search");
  return [db, st, trigram](const peer::Query& q, std::size_t k, bool exclude_self) {
    std::vector<peer::Hit> hits;
    std::string expr = match_expression(q.text, trigram);
    if (expr.empty()) return hits;
    sqlite3_stmt* s = st->s;
    sqlite3_bind_text(s, 1, expr.data(), static_cast<int>(expr.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(k));
    sqlite3_bind_text(s, 3, q.group.data(), static_cast<int>(q.group.size()), SQLITE_TRANSIENT);
    std::string self = exclude_self ? q.id : std::string();
    sqlite3_bind_text(s, 4, self.data(), static_cast<int>(self.size()), SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      hits.push_back({reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), -sqlite3_column_double(s, 1)});
    // A query FTS5 cannot run counts as one without results.
    if (rc != SQLITE_DONE) hits.clear();
    sqlite3_reset(s);
    return hits;
  };
}

}  // namespace

int main(int argc, char** argv) {
  return peer::dispatch(argc, argv, "fts5_plain", do_index, [](const peer::SearchArgs& a) {
    return peer::run_search(a, [&] { return make_worker(a.dir); });
  });
}
