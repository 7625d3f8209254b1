"""askalike serve's JSON API over loopback: every endpoint, as a client sees it."""

from __future__ import annotations

import json
import re
import urllib.parse

from conftest import serving

QUESTION = "my left cheek twitches when I sleep, is it a stroke?"


def similar(service, **params):
    status, body, _ = service.get("/v1/similar?" + urllib.parse.urlencode(params, doseq=True))
    assert status == 200, body
    return body


def test_healthz_counts_the_records(service, corpus_db):
    status, body, _ = service.get("/healthz")
    assert status == 200
    assert body["status"] == "ok"
    assert body["documents"] > 1000  # the MedQuAD sample and the test records
    assert body["revision"] >= 1


def test_similar_get_ranks_the_matching_record_first_with_highlights(service):
    body = similar(service, q=QUESTION, k=5)
    hits = body["hits"]
    assert [h["rank"] for h in hits] == [1, 2, 3, 4, 5]
    first = hits[0]
    assert first["id"] == "twitch"
    assert first["record"]["title"] == "Facial twitching during sleep"
    assert first["record"]["doctor"] == "Dr. Ye"  # extra fields come back as stored
    assert 0 < first["confidence"] <= 1 and first["score"] > hits[-1]["score"]
    highlighted = [p["text"].lower() for p in first["question_snippet"] if p["highlight"]]
    assert "cheek" in highlighted and "twitches" in highlighted
    # The parts put together are the plain passage: no marker characters left.
    plain = "".join(p["text"] for p in first["question_snippet"])
    assert "cheek twitches" in plain and "\x01" not in plain and "**" not in plain
    assert body["related_categories"][0]["category"]
    assert body["estimated_matches"] >= len(hits)
    assert body["query_terms"] and body["revision"] >= 1


def test_similar_says_which_misspelt_words_it_corrected(service):
    body = similar(service, q="my face twiches at night", k=3)
    assert body["did_you_mean"] == [{"word": "twiches", "correction": "twitches"}]
    assert body["hits"][0]["id"] in ("twitch", "twitch-2")
    assert similar(service, q="my face twiches at night", k=3, spelling="false")["did_you_mean"] == []
    assert similar(service, q=QUESTION, k=3)["did_you_mean"] == []


def test_similar_post_answers_as_get(service):
    got = similar(service, q=QUESTION, k=7)
    status, posted, _ = service.post("/v1/similar", {"text": QUESTION, "k": 7})
    assert status == 200
    assert [h["id"] for h in posted["hits"]] == [h["id"] for h in got["hits"]]


def test_related_topics_recur_among_the_hits(service):
    body = similar(service, q="What are the symptoms of diabetes?", k=10)
    topics = body["related_topics"]
    assert topics, "MedQuAD repeats its focus titles: the box must not be empty"
    assert all(t["count"] >= 2 and t["topic"] for t in topics)


def test_filters_and_paging(service):
    neuro = similar(service, q="twitching", category="Neurology", k=10)
    assert neuro["hits"] and all(h["record"]["category"] == "Neurology" for h in neuro["hits"])
    two = similar(service, q="twitching", category=["Neurology", "<i>Neurology</i>"], k=10)
    assert {h["record"]["category"] for h in two["hits"]} == {"Neurology", "<i>Neurology</i>"}
    dated = similar(service, q="twitching", since="2009", until="2015", k=10)
    assert [h["id"] for h in dated["hits"]] == ["twitch-2"]
    tagged = similar(service, q="twitching", tag="sleep", k=10)
    assert [h["id"] for h in tagged["hits"]] == ["twitch"]
    excluded = similar(service, q=QUESTION, exclude_id="twitch", k=3)
    assert "twitch" not in [h["id"] for h in excluded["hits"]]
    whole = similar(service, q="diabetes insulin", k=6)["hits"]
    page = similar(service, q="diabetes insulin", k=3, offset=3)
    assert [h["id"] for h in page["hits"]] == [h["id"] for h in whole[3:6]]
    assert [h["rank"] for h in page["hits"]] == [4, 5, 6]
    status, posted, _ = service.post("/v1/similar", {"text": "twitching", "category": ["Neurology"], "k": 10,
                                                     "bm25_k1": 0.9, "facets": False})
    assert status == 200 and posted["related_topics"] == [] and posted["hits"]


