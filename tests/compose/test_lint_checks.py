"""The shape checks of the lint, consent rules, exemptions, spans, and the codes table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ats_reject.compose import (
    LINT_CODES,
    Composer,
    LintOptions,
    Purpose,
    RenderedMessage,
    Sender,
    Severity,
    TalentPoolInvitation,
    lint,
    sample_context,
)

from .conftest import lint_text

DOCS = Path(__file__).parents[2] / "docs" / "templates.md"

GOOD_BODY = (
    "Hi Alex,\n\n"
    "Thank you for the time you spent interviewing for the Senior Backend Engineer role at "
    "Northwind Labs. I'm sorry to tell you that we have decided not to move forward with "
    "your application.\n\n"
    "You are welcome to apply for other roles that interest you. If you have any questions, "
    "just reply to this email.\n\n"
    "Sam Rivera\nTalent Partner, Northwind Labs\n"
)


def codes(body: str, **kwargs: object) -> dict[str, str]:
    report = lint_text(body, **kwargs)  # type: ignore[arg-type]
    return {f.code: f.severity.value for f in report.findings}


def test_a_good_body_has_no_findings() -> None:
    assert codes(GOOD_BODY) == {}


@pytest.mark.parametrize(
    "placeholder",
    [
        "{{ first_name }}",
        "{{CANDIDATE_FIRST_NAME}}",
        "[Candidate Name]",
        "[ROLE]",
        "{fill-in}",
        "TODO",
        "%FIRST_NAME%",
        "${name}",
        "<<name>>",
        "Lorem ipsum",
    ],
)
def test_unfilled_placeholders_are_errors(placeholder: str) -> None:
    report = lint_text(GOOD_BODY.replace("Northwind Labs. I'm", f"{placeholder}. I'm"))
    found = [f for f in report.findings if f.code == "ARL001"]
    assert found
    assert found[0].severity is Severity.ERROR
    start, end = found[0].span or (0, 0)
    body = GOOD_BODY.replace("Northwind Labs. I'm", f"{placeholder}. I'm")
    assert placeholder in body[start:end] or body[start:end] in placeholder


def test_ordinary_brackets_are_not_placeholders() -> None:
    body = GOOD_BODY.replace("to apply for", "to apply (see the careers page [1]) for")
    assert "ARL001" not in codes(body)


def test_a_generic_greeting_is_an_error_when_the_name_is_known() -> None:
    assert codes(GOOD_BODY.replace("Hi Alex,", "Dear Candidate,"))["ARL003"] == "error"
    assert codes(GOOD_BODY.replace("Hi Alex,", "To whom it may concern,"))["ARL003"] == "error"
    assert codes(GOOD_BODY.replace("Hi Alex,", "Hello,"))["ARL003"] == "error"


def test_a_generic_greeting_is_a_warning_when_no_name_is_known() -> None:
    context = sample_context().model_copy(update={"candidate_name": None})
    body = GOOD_BODY.replace("Hi Alex,", "Dear applicant,")
    assert codes(body, context=context) == {"ARL003": "warning"}
    assert codes(GOOD_BODY.replace("Hi Alex,", "Hello,"), context=context) == {}


def test_the_role_must_be_named() -> None:
    assert codes(GOOD_BODY.replace("Senior Backend Engineer ", "")) == {"ARL004": "error"}
    no_role = sample_context().model_copy(update={"role": None})
    assert codes(GOOD_BODY, context=no_role) == {"ARL004": "error"}


def test_a_rejection_must_state_the_decision() -> None:
    body = GOOD_BODY.replace(
        "I'm sorry to tell you that we have decided not to move forward with your application.",
        "We appreciated your interest.",
    )
    assert codes(body) == {"ARL005": "error"}


@pytest.mark.parametrize(
    "decision",
    [
        "we will not be moving forward with your application",
        "we won't be progressing your application",
        "your application was unsuccessful",
        "we are unable to offer you the role",
        "we're not proceeding with your application",
        "you were not selected for the next round",
        "we will not be offering you the position",
    ],
)
def test_plain_decisions_are_recognised(decision: str) -> None:
    body = GOOD_BODY.replace("we have decided not to move forward with your application", decision)
    assert "ARL005" not in codes(body)


def test_a_decision_after_the_first_paragraph_is_a_warning() -> None:
    body = (
        "Hi Alex,\n\nThank you for the time you spent on the Senior Backend Engineer role at "
        "Northwind Labs.\n\nWe have decided not to move forward with your application.\n\n"
        "If you have any questions, just reply to this email. All the best from all of us "
        "here.\n\nSam Rivera\n"
    )
    report = lint_text(body)
    assert {f.code: f.severity for f in report.findings} == {"ARL006": Severity.WARNING}
    assert not report.route_to_human


def test_a_hedged_rejection_is_an_error() -> None:
    body = GOOD_BODY.replace(
        "your application.", "your application, but we may revisit this decision later."
    )
    report = lint_text(body)
    assert report.codes == {"ARL007"}
    (finding,) = report.findings
    assert finding.span is not None
    assert body[finding.span[0] : finding.span[1]] == "may revisit this decision"


def test_a_holding_update_must_not_state_a_rejection() -> None:
    body = GOOD_BODY.replace("I'm sorry", "This is an update on your application. I'm sorry")
    report = lint_text(body, purpose=Purpose.HOLDING_UPDATE)
    assert "ARL008" in report.codes


def test_length_thresholds() -> None:
    short = (
        "Hi Alex,\n\nNo to the Senior Backend Engineer role: decided not to move forward."
        "\n\nSam Rivera\n"
    )
    assert codes(short)["ARL009"] == "warning"
    long_body = GOOD_BODY.replace("All the best", "") + ("More words here. " * 200)
    report = lint_text(long_body)
    assert "ARL010" in report.codes
    assert not report.route_to_human


def test_length_thresholds_are_options() -> None:
    message = RenderedMessage(
        purpose=Purpose.REJECTION,
        subject="Your application",
        text=GOOD_BODY,
        html=None,
        locale_used="en",
        template_id="test",
    )
    report = lint(message, sample_context(), options=LintOptions(min_words=500))
    assert report.codes == {"ARL009"}


def test_subject_checks() -> None:
    assert codes(GOOD_BODY, subject=" ") == {"ARL011": "error"}
    assert codes(GOOD_BODY, subject="x" * 120) == {"ARL011": "warning"}


def test_the_sender_must_sign() -> None:
    assert codes(GOOD_BODY.replace("Sam Rivera\n", "")) == {"ARL012": "error"}


def test_no_reply_address_is_a_warning() -> None:
    context = sample_context().model_copy(update={"sender": Sender(name="Sam Rivera")})
    assert codes(GOOD_BODY, context=context) == {"ARL013": "warning"}


def test_a_consent_request_needs_an_invitation_and_its_link() -> None:
    body = GOOD_BODY.replace(
        "I'm sorry to tell you that we have decided not to move forward with your application.",
        "May we keep your details in our talent pool?",
    )
    no_invitation = sample_context().model_copy(update={"talent_pool": None})
    report = lint_text(body, purpose=Purpose.CONSENT_REQUEST, context=no_invitation)
    assert {"ARL014", "ARL112"} <= report.codes
    with_invitation = sample_context(Purpose.CONSENT_REQUEST)
    report = lint_text(body, purpose=Purpose.CONSENT_REQUEST, context=with_invitation)
    assert {"ARL014", "ARL112"} <= report.codes
    assert with_invitation.talent_pool is not None
    linked = body + with_invitation.talent_pool.consent_url + "\n"
    report = lint_text(linked, purpose=Purpose.CONSENT_REQUEST, context=with_invitation)
    assert report.codes == set()


def test_re_engagement_needs_consent() -> None:
    body = GOOD_BODY.replace(
        "I'm sorry to tell you that we have decided not to move forward with your application.",
        "A new role has opened.",
    )
    consented = sample_context(Purpose.RE_ENGAGEMENT)
    assert "ARL015" not in lint_text(body, purpose=Purpose.RE_ENGAGEMENT, context=consented).codes
    not_consented = consented.model_copy(update={"talent_pool_consented": False})
    assert "ARL015" in lint_text(body, purpose=Purpose.RE_ENGAGEMENT, context=not_consented).codes


def test_promises_are_fine_with_consent_and_errors_without() -> None:
    body = GOOD_BODY.replace(
        "You are welcome to apply", "We will keep your CV on file. You are welcome to apply"
    )
    assert codes(body) == {"ARL112": "error"}
    consented = sample_context().model_copy(update={"talent_pool_consented": True})
    assert codes(body, context=consented) == {}
    invitation = TalentPoolInvitation(consent_url="https://example.com/consent/abc")
    invited = sample_context().model_copy(update={"talent_pool": invitation})
    assert codes(body, context=invited) == {"ARL112": "error"}, "the link is not in the text"
    assert codes(body + "https://example.com/consent/abc\n", context=invited) == {}


def test_the_wrong_language_list_is_never_used() -> None:
    report = lint_text(GOOD_BODY, locale="fr")
    assert report.codes == {"ARL016"}
    assert report.route_to_human


def test_names_from_the_ats_are_not_risky_wording() -> None:
    context = sample_context().model_copy(
        update={
            "candidate_name": "Christian",
            "role": "Family Office Analyst",
            "sender": Sender(
                name="Faith Young", title="Senior Recruiter", reply_to="f@example.com"
            ),
        }
    )
    body = (
        "Hi Christian,\n\nThank you for applying for the Family Office Analyst role at "
        "Northwind Labs. I'm sorry to tell you that we have decided not to move forward with "
        "your application.\n\nIf you have any questions, just reply to this email.\n\n"
        "Faith Young\nSenior Recruiter, Northwind Labs\n"
    )
    assert lint_text(body, context=context).codes == set()
    feedback = body.replace("your application.", "your application. Your family may need you.")
    assert "ARL104" in lint_text(feedback, context=context).codes


def test_html_findings_point_into_the_raw_html() -> None:
    html = (
        "<html><head><title>Risky?</title></head><body><p>Hi Alex,</p>"
        "<p>We want a <strong>culture</strong>&nbsp;fit, and you&#39;re "
        "<em>over</em>qualified.</p></body></html>"
    )
    report = lint_text(GOOD_BODY, html=html)
    found = {f.code: f for f in report.findings if f.part == "html"}
    assert set(found) == {"ARL101", "ARL109"}
    start, end = found["ARL109"].span or (0, 0)
    assert html[start:end] == "culture</strong>&nbsp;fit"
    start, end = found["ARL101"].span or (0, 0)
    assert html[start:end] == "over</em>qualified"


def test_html_that_repeats_the_text_is_reported_once() -> None:
    body = GOOD_BODY.replace("your application.", "your application. You were overqualified.")
    html = "<p>" + body.replace("\n\n", "</p><p>") + "</p>"
    report = lint_text(body, html=html)
    assert [(f.code, f.part) for f in report.findings] == [("ARL101", "text")]


def test_finding_messages_quote_the_term_list_never_the_message() -> None:
    body = GOOD_BODY.replace("your application.", "your application. At 58 years old, Alex...")
    report = lint_text(body)
    (finding,) = [f for f in report.findings if f.code == "ARL101"]
    assert finding.term == "# years old"
    assert "58" not in finding.message
    assert "Alex" not in finding.message


def test_a_phrase_inside_another_is_still_found() -> None:
    body = GOOD_BODY.replace(
        "I'm sorry to tell you that we have decided not to move forward with your application.",
        "We have decided to move forward with another candidate.",
    )
    report = lint_text(body)
    assert {"ARL005", "ARL111"} <= report.codes


def test_a_report_summarises_itself() -> None:
    report = lint_text(GOOD_BODY.replace("Hi Alex,", "Dear candidate,") + "Gut feeling.\n")
    assert report.has_errors
    assert report.route_to_human
    assert [f.code for f in report.errors] == ["ARL003"]
    assert [f.code for f in report.warnings] == ["ARL110"]


def test_a_user_term_file_extends_the_shipped_list(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text(
        '[categories.culture_fit]\nterms = ["vibe check"]\n'
        '[categories.age]\nallow = ["(too|quite) young (for|to) (the|this) (market|product)"]\n',
        encoding="utf-8",
    )
    message = RenderedMessage(
        purpose=Purpose.REJECTION,
        subject="Your application",
        text=GOOD_BODY + "You did not pass the vibe check. You are overqualified.\n",
        html=None,
        locale_used="en",
        template_id="test",
    )
    assert {"ARL109", "ARL101"} <= lint(message, sample_context(), lint_terms_dir=tmp_path).codes
    composer = Composer(lint_terms_dir=tmp_path)
    assert "ARL109" in composer.lint(message, sample_context()).codes
    assert "ARL109" not in lint(message, sample_context()).codes


def test_every_code_is_documented() -> None:
    documented = set(re.findall(r"^\| (ARL\d{3}) \|", DOCS.read_text(encoding="utf-8"), re.M))
    assert documented == set(LINT_CODES)


def test_codes_are_stable() -> None:
    assert {code: meta.name for code, meta in LINT_CODES.items()} == {
        "ARL001": "unfilled-placeholder",
        "ARL002": "empty-placeholder",
        "ARL003": "generic-greeting",
        "ARL004": "role-not-named",
        "ARL005": "decision-not-stated",
        "ARL006": "decision-buried",
        "ARL007": "decision-ambiguous",
        "ARL008": "holding-states-decision",
        "ARL009": "too-short",
        "ARL010": "too-long",
        "ARL011": "subject",
        "ARL012": "not-signed",
        "ARL013": "no-reply-address",
        "ARL014": "consent-link-missing",
        "ARL015": "no-consent",
        "ARL016": "no-term-list",
        "ARL017": "withdrawal-states-rejection",
        "ARL101": "age",
        "ARL102": "gender",
        "ARL103": "pregnancy",
        "ARL104": "family",
        "ARL105": "religion",
        "ARL106": "origin",
        "ARL107": "nationality",
        "ARL108": "health",
        "ARL109": "culture-fit",
        "ARL110": "subjective",
        "ARL111": "comparison",
        "ARL112": "promise",
    }
