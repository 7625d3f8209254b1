// Sentence embeddings (include/askalike/embedding.hpp) on a tiny random BERT
// model written by the test: the numbers themselves are checked against an
// independent numpy reference in tests/python/test_embedding.py.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <cstdlib>
#include <random>

#include "embedding/kernels.hpp"
#include "test_util.hpp"
#include "tiny_bert.hpp"
#include "util/sha256.hpp"

using askalike::EmbeddingModel;
using askalike::EmbeddingOptions;
using askalike::Error;
using askalike::ErrorCode;
using testutil::error_of;
using testutil::TempDir;
using testutil::write_text;

namespace {

using Pieces = std::vector<std::string>;

bool mentions(const Error& e, const std::string& text) { return std::string(e.what()).find(text) != std::string::npos; }

double length(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += double(x) * x;
  return std::sqrt(s);
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::vector<std::string> kTexts = {"my child has a fever and a rash",
                                         "When your baby or infant has a fever",
                                         "",
                                         "why does my face twitch when i sleep?",
                                         "高血压",
                                         "Café résumé playing",
                                         "unknown words: zzz qqq",
                                         "a a a a a a a a a a a a a a a a a a a a a a a a a a a a (truncated)"};

}  // namespace

TEST_CASE("a tiny model: identity, length 1, the same vector every time") {
  TempDir dir;
  testutil::write_tiny_bert(dir / "tiny-model");
  const EmbeddingModel model = EmbeddingModel::load(dir / "tiny-model");
  const askalike::ModelIdentity id = model.identity();
  CHECK(id.name == "tiny-model");
  CHECK(id.dimension == 32);
  CHECK(id.weights_sha256.size() == 64);
  CHECK(id.weights_sha256.find_first_not_of("0123456789abcdef") == std::string::npos);

  for (const auto& text : kTexts) {
    const std::vector<float> v = model.embed(text);
    REQUIRE(v.size() == 32);
    CHECK(length(v) == doctest::Approx(1.0).epsilon(1e-5));
    CHECK(model.embed(text) == v);  // deterministic
  }
  // Another load of the same folder (with a trailing slash) is the same model.
  const EmbeddingModel again = EmbeddingModel::load(dir / "tiny-model/");
  CHECK(again.identity().name == "tiny-model");
  CHECK(again.identity().weights_sha256 == id.weights_sha256);
  CHECK(again.embed(kTexts[0]) == model.embed(kTexts[0]));
  // Different texts, different vectors; a text is most like itself.
  const auto a = model.embed(kTexts[0]), b = model.embed(kTexts[1]);
  CHECK(a != b);
  CHECK(askalike::cosine(a, a) == doctest::Approx(1.0));
  CHECK(askalike::cosine(a, b) < 0.9999);
}

TEST_CASE("embed_batch equals embed of each text alone, on any number of threads") {
  TempDir dir;
  testutil::write_tiny_bert(dir.path());
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i) texts.insert(texts.end(), kTexts.begin(), kTexts.end());
  for (std::size_t threads : {0, 1, 3, 64}) {
    EmbeddingOptions options;
    options.threads = threads;
    const EmbeddingModel model = EmbeddingModel::load(dir.path(), options);
    const auto batch = model.embed_batch(texts);
    REQUIRE(batch.size() == texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) CHECK(batch[i] == model.embed(texts[i]));
  }
  CHECK(EmbeddingModel::load(dir.path()).embed_batch({}).empty());
}

