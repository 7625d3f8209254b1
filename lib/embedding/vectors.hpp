// [issue 28] Embeddings in the database: what text of a record is embedded,
// how its vector is stored in a value slot, and the model a database's
// vectors need (loaded once per process and folder).
#ifndef ASKALIKE_LIB_EMBEDDING_VECTORS_HPP_
#define ASKALIKE_LIB_EMBEDDING_VECTORS_HPP_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "askalike/embedding.hpp"
#include "askalike/record.hpp"
#include "storage/schema.hpp"

namespace askalike {

// The text of a record that is embedded: its title and question (what a
// user's question is compared with), or its answer when it has neither.
std::string embedding_text(const Record& record);

// A vector as stored. kFloat32: little-endian floats, 4 bytes a dimension.
// kInt8: a little-endian float scale, then one signed byte a dimension
// (value = byte x scale, the largest magnitude at 127): 4 + dimension bytes.
// The two lengths never coincide, so a value says how it was stored.
std::string encode_vector(const std::vector<float>& vector, VectorPrecision precision);
// The vector of a stored value, of either precision. Empty value: false (a
// record without one). A value of neither length for `dimension`, or a
// number (or scale) that is not finite: Error(kCorrupt).
bool decode_vector(const std::string& value, std::size_t dimension, std::vector<float>& out);

// The model in folder `dir` loaded with `max_tokens`, shared by every caller
// of the process that asks for the same folder and limit (a model is tens of
// megabytes and takes a moment to load and check). Throws as
// EmbeddingModel::load.
std::shared_ptr<const EmbeddingModel> shared_model(const std::string& dir, std::size_t max_tokens);

// The model that makes vectors comparable with those of the database at
// `db_path` (built with `info`): `dir` when not empty, else the folder the
// database was built from. Throws Error(kNotFound) when that folder is gone
// and Error(kInvalidArgument) when it holds another model (other weights).
std::shared_ptr<const EmbeddingModel> model_for_database(const schema::EmbeddingInfo& info, const std::string& dir,
                                                         const std::string& db_path);

// What a database built with `model` loaded from `dir` records of it.
schema::EmbeddingInfo embedding_info(const EmbeddingModel& model, const std::string& dir, std::size_t max_tokens);

}  // namespace askalike

#endif  // ASKALIKE_LIB_EMBEDDING_VECTORS_HPP_
