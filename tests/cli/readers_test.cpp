// The file readers (readers.hpp): CSV/TSV quoting and column mapping, Q&A
// pages, encodings and bad input.
#include <askalike/askalike.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "cli_util.hpp"

using askalike::InputFormat;
using askalike::ReadOptions;
using askalike::Record;

namespace {

// Every record of `text` read as `name` with `options`.
std::vector<Record> read_all(const std::string& text, const std::string& name, ReadOptions options = {},
                             std::vector<askalike::BadLine>* bad = nullptr) {
  std::istringstream in(text);
  auto source = askalike::open_records(in, name, options);
  std::vector<Record> out;
  Record r;
  while (source->next(r)) out.push_back(r);
  if (bad) *bad = source->bad_lines();
  return out;
}

}  // namespace

TEST_CASE("parse_input_format knows the format names") {
  CHECK(askalike::parse_input_format("jsonl") == InputFormat::kJsonl);
  CHECK(askalike::parse_input_format("CSV") == InputFormat::kCsv);
  CHECK(askalike::parse_input_format("tsv") == InputFormat::kTsv);
  CHECK(askalike::parse_input_format("page") == InputFormat::kPage);
  CHECK(askalike::parse_input_format("lines") == InputFormat::kLines);
  CHECK(askalike::parse_input_format("auto") == InputFormat::kAuto);
  CHECK_THROWS_AS(askalike::parse_input_format("xml"), askalike::Error);
}

TEST_CASE("CSV quoting: commas, doubled quotes and line breaks inside quoted fields") {
  std::string csv =
      "id,title,question,answer\r\n"
      "q1,\"Pain, left side\",\"He said \"\"ouch\"\"\",\"line one\nline two\"\r\n"
      "q2,Plain,a stray \" quote,ok\r\n";
  auto records = read_all(csv, "x.csv");
  REQUIRE(records.size() == 2);
  CHECK(records[0].id == "q1");
  CHECK(records[0].title == "Pain, left side");
  CHECK(records[0].question == "He said \"ouch\"");
  CHECK(records[0].answer == "line one\nline two");
  // Lenient like spreadsheets: a quote inside an unquoted field is a character.
  CHECK(records[1].question == "a stray \" quote");
}

TEST_CASE("CSV columns: names, aliases, field map, tags, dates and extra columns") {
  std::string csv =
      "ID,Subject,body,department,tags,date,source\n"
      "7,Knee pain,My knee hurts,Orthopedics,knee; running|sport,2007/8/27,forum\n";
  SUBCASE("by name and alias") {
    auto records = read_all(csv, "x.csv");
    REQUIRE(records.size() == 1);
    const Record& r = records[0];
    CHECK(r.id == "7");
    CHECK(r.title == "Knee pain");       // subject -> title
    CHECK(r.question == "My knee hurts");  // body -> question
    CHECK(r.category == "Orthopedics");  // department -> category
    CHECK(r.tags == std::vector<std::string>{"knee", "running", "sport"});
    CHECK(r.date == "2007-08-27");
    REQUIRE(r.extra.count("source") == 1);
    CHECK(r.extra.at("source") == "\"forum\"");  // a JSON string
  }
  SUBCASE("the field map wins over names and aliases") {
    ReadOptions o;
    o.field_map["title"] = "source";
    auto records = read_all(csv, "x.csv", o);
    REQUIRE(records.size() == 1);
    CHECK(records[0].title == "forum");
    CHECK(records[0].extra.at("Subject") == "\"Knee pain\"");
  }
  SUBCASE("a column named like a field but not used for it keeps another name") {
    ReadOptions o;
    o.field_map["category"] = "source";
    auto records = read_all("id,category,source,,source\n1,old,new,blank name,again\n", "x.csv", o);
    REQUIRE(records.size() == 1);
    CHECK(records[0].category == "new");
    CHECK(records[0].extra.at("category_2") == "\"old\"");
    CHECK(records[0].extra.at("column4") == "\"blank name\"");
    CHECK(records[0].extra.at("source") == "\"again\"");  // the first "source" is the category
    // So the JSON form keeps the category.
    CHECK(Record::from_json(records[0].to_json()).category == "new");
  }
  SUBCASE("a mapped column that does not exist is an error naming the columns") {
    ReadOptions o;
    o.field_map["title"] = "headline";
    CHECK_THROWS_WITH_AS(read_all(csv, "x.csv", o), doctest::Contains("no column \"headline\""), askalike::Error);
  }
  SUBCASE("a field map key that is not a field is an error") {
    ReadOptions o;
    o.field_map["titel"] = "Subject";
    CHECK_THROWS_AS(read_all(csv, "x.csv", o), askalike::Error);
  }
}

