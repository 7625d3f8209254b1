"""askalike.Searcher: similar, more_like, similarity, filters and results."""

from __future__ import annotations

import datetime

import pytest

import askalike


def test_similar_finds_the_paraphrase_first(searcher):
    results = searcher.similar("why does my cheek twitch when I sleep?")
    assert len(results) >= 1
    assert results[0].id == "twitch"
    assert results.hits[0] is not None and results.hits[0].id == "twitch"


def test_hit_fields(searcher):
    hit = searcher.similar("cheek twitches at night", k=3)[0]
    assert hit.rank == 1
    assert hit.id == "twitch"
    assert hit.score > 0
    assert 0 < hit.confidence <= 1
    assert hit.record["title"] == "Facial twitching at night"
    assert hit.record["doctor"] == "Dr. Ye"  # extra fields come back
    assert hit.record["tags"] == ["face", "sleep"]
    assert "**" in hit.snippet and "twitch" in hit.snippet.lower()
    assert "caffeine" in hit.answer_snippet
    assert hit.matched_terms and all(isinstance(t, str) for t in hit.matched_terms)
    assert repr(hit).startswith("Hit(rank=1, id='twitch', score=")
    assert "title='Facial twitching at night'" in repr(hit)


def test_results_sequence(searcher):
    results = searcher.similar("twitching", k=5)
    hits = list(results)
    assert len(hits) == len(results) == 2
    assert [h.rank for h in hits] == [1, 2]
    assert {h.id for h in hits} == {"twitch", "eyelid"}
    assert results[-1].id == hits[-1].id
    with pytest.raises(IndexError):
        results[2]
    assert results.estimated_matches >= 2
    assert results.categories == {"Neurology": 2}
    assert [q.term for q in results.query_terms] == ["twitch"]
    assert results.query_terms[0].weight > 0
    assert repr(results).startswith("<Results 2 hits")
    assert searcher.similar("the of and") .hits == []  # only stop words: no hits
    assert not searcher.similar("the of and")


def test_hits_outlive_their_results(searcher):
    hit = searcher.similar("eyelid twitching")[0]
    hits = searcher.similar("eyelid twitching").hits
    import gc

    gc.collect()
    assert hit.id == hits[0].id == "eyelid"


def test_k_and_offset(searcher):
    all_hits = [h.id for h in searcher.similar("blood pressure high twitching", k=10)]
    assert len(all_hits) >= 3
    assert [h.id for h in searcher.similar("blood pressure high twitching", k=1)] == all_hits[:1]
    page2 = searcher.similar("blood pressure high twitching", k=2, offset=1)
    assert [h.id for h in page2] == all_hits[1:3]
    assert page2[0].rank == 2


def test_filters(searcher):
    q = "twitching blood pressure skin spots migraine"
    ids = lambda **kw: {h.id for h in searcher.similar(q, **kw)}  # noqa: E731
    assert ids(categories="Cardiology") == {"ibuprofen", "bp-salt"}
    assert ids(categories=["Cardiology", "Dermatology"]) == {"ibuprofen", "bp-salt", "cafe"}
    assert ids(tags="eye") == {"eyelid"}
    assert ids(group="g1") == {"ibuprofen", "bp-salt"}
    assert ids(since="2022-01-01") == {"eyelid", "ibuprofen", "cafe"}
    assert ids(until=datetime.date(2020, 12, 31)) == {"migraine", "bp-salt"}
    assert ids(since="2021", until="2021") == {"twitch"}
    assert "twitch" not in ids(exclude="twitch")
    assert ids(lang="zh") == set()
    assert ids(categories=None, tags=None) == ids()  # None means no filter


def test_filter_by_language(searcher):
    assert {h.id for h in searcher.similar("高血压 党参", lang="zh")} == {"zh-dangshen"}
    assert len(searcher.similar("高血压 党参", lang="en")) == 0


