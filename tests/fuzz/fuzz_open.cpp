// libFuzzer target: opening a database through a Xapian stub file, the path
// by which a database handed to askalike chooses what is opened. The safe
// opener (lib/storage/database_open.cpp) reads every stub line itself; any input
// gives a database or an askalike::Error, and no line starts a program.
//
// Inputs with a `remote HOST:PORT` line are passed over: they would make the
// fuzzer connect to whatever host it wrote. `remote :PROGRAM` lines, the ones
// that must be refused, are kept.
#include <fstream>
#include <sstream>

#include "fuzz_db.hpp"
#include "fuzz_util.hpp"

namespace {

bool names_a_host(const std::string& stub) {
  std::istringstream lines(stub);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t at = line.find_first_not_of(" \t\r");
    if (at == std::string::npos || line.compare(at, 6, "remote") != 0) continue;
    std::size_t rest = line.find_first_not_of(" \t\r", at + 6);
    if (rest == std::string::npos || line[rest] != ':') return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::FuzzDatabase& database = fuzz::shared_database();  // a real shard: "db" beside the stub
  const std::string stub(reinterpret_cast<const char*>(data), size);
  if (names_a_host(stub)) return 0;
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
