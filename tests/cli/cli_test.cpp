// The askalike program, run as a user runs it: formats, encodings, stdin,
// bad input, output formats, exit codes, export and eval.
#include <doctest/doctest.h>

#include <cctype>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>

#include "cli_util.hpp"

using clitest::askalike;
using clitest::askalike_on_terminal;
using clitest::exported;
using clitest::json_lines;
using clitest::lines;
using clitest::Run;
using clitest::TempDir;
using clitest::write_file;

namespace {

const char* const kCorpus =
    "{\"id\":\"twitch\",\"title\":\"Facial twitching during sleep\",\"question\":\"My left cheek twitches from the "
    "eye to the mouth at night.\",\"answer\":\"Usually benign; tiredness and stress make it worse.\","
    "\"category\":\"Neurology\",\"tags\":[\"face\",\"sleep\"],\"date\":\"2007-08-27\"}\n"
    "{\"id\":\"knee\",\"title\":\"Knee pain after running\",\"question\":\"My knee hurts after long runs.\","
    "\"answer\":\"Rest and ice it.\",\"category\":\"Orthopedics\",\"date\":\"2010-01-05\"}\n"
    "{\"id\":\"eyelid\",\"title\":\"Eyelid twitching\",\"question\":\"My eyelid twitches all day, is it "
    "serious?\",\"answer\":\"Eyelid twitching is mostly harmless.\",\"category\":\"Neurology\","
    "\"date\":\"2012-03-01\"}\n"
    "{\"id\":\"coffee\",\"title\":\"Headache after coffee\",\"question\":\"I get a headache when I drink "
    "coffee.\",\"category\":\"Neurology\",\"source\":\"forum\"}\n";

// The number in "NAME value" lines of eval's output.
double metric(const std::string& out, const std::string& name) {
  std::regex re("(^|\\n)" + std::regex_replace(name, std::regex("[@]"), "\\@") + "\\s+([0-9.]+)");
  std::smatch m;
  if (!std::regex_search(out, m, re)) throw std::runtime_error("no " + name + " in: " + out);
  return std::stod(m[2]);
}

// An index of kCorpus in `dir`; returns the database path.
std::string make_db(const TempDir& dir) {
  write_file(dir / "corpus.jsonl", kCorpus);
  std::string db = dir / "db";
  Run r = askalike({"index", "-d", db, dir / "corpus.jsonl"});
  if (r.code != 0) throw std::runtime_error("index failed: " + r.err);
  return db;
}

}  // namespace

TEST_CASE("version, help and usage errors") {
  Run v = askalike({"--version"});
  CHECK(v.code == 0);
  // The project's one version, and the database layout's (errors_test checks
  // that number against a database written).
  CHECK(std::regex_match(v.out, std::regex(std::string("askalike ") + ASKALIKE_PROJECT_VERSION +
                                           " \\(database schema [0-9]+\\)\n")));

  Run none = askalike({});
  CHECK(none.code == 2);
  CHECK(none.err.find("Usage") != std::string::npos);

  for (const char* cmd : {"index", "similar", "eval", "stats", "remove", "compact", "reindex", "export"}) {
    CAPTURE(cmd);
    Run h = askalike({cmd, "--help"});
    CHECK(h.code == 0);
    CHECK(h.out.find("Usage: askalike") != std::string::npos);
  }

  Run unknown = askalike({"frobnicate"});
  CHECK(unknown.code == 2);
  CHECK(unknown.err.rfind("askalike: ", 0) == 0);

  Run bad_option = askalike({"similar", "-d", "x", "--no-such-option", "text"});
  CHECK(bad_option.code == 2);
  CHECK(bad_option.err.rfind("askalike: ", 0) == 0);
  CHECK(bad_option.err.find("similar --help") != std::string::npos);

  Run no_db = askalike({"stats"});
  CHECK(no_db.code == 2);
}

TEST_CASE("index JSON Lines, then similar finds the question") {
  TempDir dir;
  std::string db = make_db(dir);
  Run r = askalike({"similar", "-d", db, "my face twitches at night while I sleep"});
  REQUIRE(r.code == 0);
  // The best hit comes first, with its rank, title and category.
  auto first = r.out.find(" 1. Facial twitching during sleep");
  CHECK(first != std::string::npos);
  CHECK(r.out.find("(Neurology)") != std::string::npos);
  CHECK(r.out.find("Q: My left cheek twitches") != std::string::npos);
  CHECK(r.out.find("A: Usually benign") != std::string::npos);
  CHECK(r.out.find("Related categories: Neurology") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("similar says which misspelt words it searched as the collection's spelling") {
  TempDir dir;
  std::string db = make_db(dir);
  Run r = askalike({"similar", "-d", db, "my eyelid keeps twiching"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("Did you mean: twitching (for \"twiching\")") != std::string::npos);
  CHECK(r.out.find(" 1. Eyelid twitching") != std::string::npos);
  Run j = askalike({"similar", "-d", db, "-f", "jsonl", "my eyelid keeps twiching"});
  REQUIRE(j.code == 0);
  auto hits = json_lines(j.out);
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0]["did_you_mean"] ==
        nlohmann::json::array({nlohmann::json{{"word", "twiching"}, {"correction", "twitching"}}}));
  Run off = askalike({"similar", "-d", db, "--no-spelling", "my eyelid keeps twiching"});
  CHECK(off.out.find("Did you mean") == std::string::npos);
  Run plain = askalike({"similar", "-d", db, "my eyelid keeps twitching"});
  CHECK(plain.out.find("Did you mean") == std::string::npos);
  Run bad = askalike({"similar", "-d", db, "--question-type-weight", "-1", "eyelid"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("question_type_weight must be a finite number of at least 0, not -1") != std::string::npos);
  Run stats = askalike({"stats", "-d", db});
  CHECK(stats.out.find("spelling        on") != std::string::npos);
  CHECK(stats.out.find("question types  on") != std::string::npos);
  Run none = askalike({"index", "-d", dir / "plain", "--no-spelling", "--no-question-types", dir / "corpus.jsonl"});
  REQUIRE(none.code == 0);
  Run plain_stats = askalike({"stats", "-d", dir / "plain"});
  CHECK(plain_stats.out.find("spelling        off (rebuild to enable: askalike reindex)") != std::string::npos);
  CHECK(askalike({"similar", "-d", dir / "plain", "my eyelid keeps twiching"}).out.find("Did you mean") ==
        std::string::npos);
}

TEST_CASE("output formats parse back") {
  TempDir dir;
  std::string db = make_db(dir);
  SUBCASE("jsonl") {
    Run r = askalike({"similar", "-d", db, "-f", "jsonl", "--explain", "twitching eyelid"});
    REQUIRE(r.code == 0);
    auto hits = json_lines(r.out);
    REQUIRE(hits.size() >= 2);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const auto& h = hits[i];
      CHECK(h["query"] == "1");
      CHECK(h["rank"] == i + 1);
      for (const char* key : {"id", "title", "category", "snippet"}) CHECK(h[key].is_string());
      CHECK(h["score"].is_number());
      CHECK(h["confidence"].get<double>() >= 0.0);
      CHECK(h["confidence"].get<double>() <= 1.0);
      CHECK(h["matched_terms"].is_array());
      if (i > 0) CHECK(h["score"].get<double>() <= hits[i - 1]["score"].get<double>());
    }
    CHECK(hits[0]["id"] == "eyelid");
  }
  SUBCASE("trec") {
    Run r = askalike({"similar", "-d", db, "--format", "trec", "-k", "3", "twitching"});
    REQUIRE(r.code == 0);
    auto rows = lines(r.out);
    REQUIRE(rows.size() == 2);  // two records mention twitching
    double last = 1e300;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::istringstream in(rows[i]);
      std::string qid, q0, docid, tag;
      int rank = 0;
      double score = 0;
      REQUIRE(static_cast<bool>(in >> qid >> q0 >> docid >> rank >> score >> tag));
      CHECK(qid == "1");
      CHECK(q0 == "Q0");
      CHECK(rank == static_cast<int>(i + 1));
      CHECK(score <= last);
      CHECK(tag == "askalike");
      last = score;
    }
  }
  SUBCASE("text with --explain shows the terms and their weights") {
    Run r = askalike({"similar", "-d", db, "--explain", "knee running"});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("Query terms: ") != std::string::npos);
    CHECK(r.out.find("matched: ") != std::string::npos);
    CHECK(std::regex_search(r.out, std::regex("knee \\([0-9]+\\.[0-9]+\\)")));
  }
  SUBCASE("text says what confidence is, once, on the first hit (issue 25)") {
    Run r = askalike({"similar", "-d", db, "twitching eyelid"});
    REQUIRE(r.code == 0);
    const std::string meaning = "(the share of the question's weighted words it matches; the score ranks)";
    auto at = r.out.find(meaning);
    REQUIRE(at != std::string::npos);
    CHECK(at > r.out.find(" 1. "));
    CHECK(at < r.out.find(" 2. "));
    CHECK(r.out.find(meaning, at + 1) == std::string::npos);
    // --help wraps its text at the terminal's width: compare words, not lines.
    std::string help;
    for (char c : askalike({"similar", "--help"}).out)
      if (!(std::isspace(static_cast<unsigned char>(c)) && !help.empty() && help.back() == ' '))
        help += std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
    CHECK(help.find("share of the question's weighted words") != std::string::npos);
  }
  SUBCASE("text without a title: the question once, as the heading (issue 25)") {
    write_file(dir / "list.txt", "Why does my eyelid twitch all day long?\n");
    REQUIRE(askalike({"index", "-d", db, dir / "list.txt"}).code == 0);
    Run r = askalike({"similar", "-d", db, "eyelid twitch all day long"});
    REQUIRE(r.code == 0);
    auto first = r.out.find("Why does my eyelid twitch all day long?");
    REQUIRE(first != std::string::npos);
    CHECK(r.out.find("Why does my eyelid twitch all day long?", first + 1) == std::string::npos);
    CHECK(r.out.find("Q: My eyelid twitches all day") != std::string::npos);  // a record with a title keeps its Q line
  }
  SUBCASE("no match") {
    Run r = askalike({"similar", "-d", db, "zzzyxw"});
    CHECK(r.code == 0);
    CHECK(r.out.find("No similar questions found") != std::string::npos);
  }
}