TEST_CASE("sources tell where the last record came from") {
  std::istringstream in("id,title\n1,\"two\nlines\"\n\n2,x\n");
  auto source = askalike::open_records(in, "w.csv");
  Record r;
  REQUIRE(source->next(r));
  CHECK(source->source_name() == "w.csv");
  CHECK(source->line() == 2);
  REQUIRE(source->next(r));
  CHECK(source->line() == 5);
  std::istringstream page("T\nQ\n");
  ReadOptions o;
  o.format = InputFormat::kPage;
  auto p = askalike::open_records(page, "p.txt", o);
  REQUIRE(p->next(r));
  CHECK(p->source_name() == "p.txt");
  CHECK(p->line() == 1);
}

TEST_CASE("CSV without an id column: ids are the file stem and the data row") {
  auto records = read_all("title,question\nA,first\nB,second\n", "dir/dump.csv");
  REQUIRE(records.size() == 2);
  CHECK(records[0].id == "dump-1");
  CHECK(records[1].id == "dump-2");
}

TEST_CASE("CSV bad rows name the line the row starts on") {
  // Line 2 holds a field that runs over lines 2-3; the bad row is line 4.
  std::string csv = "id,title\n1,\"two\nlines\"\n2,too,many\n3,fine\n";
  SUBCASE("fail") {
    std::istringstream in(csv);
    auto source = askalike::open_records(in, "bad.csv");
    Record r;
    REQUIRE(source->next(r));
    CHECK(r.title == "two\nlines");
    try {
      source->next(r);
      FAIL("expected a ParseError");
    } catch (const askalike::ParseError& e) {
      CHECK(e.source() == "bad.csv");
      CHECK(e.line() == 4);
      CHECK(e.reason().find("expected 2 fields") != std::string::npos);
    }
  }
  SUBCASE("skip") {
    ReadOptions o;
    o.skip_bad_lines = true;
    std::vector<askalike::BadLine> bad;
    auto records = read_all(csv, "bad.csv", o, &bad);
    REQUIRE(records.size() == 2);
    CHECK(records[1].id == "3");
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].line == 4);
  }
  SUBCASE("an unclosed quote") {
    std::istringstream in("id,title\n1,ok\n2,\"never closed\n3,x\n");
    auto source = askalike::open_records(in, "open.csv");
    Record r;
    REQUIRE(source->next(r));
    try {
      source->next(r);
      FAIL("expected a ParseError");
    } catch (const askalike::ParseError& e) {
      CHECK(e.line() == 3);
      CHECK(e.reason().find("not closed") != std::string::npos);
    }
  }
  SUBCASE("an empty id") {
    ReadOptions o;
    o.skip_bad_lines = true;
    std::vector<askalike::BadLine> bad;
    auto records = read_all("id,title\n,x\n2,y\n", "e.csv", o, &bad);
    CHECK(records.size() == 1);
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].line == 2);
  }
}

TEST_CASE("TSV: no quoting, but wholly quoted fields are unquoted") {
  auto records = read_all(
      "id\ttitle\tquestion\n"
      "a\t\"Hello\" he said\tfirst\n"
      "b\t\"quoted, \"\"with\"\" quotes\"\tsecond\n"
      "c\t\"unbalanced\tthird\n",
      "q.tsv");
  REQUIRE(records.size() == 3);
  CHECK(records[0].title == "\"Hello\" he said");  // a quote at the start does not open a field
  CHECK(records[1].title == "quoted, \"with\" quotes");
  CHECK(records[2].title == "\"unbalanced");
  CHECK(records[2].question == "third");
}

TEST_CASE("TSV with a header row") {
  auto records = read_all("id\ttitle\tquestion\tcategory\na\tTitle A\tQ, with comma\t\nb\tTitle B\tQ \"quoted\"\tX\n",
                          "x.tsv");
  REQUIRE(records.size() == 2);
  CHECK(records[0].question == "Q, with comma");
  CHECK(records[0].category.empty());
  CHECK(records[1].question == "Q \"quoted\"");
  CHECK(records[1].category == "X");
}

