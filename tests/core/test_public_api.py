from __future__ import annotations

import ats_reject


def test_all_lists_exactly_the_public_names() -> None:
    exported = set(ats_reject.__all__)
    assert len(exported) == len(ats_reject.__all__), "duplicates in __all__"
    for name in exported:
        assert hasattr(ats_reject, name), name
    eager = {
        name
        for name, value in vars(ats_reject).items()
        if not name.startswith("_")
        and not isinstance(value, type(ats_reject))
        and name not in {"TYPE_CHECKING", "Any"}
    }
    assert eager | set(ats_reject._LAZY) == exported - {"__version__"}


def test_public_names_have_docstrings() -> None:
    for name in ats_reject.__all__:
        value = getattr(ats_reject, name)
        if isinstance(value, type):
            assert value.__doc__, f"{name} has no docstring"


def test_heavy_parts_load_lazily() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, ats_reject;"
        "before = {m for m in ('ats_reject.store', 'ats_reject.engine') if m in sys.modules};"
        "engine = ats_reject.Engine;"
        "print(sorted(before), engine.__module__)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[] ats_reject.engine"


def test_core_imports_no_adapter() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, ats_reject, ats_reject.cli, ats_reject.http, ats_reject.webhooks;"
        "ats_reject.default_registry.names();"
        "print(sorted(m for m in sys.modules if m.startswith('ats_reject_')))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