TEST_CASE("similar: filters, paging, --id, stdin and --queries") {
  TempDir dir;
  std::string db = make_db(dir);
  auto ids = [](const Run& r) {
    std::vector<std::string> out;
    for (const auto& j : json_lines(r.out)) out.push_back(j["id"].get<std::string>());
    return out;
  };
  SUBCASE("--category, --since/--until, --tag") {
    Run r = askalike({"similar", "-d", db, "-f", "jsonl", "--category", "Orthopedics", "pain twitching"});
    REQUIRE(r.code == 0);
    CHECK(ids(r) == std::vector<std::string>{"knee"});
    Run d = askalike({"similar", "-d", db, "-f", "jsonl", "--since", "2011-01-01", "twitching"});
    CHECK(ids(d) == std::vector<std::string>{"eyelid"});
    Run u = askalike({"similar", "-d", db, "-f", "jsonl", "--until", "2008", "twitching"});
    CHECK(ids(u) == std::vector<std::string>{"twitch"});
    Run t = askalike({"similar", "-d", db, "-f", "jsonl", "--tag", "sleep", "twitching"});
    CHECK(ids(t) == std::vector<std::string>{"twitch"});
  }
  SUBCASE("ranking settings: set by index on a new database, changed by reindex") {
    // With only the answer weighted, a record matching in its answer alone
    // comes first.
    std::string answers = dir / "answers.db";
    REQUIRE(askalike({"index", "-d", answers, "--title-weight", "0", "--question-weight", "0", "--answer-weight",
                      "1", dir / "corpus.jsonl"}).code == 0);
    Run r = askalike({"similar", "-d", answers, "-f", "jsonl", "harmless"});
    REQUIRE(r.code == 0);
    CHECK(ids(r) == std::vector<std::string>{"eyelid"});
    CHECK(askalike({"stats", "-d", answers}).out.find("title 0, question 0, answer 1, b 0.75") != std::string::npos);
    // The database keeps them: another index run must give the same or none.
    Run clash = askalike({"index", "-d", answers, "--answer-weight", "0.5", dir / "corpus.jsonl"});
    CHECK(clash.code == 1);
    CHECK(clash.err.find("askalike reindex") != std::string::npos);
    // reindex changes them; the others stay as they were.
    std::string none_db = dir / "none.db";
    REQUIRE(askalike({"reindex", "-d", answers, "--answer-weight", "0", none_db}).code == 0);
    Run none = askalike({"similar", "-d", none_db, "-f", "jsonl", "harmless"});
    REQUIRE(none.code == 0);
    CHECK(ids(none).empty());
    // A search option cannot do what only the index can.
    CHECK(askalike({"similar", "-d", db, "--answer-weight", "0", "harmless"}).code == 2);
    CHECK(askalike({"reindex", "-d", answers, "--bm25-b", "2", dir / "b.db"}).code == 2);  // b is 0..1
    CHECK(askalike({"reindex", "-d", answers, none_db}).code == 1);                       // DEST exists
  }
  SUBCASE("a stub file is searched as the database it names") {
    write_file(dir / "db.stub", "auto " + db + "\n");
    Run direct = askalike({"similar", "-d", db, "-f", "trec", "twitching eyelid sleep"});
    Run stub = askalike({"similar", "-d", dir / "db.stub", "-f", "trec", "twitching eyelid sleep"});
    REQUIRE(stub.code == 0);
    CHECK(!direct.out.empty());
    CHECK(stub.out == direct.out);
  }
  SUBCASE("-k and --offset") {
    Run all = askalike({"similar", "-d", db, "-f", "jsonl", "twitching eyelid sleep"});
    auto every = ids(all);
    REQUIRE(every.size() >= 2);
    Run second = askalike({"similar", "-d", db, "-f", "jsonl", "-k", "1", "--offset", "1", "twitching eyelid sleep"});
    auto hits = json_lines(second.out);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0]["id"] == every[1]);
    CHECK(hits[0]["rank"] == 2);
  }
  SUBCASE("--id finds records like a stored one, itself left out") {
    Run r = askalike({"similar", "-d", db, "-f", "jsonl", "--id", "eyelid"});
    REQUIRE(r.code == 0);
    auto found = ids(r);
    CHECK(std::find(found.begin(), found.end(), "eyelid") == found.end());
    REQUIRE_FALSE(found.empty());
    CHECK(found[0] == "twitch");
    Run missing = askalike({"similar", "-d", db, "--id", "no-such-id"});
    CHECK(missing.code == 1);
    CHECK(missing.err.rfind("askalike: ", 0) == 0);
  }
  SUBCASE("- reads one question per line; the query id is the line number") {
    Run r = askalike({"similar", "-d", db, "-f", "trec", "-k", "1", "-"}, "knee pain\n\ncoffee headache\n");
    REQUIRE(r.code == 0);
    auto rows = lines(r.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].rfind("1 Q0 knee 1 ", 0) == 0);
    CHECK(rows[1].rfind("3 Q0 coffee 1 ", 0) == 0);
  }
  SUBCASE("--queries with per-query filters, --exclude-self and --threads") {
    write_file(dir / "q.jsonl",
               "{\"id\":\"eyelid\",\"text\":\"eyelid twitching\"}\n"
               "{\"id\":\"q2\",\"text\":\"twitching\",\"category\":\"Orthopedics\"}\n"
               "{\"id\":\"q3\",\"text\":\"knee pain\"}\n");
    Run r = askalike({"similar", "-d", db, "-f", "jsonl", "--queries", dir / "q.jsonl", "--exclude-self",
                      "--threads", "2"});
    REQUIRE(r.code == 0);
    std::map<std::string, std::vector<std::string>> by_query;
    for (const auto& j : json_lines(r.out)) by_query[j["query"]].push_back(j["id"]);
    // Self excluded: "eyelid" is not a hit of the query "eyelid".
    REQUIRE(by_query["eyelid"].size() >= 1);
    CHECK(by_query["eyelid"][0] == "twitch");
    CHECK(std::count(by_query["eyelid"].begin(), by_query["eyelid"].end(), "eyelid") == 0);
    // The query's category filter: no orthopedic record mentions twitching.
    CHECK(by_query.count("q2") == 0);
    CHECK(by_query["q3"].at(0) == "knee");
    // Ranks restart at 1 for every query.
    for (const auto& j : json_lines(r.out))
      if (j["query"] == "eyelid") CHECK(j["rank"] <= by_query["eyelid"].size());
  }
  SUBCASE("usage errors") {
    CHECK(askalike({"similar", "-d", db}).code == 2);                              // nothing to search for
    CHECK(askalike({"similar", "-d", db, "--id", "knee", "text"}).code == 2);       // two modes
    CHECK(askalike({"similar", "-d", db, "-f", "xml", "text"}).code == 2);          // bad format
    CHECK(askalike({"similar", "-d", db, "--exclude-self", "text"}).code == 2);     // needs --queries
    CHECK(askalike({"similar", "-d", db, "-k", "many", "text"}).code == 2);         // not a number
    Run zero = askalike({"similar", "-d", db, "-k", "0", "text"});                  // Python's rule and words
    CHECK(zero.code == 2);
    CHECK(zero.err.find("--top must be between 1 and 100000, not 0") != std::string::npos);
    CHECK(askalike({"similar", "-d", db, "--bm25-k1", "-1", "text"}).code == 2);    // k1 >= 0
    Run missing_db = askalike({"similar", "-d", dir / "nothing-here", "text"});
    CHECK(missing_db.code == 1);
    CHECK(missing_db.err.rfind("askalike: ", 0) == 0);
  }
}

