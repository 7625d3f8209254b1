// libFuzzer target: `askalike serve --write-token-file`'s reading of the token
// (write_token_from_line, tools/serve/service.hpp). The input is the file's
// bytes; as serve does, its first line is the token's line. Any file gives a
// token a client can send in a header (16+ visible ASCII bytes) or a message
// naming the file, never a crash.
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "service.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file(reinterpret_cast<const char*>(data), size);
  const std::string line = file.substr(0, file.find('\n'));  // what std::getline gives
  std::string problem;
  const std::string token = askalike::serve::write_token_from_line(line, "in token-file", problem);
  if (problem.empty()) {
    fuzz::fuzz_check(token.size() >= 16, "a token of fewer than 16 characters was accepted");
    for (char c : token)
      fuzz::fuzz_check(c >= 0x21 && c <= 0x7E, "a token holds a byte a client cannot send in a header");
    fuzz::fuzz_check(line.find(token) != std::string::npos, "the token is not a part of its line");
  } else {
    fuzz::fuzz_check(token.empty(), "a refused token was returned");
    fuzz::fuzz_check(problem.find("in token-file") != std::string::npos, "the message does not name the file");
    fuzz::fuzz_check(fuzz::valid_utf8(problem), "the message is not valid UTF-8");
  }
  return 0;
}
