// libFuzzer target: opening a database through a Xapian stub file, the path
// by which a database handed to askalike chooses what is opened.
//
// TODO(lead, at merge): the hostile-input branch adds the check that refuses
// stub lines which start a program (issue 14, item 1). Call that check here
// on every input and drop the skip below, so that the fuzzer proves that no
// stub line can start a program. Until then, inputs that could name a
// program or a path outside the fuzz directory are skipped: today opening
// them would run that program.
#include <fstream>

#include "fuzz_db.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::FuzzDatabase database;  // a real shard: "db" beside the stub
  const std::string stub(reinterpret_cast<const char*>(data), size);
  if (stub.find("remote") != std::string::npos || stub.find('/') != std::string::npos ||
      stub.find("..") != std::string::npos || stub.find('\\') != std::string::npos)
    return 0;
  const std::string path = database.dir() + "/fuzz.stub";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << stub;
  }
  try {
    askalike::Searcher searcher(path);
    searcher.stats();
    searcher.similar("symptoms of high blood pressure");
  } catch (const askalike::Error&) {
  }
  return 0;
}