TEST_CASE("similar: --group and --lang, and a query's own group") {
  TempDir dir;
  std::string db = dir / "db";
  write_file(dir / "c.jsonl",
             "{\"id\":\"g1a\",\"title\":\"bank account in Doha\",\"group\":\"G1\",\"lang\":\"en\"}\n"
             "{\"id\":\"g1b\",\"title\":\"best bank for expats\",\"group\":\"G1\",\"lang\":\"en\"}\n"
             "{\"id\":\"g2a\",\"title\":\"bank holidays in Qatar\",\"group\":\"G2\",\"lang\":\"en\"}\n"
             "{\"id\":\"fr1\",\"title\":\"banque en ligne\",\"group\":\"G2\",\"lang\":\"fr\"}\n");
  REQUIRE(askalike({"index", "-d", db, dir / "c.jsonl"}).code == 0);
  auto ids = [](const Run& r) {
    std::set<std::string> out;
    for (const auto& j : json_lines(r.out)) out.insert(j["id"].get<std::string>());
    return out;
  };
  CHECK(ids(askalike({"similar", "-d", db, "-f", "jsonl", "--group", "G2", "bank banque"})) ==
        std::set<std::string>{"g2a", "fr1"});
  CHECK(ids(askalike({"similar", "-d", db, "-f", "jsonl", "--lang", "fr", "bank banque"})) ==
        std::set<std::string>{"fr1"});
  write_file(dir / "q.jsonl",
             "{\"id\":\"q1\",\"text\":\"bank\",\"group\":\"G1\"}\n"
             "{\"id\":\"q2\",\"text\":\"bank\",\"group\":\"G2\"}\n");
  Run r = askalike({"similar", "-d", db, "-f", "trec", "--queries", dir / "q.jsonl"});
  REQUIRE(r.code == 0);
  std::map<std::string, std::set<std::string>> by_query;
  for (const auto& row : lines(r.out)) {
    std::istringstream in(row);
    std::string qid, q0, docid;
    in >> qid >> q0 >> docid;
    by_query[qid].insert(docid);
  }
  CHECK(by_query["q1"] == std::set<std::string>{"g1a", "g1b"});
  CHECK(by_query["q2"] == std::set<std::string>{"g2a"});
}

