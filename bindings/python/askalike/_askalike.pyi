"""Type stubs for the compiled module askalike._askalike (import askalike instead)."""

from __future__ import annotations

import datetime
import os
from types import TracebackType
from typing import Any, Callable, Iterable, Iterator, Mapping, Union

from typing_extensions import Literal, Self, TypedDict

_Path = Union[str, "os.PathLike[str]"]
_Date = Union[str, datetime.date]
_Strs = Union[str, Iterable[str]]
_RecordLike = Union["Record", Mapping[str, Any]]

class RecordDict(TypedDict, total=False):
    """A record as a dict: these keys always, plus any extra fields."""

    id: str
    title: str
    question: str
    answer: str
    category: str
    tags: list[str]
    lang: str
    url: str
    date: str
    group: str
    vector: list[float]

def version() -> str:
    """The version of the askalike C++ library this module was built with."""

def question_type(text: str) -> str:
    """The type of question `text` asks ('information', 'symptoms', 'treatment',
    'causes', 'outlook', 'exams and tests', 'inheritance', ...), or ''."""

def reindex(
    source: _Path,
    destination: _Path,
    *,
    title_weight: float | None = None,
    question_weight: float | None = None,
    answer_weight: float | None = None,
    bm25_b: float | None = None,
    model: _Path | None = None,
) -> None:
    """Writes to `destination` (new) the records of `source`, ranked with the given
    settings (the others as `source` has them), normalised by the whole collection's
    field averages. The records' embeddings are copied; model=DIR embeds them anew."""

def compact(source: _Path, destination: _Path, *, search_only: bool = False) -> None:
    """Writes a compacted copy of `source` to `destination` (new). search_only=True leaves
    out Xapian's term lists (about a third of the copy): it ranks exactly as `source`, but
    cannot be added to, gives no feedback and cannot be served by xapian-tcpsrv."""

