// Statistics and record iteration shared by the writer and the searcher.
#ifndef ASKALIKE_LIB_STATS_HPP_
#define ASKALIKE_LIB_STATS_HPP_

#include <xapian.h>

#include <functional>

#include "askalike/index.hpp"

namespace askalike {

IndexStats compute_stats(const Xapian::Database& db, const std::string& path, const AnalyzerOptions& analyzer);

// Calls `visit` for every record, in id order: decoded, or as stored.
// Every record's document, in id order (for what its values hold too).
void for_each_record_document(const Xapian::Database& db, const std::function<void(const Xapian::Document&)>& visit);
void for_each_record_data(const Xapian::Database& db, const std::function<void(const std::string&)>& visit);
void for_each_record(const Xapian::Database& db, const std::string& path,
                     const std::function<void(const Record&)>& visit);

}  // namespace askalike

#endif  // ASKALIKE_LIB_STATS_HPP_
