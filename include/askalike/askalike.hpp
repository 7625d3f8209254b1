// askalike: find, in a collection of question-and-answer records, the
// questions most similar to a new one.
//
// Build an index once:
//
//   #include <askalike/askalike.hpp>
//
//   askalike::IndexWriter writer("qa.db");
//   askalike::Record r;
//   r.id = "q1";
//   r.title = "Facial twitching during sleep";
//   r.question = "My left cheek twitches from the eye to the mouth at night.";
//   r.answer = "Usually benign; tiredness and stress make it worse.";
//   r.category = "Neurology";
//   writer.upsert(r);
//   writer.commit();
//
// Then ask it, from as many threads as you like:
//
//   askalike::Searcher searcher("qa.db");
//   askalike::Results res = searcher.similar("why does my face twitch when I sleep?");
//   for (const askalike::Hit& hit : res.hits)
//     std::cout << hit.rank << ". " << hit.record.title << "  " << hit.question_snippet << "\n";
//   for (const askalike::RelatedTopic& t : res.related_topics)
//     std::cout << t.topic << " (" << t.category << ")\n";
//
// Errors: every function throws askalike::Error (see error.hpp); nothing
// else escapes. Thread safety is stated on each class.
#ifndef ASKALIKE_ASKALIKE_HPP_
#define ASKALIKE_ASKALIKE_HPP_

#include "askalike/analyzer.hpp"
#include "askalike/embedding.hpp"
#include "askalike/error.hpp"
#include "askalike/index.hpp"
#include "askalike/question_type.hpp"
#include "askalike/readers.hpp"
#include "askalike/record.hpp"
#include "askalike/search.hpp"
#include "askalike/validate.hpp"
#include "askalike/version.hpp"

#endif  // ASKALIKE_ASKALIKE_HPP_