TEST_CASE("the dense kernel of every instruction set this CPU runs equals a plain product") {
  namespace k = askalike::embedding::kernels;
  std::mt19937 random(11);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  // Shapes around the panel width and the row blocks: a partial last panel,
  // fewer rows than a block, a partial last block.
  for (std::size_t in : {1, 7, 32, 100}) {
    for (std::size_t out : {1, 15, 16, 17, 40}) {
      std::vector<float> w(in * out), b(out);
      for (float& f : w) f = value(random);
      for (float& f : b) f = value(random);
      const k::PackedDense packed = k::pack(w.data(), b.data(), in, out);
      for (std::size_t rows : {1, 2, 5, 13, 25}) {
        std::vector<float> x(rows * in);
        for (float& f : x) f = value(random);
        for (k::Isa isa : {k::Isa::kPortable, k::Isa::kAvx2, k::Isa::kAvx512}) {
          if (!k::supported(isa)) continue;
          CAPTURE(k::isa_name(isa));
          std::vector<float> y(rows * out, -7.0f);
          k::dense(isa, packed, x.data(), rows, y.data());
          for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < out; ++c) {
              double expected = b[c];
              for (std::size_t i = 0; i < in; ++i) expected += double(x[r * in + i]) * w[i * out + c];
              CHECK(y[r * out + c] == doctest::Approx(expected).epsilon(1e-5));
            }
        }
      }
    }
  }
}

TEST_CASE("every instruction set this CPU runs gives the same embeddings (ASKALIKE_EMBEDDING_ISA)") {
  namespace k = askalike::embedding::kernels;
  TempDir dir;
  testutil::write_tiny_bert(dir.path());
  const char* before = std::getenv("ASKALIKE_EMBEDDING_ISA");
  const std::string saved = before ? before : "";
  std::vector<std::vector<float>> expected;
  for (k::Isa isa : {k::Isa::kPortable, k::Isa::kAvx2, k::Isa::kAvx512}) {
    if (!k::supported(isa)) continue;
    CAPTURE(k::isa_name(isa));
    setenv("ASKALIKE_EMBEDDING_ISA", k::isa_name(isa), 1);
    REQUIRE(k::default_isa() == isa);
    const EmbeddingModel model = EmbeddingModel::load(dir.path());
    for (std::size_t t = 0; t < kTexts.size(); ++t) {
      const std::vector<float> v = model.embed(kTexts[t]);
      if (expected.size() <= t) {
        expected.push_back(v);  // the portable path, the first of the loop
        continue;
      }
      REQUIRE(v.size() == expected[t].size());
      for (std::size_t i = 0; i < v.size(); ++i) CHECK(v[i] == doctest::Approx(expected[t][i]).epsilon(1e-5));
    }
  }
  if (before)
    setenv("ASKALIKE_EMBEDDING_ISA", saved.c_str(), 1);
  else
    unsetenv("ASKALIKE_EMBEDDING_ISA");
}

TEST_CASE("the weight's identity follows the weights, not the folder") {
  TempDir dir;
  testutil::write_tiny_bert(dir / "one");
  testutil::write_tiny_bert(dir / "two");
  testutil::TinyBertOptions other;
  other.seed = 8;
  testutil::write_tiny_bert(dir / "three", other);
  const auto one = EmbeddingModel::load(dir / "one").identity().weights_sha256;
  CHECK(EmbeddingModel::load(dir / "two").identity().weights_sha256 == one);
  CHECK(EmbeddingModel::load(dir / "three").identity().weights_sha256 != one);
  // It is the SHA-256 of model.safetensors.
  const std::string bytes = read(dir / "one/model.safetensors");
  CHECK(askalike::util::sha256_hex(bytes.data(), bytes.size()) == one);
}

