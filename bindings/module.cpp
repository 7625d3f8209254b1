// askalike._askalike: the compiled half of the Python package `askalike`.
//
// The public names are re-exported by askalike/__init__.py; this module is
// private. Conventions:
//   - every call that runs the library for a while releases the GIL, so other
//     Python threads run meanwhile (and similar_batch uses real threads);
//   - askalike::Error becomes the askalike.Error subclass for its code (the
//     classes live in askalike/_errors.py);
//   - records go in as dicts (or Record) and come out as dicts;
//   - text coming out of the library is decoded as UTF-8 with replacement, so
//     a library bug can never turn into a UnicodeDecodeError in the caller.
//
// One file per concept, wired together here: convert.* (argument types and
// value conversions), errors.cpp, records.cpp (records, analysis, options),
// index.cpp (the writer), searcher.cpp (searches and results), embedding.cpp
// (sentence embeddings).
#include <string>

#include "convert.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_askalike, m) {
  m.doc() = "The compiled core of askalike (private: import askalike instead).";
  // The classes are public as askalike.X: register them under that name (it
  // is what help(), signatures, reprs and pickle show); restored at the end.
  py::object own_name = m.attr("__name__");
  m.attr("__name__") = "askalike";

  askalike_py::bind_errors(m);
  m.def("version", [] { return std::string(askalike::version()); },
        "The version of the askalike C++ library this module was built with.");
  askalike_py::bind_records(m);
  askalike_py::bind_index(m);
  askalike_py::bind_searcher(m);
  askalike_py::bind_embedding(m);

  m.attr("__name__") = own_name;
}
