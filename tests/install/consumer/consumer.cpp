// Indexes two records in the directory given, asks a question, prints the
// best hit's id and the version: what an installed askalike must do.
#include <askalike/askalike.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer DB_DIR\n";
    return 2;
  }
  try {
    {
      askalike::IndexWriter writer(argv[1]);
      askalike::Record a;
      a.id = "sleep";
      a.question = "Why does my face twitch while I sleep?";
      askalike::Record b;
      b.id = "knee";
      b.question = "My knee hurts when climbing stairs.";
      writer.upsert(a);
      writer.upsert(b);
      writer.commit();
    }
    askalike::Searcher searcher(argv[1]);
    auto results = searcher.similar("facial twitching during sleep");
    if (results.hits.empty()) return 1;
    std::cout << results.hits[0].id << " " << askalike::version() << "\n";
  } catch (const askalike::Error& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