TEST_CASE("SHA-256 of the standard test vectors") {
  using askalike::util::sha256_hex;
  CHECK(sha256_hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(sha256_hex(two_blocks.data(), two_blocks.size()) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  askalike::util::Sha256 million;  // fed in uneven pieces
  const std::string a(997, 'a');
  std::size_t left = 1000000;
  while (left > 0) {
    const std::size_t n = std::min(left, a.size());
    million.update(a.data(), n);
    left -= n;
  }
  CHECK(million.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("tokenize: lower case, accents, CJK, punctuation, unknown words, truncation") {
  TempDir dir;
  testutil::write_tiny_bert(dir.path());
  EmbeddingOptions options;
  options.max_tokens = 0;  // the model's own limit: max_seq_length 12
  const EmbeddingModel model = EmbeddingModel::load(dir.path(), options);
  CHECK(model.tokenize("") == Pieces{"[CLS]", "[SEP]"});
  CHECK(model.tokenize("Hello, WORLD!") == Pieces{"[CLS]", "hello", ",", "world", "!", "[SEP]"});
  CHECK(model.tokenize("Café RÉSUMÉ") == Pieces{"[CLS]", "cafe", "resume", "[SEP]"});
  CHECK(model.tokenize("高血压") == Pieces{"[CLS]", "高", "血", "压", "[SEP]"});
  CHECK(model.tokenize("playing plays unknown") == Pieces{"[CLS]", "play", "##ing", "play", "##s", "un", "##know", "##n", "[SEP]"});
  CHECK(model.tokenize("child's (rash)") == Pieces{"[CLS]", "child", "'", "[UNK]", "(", "rash", ")", "[SEP]"});
  CHECK(model.tokenize("zzz " + std::string(101, 'a') + " a") == Pieces{"[CLS]", "[UNK]", "[UNK]", "a", "[SEP]"});
  // Control characters vanish, odd spaces split, bad UTF-8 is dropped.
  CHECK(model.tokenize(std::string("fe\x01ver\xc2\xa0rash\t\xff") + "red") == Pieces{"[CLS]", "fever", "rash", "red", "[SEP]"});
  // Truncated to 12 pieces, [SEP] last.
  const Pieces long_text = model.tokenize("a a a a a a a a a a a a a a a a a a a a");
  CHECK(long_text.size() == 12);
  CHECK(long_text.back() == "[SEP]");
  options.max_tokens = 4;
  CHECK(EmbeddingModel::load(dir.path(), options).tokenize("my child has a fever") ==
        Pieces{"[CLS]", "my", "child", "[SEP]"});
  options.max_tokens = 1000;  // never more than the model's positions (16)
  std::string many;
  for (int i = 0; i < 40; ++i) many += "a ";
  CHECK(EmbeddingModel::load(dir.path(), options).tokenize(many).size() == 16);
}

TEST_CASE("pooling and normalisation follow modules.json; tensor names may start with bert.") {
  TempDir dir;
  testutil::TinyBertOptions o;
  testutil::write_tiny_bert(dir / "plain", o);
  o.prefix = "bert.";
  testutil::write_tiny_bert(dir / "prefixed", o);
  o.prefix = "";
  o.normalize = false;
  testutil::write_tiny_bert(dir / "raw", o);
  o.cls_pooling = true;
  testutil::write_tiny_bert(dir / "cls", o);
  const std::string text = "my child has a high fever";
  const auto plain = EmbeddingModel::load(dir / "plain").embed(text);
  CHECK(EmbeddingModel::load(dir / "prefixed").embed(text) == plain);
  const auto raw = EmbeddingModel::load(dir / "raw").embed(text);
  CHECK(length(raw) > 1.01);  // not normalised; same direction
  CHECK(askalike::cosine(raw, plain) == doctest::Approx(1.0).epsilon(1e-6));
  const auto cls = EmbeddingModel::load(dir / "cls").embed(text);
  CHECK(askalike::cosine(cls, raw) < 0.999);
}

TEST_CASE("a model this code cannot run is refused, naming the file") {
  TempDir dir;
  const std::string m = dir / "m";
  auto fresh = [&](const testutil::TinyBertOptions& o = testutil::TinyBertOptions()) {
    std::filesystem::remove_all(m);
    testutil::write_tiny_bert(m, o);
  };

  // Loading `m` fails with `code`, and the message says `what`.
  auto refused = [&](ErrorCode code, const std::string& what) {
    const Error e = error_of([&] { EmbeddingModel::load(m); });
    CHECK(e.code() == code);
    CHECK_MESSAGE(mentions(e, what), e.what());
  };
  const Error e = error_of([&] { EmbeddingModel::load(dir / "nowhere"); });
  CHECK(e.code() == ErrorCode::kNotFound);
  CHECK(mentions(e, "nowhere"));

  for (const char* file : {"config.json", "model.safetensors"}) {
    fresh();
    std::filesystem::remove(m + "/" + file);
    refused(ErrorCode::kNotFound, file);
  }
  fresh();
  std::filesystem::remove(m + "/vocab.txt");
  refused(ErrorCode::kNotFound, "vocab.txt");

  testutil::TinyBertOptions roberta;
  roberta.model_type = "xlm-roberta";
  fresh(roberta);
  refused(ErrorCode::kInvalidArgument, "config.json: model_type \"xlm-roberta\" is not supported");

  testutil::TinyBertOptions wide;  // tensors of hidden 48 for a config of 32
  wide.hidden = 48;
  fresh(wide);
  refused(ErrorCode::kInvalidArgument,
          "model.safetensors: tensor \"embeddings.word_embeddings.weight\" has the shape [46, 48], not [46, 32]");

  fresh();
  auto tensors = testutil::tiny_tensors(testutil::TinyBertOptions());
  tensors.erase("encoder.layer.1.output.dense.bias");
  write_text(m + "/model.safetensors", testutil::safetensors_bytes(tensors));
  refused(ErrorCode::kInvalidArgument, "no tensor \"encoder.layer.1.output.dense.bias\"");

  // Truncated: the last tensor's bytes reach past the end.
  fresh();
  std::string bytes = read(m + "/model.safetensors");
  write_text(m + "/model.safetensors", bytes.substr(0, bytes.size() - 10));
  refused(ErrorCode::kCorrupt, "outside the data");
  // A header length beyond the file; a header that is not JSON.
  write_text(m + "/model.safetensors", std::string("\xff\xff\xff\xff\0\0\0\0{}", 10));
  refused(ErrorCode::kCorrupt, "model.safetensors: header length");
  write_text(m + "/model.safetensors", std::string("\x03\0\0\0\0\0\0\0{\"a", 11));
  refused(ErrorCode::kCorrupt, "the header is not JSON");

  fresh();
  write_text(m + "/vocab.txt", "[PAD]\n[UNK]\n[SEP]\nhello\n");
  refused(ErrorCode::kInvalidArgument, "vocab.txt: the vocabulary has no [CLS] token");

  fresh();
  write_text(m + "/1_Pooling/config.json", R"({"pooling_mode_max_tokens": true})");
  refused(ErrorCode::kInvalidArgument, "pooling_mode_max_tokens is not supported");

  fresh();
  write_text(m + "/config.json", "{\"model_type\": ");
  refused(ErrorCode::kCorrupt, "config.json: not JSON");

  EmbeddingOptions one;
  one.max_tokens = 1;
  fresh();
  CHECK(error_of([&] { EmbeddingModel::load(m, one); }).code() == ErrorCode::kInvalidArgument);
  EmbeddingOptions crowd;
  crowd.threads = askalike::kMaxThreads + 1;
  CHECK(error_of([&] { EmbeddingModel::load(m, crowd); }).code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("cosine") {
  CHECK(askalike::cosine({1, 0}, {0, 1}) == doctest::Approx(0.0));
  CHECK(askalike::cosine({1, 2}, {2, 4}) == doctest::Approx(1.0));
  CHECK(askalike::cosine({1, 2}, {-1, -2}) == doctest::Approx(-1.0));
  CHECK(askalike::cosine({0, 0}, {1, 2}) == 0.0);
  CHECK(error_of([] { askalike::cosine({1, 2}, {1, 2, 3}); }).code() == ErrorCode::kInvalidArgument);
}
