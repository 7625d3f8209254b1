"""askalike.EmbeddingModel on a tiny random BERT model (tiny_bert.py),
checked against the independent numpy forward pass of
benchmarks/embedding/reference.py."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")

import askalike  # noqa: E402
import tiny_bert  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "embedding"))
from reference import Reference  # noqa: E402

TEXTS = ["my child has a high fever and a red rash",
         "When your baby or infant has a fever",
         "",
         "Why does my face twitch when I sleep?",
         "高血压",
         "Café RÉSUMÉ, naïve Über-playing!",
         "unknown words: zzz qqq (child's rash)",
         "a " * 40]


def ids_of(pieces):
    return np.array([tiny_bert.VOCAB.index(p) for p in pieces])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tiny_bert.write(tmp_path_factory.mktemp("models") / "tiny")


@pytest.mark.parametrize("options", [{}, {"prefix": "bert."}, {"normalize": False}, {"cls_pooling": True},
                                     {"vocab_json": True}])
def test_embeddings_equal_the_numpy_reference(tmp_path, options):
    folder = tiny_bert.write(tmp_path / "m", **options)
    model = askalike.EmbeddingModel(folder)
    ref = Reference(folder)
    for text in TEXTS:
        got = np.array(model.embed(text))
        expected = ref.forward(ids_of(model.tokenize(text)))
        assert got.shape == (32,)
        assert np.abs(got - expected).max() < 1e-5, text
        if options.get("normalize", True):
            assert np.linalg.norm(got) == pytest.approx(1.0, abs=1e-5)


def test_identity(folder):
    model = askalike.EmbeddingModel(folder)
    identity = model.identity
    assert identity.name == "tiny"
    assert identity.dimension == 32
    assert identity.weights_sha256 == hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    assert askalike.EmbeddingModel(str(folder)).identity == identity
    assert "tiny" in repr(model)


def test_batch_equals_one_by_one(folder):
    model = askalike.EmbeddingModel(folder, threads=3)
    batch = model.embed_batch(TEXTS * 3)
    assert batch == [model.embed(t) for t in TEXTS * 3]
    with pytest.raises(TypeError):
        model.embed_batch("one text")


def test_tokenize_tricky_text(folder):
    model = askalike.EmbeddingModel(folder)
    assert model.tokenize("") == ["[CLS]", "[SEP]"]
    # Accents stripped, lower case, punctuation split off.
    assert model.tokenize("Café RÉSUMÉ, naïve Über!") == ["[CLS]", "cafe", "resume", ",", "naive", "uber", "!",
                                                         "[SEP]"]
    # CJK ideographs one by one, even without spaces.
    assert model.tokenize("my高血压child") == ["[CLS]", "my", "高", "血", "压", "child", "[SEP]"]
    # Word pieces; a word with a piece missing, or longer than 100 characters, is [UNK].
    assert model.tokenize("playing unknown zzz " + "a" * 101) == ["[CLS]", "play", "##ing", "un", "##know", "##n",
                                                                 "[UNK]", "[UNK]", "[SEP]"]
    # Controls dropped, any whitespace separates.
    assert model.tokenize("fe\x00ver\u00a0rash\u3000red") == ["[CLS]", "fever", "rash", "red", "[SEP]"]
    # Truncated to max_tokens (the default 256 is capped by the model's 24
    # positions; 0 takes sentence_bert_config's 16).
    assert len(model.tokenize("a " * 100)) == 24
    assert len(askalike.EmbeddingModel(folder, max_tokens=0).tokenize("a " * 100)) == 16
    short = askalike.EmbeddingModel(folder, max_tokens=5).tokenize("my child has a fever")
    assert short == ["[CLS]", "my", "child", "has", "[SEP]"]


def test_broken_models_are_refused_clearly(tmp_path):
    with pytest.raises(askalike.NotFoundError, match="no such model folder"):
        askalike.EmbeddingModel(tmp_path / "nowhere")

    m = tiny_bert.write(tmp_path / "missing")
    (m / "model.safetensors").unlink()
    with pytest.raises(askalike.NotFoundError, match="model.safetensors: no such file"):
        askalike.EmbeddingModel(m)

    m = tiny_bert.write(tmp_path / "shape", hidden=16)
    with pytest.raises(askalike.InvalidArgumentError,
                       match=r"tensor \"embeddings.word_embeddings.weight\" has the shape \[49, 16\], not \[49, 32\]"):
        askalike.EmbeddingModel(m)

    m = tiny_bert.write(tmp_path / "truncated")
    data = (m / "model.safetensors").read_bytes()
    (m / "model.safetensors").write_bytes(data[:len(data) // 2])
    with pytest.raises(askalike.CorruptDatabaseError, match="model.safetensors: .*outside the data"):
        askalike.EmbeddingModel(m)
    (m / "model.safetensors").write_bytes(data[:5])
    with pytest.raises(askalike.CorruptDatabaseError, match="too short"):
        askalike.EmbeddingModel(m)

    m = tiny_bert.write(tmp_path / "roberta", model_type="roberta")
    with pytest.raises(askalike.InvalidArgumentError, match="config.json: model_type \"roberta\" is not supported"):
        askalike.EmbeddingModel(m)

    m = tiny_bert.write(tmp_path / "pooling")
    (m / "1_Pooling" / "config.json").write_text('{"pooling_mode_max_tokens": true}')
    with pytest.raises(askalike.InvalidArgumentError, match="pooling_mode_max_tokens is not supported"):
        askalike.EmbeddingModel(m)

    with pytest.raises(askalike.InvalidArgumentError):
        askalike.EmbeddingModel(tiny_bert.write(tmp_path / "ok"), max_tokens=1)


def test_cosine():
    assert askalike.cosine([1, 0], [0, 1]) == pytest.approx(0.0)
    assert askalike.cosine([1.0, 2.0], [2.0, 4.0]) == pytest.approx(1.0)
    assert askalike.cosine([0, 0], [1, 1]) == 0.0
    with pytest.raises(askalike.InvalidArgumentError, match="different lengths"):
        askalike.cosine([1, 2], [1, 2, 3])
    with pytest.raises(TypeError):
        askalike.cosine("ab", "cd")
