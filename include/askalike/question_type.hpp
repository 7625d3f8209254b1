// askalike: what a question asks about its subject.
//
//   askalike::question_type("Is cystic fibrosis genetic?")          // "inheritance"
//   askalike::question_type("what is the life expectancy with ALS")  // "outlook"
//   askalike::question_type("糖尿病怎么治疗")                          // "treatment"
//
// The types are MedQuAD's (its records' qtype tags): "information",
// "symptoms", "treatment", "causes", "outlook", "exams and tests",
// "inheritance", "genetic changes", "prevention", "frequency",
// "complications", "susceptibility", ... Detected by rules on English and
// Chinese wording; benchmarks/quality/ABLATIONS.md has the accuracy.
#ifndef ASKALIKE_QUESTION_TYPE_HPP_
#define ASKALIKE_QUESTION_TYPE_HPP_

#include <string>
#include <string_view>

#include "askalike/export.hpp"

namespace askalike {

// The type of question `text` asks, or "" when no rule recognises one.
// Thread-safe; any bytes are accepted (invalid UTF-8 simply matches less).
ASKALIKE_EXPORT std::string question_type(std::string_view text);

}  // namespace askalike

#endif  // ASKALIKE_QUESTION_TYPE_HPP_