TEST_CASE("index CSV, TSV and pages, and export them back") {
  TempDir dir;
  std::string db = dir / "db";
  SUBCASE("csv with an alias, a field map and no id column") {
    write_file(dir / "faq.csv",
               "subject,ask,reply,department,tags,origin\n"
               "\"Chest pain, sharp\",\"It hurts when I \"\"breathe\"\"\",See a doctor,Cardiology,chest|pain,web\n"
               "Dry cough,\"Cough for\ntwo weeks\",Could be asthma,Respiratory,,\n");
    Run r = askalike({"index", "-d", db, "--field", "tags=tags", dir / "faq.csv"});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("read 2 records: 2 added, 0 replaced, 0 skipped") != std::string::npos);
    // stderr is not a terminal: no progress line; only where each column went.
    CHECK(r.err == "askalike: " + dir / "faq.csv" +
                       ": columns: subject -> title, ask -> question, reply -> answer, department -> category, "
                       "tags -> tags, origin -> extra \"origin\"\n");
    auto recs = exported(db);
    REQUIRE(recs.size() == 2);
    const auto& a = recs.at("faq-1");
    CHECK(a["title"] == "Chest pain, sharp");
    CHECK(a["question"] == "It hurts when I \"breathe\"");
    CHECK(a["answer"] == "See a doctor");
    CHECK(a["category"] == "Cardiology");
    CHECK(a["tags"] == nlohmann::json::array({"chest", "pain"}));
    CHECK(a["origin"] == "web");
    CHECK(recs.at("faq-2")["question"] == "Cough for\ntwo weeks");
  }
  SUBCASE("--field maps a column to a field") {
    write_file(dir / "x.csv", "key,headline_text,body\nk1,Sore throat,It hurts to swallow\n");
    Run r = askalike({"index", "-d", db, "--field", "id=key", "--field", "title=headline_text", dir / "x.csv"});
    REQUIRE(r.code == 0);
    auto recs = exported(db);
    REQUIRE(recs.count("k1") == 1);
    CHECK(recs.at("k1")["title"] == "Sore throat");
    CHECK(recs.at("k1")["question"] == "It hurts to swallow");
  }
  SUBCASE("tsv") {
    write_file(dir / "x.tsv", "id\ttitle\tquestion\tlang\nt1\tBack pain\tMy back hurts, badly\ten\n");
    Run r = askalike({"index", "-d", db, dir / "x.tsv"});
    REQUIRE(r.code == 0);
    auto recs = exported(db);
    CHECK(recs.at("t1")["question"] == "My back hurts, badly");
    CHECK(recs.at("t1")["lang"] == "en");
  }
  SUBCASE("a page, then similar finds it") {
    std::filesystem::copy_file(clitest::fixture("seed-page.txt"), dir / "facial-twitch.txt");
    Run r = askalike({"index", "-d", db, dir / "facial-twitch.txt"});
    REQUIRE(r.code == 0);
    auto recs = exported(db);
    REQUIRE(recs.count("facial-twitch") == 1);
    const auto& p = recs.at("facial-twitch");
    CHECK(p["category"] == "Neurology");
    CHECK(p["date"] == "2007-08-27");
    CHECK(p["doctor"] == "Dr. Ye Boshou");
    CHECK(p["similar_qa"].size() == 4);
    CHECK(p["related_faq"].size() == 9);
    Run s = askalike({"similar", "-d", db, "-f", "jsonl", "twitching of the face while sleeping"});
    REQUIRE(s.code == 0);
    auto hits = json_lines(s.out);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0]["id"] == "facial-twitch");
  }
  SUBCASE("a directory of pages with --format page") {
    std::filesystem::create_directory(dir / "pages");
    std::filesystem::copy_file(clitest::fixture("seed-page.txt"), dir / "pages/one.txt");
    write_file(dir / "pages/two.txt", "Knee pain\nMy knee hurts after running.\n");
    Run r = askalike({"index", "-d", db, "--format", "page", dir / "pages"});
    REQUIRE(r.code == 0);
    auto recs = exported(db);
    CHECK(recs.size() == 2);
    CHECK(recs.count("one") == 1);
    CHECK(recs.at("two")["question"] == "My knee hurts after running.");
  }
  SUBCASE("the export of everything reads back to the same records") {
    write_file(dir / "corpus.jsonl", kCorpus);
    REQUIRE(askalike({"index", "-d", db, dir / "corpus.jsonl"}).code == 0);
    Run first = askalike({"export", "-d", db});
    REQUIRE(first.code == 0);
    // What was put in comes back out (extra fields too).
    std::map<std::string, nlohmann::json> in;
    for (auto& j : json_lines(kCorpus)) in[j["id"]] = j;
    std::map<std::string, nlohmann::json> out;
    for (auto& j : json_lines(first.out)) out[j["id"]] = j;
    CHECK(in == out);
    write_file(dir / "export.jsonl", first.out);
    std::string db2 = dir / "db2";
    REQUIRE(askalike({"index", "-d", db2, dir / "export.jsonl"}).code == 0);
    CHECK(askalike({"export", "-d", db2}).out == first.out);
  }
}

TEST_CASE("index a list of questions, one per line (issue 25)") {
  TempDir dir;
  std::string db = dir / "db";
  const std::string list = "How do I reset my password?\n\nWhy was my credit card rejected?\nCan I pay by bank transfer?\n";
  SUBCASE("a .txt file without a page's marks: a record per line") {
    write_file(dir / "questions.txt", list);
    Run r = askalike({"index", "-d", db, dir / "questions.txt"});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("read 3 records: 3 added, 0 replaced, 0 skipped") != std::string::npos);
    auto recs = exported(db);
    REQUIRE(recs.size() == 3);
    for (const auto& [id, rec] : recs) {
      CHECK(id.rfind("q-", 0) == 0);
      CHECK(rec.count("title") == 0);
    }
    Run s = askalike({"similar", "-d", db, "-f", "jsonl", "credit card rejected"});
    REQUIRE(s.code == 0);
    auto hits = json_lines(s.out);
    REQUIRE(!hits.empty());
    CHECK(recs.at(hits[0]["id"].get<std::string>())["question"] == "Why was my credit card rejected?");
    // The same file again: the same ids, nothing added. An edited line is a new record.
    write_file(dir / "questions.txt", list + "Why was my debit card rejected?\n");
    Run again = askalike({"index", "-d", db, dir / "questions.txt"});
    CHECK(again.out.find("read 4 records: 1 added, 3 replaced") != std::string::npos);
    CHECK(exported(db).size() == 4);
  }
  SUBCASE("stdin with --format lines; one record is \"read 1 record\"") {
    Run r = askalike({"index", "-d", db, "--format", "lines", "-"}, "Why does my knee hurt?\n");
    REQUIRE(r.code == 0);
    CHECK(r.out.find("read 1 record: 1 added") != std::string::npos);
  }
  SUBCASE("stdin without --format and not JSON: the error names the formats") {
    Run r = askalike({"index", "-d", db, "-"}, list);
    CHECK(r.code == 1);
    CHECK(r.err.find("<stdin>:1: invalid JSON") != std::string::npos);
    CHECK(r.err.find("--format (Python: format=): lines (one question per line), csv, tsv or page") !=
          std::string::npos);
  }
  SUBCASE("--help says what a line's id is") {
    Run r = askalike({"index", "--help"});
    CHECK(r.out.find("jsonl, csv, tsv, lines (one question per") != std::string::npos);
    CHECK(r.out.find("each line's id is a hash of its text") != std::string::npos);
  }
}

TEST_CASE("index CSV: the columns' fields are told, and a file that fills no searched field is flagged (issue 25)") {
  TempDir dir;
  std::string db = dir / "db";
  write_file(dir / "faq.csv", "q,a,cat\nHow do I reset my password?,Use the link,account\n");
  SUBCASE("a warning naming --field") {
    Run r = askalike({"index", "-d", db, dir / "faq.csv"});
    CHECK(r.code == 0);
    CHECK(r.err.find("faq.csv: columns: q -> extra \"q\", a -> extra \"a\", cat -> extra \"cat\"\n") !=
          std::string::npos);
    CHECK(r.err.find("warning: " + dir / "faq.csv" + ": no column is read as title, question or answer") !=
          std::string::npos);
    CHECK(r.err.find("--field FIELD=COLUMN (e.g. --field question=q)") != std::string::npos);
  }
  SUBCASE("--quiet: the warning without the column list") {
    Run r = askalike({"index", "-d", db, "-q", dir / "faq.csv"});
    CHECK(r.code == 0);
    CHECK(r.err.find("columns:") == std::string::npos);
    CHECK(r.err.find("warning:") != std::string::npos);
  }
  SUBCASE("--strict refuses, and writes nothing") {
    Run r = askalike({"index", "-d", db, "--strict", dir / "faq.csv"});
    CHECK(r.code == 1);
    CHECK(r.err.find("no column is read as title, question or answer") != std::string::npos);
    CHECK(r.err.find("(--strict: nothing was indexed)") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(db));
    // The same from standard input.
    Run in = askalike({"index", "-d", db, "--strict", "--format", "csv", "-"}, clitest::read_file(dir / "faq.csv"));
    CHECK(in.code == 1);
    CHECK(in.err.find("<stdin>: no column is read as title") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(db));
  }
  SUBCASE("mapped with --field: no warning, and the record is found") {
    Run r = askalike({"index", "-d", db, "--strict", "--field", "question=q", "--field", "answer=a",
                      "--field", "category=cat", dir / "faq.csv"});
    REQUIRE(r.code == 0);
    CHECK(r.err.find("columns: q -> question, a -> answer, cat -> category") != std::string::npos);
    CHECK(r.err.find("warning") == std::string::npos);
    Run s = askalike({"similar", "-d", db, "-f", "jsonl", "reset password"});
    CHECK(json_lines(s.out).size() == 1);
  }
}

