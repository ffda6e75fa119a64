from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject._redact import redact_text, safe_path, sanitize_log_value


def test_emails_phones_and_tokens_are_masked() -> None:
    text = redact_text(
        "Ana <ana.perez@example.com> +1 (415) 555-0100 Bearer abcdefghijklmnop api_key=xyz"
    )
    assert "ana.perez@example.com" not in text
    assert "555-0100" not in text
    assert "abcdefghijklmnop" not in text
    assert "xyz" not in text


def test_short_codes_and_ids_stay_readable() -> None:
    assert redact_text("invalid_rejection_reason for application 4521") == (
        "invalid_rejection_reason for application 4521"
    )


def test_safe_path_drops_host_query_and_userinfo() -> None:
    assert safe_path("https://user:pw@api.lever.co/v1/opportunities?email=a@b.co#x") == (
        "/v1/opportunities"
    )
    assert safe_path("/v3/applications/12?cursor=abc") == "/v3/applications/12"
    assert safe_path("https://api.example.com") == "/"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_sanitized_values_never_contain_line_breaks(value: str) -> None:
    assert "\n" not in sanitize_log_value(value)
    assert "\r" not in sanitize_log_value(value)
    assert len(redact_text(value)) <= 200
