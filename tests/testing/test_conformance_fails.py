"""The conformance suite can fail: it catches deliberately broken adapters.

Each test writes a test module with a broken subclass of the example adapter and the
one-line conformance class, runs pytest on it with ``pytester``, and checks that exactly
the checks about the broken behaviour fail, for the right reason.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

_HEADER = """
import logging
from typing import Any

from ats_reject.errors import (
    ApiValidationError, ConflictError, NotFoundError, ServerError, TransportError,
)
from ats_reject.testing import AdapterConformance
from ats_reject.testing.example_adapter import ExampleAdapter
"""


def _run(pytester: pytest.Pytester, adapter_source: str, *selection: str) -> pytest.RunResult:
    source = (
        _HEADER
        + adapter_source
        + (
            "\n\nclass TestBrokenConformance(AdapterConformance):\n"
            "    adapter_class = BrokenAdapter\n"
        )
    )
    pytester.makepyfile(test_broken=source)
    # -rf -vv: one untruncated "FAILED test - reason" line per failed check.
    return pytester.runpytest("-p", "no:cacheprovider", "-W", "error", "-rf", "-vv", *selection)


def test_the_example_adapter_passes_when_run_the_same_way(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        "class BrokenAdapter(ExampleAdapter):\n    pass\n",
        "-k",
        "missing_application or forged or lost or reads_each_status",
    )

    result.assert_outcomes(passed=5)


def test_not_found_mapped_to_a_retryable_error_fails(pytester: pytest.Pytester) -> None:
    adapter = """
class BrokenAdapter(ExampleAdapter):
    def get_application(self, application_id: str) -> Any:
        try:
            return super().get_application(application_id)
        except NotFoundError as error:
            raise ServerError("try again", adapter=self.name, status=503) from error
"""
    result = _run(pytester, adapter, "-k", "missing_application or fatal_status or each_status")

    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(
        [
            "FAILED *test_missing_application_is_not_found - "
            "*expected NotFoundError, got ServerError*",
            "FAILED *test_fatal_status_raises_its_error_without_retry?404? - "
            "*expected NotFoundError*",
        ],
        consecutive=False,
    )


def test_candidate_name_in_an_error_fails(pytester: pytest.Pytester) -> None:
    adapter = """
class BrokenAdapter(ExampleAdapter):
    def reject(self, application_id: str, **kwargs: Any) -> Any:
        current = self.get_application(application_id)
        try:
            return super().reject(application_id, **kwargs)
        except ApiValidationError as error:
            detail = f"could not reject {current.candidate.first_name}"
            raise ApiValidationError(detail, adapter=self.name, status=422) from error
"""
    result = _run(pytester, adapter, "-k", "reject")

    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        ["FAILED *test_reject_refused_by_the_server_is_not_repeated_blindly - *LeakError*"]
    )


def test_candidate_email_in_a_debug_log_fails(pytester: pytest.Pytester) -> None:
    adapter = """
class BrokenAdapter(ExampleAdapter):
    def get_application(self, application_id: str) -> Any:
        application = super().get_application(application_id)
        logging.getLogger("broken").debug("read %s", application.candidate.primary_email)
        return application
"""
    result = _run(pytester, adapter, "-k", "each_status or settings_validate")

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "FAILED *test_get_application_reads_each_status - *LeakError: watched value #* "
            "leaked into log record #* of logger 'broken' at DEBUG*"
        ]
    )


def test_blind_repost_after_a_lost_answer_fails(pytester: pytest.Pytester) -> None:
    adapter = """
class BrokenAdapter(ExampleAdapter):
    def _write_state(self, application_id: str, action: str, payload: Any, **_: Any) -> Any:
        path = f"applications/{application_id}/{action}"
        try:
            body = self._http.request_json("POST", path, json=payload)
        except TransportError:
            body = self._http.request_json("POST", path, json=payload)
        return self._application(body["application"], path)
"""
    result = _run(pytester, adapter, "-k", "lost")

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["FAILED *test_reject_whose_answer_is_lost_is_read_back_not_reposted - *ConflictError*"]
    )


def test_accepting_forged_webhooks_fails(pytester: pytest.Pytester) -> None:
    adapter = """
class BrokenAdapter(ExampleAdapter):
    def verify_webhook(self, headers: Any, body: bytes) -> None:
        if "Example-Signature" not in headers:
            super().verify_webhook(headers, body)
"""
    result = _run(pytester, adapter, "-k", "webhook")

    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        ["FAILED *test_forged_webhooks_are_refused - *a webhook signed with a wrong secret*"]
    )


def test_broken_metadata_fails(pytester: pytest.Pytester) -> None:
    adapter = """
class BrokenAdapter(ExampleAdapter):
    capabilities = ExampleAdapter.capabilities | {"tags"}
"""
    result = _run(pytester, adapter, "-k", "class_attributes or registry or capabilities_match")

    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "FAILED *test_class_attributes_are_valid - *'tags' is not a Capability*",
            "FAILED *test_registry_accepts_the_adapter - "
            "*capabilities must be a frozenset of Capability*",
            "FAILED *test_capabilities_match_the_methods - *tags is announced but add_tag()*",
        ],
        consecutive=False,
    )