TEST_CASE("index in legacy encodings") {
  TempDir dir;
  std::string db = dir / "db";
  const std::string csv =
      "department,title,ask,answer\n"
      "心血管科,高血压患者能吃党参吗？,我有高血压，您好高血压可以吃党参吗？,高血压病人可以口服党参的。\n"
      "消化科,胃痛怎么办？,最近经常胃痛，怎么办？,注意饮食规律。\n";
  SUBCASE("GB18030 CSV, named and detected") {
    std::string bytes = clitest::encode(csv, "GB18030");
    write_file(dir / "zh.csv", bytes);
    for (const char* enc : {"GB18030", "auto"}) {
      CAPTURE(enc);
      Run r = askalike({"index", "-d", db, "--encoding", enc, dir / "zh.csv"});
      REQUIRE(r.code == 0);
      auto recs = exported(db);
      REQUIRE(recs.size() == 2);
      CHECK(recs.at("zh-1")["category"] == "心血管科");
      CHECK(recs.at("zh-1")["title"] == "高血压患者能吃党参吗？");
      CHECK(recs.at("zh-2")["question"] == "最近经常胃痛，怎么办？");
    }
    Run s = askalike({"similar", "-d", db, "-f", "jsonl", "高血压能吃党参吗"});
    REQUIRE(s.code == 0);
    REQUIRE_FALSE(json_lines(s.out).empty());
    CHECK(json_lines(s.out)[0]["id"] == "zh-1");
  }
  SUBCASE("Shift_JIS JSON Lines, named") {
    std::string jsonl = "{\"id\":\"ja1\",\"title\":\"頭痛が続く\",\"question\":\"毎朝ソファで頭痛がします。表示\"}\n";
    write_file(dir / "ja.jsonl", clitest::encode(jsonl, "Shift_JIS"));
    Run r = askalike({"index", "-d", db, "-e", "Shift_JIS", dir / "ja.jsonl"});
    REQUIRE(r.code == 0);
    CHECK(exported(db).at("ja1")["question"] == "毎朝ソファで頭痛がします。表示");
  }
  SUBCASE("UTF-16 with a byte-order mark, detected") {
    std::string jsonl = "{\"id\":\"u16\",\"title\":\"Café crème\",\"question\":\"Ça fait mal ?\"}\n";
    write_file(dir / "u16.jsonl", "\xFF\xFE" + clitest::encode(jsonl, "UTF-16LE"));
    Run r = askalike({"index", "-d", db, dir / "u16.jsonl"});
    REQUIRE(r.code == 0);
    CHECK(exported(db).at("u16")["title"] == "Café crème");
  }
  SUBCASE("an unknown encoding is a usage error") {
    write_file(dir / "x.jsonl", "{\"id\":\"1\",\"title\":\"x\"}\n");
    Run r = askalike({"index", "-d", db, "--encoding", "klingon-8", dir / "x.jsonl"});
    CHECK(r.code == 2);
    CHECK(r.err.find("unknown encoding") != std::string::npos);
  }
}

TEST_CASE("index from stdin") {
  TempDir dir;
  std::string db = dir / "db";
  SUBCASE("JSON Lines") {
    Run r = askalike({"index", "-d", db, "-"}, "{\"id\":\"s1\",\"title\":\"From stdin\"}\n");
    REQUIRE(r.code == 0);
    CHECK(exported(db).at("s1")["title"] == "From stdin");
  }
  SUBCASE("CSV with --format") {
    Run r = askalike({"index", "-d", db, "--format", "csv", "-"}, "id,title\nc1,Comma separated\n");
    REQUIRE(r.code == 0);
    CHECK(exported(db).at("c1")["title"] == "Comma separated");
  }
  SUBCASE("no file and stdin not a terminal: stdin") {
    Run r = askalike({"index", "-d", db}, "{\"id\":\"s2\",\"title\":\"Implicit stdin\"}\n");
    REQUIRE(r.code == 0);
    CHECK(exported(db).count("s2") == 1);
  }
}

TEST_CASE("bad records: --on-error fail and skip") {
  TempDir dir;
  std::string db = dir / "db";
  const std::string file = dir / "mixed.jsonl";
  write_file(file,
             "{\"id\":\"a\",\"title\":\"First\"}\n"
             "{\"id\":\"b\",\"title\":\"Second\"}\n"
             "{\"id\":\"c\",\"title\":\n"
             "{\"id\":\"d\",\"title\":\"Fourth\"}\n"
             "{\"title\":\"no id\"}\n"
             "{\"id\":\"f\",\"title\":\"Sixth\"}\n");
  SUBCASE("fail: stop at the first, keep what came before") {
    Run r = askalike({"index", "-d", db, file});
    CHECK(r.code == 1);
    auto err = lines(r.err);
    REQUIRE_FALSE(err.empty());
    CHECK(err[0].rfind("askalike: " + file + ":3: ", 0) == 0);
    CHECK(r.err.find("the records before it are stored") != std::string::npos);
    auto recs = exported(db);
    CHECK(recs.size() == 2);
    CHECK(recs.count("a") == 1);
    CHECK(recs.count("b") == 1);
  }
  SUBCASE("skip: go on and list every skipped line") {
    Run r = askalike({"index", "-d", db, "--on-error", "skip", file});
    CHECK(r.code == 0);
    CHECK(r.out.find("read 4 records: 4 added, 0 replaced, 2 skipped") != std::string::npos);
    CHECK(r.err.find("askalike: skipped " + file + ":3: ") != std::string::npos);
    CHECK(r.err.find("askalike: skipped " + file + ":5: ") != std::string::npos);
    CHECK(exported(db).size() == 4);
  }
  SUBCASE("a first line that is not JSON, from stdin: nothing stored, and the message says so") {
    Run r = askalike({"index", "-d", db, "-"}, "how do I reset my password?\nwhy is my screen black?\n");
    CHECK(r.code == 1);
    CHECK(r.err.find("askalike: <stdin>:1: ") != std::string::npos);
    CHECK(r.err.find("--format") != std::string::npos);
    CHECK(r.err.find("nothing was stored") != std::string::npos);
    CHECK(r.err.find("records before it are stored") == std::string::npos);
  }
  SUBCASE("a CSV row with too many fields, after a field over two lines") {
    write_file(dir / "bad.csv", "id,title\n1,\"two\nlines\"\n2,x,extra\n3,ok\n");
    Run r = askalike({"index", "-d", db, dir / "bad.csv"});
    CHECK(r.code == 1);
    CHECK(r.err.find("askalike: " + dir / "bad.csv" + ":4: expected 2 fields") != std::string::npos);
    CHECK(exported(db).size() == 1);
    Run s = askalike({"index", "-d", db, "--on-error", "skip", dir / "bad.csv"});
    CHECK(s.code == 0);
    CHECK(exported(db).size() == 2);
  }
  SUBCASE("a record the index refuses (an id over 200 bytes) is a bad record too") {
    write_file(dir / "long.csv", "id,title\nok1,fine\n" + std::string(300, 'x') + ",too long\nok2,fine\n");
    Run r = askalike({"index", "-d", db, dir / "long.csv"});
    CHECK(r.code == 1);
    CHECK(r.err.find("askalike: " + dir / "long.csv" + ":3: ") != std::string::npos);
    CHECK(exported(db).size() == 1);
    Run s = askalike({"index", "-d", db, "--on-error", "skip", dir / "long.csv"});
    CHECK(s.code == 0);
    CHECK(s.err.find("askalike: skipped " + dir / "long.csv" + ":3: ") != std::string::npos);
    CHECK(s.out.find("1 skipped") != std::string::npos);
    CHECK(exported(db).size() == 2);
  }
  SUBCASE("--on-error with another value is a usage error") {
    CHECK(askalike({"index", "-d", db, "--on-error", "ignore", file}).code == 2);
  }
}