TEST_CASE("the seed Q&A page") {
  ReadOptions o;
  auto source = askalike::open_records(clitest::fixture("seed-page.txt"), o);
  Record r;
  REQUIRE(source->next(r));
  CHECK(r.id == "seed-page");
  CHECK(r.title == "I'm sorry, but I need more information or content");
  CHECK(r.question.rfind("Recently, I have experienced slight twitching", 0) == 0);
  CHECK(r.question.find("sign of a stroke.") != std::string::npos);
  CHECK(r.question.find("Ask Date") == std::string::npos);
  CHECK(r.category == "Neurology");
  CHECK(r.date == "2007-08-27");
  // The answer is the doctor's reply and the More Info text.
  CHECK(r.answer.rfind("Hello: It is likely not related to a stroke", 0) == 0);
  CHECK(r.answer.find("myoclonus") != std::string::npos);
  CHECK(r.answer.find("Reply Date") == std::string::npos);
  CHECK(r.answer.find("Similar Q&A") == std::string::npos);
  CHECK(r.extra.at("doctor") == "\"Dr. Ye Boshou\"");
  CHECK(r.extra.at("asker") == "\"Lai, 40~49 year old female\"");
  CHECK(r.extra.at("reply_date") == "\"2007-08-27\"");

  auto similar = nlohmann::json::parse(r.extra.at("similar_qa"));
  REQUIRE(similar.is_array());
  REQUIRE(similar.size() == 4);
  CHECK(similar[0]["title"] == "Understanding Facial Twitches Before Sleep: Causes and Solutions");
  CHECK(similar[0]["doctor"] == "Dr. Jiang Junyi");
  CHECK(similar[0]["category"] == "Neurology");
  CHECK(similar[0]["question"].get<std::string>().rfind("Hello Doctor, I experience twitching", 0) == 0);
  CHECK(similar[0]["answer"].get<std::string>().find("[Read More]") == std::string::npos);
  CHECK(similar[2]["doctor"] == "Dr. Lan Shengxing");

  auto related = nlohmann::json::parse(r.extra.at("related_faq"));
  REQUIRE(related.size() == 9);  // the heading "(Neurology)" is not a topic
  CHECK(related[0]["topic"] == "Eyelid Muscle Twitching");
  CHECK(related[0]["category"] == "Neurology");
  CHECK(related[8]["topic"] == "Tremor");
  CHECK_FALSE(source->next(r));
}

TEST_CASE("pages: the minimal page, a directory of pages and bad pages") {
  ReadOptions page;
  page.format = InputFormat::kPage;
  SUBCASE("title and question only (named: without a page's marks a .txt file is a list of lines)") {
    auto records = read_all("A title\nThe question\non two lines\n", "p.txt", page);
    REQUIRE(records.size() == 1);
    CHECK(records[0].id == "p");
    CHECK(records[0].question == "The question\non two lines");
    CHECK(records[0].answer.empty());
  }
  SUBCASE("no asker line: the question runs to the reply line") {
    auto records = read_all("T\nWhy?\nDr. Who reply Cardiology\nBecause.\n", "p.txt");
    REQUIRE(records.size() == 1);
    CHECK(records[0].question == "Why?");
    CHECK(records[0].category == "Cardiology");
    CHECK(records[0].answer == "Because.");
  }
  SUBCASE("no reply line: the reply follows the asker line; CR LF line ends") {
    auto records = read_all("T\r\nWhy?\r\nAnn. Ask Date: 2020/1/2\r\nBecause.\r\nReply Date: 2020/01/03\r\n", "p.txt");
    REQUIRE(records.size() == 1);
    CHECK(records[0].question == "Why?");
    CHECK(records[0].date == "2020-01-02");
    CHECK(records[0].answer == "Because.");
    CHECK(records[0].extra.at("asker") == "\"Ann\"");
    CHECK(records[0].extra.at("reply_date") == "\"2020-01-03\"");
    CHECK(records[0].category.empty());
  }
  SUBCASE("an empty page is a bad record") {
    CHECK_THROWS_AS(read_all("\n\n", "empty.txt", page), askalike::ParseError);
    CHECK_THROWS_AS(read_all("Only a title\n", "t.txt", page), askalike::ParseError);
  }
  SUBCASE("a directory") {
    clitest::TempDir dir;
    clitest::write_file(dir / "b.txt", "Second\nQuestion two\n");
    clitest::write_file(dir / "a.txt", "First\nQuestion one\n");
    clitest::write_file(dir / "bad.txt", "");
    clitest::write_file(dir / "notes.md", "not a page");
    ReadOptions o;
    o.skip_bad_lines = true;
    auto source = askalike::open_records(dir.path(), o);
    Record r;
    std::vector<std::string> ids;
    while (source->next(r)) ids.push_back(r.id);
    CHECK(ids == std::vector<std::string>{"a", "b"});
    REQUIRE(source->bad_lines().size() == 1);
    CHECK(source->bad_lines()[0].source.find("bad.txt") != std::string::npos);
  }
}

