"""askalike: find, in a collection of question-and-answer records, the
questions most similar to a new one, and say why.

Build an index once::

    import askalike

    with askalike.Index("qa.db") as index:          # commits at the end
        index.add({"id": "q1", "title": "Facial twitching",
                   "question": "My cheek twitches at night.",
                   "category": "Neurology"})

Then ask it, from as many threads as you like::

    searcher = askalike.Searcher("qa.db")
    for hit in searcher.similar("why does my face twitch when I sleep?", k=5):
        print(hit.rank, hit.id, round(hit.score, 2), hit.snippet)

Every error is an :class:`askalike.Error`. Searches release the GIL, and
:meth:`Searcher.similar_batch` runs many queries on several threads.
"""

from ._askalike import (
    Analyzer,
    BadLine,
    EmbeddingModel,
    Hit,
    Index,
    IndexStats,
    IngestReport,
    ModelIdentity,
    QueryTerm,
    Record,
    RelatedTopic,
    Results,
    Searcher,
    SpellingCorrection,
    Token,
    compact,
    cosine,
    question_type,
    reindex,
)
from ._askalike import version as _library_version
from . import _errors
from ._errors import (
    CorruptDatabaseError,
    DatabaseLockedError,
    Error,
    FileError,
    IncompatibleVersionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    ParseError,
    TimeoutError,
    UnavailableError,
)

#: The version of askalike (the C++ library this module was built with).
__version__: str = _library_version()

__all__ = [
    "compact",
    "reindex",
    "Analyzer",
    "BadLine",
    "EmbeddingModel",
    "CorruptDatabaseError",
    "DatabaseLockedError",
    "Error",
    "FileError",
    "Hit",
    "IncompatibleVersionError",
    "Index",
    "IndexStats",
    "IngestReport",
    "ModelIdentity",
    "InternalError",
    "TimeoutError",
    "UnavailableError",
    "InvalidArgumentError",
    "NotFoundError",
    "ParseError",
    "QueryTerm",
    "Record",
    "RelatedTopic",
    "Results",
    "Searcher",
    "SpellingCorrection",
    "Token",
    "cosine",
    "question_type",
    "__version__",
]

# Show the public home of the exceptions in tracebacks (askalike.ParseError,
# not askalike._errors.ParseError); the compiled classes already say askalike.
for _name in _errors.__all__:
    globals()[_name].__module__ = __name__
del _name
