"""The semantic stage from Python (issue 28): Index(model=...) stores every
record's embedding, searches re-rank the best records by words by the cosine
with the query's embedding. On a tiny random model written by the test."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("numpy")

import askalike  # noqa: E402
import tiny_bert  # noqa: E402


@pytest.fixture
def model(tmp_path):
    return str(tiny_bert.write(tmp_path / "tiny-model"))


@pytest.fixture
def semantic_db(tmp_path, records, model):
    path = str(tmp_path / "sem.db")
    # float32: the cosines exactly as the model gives them.
    with askalike.Index(path, model=model, vector_precision="float32") as index:
        index.add_many(records)
    return path


def test_hits_are_ranked_by_cosine_plus_a_share_of_the_words_score(semantic_db, db_path, model):
    emb = askalike.EmbeddingModel(model)
    with askalike.Searcher(semantic_db) as s, askalike.Searcher(db_path) as plain:
        assert s.stats().embedding_dimension == emb.identity.dimension
        assert s.stats().embedding_model == "tiny-model"
        query = "sunburn on the skin"
        res = s.similar(query, k=10, semantic_lexical_weight=0.1)
        assert res.semantic
        assert res.hits, "the query shares words with the records"
        best = plain.similar(query, k=10).hits[0].score
        q = emb.embed(query)
        for hit in res.hits:
            record = hit.record
            text = "\n".join(t for t in (record.get("title", ""), record.get("question", "")) if t)
            assert hit.semantic_similarity == pytest.approx(askalike.cosine(q, emb.embed(text)), abs=1e-6)
            assert hit.score == pytest.approx(hit.semantic_similarity + 0.1 * hit.lexical_score / best, rel=1e-9)
        scores = [h.score for h in res.hits]
        assert scores == sorted(scores, reverse=True)
        # Off: the same hits as a database without a model.
        off = s.similar(query, k=10, semantic=False)
        assert not off.semantic
        assert [(h.id, h.score) for h in off.hits] == [(h.id, h.score) for h in plain.similar(query, k=10).hits]
        # The words' weight is an option.
        heavy = s.similar(query, k=10, semantic_lexical_weight=5.0)
        for hit in heavy.hits:
            assert hit.score == pytest.approx(hit.semantic_similarity + 5.0 * hit.lexical_score / best, rel=1e-9)


def test_bad_semantic_options_are_refused_in_the_librarys_words(semantic_db):
    with askalike.Searcher(semantic_db) as s:
        with pytest.raises(askalike.InvalidArgumentError, match="semantic_depth"):
            s.similar("skin", semantic_depth=0)
        with pytest.raises(askalike.InvalidArgumentError, match="semantic_lexical_weight"):
            s.similar("skin", semantic_lexical_weight=-1)


def test_the_depth_follows_the_questions_language_unless_given(tmp_path, model):
    path = str(tmp_path / "depth.db")
    with askalike.Index(path, model=model) as index:
        for i in range(30):
            index.add({"id": f"zh-{i}", "title": "发烧问题", "question": "孩子发烧怎么办", "lang": "zh"})
            index.add({"id": f"en-{i}", "title": "Fever question", "question": "what to do about a fever"})

    def reranked(res):  # past the depth a hit has no cosine
        return sum(1 for h in res.hits if h.semantic_similarity != 0.0)

    with askalike.Searcher(path) as s:
        assert reranked(s.similar("孩子发烧", k=30)) == 30  # 200 for a question in Chinese
        assert reranked(s.similar("fever", k=30)) == 20
        assert reranked(s.similar("孩子发烧", k=30, semantic_depth=5)) == 5


def test_a_moved_model_is_named_and_can_be_given_again(semantic_db, model, tmp_path):
    moved = str(tmp_path / "moved-model")
    shutil.move(model, moved)
    with askalike.Searcher(semantic_db) as s:
        with pytest.raises(askalike.NotFoundError, match="--model"):
            s.similar("skin")
        assert not s.similar("skin", semantic=False).semantic
    with askalike.Searcher(semantic_db, model=moved) as s:
        assert s.similar("skin").semantic


def test_another_model_is_refused_and_reindex_adds_embeddings(db_path, model, tmp_path):
    other = str(tiny_bert.write(tmp_path / "other", seed=11))
    with pytest.raises(askalike.InvalidArgumentError, match="reindex"):
        askalike.Index(db_path, model=model)
    with_vectors = str(tmp_path / "with.db")
    askalike.reindex(db_path, with_vectors, model=model)
    with askalike.Searcher(with_vectors) as s:
        assert s.similar("skin").semantic
    with pytest.raises(askalike.InvalidArgumentError, match="not the one"):
        with askalike.Searcher(with_vectors, model=other) as s:
            s.similar("skin")


def test_records_own_vectors_with_a_model_of_yours(tmp_path, records, model):
    emb = askalike.EmbeddingModel(model)
    path = str(tmp_path / "own.db")
    with askalike.Index(path, embedding_dimension=emb.identity.dimension) as index:
        for r in records:
            text = "\n".join(t for t in (r.get("title", ""), r.get("question", "")) if t)
            index.add(dict(r, vector=emb.embed(text)))
    with askalike.Searcher(path) as s:
        assert s.stats().embedding_dimension == emb.identity.dimension
        assert not s.similar("skin").semantic  # no model to embed the query: words alone
        res = s.similar("skin", query_vector=emb.embed("skin"))
        assert res.semantic and res.hits
        # get() gives the stored vector back, as export does.
        got = s.get(res.hits[0].id)
        assert len(got["vector"]) == emb.identity.dimension
    with pytest.raises(askalike.InvalidArgumentError, match="dimensions"):
        with askalike.Index(path) as index:
            index.add(dict(records[0], vector=[0.5, 0.5]))


def test_int8_vectors_by_default_rank_as_float32_within_a_hundredth(tmp_path, records, model, semantic_db):
    small = str(tmp_path / "int8.db")
    with askalike.Index(small, model=model) as index:
        index.add_many(records)
    with askalike.Searcher(small) as q, askalike.Searcher(semantic_db) as f:
        assert q.stats().vector_precision == "int8"
        assert f.stats().vector_precision == "float32"
        exact = {h.id: h.semantic_similarity for h in f.similar("sunburn on the skin", k=10).hits}
        hits = q.similar("sunburn on the skin", k=10).hits
        assert hits and {h.id for h in hits} == set(exact)
        for h in hits:
            assert abs(h.semantic_similarity - exact[h.id]) < 0.01
    with pytest.raises(askalike.InvalidArgumentError, match="vector_precision"):
        askalike.Index(str(tmp_path / "bad.db"), model=model, vector_precision="int4")
