// askalike._askalike: conversions of Python values (convert.hpp).
#include "convert.hpp"

namespace askalike_py {

using askalike::ErrorCode;

// UTF-8 bytes -> str, replacing invalid sequences (never raises).
py::str to_str(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::list to_str_list(const std::vector<std::string>& v) {
  py::list out;
  for (const auto& s : v) out.append(to_str(s));
  return out;
}

py::dict facet_dict(const std::vector<askalike::FacetCount>& facets) {
  py::dict d;
  for (const auto& f : facets) d[to_str(f.value)] = f.count;
  return d;
}

// The str of a str, or of an os.PathLike (for paths); anything else: TypeError.
// [issue 24] A lone surrogate or a NUL (which would cut the path short) is
// InvalidArgumentError.
std::string path_arg(py::handle obj, const char* what) {
  py::object p = py::module_::import("os").attr("fspath")(obj);
  if (!py::isinstance<py::str>(p))
    throw py::type_error(std::string(what) + " must be a str or os.PathLike of str");
  std::string path;
  try {
    path = utf8_of(p);
  } catch (const askalike::Error& e) {
    throw askalike::Error(ErrorCode::kInvalidArgument, std::string(what) + ": " + e.what());
  }
  if (path.find('\0') != std::string::npos)
    throw askalike::Error(ErrorCode::kInvalidArgument,
                          std::string(what) + " " + std::string(py::str(py::repr(p))) + " holds a NUL character");
  return path;
}

// A str as UTF-8. A str that has no UTF-8 form (a lone surrogate such as
// '\udc80', from surrogateescape decoding) raises askalike's
// InvalidArgumentError, not pybind11's "incompatible function arguments".
std::string utf8_of(py::handle s) {
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(s.ptr(), &size);
  if (!utf8) {
    PyErr_Clear();
    Py_ssize_t at = 0, n = PyUnicode_GetLength(s.ptr());
    while (at < n && !Py_UNICODE_IS_SURROGATE(PyUnicode_ReadChar(s.ptr(), at))) ++at;
    throw askalike::Error(ErrorCode::kInvalidArgument,
                          "text with a lone surrogate (at index " + std::to_string(at) +
                              ") is not valid Unicode and cannot be used; decode the input with errors='replace'");
  }
  return std::string(utf8, static_cast<std::size_t>(size));
}

std::string str_arg(py::handle v, const std::string& name) {
  if (!py::isinstance<py::str>(v))
    throw py::type_error(name + " must be a str, not " +
                         std::string(py::str(py::type::handle_of(v).attr("__name__"))));
  return utf8_of(v);
}

// A str, or a datetime.date/datetime (its isoformat() date part).
std::string date_arg(py::handle v, const std::string& name) {
  if (py::isinstance<py::str>(v)) return utf8_of(v);
  if (py::hasattr(v, "isoformat") && py::hasattr(v, "year")) {
    std::string iso = py::str(v.attr("isoformat")()).cast<std::string>();
    return iso.substr(0, 10);
  }
  throw py::type_error(name + " must be a str ('YYYY-MM-DD') or a datetime.date");
}

// One str or an iterable of str -> list of strings.
std::vector<std::string> str_list_arg(py::handle v, const std::string& name) {
  std::vector<std::string> out;
  if (py::isinstance<py::str>(v)) {
    out.push_back(utf8_of(v));
    return out;
  }
  if (!py::isinstance<py::iterable>(v))
    throw py::type_error(name + " must be a str or an iterable of str");
  for (py::handle item : v) out.push_back(str_arg(item, name + " items"));
  return out;
}

// A non-negative int of at most `max`, checked by the library's
// checked_count (the same words as the C++ options and the command line).
std::size_t count_arg(py::handle v, const std::string& name, std::size_t max, std::size_t min) {
  if (py::isinstance<py::bool_>(v) || !py::isinstance<py::int_>(v))
    throw py::type_error(name + " must be an int");
  int overflow = 0;
  const long long value = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
  if (overflow)  // beyond 64 bits: out of range in the library's words, not "Unable to cast"
    throw askalike::Error(ErrorCode::kInvalidArgument, name + " must be between " + std::to_string(min) + " and " +
                                                           std::to_string(max) + ", not " + std::string(py::str(v)));
  return askalike::checked_count(name, value, min, max);
}

double number_arg(py::handle v, const std::string& name) {
  if (py::isinstance<py::bool_>(v) ||
      !(py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)))
    throw py::type_error(name + " must be a number");
  return v.cast<double>();
}

bool bool_arg(py::handle v, const std::string& name) {
  if (!py::isinstance<py::bool_>(v)) throw py::type_error(name + " must be a bool");
  return v.cast<bool>();
}

std::string short_repr(const std::string& text, std::size_t max_chars) {
  py::str s = to_str(text);
  if (py::len(s) > max_chars)
    s = py::str(s[py::slice(0, static_cast<Py_ssize_t>(max_chars) - 3, 1)]) + py::str("...");
  return py::repr(s);
}

std::string fmt(double x, int digits) {
  return py::str("{:.{}f}").format(x, digits).cast<std::string>();
}

}  // namespace askalike_py