TEST_CASE("lines: one question per line, ids from the text, blank lines skipped") {
  const std::string text = "How do I reset my password?\n\n  Why was my card   rejected?\r\nCan I pay by cheque\n";
  ReadOptions lines;
  lines.format = InputFormat::kLines;
  auto records = read_all(text, "faq.list", lines);
  REQUIRE(records.size() == 3);
  CHECK(records[0].question == "How do I reset my password?");
  CHECK(records[0].title.empty());
  CHECK(records[1].question == "Why was my card   rejected?");
  CHECK(records[2].question == "Can I pay by cheque");
  // The id is a hash of the text: the same in another file or on another
  // line, the same with other spacing, another for other words.
  CHECK(records[0].id.size() == 18);
  CHECK(records[0].id.rfind("q-", 0) == 0);
  auto again = read_all("\nCan I pay by cheque\nWhy was my card rejected?\nHow do I reset my password?", "other.txt");
  REQUIRE(again.size() == 3);
  CHECK(again[0].id == records[2].id);
  CHECK(again[1].id == records[1].id);
  CHECK(again[2].id == records[0].id);
  CHECK(records[0].id != records[1].id);
  // Fixed by the hash's definition (FNV-1a 64 of "a"): ids survive upgrades.
  CHECK(read_all("a\n", "x.txt")[0].id == "q-af63dc4c8601ec8c");
}

TEST_CASE("lines: a .txt file is a page only when it has a page's marks") {
  SUBCASE("a list of questions") {
    auto records = read_all("Knee pain after running\nWhy do I reply late to emails\nHow do I reply to an email\n", "q.txt");
    CHECK(records.size() == 3);
  }
  SUBCASE("a page: an asker line, a doctor's reply line or a heading") {
    for (const char* text : {"T\nWhy?\nAnn. Ask Date: 2020/1/2\nBecause.\n", "T\nWhy?\nDr. Who reply Cardiology\nBecause.\n",
                             "T\nWhy?\nMore Info\nBecause.\n"}) {
      CAPTURE(text);
      auto records = read_all(text, "p.txt");
      REQUIRE(records.size() == 1);
      CHECK(records[0].title == "T");
    }
  }
  SUBCASE("the page seed file, from its path") {
    auto source = askalike::open_records(clitest::fixture("seed-page.txt"));
    Record r;
    REQUIRE(source->next(r));
    CHECK(r.id == "seed-page");
    CHECK_FALSE(source->next(r));
  }
  SUBCASE("a question list from its path, the detection reading past its start") {
    clitest::TempDir dir;
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "Question number " + std::to_string(i) + " about my knee?\n";
    clitest::write_file(dir / "many.txt", text);
    auto source = askalike::open_records(dir / "many.txt");
    Record r;
    std::size_t n = 0;
    std::string last;
    while (source->next(r)) ++n, last = r.question;
    CHECK(n == 5000);
    CHECK(last == "Question number 4999 about my knee?");
    CHECK(source->line() == 5000);
  }
}

TEST_CASE("lines: a line over the record limit is a bad record at its line") {
  ReadOptions o;
  o.format = InputFormat::kLines;
  o.limits.max_record_bytes = 20;
  const std::string text = "short one\n" + std::string(30, 'x') + "\nshort two\n";
  try {
    read_all(text, "q.txt", o);
    FAIL("no error");
  } catch (const askalike::ParseError& e) {
    CHECK(std::string(e.what()).find("q.txt:2:") != std::string::npos);
    CHECK(std::string(e.what()).find("max_record_bytes") != std::string::npos);
  }
  o.skip_bad_lines = true;
  std::vector<askalike::BadLine> bad;
  auto records = read_all(text, "q.txt", o, &bad);
  CHECK(records.size() == 2);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].line == 2);
}

