"""The public surface of ats_reject.http is what __all__ lists, each name documented."""

from __future__ import annotations

import inspect

from ats_reject import http


def test_all_names_exist_and_are_documented() -> None:
    assert sorted(http.__all__) == sorted(set(http.__all__))
    for name in http.__all__:
        value = getattr(http, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__doc__, f"{name} has no docstring"


def test_no_private_module_leaks_into_the_namespace() -> None:
    # pytest's assertion rewriting may add "@py_*" names; they are not ours.
    public = {name for name in dir(http) if not name.startswith(("_", "@"))}
    assert public == set(http.__all__)