TEST_CASE("index twice: the same database") {
  TempDir dir;
  std::string db = make_db(dir);
  Run before = askalike({"export", "-d", db});
  Run again = askalike({"index", "-d", db, dir / "corpus.jsonl"});
  REQUIRE(again.code == 0);
  CHECK(again.out.find("read 4 records: 0 added, 4 replaced, 0 skipped") != std::string::npos);
  CHECK(askalike({"export", "-d", db}).out == before.out);
  Run stats = askalike({"stats", "-d", db});
  REQUIRE(stats.code == 0);
  CHECK(std::regex_search(stats.out, std::regex("records\\s+4\\n")));
  CHECK(stats.out.find("Neurology") != std::string::npos);
}

TEST_CASE("index --threads: the same database, the same messages") {
  TempDir dir;
  // Repeated ids (the last wins), a malformed line and an id the index refuses.
  std::string text;
  for (int i = 0; i < 700; ++i) {
    text += "{\"id\":\"r" + std::to_string(i % 500) + "\",\"title\":\"row " + std::to_string(i) +
            "\",\"question\":\"question " + std::to_string(i) + " about knee pain\"}\n";
    if (i == 250) text += "{\"id\":\"bad\",\"title\":\n";
    if (i == 400) text += "{\"id\":\"" + std::string(300, 'x') + "\",\"title\":\"long id\"}\n";
  }
  write_file(dir / "in.jsonl", text);
  for (const char* on_error : {"fail", "skip"}) {
    CAPTURE(on_error);
    Run serial = askalike({"index", "-d", dir / (std::string("db1-") + on_error), "--threads", "1",
                           "--batch-size", "64", "--on-error", on_error, dir / "in.jsonl"});
    CHECK(serial.code == (std::string(on_error) == "fail" ? 1 : 0));
    const std::string exported_serial = askalike({"export", "-d", dir / (std::string("db1-") + on_error)}).out;
    for (const char* threads : {"2", "4"}) {
      CAPTURE(threads);
      std::string db = dir / (std::string("db") + threads + "-" + on_error);
      Run parallel = askalike({"index", "-d", db, "--threads", threads, "--batch-size", "64", "--on-error",
                               on_error, dir / "in.jsonl"});
      CHECK(parallel.code == serial.code);
      CHECK(parallel.err == serial.err);
      // The summary without its time.
      CHECK(parallel.out.substr(0, parallel.out.rfind(',')) == serial.out.substr(0, serial.out.rfind(',')));
      CHECK(askalike({"export", "-d", db}).out == exported_serial);
    }
  }
  Run skip = askalike({"index", "-d", dir / "db-check", "--threads", "3", "--on-error", "skip", dir / "in.jsonl"});
  CHECK(skip.out.find("read 700 records: 500 added, 200 replaced, 2 skipped") != std::string::npos);
  CHECK(skip.err.find("skipped " + dir / "in.jsonl" + ":252: ") != std::string::npos);
  CHECK(skip.err.find("skipped " + dir / "in.jsonl" + ":403: record id longer") != std::string::npos);
  Run fail = askalike({"index", "-d", dir / "db-fail", "--threads", "3", dir / "in.jsonl"});
  CHECK(fail.err.rfind("askalike: " + dir / "in.jsonl" + ":252: ", 0) == 0);
  CHECK(exported(dir / "db-fail").size() == 251);
  CHECK(askalike({"index", "-d", dir / "db-x", "--threads", "many", dir / "in.jsonl"}).code == 2);
}

TEST_CASE("other usage errors of index") {
  TempDir dir;
  write_file(dir / "x.jsonl", "{\"id\":\"1\",\"title\":\"x\"}\n");
  CHECK(askalike({"index", "-d", dir / "db", "--format", "xml", dir / "x.jsonl"}).code == 2);
  CHECK(askalike({"index", "-d", dir / "db", "--field", "title", dir / "x.jsonl"}).code == 2);
  CHECK(askalike({"index", "-d", dir / "db", "--field", "titel=x", dir / "x.jsonl"}).code == 2);
  Run missing = askalike({"index", "-d", dir / "db", dir / "missing.jsonl"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("missing.jsonl") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "db"));  // no empty database left behind
}

TEST_CASE("remove, compact and stats") {
  TempDir dir;
  std::string db = make_db(dir);
  Run r = askalike({"remove", "-d", db, "knee"});
  CHECK(r.code == 0);
  CHECK(exported(db).count("knee") == 0);
  Run missing = askalike({"remove", "-d", db, "coffee", "no-such-id"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("no-such-id") != std::string::npos);
  CHECK(exported(db).count("coffee") == 0);  // the found one is removed all the same
  CHECK(askalike({"remove", "-d", db}).code == 2);

  Run c = askalike({"compact", "-d", db, dir / "compact"});
  REQUIRE(c.code == 0);
  CHECK(askalike({"export", "-d", dir / "compact"}).out == askalike({"export", "-d", db}).out);
  CHECK(askalike({"compact", "-d", db}).code == 2);                     // no DEST
  CHECK(askalike({"compact", "-d", db, dir / "compact"}).code == 1);    // DEST exists
  CHECK(askalike({"stats", "-d", dir / "none"}).code == 1);
  CHECK(askalike({"export", "-d", dir / "none"}).code == 1);

  // [issue 27] A search-only copy: the same answers, writes refused with
  // the reason, nothing lost.
  Run slim = askalike({"compact", "-d", db, dir / "slim", "--search-only"});
  REQUIRE(slim.code == 0);
  CHECK(slim.out.find("search only") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "slim/termlist.glass"));
  for (const char* q : {"my eyelid twitches at night", "facial twiching in sleep", "is twitching serious"})
    CHECK(askalike({"similar", "-d", dir / "slim", "-f", "jsonl", q}).out ==
          askalike({"similar", "-d", dir / "compact", "-f", "jsonl", q}).out);
  clitest::write_file(dir / "more.jsonl", "{\"id\": \"new\", \"question\": \"a new question\"}\n");
  Run write = askalike({"index", "-d", dir / "slim", dir / "more.jsonl"});
  CHECK(write.code == 1);
  CHECK(write.err.find("compacted without term lists") != std::string::npos);
  Run feedback = askalike({"similar", "-d", dir / "slim", "--feedback-terms", "3", "my eyelid twitches"});
  CHECK(feedback.code != 0);
  CHECK(feedback.err.find("--search-only") != std::string::npos);
  CHECK(askalike({"export", "-d", dir / "slim"}).out == askalike({"export", "-d", db}).out);
  CHECK(askalike({"compact", "--help"}).out.find("--search-only") != std::string::npos);
}

TEST_CASE("tools/test.sh says how long it takes before it starts (issue 25)") {
  const std::string script = clitest::read_file(std::string(ASKALIKE_SOURCE_DIR) + "/tools/test.sh");
  auto said = script.find("echo \"== test.sh: expect ");
  REQUIRE(said != std::string::npos);
  CHECK(script.find(" minutes", said) < script.find('\n', said));
  CHECK(said < script.find("configure_build\n"));  // before the long parts
}

TEST_CASE("stats says how many of the categories it lists (issue 25)") {
  TempDir dir;
  std::string db = make_db(dir);  // Neurology (3 records), Orthopedics (1)
  Run all = askalike({"stats", "-d", db});
  CHECK(all.out.find("categories      2\n  3\tNeurology\n  1\tOrthopedics\n") != std::string::npos);
  Run top = askalike({"stats", "-d", db, "--top", "1"});
  CHECK(top.out.find("categories      2 (the top 1 of 2 below, most frequent first; --top N)\n  3\tNeurology\n"
                     "languages") != std::string::npos);
}