class Record:
    """One question with its answer: the unit that is indexed and returned."""

    id: str
    title: str
    question: str
    answer: str
    category: str
    lang: str
    url: str
    group: str
    vector: list[float]
    def __init__(
        self,
        id: str,
        *,
        title: str = "",
        question: str = "",
        answer: str = "",
        category: str = "",
        tags: _Strs | None = None,
        lang: str = "",
        url: str = "",
        date: _Date | None = None,
        group: str = "",
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Makes a record; every field but ``id`` is keyword-only and optional."""
    @property
    def tags(self) -> list[str]:
        """Tags (a list of str; assign a new list to change them)."""
    @tags.setter
    def tags(self, value: _Strs) -> None: ...
    @property
    def date(self) -> str:
        """'YYYY-MM-DD' (or a prefix such as 'YYYY'); a datetime.date may be assigned."""
    @date.setter
    def date(self, value: _Date) -> None: ...
    @property
    def extra(self) -> dict[str, Any]:
        """Other fields: a dict of JSON-compatible values (a copy; assign to change)."""
    @extra.setter
    def extra(self, value: Mapping[str, Any] | None) -> None: ...
    def to_dict(self) -> RecordDict:
        """The record as a dict: the fields, then the extra fields."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Record:
        """Makes a record from a dict, validated like a JSON Lines record (raises ParseError)."""
    def to_json(self) -> str:
        """The record as one line of JSON."""
    @staticmethod
    def from_json(text: str) -> Record:
        """Parses one JSON object (raises ParseError)."""
    def __eq__(self, other: object) -> bool: ...
    __hash__: None  # type: ignore[assignment]

class Token:
    """One word of a text: its index term and where it stands."""

    @property
    def term(self) -> str:
        """The normalised (and stemmed) index term."""
    @property
    def start(self) -> int:
        """Index in the analysed str of the word's first character."""
    @property
    def end(self) -> int:
        """Index one past the word's last character."""
    @property
    def bigram(self) -> bool:
        """True for a CJK character bigram rather than a word."""

class Analyzer:
    """The text analysis that indexes and queries share."""

    def __init__(
        self,
        *,
        fold_case: bool = True,
        fold_accents: bool = True,
        traditional_to_simplified: bool = True,
        stop_words: bool = True,
        stem: bool = True,
        cjk_unigrams: bool = True,
        cjk_bigrams: bool = True,
        cjk_unigram_weight: float = 0.3,
        cjk_bigram_weight: float = 0.3,
        default_language: str = "en",
        max_term_bytes: int = 64,
    ) -> None:
        """Makes an analyzer with these settings (the defaults of a new Index)."""
    @property
    def options(self) -> dict[str, Any]:
        """The settings, as a dict of the constructor's keywords."""
    def normalize(self, text: str) -> str:
        """The text after Unicode, case, accent and script folding."""
    def tokens(self, text: str, lang: str = "") -> list[Token]:
        """The index terms of `text` in order, with their positions in it."""
    def terms(self, text: str, lang: str = "") -> list[str]:
        """Only the terms of tokens()."""

class IndexStats:
    """What a database holds."""

    @property
    def documents(self) -> int:
        """Number of records."""
    @property
    def distinct_terms(self) -> int:
        """Distinct index terms, all fields."""
    @property
    def average_length(self) -> float:
        """Terms per record, on average."""
    @property
    def categories(self) -> dict[str, int]:
        """{category: records}, most frequent first."""
    @property
    def languages(self) -> dict[str, int]:
        """{language: records}, most frequent first."""
    @property
    def analyzer(self) -> dict[str, Any]:
        """The analyzer settings the database was built with (a dict)."""
    @property
    def ranking(self) -> dict[str, float]:
        """The ranking settings the database was built with (title_weight,
        question_weight, answer_weight, bm25_b)."""
    @property
    def spelling(self) -> bool:
        """Whether the database keeps a spelling table (False: rebuild to enable)."""
    @property
    def embedding_model(self) -> str:
        """The sentence-embedding model whose vectors the records carry ('' when none)."""
    @property
    def embedding_model_path(self) -> str:
        """The folder that model was loaded from when the database was built."""
    @property
    def embedding_dimension(self) -> int:
        """Length of the records' embeddings (0 when none)."""
    @property
    def vector_precision(self) -> str:
        """How the database stores new vectors: 'int8' or 'float32'."""
    @property
    def question_types(self) -> bool:
        """Whether records carry their question type (False: rebuild to enable)."""
    @property
    def associations_learned_from(self) -> int:
        """Records the word associations were learned from (0: none)."""
    @property
    def association_words(self) -> int:
        """Query words that have learned associations."""
    @property
    def path(self) -> str:
        """The database directory."""

class BadLine:
    """An input record that was skipped, and why."""

    @property
    def source(self) -> str:
        """The file (or stream name)."""
    @property
    def line(self) -> int:
        """Its line number (1-based)."""
    @property
    def reason(self) -> str:
        """What was wrong with it."""

class IngestReport:
    """What a load (add_many, add_file) did."""

    @property
    def read(self) -> int:
        """Records read without error."""
    @property
    def added(self) -> int:
        """Records with a new id."""
    @property
    def replaced(self) -> int:
        """Records whose id was already in the database."""
    @property
    def skipped(self) -> int:
        """Bad lines skipped."""
    @property
    def bad_lines(self) -> list[BadLine]:
        """The skipped lines."""

class Hit:
    """One similar record, with why it matched."""

    @property
    def rank(self) -> int:
        """1-based position, counting the offset."""
    @property
    def id(self) -> str:
        """The record's id."""
    @property
    def score(self) -> float:
        """The score ranked by (BM25F, or cosine + semantic_lexical_weight x BM25F / best);
        comparable within one result list only."""
    @property
    def lexical_score(self) -> float:
        """BM25F score of the words alone."""
    @property
    def semantic_similarity(self) -> float:
        """Cosine of the query's and the record's embeddings (semantic stage), else 0."""
    @property
    def confidence(self) -> float:
        """0..1: the share of the query's weight this record matches."""
    @property
    def record(self) -> RecordDict:
        """The stored record, as a dict."""
    @property
    def snippet(self) -> str:
        """Highlighted passage of the title and question."""
    @property
    def answer_snippet(self) -> str:
        """Highlighted passage of the answer."""
    @property
    def matched_terms(self) -> list[str]:
        """The query terms found in this record."""

class RelatedTopic:
    """A topic that recurs among the similar records."""

    @property
    def topic(self) -> str:
        """A title shared by several hits."""
    @property
    def category(self) -> str:
        """Its most frequent category."""
    @property
    def count(self) -> int:
        """Hits with this topic."""

class QueryTerm:
    """A term the search looked for."""

    @property
    def term(self) -> str:
        """The index term."""
    @property
    def weight(self) -> float:
        """Its selection weight (frequency in the query x idf)."""

class SpellingCorrection:
    """A query word searched as another spelling too."""

    @property
    def word(self) -> str:
        """The word as typed."""
    @property
    def correction(self) -> str:
        """The collection's spelling, searched as well."""

class Results:
    """The answer to one search: a sequence of Hit (best first) plus facets."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Hit]: ...
    def __getitem__(self, index: int) -> Hit: ...
    @property
    def hits(self) -> list[Hit]:
        """The hits, best first."""
    @property
    def estimated_matches(self) -> int:
        """Estimated number of records matching at least one query term."""
    @property
    def categories(self) -> dict[str, int]:
        """{category: hits} over the top hits, most frequent first."""
    @property
    def related_topics(self) -> list[RelatedTopic]:
        """Recurring topics among the hits."""
    @property
    def query_terms(self) -> list[QueryTerm]:
        """The terms searched for, strongest first."""
    @property
    def corrections(self) -> list[SpellingCorrection]:
        """Query words also searched as another spelling ('did you mean')."""
    @property
    def semantic(self) -> bool:
        """Whether the semantic stage re-ranked the hits."""
    @property
    def question_type(self) -> str:
        """The query's question type when the ranking used it, else ''."""
    @property
    def added_terms(self) -> list[QueryTerm]:
        """Words added to the query (associations, then feedback), with their weights."""

class Index:
    """The writer of a database: add, replace and remove records, then commit."""

    def __init__(
        self,
        path: _Path,
        *,
        create: bool = True,
        fold_case: bool = True,
        fold_accents: bool = True,
        traditional_to_simplified: bool = True,
        stop_words: bool = True,
        stem: bool = True,
        cjk_unigrams: bool = True,
        cjk_bigrams: bool = True,
        cjk_unigram_weight: float = 0.3,
        cjk_bigram_weight: float = 0.3,
        default_language: str = "en",
        max_term_bytes: int = 64,
        shards: int | None = None,
        max_changesets: int = 0,
        spelling: bool = True,
        question_types: bool = True,
        model: _Path | None = None,
        embedding_dimension: int = 0,
        wait_lock: float = 0,
        vector_precision: str = "int8",
        title_weight: float | None = None,
        question_weight: float | None = None,
        answer_weight: float | None = None,
        bm25_b: float | None = None,
    ) -> None:
        """Opens the database directory `path`, creating it when missing (unless create=False).
        The analyzer and ranking keywords are settings of a new database; shards=N makes a
        new one a collection of N shards; max_changesets=N keeps changesets for replicas;
        wait_lock=SECONDS waits that long for another writer's lock."""
    @property
    def path(self) -> str:
        """The database directory."""
    @property
    def closed(self) -> bool:
        """True after close()."""
    @property
    def analyzer(self) -> Analyzer:
        """An Analyzer with the database's settings."""
    def add(self, record: _RecordLike) -> bool:
        """Adds a record, replacing the one with the same id; True when one was replaced."""
    def add_many(self, records: Iterable[_RecordLike], *, batch_size: int = 1000) -> IngestReport:
        """Adds every record of an iterable, like add() for each; does not commit."""
    def add_file(
        self,
        path: _Path,
        *,
        format: Literal["auto", "jsonl", "csv", "tsv", "lines", "page"] = "auto",
        encoding: str = "auto",
        skip_bad_lines: bool = False,
        field_map: Mapping[str, str] | None = None,
        batch_size: int = 0,
        threads: int = 0,
        progress: Callable[[int], object] | None = None,
        max_line_bytes: int | None = None,
        max_record_bytes: int | None = None,
        max_fields: int | None = None,
    ) -> IngestReport:
        """Loads a file or directory of records, committing in batches and at the end."""
    def remove(self, id: str) -> bool:
        """Removes the record with this id; False when there was none."""
    def commit(self) -> None:
        """Makes every change since the last commit durable and visible."""
    def rollback(self) -> None:
        """Discards every change since the last commit."""
    def get(self, id: str) -> RecordDict | None:
        """The record with this id (committed or not) as a dict, or None."""
    def stats(self) -> IndexStats:
        """Counts, facets and settings of the database."""
    def learn_associations(
        self,
        *,
        per_word: int | None = None,
        min_records: int | None = None,
        answer_words: int | None = None,
    ) -> dict[str, int]:
        """Learns which words go with which from the records' questions and answers, stores them and commits."""
    def close(self) -> None:
        """Commits pending changes and releases the database."""
    def __contains__(self, id: str) -> bool: ...
    def __len__(self) -> int: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool: ...

class Searcher:
    """Finds the records most similar to a question, in one database (thread-safe)."""

    def __init__(
        self,
        path: _Path,
        *,
        refresh_interval_ms: int = 0,
        timeout_ms: int = 10000,
        parallel_shards: bool = True,
        parallel_min_postings: int = 20000,
        model: _Path | None = None,
    ) -> None:
        """Opens the database, collection of shards or stub file at `path` for searching
        (NotFoundError when there is none).

        refresh_interval_ms: how often a search checks for newer commits and
        moves to them (0 = never). A commit never makes a search fail.
        timeout_ms bounds each wait on a remote shard (TimeoutError, UnavailableError)."""
    @property
    def path(self) -> str:
        """The database directory."""
    @property
    def closed(self) -> bool:
        """True after close()."""
    def similar(
        self,
        text: str,
        k: int = 10,
        *,
        offset: int | None = None,
        min_score: float | None = None,
        categories: _Strs | None = None,
        tags: _Strs | None = None,
        lang: str | None = None,
        group: str | None = None,
        since: _Date | None = None,
        until: _Date | None = None,
        exclude: str | None = None,
        bm25_k1: float | None = None,
        max_query_terms: int | None = None,
        max_query_bytes: int | None = None,
        spelling: bool | None = None,
        question_type_weight: float | None = None,
        semantic: bool | None = None,
        semantic_depth: int | None = None,
        semantic_lexical_weight: float | None = None,
        query_vector: Iterable[float] | None = None,
        snippets: bool | None = None,
        snippet_length: int | None = None,
        highlight: tuple[str, str] | None = None,
        facets: bool | None = None,
        facet_depth: int | None = None,
        max_topics: int | None = None,
        max_associations: int | None = None,
        association_weight: float | None = None,
        feedback_terms: int | None = None,
        feedback_documents: int | None = None,
        feedback_weight: float | None = None,
    ) -> Results:
        """The k records most similar to `text`."""
    def more_like(
        self,
        id: str,
        k: int = 10,
        *,
        offset: int | None = None,
        min_score: float | None = None,
        categories: _Strs | None = None,
        tags: _Strs | None = None,
        lang: str | None = None,
        group: str | None = None,
        since: _Date | None = None,
        until: _Date | None = None,
        exclude: str | None = None,
        bm25_k1: float | None = None,
        max_query_terms: int | None = None,
        max_query_bytes: int | None = None,
        spelling: bool | None = None,
        question_type_weight: float | None = None,
        semantic: bool | None = None,
        semantic_depth: int | None = None,
        semantic_lexical_weight: float | None = None,
        query_vector: Iterable[float] | None = None,
        snippets: bool | None = None,
        snippet_length: int | None = None,
        highlight: tuple[str, str] | None = None,
        facets: bool | None = None,
        facet_depth: int | None = None,
        max_topics: int | None = None,
        max_associations: int | None = None,
        association_weight: float | None = None,
        feedback_terms: int | None = None,
        feedback_documents: int | None = None,
        feedback_weight: float | None = None,
    ) -> Results:
        """The k records most similar to the stored record `id`, itself excluded."""
    def similar_batch(
        self,
        texts: Iterable[str],
        k: int = 10,
        *,
        threads: int = 0,
        offset: int | None = None,
        min_score: float | None = None,
        categories: _Strs | None = None,
        tags: _Strs | None = None,
        lang: str | None = None,
        group: str | None = None,
        since: _Date | None = None,
        until: _Date | None = None,
        exclude: str | None = None,
        bm25_k1: float | None = None,
        max_query_terms: int | None = None,
        max_query_bytes: int | None = None,
        spelling: bool | None = None,
        question_type_weight: float | None = None,
        semantic: bool | None = None,
        semantic_depth: int | None = None,
        semantic_lexical_weight: float | None = None,
        query_vector: Iterable[float] | None = None,
        snippets: bool | None = None,
        snippet_length: int | None = None,
        highlight: tuple[str, str] | None = None,
        facets: bool | None = None,
        facet_depth: int | None = None,
        max_topics: int | None = None,
        max_associations: int | None = None,
        association_weight: float | None = None,
        feedback_terms: int | None = None,
        feedback_documents: int | None = None,
        feedback_weight: float | None = None,
    ) -> list[Results]:
        """similar() for each text on `threads` threads (0 = one per core), without the GIL."""
    def similarity(self, a: str, b: str) -> float:
        """How alike two texts are, 0..1."""
    def get(self, id: str) -> RecordDict | None:
        """The stored record with this id as a dict, or None."""
    def stats(self) -> IndexStats:
        """Counts, facets and settings of the database."""
    def associations(self, word: str) -> list[tuple[str, float]]:
        """The words this database learned to go with `word`, strongest first."""
    def reopen(self) -> None:
        """See the latest committed state of the database."""
    def close(self) -> None:
        """Releases the database."""
    def __contains__(self, id: str) -> bool: ...
    def __len__(self) -> int: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool: ...

class ModelIdentity:
    """What identifies an embedding model: vectors of models of different identities are not comparable."""

    @property
    def name(self) -> str: ...
    @property
    def dimension(self) -> int: ...
    @property
    def weights_sha256(self) -> str: ...

class EmbeddingModel:
    """A sentence-embedding model (BERT family, sentence-transformers folder), run in C++. Thread-safe."""

    def __init__(self, path: _Path, *, threads: int = 0, max_tokens: int = 256) -> None:
        """Loads the model folder at `path` (NotFoundError, InvalidArgumentError, CorruptDatabaseError)."""
    @property
    def identity(self) -> ModelIdentity: ...
    def embed(self, text: str) -> list[float]:
        """The embedding of `text`: identity.dimension floats."""
    def embed_batch(self, texts: Iterable[str]) -> list[list[float]]:
        """embed() of each text, in order, on the model's threads."""
    def tokenize(self, text: str) -> list[str]:
        """The word pieces `text` becomes, [CLS] and [SEP] included."""

def cosine(a: Iterable[float], b: Iterable[float]) -> float:
    """The cosine of two vectors of the same length (0 when either is all zeros)."""