TEST_CASE("JSON Lines whose first line is not JSON: the error names the other formats") {
  try {
    read_all("How do I reset my password?\n", "<stdin>");
    FAIL("no error");
  } catch (const askalike::ParseError& e) {
    std::string m = e.what();
    CHECK(m.find("<stdin>:1: invalid JSON") != std::string::npos);
    CHECK(m.find("--format") != std::string::npos);
    CHECK(m.find("lines (one question per line), csv, tsv or page") != std::string::npos);
  }
  // A broken object is JSON gone wrong, not another format: no hint.
  try {
    read_all("{\"id\": \n", "<stdin>");
    FAIL("no error");
  } catch (const askalike::ParseError& e) {
    CHECK(std::string(e.what()).find("--format") == std::string::npos);
  }
}

TEST_CASE("encodings are converted to UTF-8") {
  const std::string csv_utf8 = "department,title,ask,answer\n心血管科,高血压患者能吃党参吗？,我有高血压,可以\n";
  auto check = [](const std::vector<Record>& records) {
    REQUIRE(records.size() == 1);
    CHECK(records[0].category == "心血管科");
    CHECK(records[0].title == "高血压患者能吃党参吗？");
    CHECK(records[0].question == "我有高血压");
  };
  SUBCASE("GB18030 named") {
    ReadOptions o;
    o.encoding = "GB18030";
    check(read_all(clitest::encode(csv_utf8, "GB18030"), "zh.csv", o));
  }
  SUBCASE("GB18030 detected") {
    // The detector needs some text to go on.
    std::string more = csv_utf8;
    for (int i = 0; i < 20; ++i) more += "心血管科,高血压能吃丹参吗？,各位专家你们好，我患高血压，听他们说有一些东西不能够吃,需要忌口\n";
    auto records = read_all(clitest::encode(more, "GB18030"), "zh.csv");
    REQUIRE(records.size() == 21);
    CHECK(records[0].title == "高血压患者能吃党参吗？");
  }
  SUBCASE("UTF-16LE and UTF-16BE with a byte-order mark") {
    std::string jsonl = "{\"id\":\"j1\",\"title\":\"頭痛がひどい\",\"question\":\"café\"}\n";
    for (const char* enc : {"UTF-16LE", "UTF-16BE"}) {
      std::string bom = std::string(enc) == "UTF-16LE" ? "\xFF\xFE" : "\xFE\xFF";
      auto records = read_all(bom + clitest::encode(jsonl, enc), "j.jsonl");
      REQUIRE(records.size() == 1);
      CHECK(records[0].title == "頭痛がひどい");
      CHECK(records[0].question == "café");
    }
  }
  SUBCASE("Shift_JIS named, with bytes that look like ASCII delimiters") {
    // 表 is 0x95 0x5C in Shift_JIS, and ソ is 0x83 0x5C: the second byte is '\'.
    std::string csv = "id,title\ns1,表ソ|テスト\n";
    ReadOptions o;
    o.encoding = "Shift_JIS";
    auto records = read_all(clitest::encode(csv, "Shift_JIS"), "s.csv", o);
    REQUIRE(records.size() == 1);
    CHECK(records[0].title == "表ソ|テスト");
  }
  SUBCASE("Big5 and EUC-KR named") {
    ReadOptions o;
    o.encoding = "Big5";
    auto zh = read_all(clitest::encode("id,title\nb1,醫生說高血壓\n", "Big5"), "b.csv", o);
    REQUIRE(zh.size() == 1);
    CHECK(zh[0].title == "醫生說高血壓");
    o.encoding = "EUC-KR";
    auto ko = read_all(clitest::encode("id,title\nk1,두통이 심해요\n", "EUC-KR"), "k.csv", o);
    REQUIRE(ko.size() == 1);
    CHECK(ko[0].title == "두통이 심해요");
  }
  SUBCASE("windows-1252 named") {
    ReadOptions o;
    o.encoding = "windows-1252";
    auto records = read_all("id,title\nw1,Caf\xE9 \x80\n", "w.csv", o);
    REQUIRE(records.size() == 1);
    CHECK(records[0].title == "Café €");
  }
  SUBCASE("legacy text after a long ASCII start is still converted") {
    // More ASCII than the detector's sample, then windows-1252 or GB18030.
    std::string ascii = "id,title\n";
    for (int i = 0; ascii.size() < 100000; ++i) ascii += "a" + std::to_string(i) + ",plain ascii title\n";
    auto latin = read_all(ascii + "last,Caf\xE9 cr\xE8me br\xFBl\xE9" "e \xE0 la fran\xE7" "aise\n", "l.csv");
    REQUIRE_FALSE(latin.empty());
    CHECK(latin.back().title == "Café crème brûlée à la française");
    std::string zh;
    for (int i = 0; i < 30; ++i) zh += "zh" + std::to_string(i) + ",高血压患者能吃党参吗？我有高血压这两天女婿来的时候给我拿了些党参泡水喝\n";
    auto gb = read_all(ascii + clitest::encode(zh, "GB18030"), "g.csv");
    REQUIRE(gb.size() > 30);
    CHECK(gb.back().title == "高血压患者能吃党参吗？我有高血压这两天女婿来的时候给我拿了些党参泡水喝");
    CHECK(gb.front().title == "plain ascii title");
  }
  SUBCASE("UTF-8 split across read chunks stays intact") {
    std::string text = "id,title\n";
    for (int i = 0; text.size() < 300000; ++i) text += "u" + std::to_string(i) + ",頭痛と発熱 ü é 🙂\n";
    auto records = read_all(text, "u.csv");
    REQUIRE(records.size() > 1000);
    for (const auto& r : records) {
      if (r.title != "頭痛と発熱 ü é 🙂") {
        FAIL_CHECK("bad title " << r.title << " in " << r.id);
        break;
      }
    }
  }
  SUBCASE("a UTF-8 byte-order mark does not reach the first column name") {
    auto records = read_all("\xEF\xBB\xBFid,title\nu1,x\n", "u.csv");
    REQUIRE(records.size() == 1);
    CHECK(records[0].id == "u1");
  }
  SUBCASE("an unknown encoding is an invalid argument") {
    ReadOptions o;
    o.encoding = "no-such-encoding";
    try {
      read_all("id\n1\n", "x.csv", o);
      FAIL("expected an Error");
    } catch (const askalike::Error& e) {
      CHECK(e.code() == askalike::ErrorCode::kInvalidArgument);
    }
  }
}

