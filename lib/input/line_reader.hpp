// askalike (private): reading a line with a bound on its length, so that a
// file with one enormous line (or no line breaks at all) is reported instead
// of being read whole into memory. Used by the JSON Lines and CSV readers.
#ifndef ASKALIKE_LIB_LINE_READER_HPP_
#define ASKALIKE_LIB_LINE_READER_HPP_

#include <cstddef>
#include <istream>
#include <string>

namespace askalike::detail {

struct BoundedLine {
  std::size_t length = 0;  // bytes of the whole line, without the line break
  bool too_long = false;   // longer than the bound: `line` holds its start only
};

// Reads the next line of `in` (up to '\n', which is consumed and not kept;
// with `cr_ends_line` also up to a lone '\r' or a "\r\n", for files from old
// Macs) into `line`, keeping at most `max_bytes` bytes of it; the rest of a
// longer line is read and dropped. Returns false at the end of the input
// when no byte was left. Errors of the stream's buffer propagate as
// exceptions.
inline bool read_bounded_line(std::istream& in, std::string& line, std::size_t max_bytes, BoundedLine& info,
                              bool cr_ends_line = false) {
  line.clear();
  info = BoundedLine();
  std::streambuf* buf = in.rdbuf();
  if (!buf) return false;
  using traits = std::char_traits<char>;
  bool any = false;
  for (;;) {
    traits::int_type c = buf->sbumpc();
    if (traits::eq_int_type(c, traits::eof())) {
      in.setstate(std::ios::eofbit);
      return any;
    }
    any = true;
    char ch = traits::to_char_type(c);
    if (ch == '\n') return true;
    if (ch == '\r' && cr_ends_line) {
      if (traits::eq_int_type(buf->sgetc(), traits::to_int_type('\n'))) buf->sbumpc();
      return true;
    }
    ++info.length;
    if (line.size() < max_bytes)
      line += ch;
    else
      info.too_long = true;
  }
}

}  // namespace askalike::detail

#endif  // ASKALIKE_LIB_LINE_READER_HPP_
