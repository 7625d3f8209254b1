// askalike._askalike: askalike::Error as Python exceptions. The classes live
// in askalike/_errors.py, one per ErrorCode.
#include <exception>
#include <string>

#include "convert.hpp"

namespace askalike_py {
namespace {

using askalike::ErrorCode;

const char* error_class_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "InvalidArgumentError";
    case ErrorCode::kParse: return "ParseError";
    case ErrorCode::kNotFound: return "NotFoundError";
    case ErrorCode::kDatabaseLocked: return "DatabaseLockedError";
    case ErrorCode::kIncompatibleVersion: return "IncompatibleVersionError";
    case ErrorCode::kCorrupt: return "CorruptDatabaseError";
    case ErrorCode::kIO: return "FileError";
    case ErrorCode::kInternal: return "InternalError";
    case ErrorCode::kUnavailable: return "UnavailableError";
    case ErrorCode::kTimeout: return "TimeoutError";
  }
  return "Error";
}

// Sets the Python error for `e` (called by pybind11 with the GIL held).
void set_python_error(const askalike::Error& e) {
  py::object errors = py::module_::import("askalike._errors");
  py::object cls = errors.attr(error_class_name(e.code()));
  py::object exc;
  if (const auto* pe = dynamic_cast<const askalike::ParseError*>(&e)) {
    exc = cls(to_str(e.what()), py::arg("source") = to_str(pe->source()),
              py::arg("line") = pe->line(), py::arg("reason") = to_str(pe->reason()));
  } else {
    exc = cls(to_str(e.what()));
  }
  PyErr_SetObject(cls.ptr(), exc.ptr());
}

}  // namespace

[[noreturn]] void throw_closed(const char* what) {
  throw askalike::Error(ErrorCode::kInvalidArgument, std::string("operation on a closed ") + what);
}

void bind_errors(py::module_&) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const askalike::Error& e) {
      set_python_error(e);
    }
  });
}

}  // namespace askalike_py