def test_options_change_the_results(searcher):
    default = searcher.similar("eyelid twitching")
    no_snip = searcher.similar("eyelid twitching", snippets=False)
    assert no_snip[0].snippet == "" and default[0].snippet != ""
    marked = searcher.similar("eyelid twitching", highlight=("<b>", "</b>"))
    assert "<b>" in marked[0].snippet
    assert searcher.similar("eyelid twitching", facets=False).categories == {}
    high = searcher.similar("eyelid twitching", min_score=1e9)
    assert len(high) == 0
    k1 = searcher.similar("eyelid twitching", bm25_k1=2.0)
    assert k1[0].score != default[0].score
    searcher.similar("eyelid twitching", bm25_k1=2.0, max_query_terms=1, snippet_length=50,
                     facet_depth=5, max_topics=2)
    # Field weights and b are the database's: a search cannot change them.
    for key in ("title_weight", "question_weight", "answer_weight", "bm25_b"):
        with pytest.raises(TypeError, match=f"{key} is a database setting.*askalike.reindex"):
            searcher.similar("eyelid twitching", **{key: 0.5})


def test_bad_options(searcher):
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        searcher.similar("x", colour="red")
    with pytest.raises(askalike.InvalidArgumentError, match="k must be between 1 and 100000, not -1"):
        searcher.similar("x", k=-1)
    # The command line's rule and words (-k 0: "--top must be between 1 and 100000, not 0").
    with pytest.raises(askalike.InvalidArgumentError, match="k must be between 1 and 100000, not 0"):
        searcher.similar("x", k=0)
    with pytest.raises(TypeError, match="offset must be an int"):
        searcher.similar("x", offset="2")
    with pytest.raises(TypeError):
        searcher.similar("x", 10, 20)  # everything after k is keyword-only
    with pytest.raises(ValueError, match="highlight"):
        searcher.similar("x", highlight="**")
    with pytest.raises(TypeError):
        searcher.similar_batch("one string")


def test_related_topics(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        for i in range(4):
            index.add({"id": f"g{i}", "title": "Gout diet", "question": f"gout diet question {i}",
                       "category": "Rheumatology"})
        index.add({"id": "other", "title": "Gout medicine", "question": "gout pills",
                   "category": "Pharmacy"})
    res = askalike.Searcher(path).similar("gout diet")
    topics = res.related_topics
    assert topics and topics[0].topic == "Gout diet"
    assert topics[0].category == "Rheumatology" and topics[0].count == 4
    assert repr(topics[0]) == "RelatedTopic('Gout diet', category='Rheumatology', count=4)"
    assert res.categories["Rheumatology"] == 4


def test_more_like(searcher):
    res = searcher.more_like("ibuprofen", k=3)
    assert res[0].id == "bp-salt"
    assert all(h.id != "ibuprofen" for h in res)
    with pytest.raises(askalike.NotFoundError):
        searcher.more_like("no-such-id")


def test_similarity(searcher):
    same = searcher.similarity("eyelid twitching", "eyelid twitching")
    close = searcher.similarity("eyelid twitching", "my eyelid keeps twitching")
    far = searcher.similarity("eyelid twitching", "salt in my diet")
    assert same == pytest.approx(1.0)
    assert 0.0 < close < 1.0
    assert far == 0.0
    assert close > far


def test_searcher_get_len_contains_close(db_path, records):
    s = askalike.Searcher(db_path)
    assert len(s) == len(records)
    assert "cafe" in s and "nope" not in s
    assert s.get("nope") is None
    assert repr(s) == f"<askalike.Searcher {db_path!r}>"
    s.close()
    assert s.closed
    with pytest.raises(askalike.InvalidArgumentError, match="closed"):
        s.similar("x")


def test_many_python_threads_share_one_searcher(searcher):
    from concurrent.futures import ThreadPoolExecutor

    queries = ["cheek twitch", "ibuprofen blood pressure", "café spots", "高血压", "rash beach"] * 20
    expected = [[h.id for h in searcher.similar(q)] for q in queries]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda q: [h.id for h in searcher.similar(q)], queries))
    assert got == expected
