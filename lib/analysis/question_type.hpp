// Question types: what a question asks about its subject (its symptoms, its
// treatment, whether it is inherited, ...), detected by rules, stored with
// each record as one term, and used at query time as a fixed bonus for the
// records whose type agrees with the query's (issue 13). The bonus is a
// scaled term under the database's stock BM25Weight: remote shards served by
// xapian-tcpsrv rank it the same.
#ifndef ASKALIKE_LIB_QUESTION_TYPE_HPP_
#define ASKALIKE_LIB_QUESTION_TYPE_HPP_

#include <xapian.h>

#include <string>
#include <string_view>

#include "askalike/question_type.hpp"
#include "index/ranking.hpp"

namespace askalike {

// The type of a stored record: detected in its question with the record's
// title (the subject, e.g. "Hereditary hemochromatosis") taken out, so that
// the subject's own words do not pass for the type; the title alone when the
// record has no question.
std::string record_question_type(const std::string& title, const std::string& question);

// The term that marks records of `type` (prefix "XY").
std::string question_type_term(const std::string& type);

// Adds the type term to a record's document with the wdf of one word met
// once in a field of average length, which is what question_type_boost()
// assumes.
void add_question_type(Xapian::Document& doc, const std::string& type, const RankingSettings& settings);

// Gives the records of `type` a bonus of `weight` (in BM25F score units) in
// `query`: OP_AND_MAYBE, so the type alone matches nothing. Returns false,
// `query` unchanged, when the type is empty, the weight 0 or no record has
// the type (a database built without types). `db` gives the statistics,
// `leaf` makes the type term's query.
bool add_question_type_bonus(Xapian::Query& query, const std::string& type, double weight,
                             const Xapian::Database& db, const RankingQuery& ranking,
                             const TermLeaf& leaf = plain_leaf);

}  // namespace askalike

#endif  // ASKALIKE_LIB_QUESTION_TYPE_HPP_
