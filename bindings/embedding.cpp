// askalike._askalike: EmbeddingModel, ModelIdentity and cosine().
#include <memory>

#include "convert.hpp"

namespace askalike_py {
namespace {

// A str, or a sequence of numbers, as a vector of floats.
std::vector<float> vector_arg(py::handle v, const char* name) {
  if (PyUnicode_Check(v.ptr()) || PyBytes_Check(v.ptr()))
    throw py::type_error(std::string(name) + " must be a sequence of numbers, not a str");
  std::vector<float> out;
  for (py::handle x : py::iter(v)) out.push_back(static_cast<float>(number_arg(x, name)));
  return out;
}

std::string identity_repr(const askalike::ModelIdentity& i) {
  return "ModelIdentity(name=" + short_repr(i.name, 80) + ", dimension=" + std::to_string(i.dimension) +
         ", weights_sha256='" + i.weights_sha256 + "')";
}

}  // namespace

void bind_embedding(py::module_& m) {
  py::class_<askalike::ModelIdentity>(m, "ModelIdentity",
                                      "What identifies an embedding model: vectors of models of different "
                                      "identities are not comparable.")
      .def_property_readonly("name", [](const askalike::ModelIdentity& i) { return to_str(i.name); },
                             "The model folder's name (informative only).")
      .def_readonly("dimension", &askalike::ModelIdentity::dimension, "The length of an embedding.")
      .def_readonly("weights_sha256", &askalike::ModelIdentity::weights_sha256,
                    "The hex SHA-256 of model.safetensors.")
      .def("__eq__",
           [](const askalike::ModelIdentity& a, const askalike::ModelIdentity& b) {
             return a.name == b.name && a.dimension == b.dimension && a.weights_sha256 == b.weights_sha256;
           })
      .def("__repr__", &identity_repr);

  py::class_<askalike::EmbeddingModel, std::shared_ptr<askalike::EmbeddingModel>>(
      m, "EmbeddingModel",
      "A sentence-embedding model (BERT family, sentence-transformers folder), run in C++. Thread-safe.")
      .def(py::init([](const PathArg& path, const IntArg& threads, const IntArg& max_tokens) {
             askalike::EmbeddingOptions o;
             o.threads = count_arg(threads, "threads", askalike::kMaxThreads);
             o.max_tokens = count_arg(max_tokens, "max_tokens", std::size_t(1) << 20);
             const std::string dir = path_arg(path, "path");
             py::gil_scoped_release nogil;
             return std::make_shared<askalike::EmbeddingModel>(askalike::EmbeddingModel::load(dir, o));
           }),
           py::arg("path"), py::kw_only(), py::arg("threads") = 0, py::arg("max_tokens") = 256,
           "Loads the model folder at `path` (config.json, model.safetensors, vocab.txt or "
           "tokenizer.json, modules.json). NotFoundError when a file is missing, "
           "InvalidArgumentError for a model this code cannot run, CorruptDatabaseError for a file "
           "that does not parse. threads: for embed_batch (0 = one per core). max_tokens: word "
           "pieces taken from a text, [CLS] and [SEP] included (0 = the model's limit).")
      .def_property_readonly("identity", &askalike::EmbeddingModel::identity,
                             "The model's ModelIdentity (name, dimension, weights_sha256).")
      .def(
          "embed",
          [](const askalike::EmbeddingModel& self, const Text& text) {
            std::vector<float> v;
            {
              py::gil_scoped_release nogil;
              v = self.embed(text);
            }
            return v;
          },
          py::arg("text"), "The embedding of `text`: a list of identity.dimension floats.")
      .def(
          "embed_batch",
          [](const askalike::EmbeddingModel& self, const TextsArg& texts) {
            if (PyUnicode_Check(texts.obj.ptr()))
              throw py::type_error("embed_batch() takes an iterable of str; use embed() for one text");
            const std::vector<std::string> all = str_list_arg(texts, "texts");
            std::vector<std::vector<float>> out;
            {
              py::gil_scoped_release nogil;
              out = self.embed_batch(all);
            }
            return out;
          },
          py::arg("texts"), "embed() of each text, in order, on the model's threads (without the GIL).")
      .def(
          "tokenize",
          [](const askalike::EmbeddingModel& self, const Text& text) { return to_str_list(self.tokenize(text)); },
          py::arg("text"), "The word pieces `text` becomes, [CLS] and [SEP] included.")
      .def("__repr__", [](const askalike::EmbeddingModel& self) {
        return "EmbeddingModel(" + identity_repr(self.identity()) + ")";
      });

  m.def(
      "cosine",
      [](const AnyArg& a, const AnyArg& b) { return askalike::cosine(vector_arg(a, "a"), vector_arg(b, "b")); },
      py::arg("a"), py::arg("b"),
      "The cosine of two vectors of the same length (-1..1; 0 when either is all zeros).");
}

}  // namespace askalike_py
