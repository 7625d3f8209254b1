"""The package's surface: names, docstrings, stubs."""

from __future__ import annotations

import inspect
from pathlib import Path

import askalike


def _own_doc(obj) -> str:
    """The docstring without pybind11's generated signature lines."""
    doc = inspect.getdoc(obj) or ""
    lines = [ln for ln in doc.splitlines() if not ln.lstrip().startswith(
        tuple(f"{n}(" for n in ("__init__", getattr(obj, "__name__", "?"))))
        and not ln.strip().startswith(("Overloaded function", "1.", "2."))]
    return "\n".join(lines).strip()


def test_every_public_name_has_a_docstring():
    missing = []
    assert _own_doc(askalike)
    for name in askalike.__all__:
        obj = getattr(askalike, name)
        if name == "__version__":
            assert obj == askalike._askalike.version()
            continue
        if not _own_doc(obj):
            missing.append(name)
        if not isinstance(obj, type) or issubclass(obj, BaseException):
            continue
        assert obj.__module__ == "askalike"
        for attr, value in vars(obj).items():
            if attr.startswith("_") and attr not in ("__init__", "__len__", "__iter__",
                                                      "__getitem__", "__contains__",
                                                      "__enter__", "__exit__"):
                continue
            if not _own_doc(value):
                missing.append(f"{name}.{attr}")
    assert missing == []


def test_stubs_and_marker_are_installed():
    here = Path(askalike.__file__).parent
    assert (here / "py.typed").is_file()
    stub = (here / "_askalike.pyi").read_text(encoding="utf-8")
    for name in askalike.__all__:
        obj = getattr(askalike, name)
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            assert f"class {name}" in stub, name
            for attr in vars(obj):
                if not attr.startswith("_"):
                    assert f"def {attr}(" in stub or f"    {attr}: " in stub, \
                        f"{name}.{attr} missing from the stub"


def test_namespace_shows_only_the_public_names():
    # No helper of the package's own code (a __future__ import, a loop
    # variable) may show up beside the API.
    shown = {name for name in vars(askalike) if not name.startswith("_")}
    assert shown == set(askalike.__all__) - {"__version__"}


def test_version():
    assert askalike.__version__.count(".") == 2
