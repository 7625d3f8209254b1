// xapian_plain: Xapian as a user gets it out of the box, the naive baseline
// of the askalike benchmarks.
//
// Index: TermGenerator with the English stemmer (STEM_SOME, the default
// strategy) over title + question + answer as one text; the input line is the
// document data, the id a unique boolean term (upsert by id), the group a
// boolean filter term. Records with lang "zh" use FLAG_CJK_NGRAM.
// Search: QueryParser with its default flags (so quotes make phrases and
// capitalised AND/OR/NOT are operators: the traps users meet) and the same
// stemmer, default BM25. A query the parser rejects is parsed again with
// flags 0; when that fails too it has no results.
//
// Usage: see peer_common.hpp.
#include <xapian.h>

#include <iostream>
#include <string>
#include <vector>

#include "peer_common.hpp"

namespace {

const Xapian::valueno kIdSlot = 0;
const char* kCjkKey = "peer.cjk";

int do_index(const std::string& corpus, const std::string& dir) {
  double t0 = peer::now_s();
  Xapian::WritableDatabase db(dir, Xapian::DB_CREATE_OR_OVERWRITE);
  Xapian::TermGenerator tg;
  tg.set_stemmer(Xapian::Stem("english"));
  tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  std::size_t n = 0;
  bool cjk = false;
  peer::read_corpus(corpus, [&](peer::Doc& d) {
    Xapian::Document doc;
    tg.set_document(doc);
    bool zh = d.lang == "zh";
    cjk = cjk || zh;
    tg.set_flags(zh ? Xapian::TermGenerator::FLAG_CJK_NGRAM : 0);
    tg.index_text(d.title + "\n" + d.question + "\n" + d.answer);
    doc.set_data(d.line);
    doc.add_value(kIdSlot, d.id);
    std::string idterm = "Q" + d.id;
    doc.add_boolean_term(idterm);
    if (!d.group.empty()) doc.add_boolean_term("XG" + d.group);
    db.replace_document(idterm, doc);
    ++n;
  });
  if (cjk) db.set_metadata(kCjkKey, "1");
  db.commit();
  db.close();
  peer::print_index_report(n, peer::now_s() - t0, dir);
  return 0;
}

peer::Worker make_worker(const std::string& dir) {
  // Xapian objects are not thread-safe: one database per thread.
  auto db = std::make_shared<Xapian::Database>(dir);
  bool cjk = db->get_metadata(kCjkKey) == "1";
  auto qp = std::make_shared<Xapian::QueryParser>();
  qp->set_stemmer(Xapian::Stem("english"));
  qp->set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  qp->set_database(*db);
  unsigned extra = cjk ? Xapian::QueryParser::FLAG_CJK_NGRAM : 0;
  auto enquire = std::make_shared<Xapian::Enquire>(*db);
  return [db, qp, enquire, extra](const peer::Query& q, std::size_t k, bool exclude_self) {
    std::vector<peer::Hit> hits;
    Xapian::Query query;
    try {
      query = qp->parse_query(q.text, Xapian::QueryParser::FLAG_DEFAULT | extra);
    } catch (const Xapian::QueryParserError&) {
      try {
        query = qp->parse_query(q.text, extra);
      } catch (const Xapian::QueryParserError&) {
        return hits;
      }
    }
    if (query.empty()) return hits;
    if (!q.group.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query("XG" + q.group));
    if (exclude_self) query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, Xapian::Query("Q" + q.id));
    enquire->set_query(query);
    Xapian::MSet mset = enquire->get_mset(0, static_cast<Xapian::doccount>(k));
    for (auto it = mset.begin(); it != mset.end(); ++it)
      hits.push_back({it.get_document().get_value(kIdSlot), it.get_weight()});
    return hits;
  };
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return peer::dispatch(argc, argv, "xapian_plain", do_index, [](const peer::SearchArgs& a) {
      return peer::run_search(a, [&] { return make_worker(a.dir); });
    });
  } catch (const Xapian::Error& e) {  // not a std::exception
    std::cerr << argv[0] << ": " << e.get_description() << "\n";
  }
  return 1;
}