TEST_CASE("open_records on paths") {
  clitest::TempDir dir;
  CHECK_THROWS_AS(askalike::open_records(dir / "missing.jsonl"), askalike::Error);
  clitest::write_file(dir / "x.dat", "{}\n");
  CHECK_THROWS_WITH_AS(askalike::open_records(dir / "x.dat"), doctest::Contains("cannot tell the format"),
                       askalike::Error);
  // The message says how to name it.
  CHECK_THROWS_WITH_AS(askalike::open_records(dir / "x.dat"), doctest::Contains("--format"), askalike::Error);
  ReadOptions o;
  o.format = InputFormat::kJsonl;
  clitest::write_file(dir / "x.dat", "{\"id\":\"1\",\"title\":\"t\"}\n");
  auto source = askalike::open_records(dir / "x.dat", o);
  Record r;
  CHECK(source->next(r));
  CHECK(r.id == "1");
}

TEST_CASE("the Toyhom GB18030 CSV of the shared data sets, when present") {
  // The development data sets live next to the repository (../shared/data);
  // they are not part of it, so this test passes with a note without them.
  const std::string path = std::string(ASKALIKE_SOURCE_DIR) + "/../shared/data/cmd-zh/raw/toyhom-IM-sample.gb18030.csv";
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped: " << path << " is not there (the shared development data sets are not checked out)");
    return;
  }
  auto source = askalike::open_records(path);  // encoding detected, columns by alias
  Record r;
  std::size_t n = 0;
  std::map<std::string, std::size_t> categories;
  while (source->next(r)) {
    ++n;
    if (n == 1) {
      CHECK(r.id == "toyhom-IM-sample.gb18030-1");
      CHECK(r.category == "心血管科");  // department
      CHECK(r.title == "高血压患者能吃党参吗？");
      CHECK(r.question.rfind("我有高血压", 0) == 0);  // ask
      CHECK(r.answer.rfind("高血压病人可以口服党参的", 0) == 0);
    }
    ++categories[r.category];
  }
  // The counts of the data set's SOURCE.md.
  CHECK(n == 7644);
  CHECK(categories["肝病科"] == 3121);
  CHECK(categories["风湿免疫科"] == 18);
}