def test_record_and_its_similar_records(service):
    status, body, _ = service.get("/v1/records/twitch")
    assert status == 200
    assert body["record"]["tags"] == ["face", "sleep"]
    status, body, _ = service.get("/v1/records/twitch/similar?k=3")
    assert status == 200
    ids = [h["id"] for h in body["hits"]]
    assert "twitch" not in ids and ids[0] == "twitch-2"


def test_unknown_record_is_404(service):
    for path in ("/v1/records/no-such-id", "/v1/records/no-such-id/similar"):
        status, body, _ = service.get(path)
        assert status == 404, path
        assert body["error"]["status"] == 404 and "no-such-id" in body["error"]["message"]


def test_stats(service):
    status, body, _ = service.get("/v1/stats")
    assert status == 200
    _, health, _ = service.get("/healthz")
    assert body["documents"] == health["documents"]
    assert any(c["category"] == "Neurology" for c in body["categories"])
    assert body["writes"] is False
    # The analyzer settings as an object, not JSON text in a string (issue 25).
    assert isinstance(body["analyzer"], dict) and body["analyzer"]["default_language"] == "en"
    # Built without a model: the searches rank by words alone (issue 28).
    assert body["embedding_model"] is None


def test_openapi_describes_every_route_the_service_answers(service):
    status, spec, _ = service.get("/v1/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.")
    for path, methods in spec["paths"].items():
        concrete = path.replace("{id}", "twitch")
        for method in methods:
            status, body, _ = service.request(method.upper(), concrete, body=b"{}" if method == "post" else None,
                                              headers={"Content-Type": "application/json"})
            # Reachable: answered by its route (a refusal names the request, not a missing route).
            assert not (status == 404 and "no route" in json.dumps(body)), (method, path)
    params = {p["name"] for p in spec["paths"]["/v1/similar"]["get"]["parameters"]}
    assert {"q", "k", "offset", "category", "tag", "lang", "group", "since", "until", "exclude_id",
            "min_score", "bm25_k1", "max_query_terms"} <= params


def test_metrics_count_requests_errors_and_latency(service):
    before = service.get("/metrics")[1]
    similar(service, q="headache", k=2)
    service.get("/v1/records/no-such-id")
    status, text, headers = service.get("/metrics")
    assert status == 200 and headers.get_content_type() == "text/plain"

    def value(text, series):
        match = re.search(r"^" + re.escape(series) + r" (\S+)$", text, re.M)
        return float(match.group(1)) if match else 0.0

    get_similar = 'askalike_http_requests_total{endpoint="/v1/similar",method="GET"}'
    assert value(text, get_similar) == value(before, get_similar) + 1
    errors = 'askalike_http_errors_total{endpoint="/v1/records/{id}",method="GET",status="404"}'
    assert value(text, errors) == value(before, errors) + 1
    assert 'askalike_http_request_duration_seconds_bucket{endpoint="/v1/similar",method="GET",le="+Inf"}' in text
    assert value(text, "askalike_documents") == service.get("/healthz")[1]["documents"]
    assert value(text, "askalike_database_revision") >= 1


def test_the_page_and_its_files_are_served(service):
    status, html, headers = service.get("/")
    assert status == 200 and headers.get_content_type() == "text/html"
    assert "Similar Q&amp;A" in html and "Related FAQ" in html
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        status, _, headers = service.get("/static/" + name)
        assert status == 200 and headers.get_content_type() == kind
    assert service.get("/static/nothing.js")[0] == 404


def test_record_text_comes_back_verbatim_as_json(service):
    status, body, headers = service.get("/v1/records/xss")
    assert status == 200 and headers.get_content_type() == "application/json"
    assert body["record"]["title"] == "<script>alert(1)</script>"


def test_service_stops_cleanly_on_sigterm(small_db):
    with serving(small_db) as s:  # serving() asserts exit code 0 after SIGTERM
        assert s.get("/healthz")[0] == 200
