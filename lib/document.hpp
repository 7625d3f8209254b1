// Turning a Record into a Xapian document (the one place that does it).
#ifndef ASKALIKE_LIB_DOCUMENT_HPP_
#define ASKALIKE_LIB_DOCUMENT_HPP_

#include <xapian.h>

#include "askalike/analyzer.hpp"
#include "askalike/record.hpp"

namespace askalike {

// The unique term of a record id. Throws Error(kInvalidArgument) for an
// empty or over-long id.
std::string id_term(const std::string& id);

// A boolean filter term: prefix + value, cut to Xapian's term limit.
std::string filter_term(const char* prefix, const std::string& value);

Xapian::Document make_document(const Record& record, Analyzer& analyzer);

}  // namespace askalike

#endif  // ASKALIKE_LIB_DOCUMENT_HPP_
