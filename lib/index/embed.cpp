// [issue 28] embed_database(): vectors added to the records of an existing
// database, in place, without reading its source files again.
#include <algorithm>
#include <string>
#include <vector>

#include "askalike/error.hpp"
#include "askalike/index.hpp"
#include "embedding/vectors.hpp"
#include "storage/database_open.hpp"
#include "storage/record_codec.hpp"
#include "storage/schema.hpp"
#include "storage/shards.hpp"

namespace askalike {

namespace {

// Records embedded at once (embed_batch spreads them over the cores) and
// between two commits (what an interruption can lose).
constexpr std::size_t kBatch = 64;
constexpr std::size_t kCommitEvery = 1024;

}  // namespace

EmbedReport embed_database(const std::string& path, const std::string& model_dir,
                           const std::function<void(std::size_t done, std::size_t total)>& progress) {
  return schema::guarded("embedding the records", path, [&] {
    if (model_dir.empty()) throw Error(ErrorCode::kInvalidArgument, "embed_database needs a model folder");
    bool sharded = false;
    const std::vector<std::string> paths = shards::collection_paths(path, std::nullopt, false, &sharded);
    std::vector<Xapian::WritableDatabase> dbs;
    for (const std::string& p : paths) dbs.push_back(detail::open_writable_database(p, Xapian::DB_OPEN));
    schema::IndexFeatures features = schema::read_features(dbs.front(), paths.front());
    const EmbeddingOptions defaults;
    std::shared_ptr<const EmbeddingModel> model;
    if (features.embedding) {
      // Built with a model already (or an earlier run was interrupted): it
      // must be the same one, and only the records without a vector are done.
      model = model_for_database(*features.embedding, model_dir, path);
    } else {
      model = shared_model(model_dir, defaults.max_tokens);
      features.embedding = embedding_info(*model, model_dir, defaults.max_tokens);
      features.embedding->precision = IndexOptions().vector_precision;
    }
    const std::size_t dimension = features.embedding->identity.dimension;
    EmbedReport report;
    std::size_t total = 0;
    for (const auto& db : dbs) total += db.get_doccount();
    std::size_t done = 0;
    for (std::size_t s = 0; s < dbs.size(); ++s) {
      Xapian::WritableDatabase& db = dbs[s];
      // The setting first: a search meanwhile re-ranks the records done so
      // far and counts a cosine of 0 for the others.
      schema::write_features(db, features);
      RecordDecoder decoder(db, paths[s]);
      std::vector<Xapian::docid> ids;
      for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) ids.push_back(*p);
      std::size_t since_commit = 0;
      for (std::size_t i = 0; i < ids.size(); i += kBatch) {
        std::vector<Xapian::Document> docs;
        std::vector<std::string> texts;
        const std::size_t end = std::min(ids.size(), i + kBatch);
        for (std::size_t j = i; j < end; ++j) {
          Xapian::Document doc = db.get_document(ids[j]);
          std::vector<float> stored;
          if (decode_vector(doc.get_value(schema::kEmbeddingSlot), dimension, stored)) {
            ++report.kept;
            continue;
          }
          texts.push_back(embedding_text(schema::record_of(decoder.json(doc.get_data()))));
          docs.push_back(std::move(doc));
        }
        const std::vector<std::vector<float>> vectors = model->embed_batch(texts);
        for (std::size_t j = 0; j < docs.size(); ++j) {
          docs[j].add_value(schema::kEmbeddingSlot, encode_vector(vectors[j], features.embedding->precision));
          db.replace_document(docs[j].get_docid(), docs[j]);
        }
        report.embedded += docs.size();
        done += end - i;
        since_commit += docs.size();
        if (since_commit >= kCommitEvery) {
          db.commit();
          since_commit = 0;
        }
        if (progress) progress(done, total);
      }
      db.commit();
    }
    return report;
  });
}

}  // namespace askalike