TEST_CASE("reindex shows its progress on a terminal, and only there (issue 25)") {
  TempDir dir;
  std::string db = make_db(dir);
  Run tty = askalike_on_terminal({"reindex", "-d", db, dir / "on-terminal"});
  CHECK(tty.code == 0);
  CHECK(tty.out.find("reindexing: 4 of 4 records") != std::string::npos);
  CHECK(tty.out.find("reindexed " + db + " into " + dir / "on-terminal") != std::string::npos);
  Run file = askalike({"reindex", "-d", db, dir / "to-file"});
  CHECK(file.code == 0);
  CHECK(file.err.empty());
  CHECK(askalike({"export", "-d", dir / "on-terminal"}).out == askalike({"export", "-d", db}).out);
}

TEST_CASE("eval on hand-made qrels") {
  TempDir dir;
  std::string db = dir / "db";
  // "zebra" is in d1's title and question, and only once in d2's long
  // answer: d1 ranks above d2 whatever the field weights. "yak" is only in d3. "quokka" only in d5.
  write_file(dir / "corpus.jsonl",
             "{\"id\":\"d1\",\"title\":\"zebra stripes\",\"question\":\"why does a zebra have stripes\"}\n"
             "{\"id\":\"d2\",\"title\":\"horse colours\",\"question\":\"what colours do horses have\","
             "\"answer\":\"most horses are brown, bay, chestnut, black or grey, and a few are spotted or "
             "dappled; unlike a zebra they have no stripes at all\"}\n"
             "{\"id\":\"d3\",\"title\":\"yak milk\",\"question\":\"can you drink yak milk\"}\n"
             "{\"id\":\"d4\",\"title\":\"cow milk\",\"question\":\"is cow milk healthy\"}\n"
             "{\"id\":\"d5\",\"title\":\"quokka smile\",\"question\":\"why do quokkas smile\"}\n");
  REQUIRE(askalike({"index", "-d", db, dir / "corpus.jsonl"}).code == 0);
  write_file(dir / "q.jsonl",
             "{\"id\":\"q1\",\"text\":\"zebra\"}\n"
             "{\"id\":\"q2\",\"text\":\"yak\"}\n"
             "{\"id\":\"q3\",\"text\":\"quokka\"}\n");
  write_file(dir / "qrels",
             "q1 0 d1 0\n"
             "q1 0 d2 2\n"
             "q2 0 d3 1\n"
             "q2 0 d4 3\n"
             "q3 0 d5 0\n");
  // Runs: q1 -> d1, d2; q2 -> d3; q3 -> d5.
  // q1: the relevant d2 (grade 2) at rank 2.
  //     AP = (1/2)/1 = 0.5; RR = 0.5; P@1 = 0; Recall@10 = 1/1 = 1
  //     nDCG@10 = (2/log2(3)) / (2/log2(2)) = 0.63093
  // q2: d3 (grade 1) at rank 1; d4 (grade 3) not retrieved.
  //     AP = (1/1)/2 = 0.5; RR = 1; P@1 = 1; Recall@10 = 1/2
  //     DCG = 1/log2(2) = 1; IDCG = 3/log2(2) + 1/log2(3) = 3.63093; nDCG@10 = 0.27541
  // q3: nothing relevant: skipped.
  // Means over q1, q2: MAP 0.5, MRR 0.75, P@1 0.5, nDCG@10 0.45317,
  // Recall@10 0.75, Recall@100 0.75.
  // Official MAP counts q3 as 0: (0.5 + 0.5 + 0) / 3 = 0.33333.
  Run r = askalike({"eval", "-d", db, "--queries", dir / "q.jsonl", "--qrels", dir / "qrels", "--run", dir / "run"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("queries     3 (2 with a relevant document)") != std::string::npos);
  CHECK(metric(r.out, "MAP") == doctest::Approx(0.5).epsilon(1e-3));
  CHECK(metric(r.out, "MRR") == doctest::Approx(0.75).epsilon(1e-3));
  CHECK(metric(r.out, "P@1") == doctest::Approx(0.5).epsilon(1e-3));
  CHECK(metric(r.out, "nDCG@10") == doctest::Approx(0.4532).epsilon(1e-3));
  CHECK(metric(r.out, "Recall@10") == doctest::Approx(0.75).epsilon(1e-3));
  CHECK(metric(r.out, "Recall@100") == doctest::Approx(0.75).epsilon(1e-3));
  auto run = lines(clitest::read_file(dir / "run"));
  REQUIRE(run.size() == 4);
  CHECK(run[0].rfind("q1 Q0 d1 1 ", 0) == 0);
  CHECK(run[1].rfind("q1 Q0 d2 2 ", 0) == 0);

  Run official = askalike({"eval", "-d", db, "--queries", dir / "q.jsonl", "--qrels", dir / "qrels",
                           "--official-map"});
  REQUIRE(official.code == 0);
  CHECK(metric(official.out, "MAP") == doctest::Approx(1.0 / 3).epsilon(1e-3));
  CHECK(metric(official.out, "MRR") == doctest::Approx(0.75).epsilon(1e-3));

  // --exclude-self: q1 is not a record id, so nothing changes; with a query
  // named d1 its own record is left out and d2 comes first.
  write_file(dir / "self.jsonl", "{\"id\":\"d1\",\"text\":\"zebra\"}\n");
  write_file(dir / "self.qrels", "d1 0 d2 1\n");
  Run self = askalike({"eval", "-d", db, "--queries", dir / "self.jsonl", "--qrels", dir / "self.qrels",
                       "--exclude-self"});
  REQUIRE(self.code == 0);
  CHECK(metric(self.out, "MRR") == doctest::Approx(1.0));
  Run with_self = askalike({"eval", "-d", db, "--queries", dir / "self.jsonl", "--qrels", dir / "self.qrels"});
  CHECK(metric(with_self.out, "MRR") == doctest::Approx(0.5));

  CHECK(askalike({"eval", "-d", db, "--queries", dir / "q.jsonl"}).code == 2);  // no --qrels
  write_file(dir / "bad.qrels", "q1 0 d1\n");
  Run bad = askalike({"eval", "-d", db, "--queries", dir / "q.jsonl", "--qrels", dir / "bad.qrels"});
  CHECK(bad.code == 1);
  CHECK(bad.err.find("bad.qrels:1:") != std::string::npos);
}

TEST_CASE("index --shards: every command takes the collection as it takes one database") {
  TempDir dir;
  std::string db = make_db(dir);
  const std::string sharded = dir / "sharded";
  // --threads 2: the parallel ingest stores into the shards as well.
  Run r = askalike({"index", "-d", sharded, "--shards", "3", "--threads", "2", dir / "corpus.jsonl"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("read 4 records: 4 added, 0 replaced") != std::string::npos);
  CHECK(std::filesystem::exists(sharded + "/XAPIANDB"));
  CHECK(askalike({"export", "-d", sharded}).out == askalike({"export", "-d", db}).out);
  CHECK(askalike({"similar", "-d", sharded, "-f", "trec", "eyelid twitching"}).out ==
        askalike({"similar", "-d", db, "-f", "trec", "eyelid twitching"}).out);
  CHECK(askalike({"similar", "-d", sharded, "--serial-shards", "-f", "trec", "eyelid twitching"}).out ==
        askalike({"similar", "-d", db, "-f", "trec", "eyelid twitching"}).out);
  // [issue 27] At once on every query, this short one included.
  CHECK(askalike({"similar", "-d", sharded, "--parallel-min-postings", "0", "-f", "trec", "eyelid twitching"}).out ==
        askalike({"similar", "-d", db, "-f", "trec", "eyelid twitching"}).out);
  CHECK(askalike({"similar", "-d", sharded, "--parallel-min-postings", "-1", "eyelid twitching"}).code == 2);
  // A later import finds the shard count; another count is refused.
  Run again = askalike({"index", "-d", sharded, dir / "corpus.jsonl"});
  CHECK(again.out.find("0 added, 4 replaced") != std::string::npos);
  Run other = askalike({"index", "-d", sharded, "--shards", "2", dir / "corpus.jsonl"});
  CHECK(other.code == 1);
  CHECK(other.err.find("holds 3 shards, not 2") != std::string::npos);
  CHECK(askalike({"remove", "-d", sharded, "knee"}).code == 0);
  CHECK(exported(sharded).count("knee") == 0);
  CHECK(std::regex_search(askalike({"stats", "-d", sharded}).out, std::regex("records\\s+3\\n")));
  REQUIRE(askalike({"compact", "-d", sharded, dir / "compact"}).code == 0);
  CHECK(std::filesystem::exists(dir / "compact/shard-2"));
  CHECK(askalike({"export", "-d", dir / "compact"}).out == askalike({"export", "-d", sharded}).out);
  // Bad counts are usage errors in the library's words, before anything is written.
  Run zero = askalike({"index", "-d", dir / "none", "--shards", "0", dir / "corpus.jsonl"});
  CHECK(zero.code == 2);
  CHECK(zero.err.find("--shards must be between 1 and 1024, not 0") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "none"));
  // --parts: a new database built as shards at once, then merged into one.
  const std::string bulk = dir / "bulk";
  Run parts = askalike({"index", "-d", bulk, "--parts", "2", dir / "corpus.jsonl"});
  REQUIRE(parts.code == 0);
  CHECK(parts.out.find("read 4 records: 4 added, 0 replaced") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(bulk + "/XAPIANDB"));
  CHECK_FALSE(std::filesystem::exists(bulk + ".parts"));
  CHECK(askalike({"export", "-d", bulk}).out == askalike({"export", "-d", db}).out);
  CHECK(askalike({"similar", "-d", bulk, "-f", "trec", "eyelid twitching"}).out ==
        askalike({"similar", "-d", db, "-f", "trec", "eyelid twitching"}).out);
  Run again_parts = askalike({"index", "-d", bulk, "--parts", "2", dir / "corpus.jsonl"});
  CHECK(again_parts.code == 2);
  CHECK(again_parts.err.find("--parts builds a new database") != std::string::npos);
  Run both = askalike({"index", "-d", dir / "both", "--parts", "2", "--shards", "2", dir / "corpus.jsonl"});
  CHECK(both.code == 2);
  CHECK_FALSE(std::filesystem::exists(dir / "both"));
  Run negative = askalike({"similar", "-d", sharded, "--timeout", "-1", "eyelid"});
  CHECK(negative.code == 2);
  CHECK(negative.err.find("--timeout must be between 0 and") != std::string::npos);
}

TEST_CASE("learn, stats --word and similar --associations / --feedback-terms (issue 13), kept by reindex") {
  TempDir dir;
  const std::string records = dir / "heart.jsonl";
  write_file(records,
             R"({"id":"ha-what","question":"What is a heart attack?","answer":"A heart attack, also called a myocardial infarction, blocks blood flow to the heart muscle."}
{"id":"ha-signs","question":"What are the warning signs of a heart attack?","answer":"Chest pain is the usual sign of a myocardial infarction."}
{"id":"ha-risk","question":"Who is at risk of a heart attack?","answer":"The risk of myocardial infarction rises with age and smoking."}
{"id":"ha-exercise","question":"How soon after a heart attack can I exercise?","answer":"After a myocardial infarction, rehabilitation starts with short walks."}
{"id":"mi-recovery","question":"How long does recovery from a myocardial infarction take?","answer":"Most patients return to work within weeks."}
{"id":"flu","question":"What is the flu?","answer":"Influenza is a contagious viral infection."}
{"id":"sleep","question":"How much sleep do adults need?","answer":"Seven to nine hours a night."}
{"id":"back","question":"What helps lower back pain?","answer":"Gentle exercise and heat."}
)");
  const std::string db = dir / "db";
  REQUIRE(askalike({"index", "-d", db, records}).code == 0);
  Run before = askalike({"stats", "-d", db});
  REQUIRE(before.code == 0);
  CHECK(before.out.find("associations    none (`askalike learn -d DB` learns them)") != std::string::npos);
  CHECK(askalike({"stats", "-d", db, "--word", "heart"}).out == "heart: (no associations)\n");

  Run learn = askalike({"learn", "-d", db});
  REQUIRE(learn.code == 0);
  CHECK(learn.out.find("from 8 records") != std::string::npos);
  CHECK(askalike({"stats", "-d", db}).out.find("learned from 8 records") != std::string::npos);
  Run word = askalike({"stats", "-d", db, "--word", "heart"});
  REQUIRE(word.code == 0);
  // Stems, said to be index terms (issue 25).
  CHECK(word.out.rfind("heart: index terms (stems) learned to go with it, strongest first\n", 0) == 0);
  CHECK(word.out.find("\tmyocardi") != std::string::npos);

  Run plain = askalike({"similar", "-d", db, "heart attack"});
  CHECK(plain.out.find("[mi-recovery]") == std::string::npos);
  Run expanded = askalike({"similar", "-d", db, "--associations", "5", "--explain", "heart attack"});
  REQUIRE(expanded.code == 0);
  CHECK(expanded.out.find("[mi-recovery]") != std::string::npos);
  CHECK(expanded.out.find("Added terms: ") != std::string::npos);
  Run feedback = askalike({"similar", "-d", db, "--feedback-terms", "5", "--feedback-documents", "4", "heart attack"});
  REQUIRE(feedback.code == 0);
  CHECK(feedback.out.find("[mi-recovery]") != std::string::npos);

  Run bad = askalike({"similar", "-d", db, "--associations", "101", "heart"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("associations must be between 0 and 100, not 101") != std::string::npos);
  Run bad_weight = askalike({"similar", "-d", db, "--feedback-weight", "3", "heart"});
  CHECK(bad_weight.code == 2);
  CHECK(bad_weight.err.find("feedback_weight must be between 0 and 1, not 3") != std::string::npos);
  Run bad_learn = askalike({"learn", "-d", db, "--per-word", "0"});
  CHECK(bad_learn.code == 2);
  CHECK(bad_learn.err.find("per-word must be between 1 and 64, not 0") != std::string::npos);
  CHECK(askalike({"learn", "-d", dir / "none"}).code == 1);
  CHECK(askalike({"learn", "--help"}).out.find("--per-word") != std::string::npos);

  // A rebuild keeps what was learned: the same records, the same analyzer.
  REQUIRE(askalike({"reindex", "-d", db, "--answer-weight", "0.2", dir / "rebuilt"}).code == 0);
  CHECK(askalike({"stats", "-d", dir / "rebuilt", "--word", "heart"}).out == word.out);
  CHECK(askalike({"stats", "-d", dir / "rebuilt"}).out.find("learned from 8 records") != std::string::npos);
  CHECK(askalike({"similar", "-d", dir / "rebuilt", "--associations", "5", "heart attack"}).out.find("[mi-recovery]") !=
        std::string::npos);
}
