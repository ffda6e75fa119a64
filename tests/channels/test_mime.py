"""Message building: headers per message kind, Message-ID, Date, Reply-To, no header injection."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject.channels import (
    LIST_MESSAGE_KINDS,
    Mailbox,
    MessageBuilder,
    MessageBuildError,
    OutboundMessage,
    message_id_for,
)
from ats_reject.clock import FrozenClock
from ats_reject.compose import (
    ComposedMessage,
    Composer,
    LintFinding,
    LintReport,
    Purpose,
    Severity,
    sample_context,
)
from ats_reject.config import ReplyToPolicy
from ats_reject.errors import ConfigurationError
from ats_reject.links import LinkPurpose, LinkSigner
from ats_reject.policy import MessageKind

from .conftest import LINK_SECRET, Content, outbound

RECRUITER = Mailbox("dana.recruiter@northwind.example", "Dana Recruiter")
SIGN_OFF = Mailbox("head.of.talent@northwind.example", "Alex Morgan")


def parsed(message: EmailMessage) -> EmailMessage:
    """The message as a receiving mail system reads it."""
    result = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(result, EmailMessage)
    return result


def test_every_message_has_the_reliability_headers(builder: MessageBuilder) -> None:
    message = parsed(builder.build(outbound(reply_to=RECRUITER)))

    assert message["Message-ID"] == ("<send-0f9c2e7a4b1d4e3c8a6b5d4c3b2a1908@northwind.example>")
    assert message["Date"].datetime == datetime(2025, 6, 2, 8, 30, tzinfo=UTC)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"].addresses[0].addr_spec == "talent@northwind.example"
    assert message["From"].addresses[0].display_name == "Northwind Talent Team"
    assert message["To"].addresses[0].addr_spec == "canary.qz.1@example.test"
    assert message["Reply-To"].addresses[0].addr_spec == RECRUITER.address
    assert message["Reply-To"].addresses[0].display_name == "Dana Recruiter"
    assert message["Subject"] == "Your application for Data Engineer"


def test_same_send_id_same_message_id_and_different_ids_differ(
    builder: MessageBuilder, clock: FrozenClock
) -> None:
    first = builder.build(outbound("action-7"))
    clock.advance(3600)
    again = builder.build(outbound("action-7"))
    other = builder.build(outbound("action-8"))

    assert first["Message-ID"] == again["Message-ID"] == "<send-action-7@northwind.example>"
    assert other["Message-ID"] != first["Message-ID"]
    assert again["Date"] != first["Date"]
    assert message_id_for("action-7", "northwind.example") == first["Message-ID"]


@pytest.mark.parametrize(
    "kind",
    [
        MessageKind.REJECTION,
        MessageKind.WITHDRAWAL_THANKS,
        MessageKind.CALL_FALLBACK,
        MessageKind.HOLDING_UPDATE,
        MessageKind.CALL_TASK,
    ],
)
def test_transactional_mail_has_no_list_headers(builder: MessageBuilder, kind: MessageKind) -> None:
    message = parsed(builder.build(outbound(kind=kind)))

    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None
    assert message["List-Id"] is None
    assert message["From"].addresses[0].addr_spec == "talent@northwind.example"


@pytest.mark.parametrize("kind", sorted(LIST_MESSAGE_KINDS))
def test_follow_up_and_talent_pool_mail_is_list_mail(
    builder: MessageBuilder, signer: LinkSigner, kind: MessageKind
) -> None:
    message = parsed(builder.build(outbound("pool-1", kind=kind)))

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "<talent-pool.northwind.example>"
    assert message["From"].addresses[0].addr_spec == "talent-pool@northwind.example"
    unsubscribe = str(message["List-Unsubscribe"])
    assert unsubscribe.startswith("<https://jobs.northwind.example/l/unsubscribe/")
    assert unsubscribe.endswith(">")
    token = unsubscribe[1:-1].rsplit("/", 1)[1]
    payload = signer.verify(token, LinkPurpose.UNSUBSCRIBE)
    assert payload.subject_id == "pool-1"


def test_unsubscribe_link_stays_one_line_and_unencoded(builder: MessageBuilder) -> None:
    raw = builder.build(outbound("x" * 120, kind=MessageKind.RE_ENGAGEMENT)).as_bytes()

    line = next(item for item in raw.split(b"\r\n") if item.startswith(b"List-Unsubscribe:"))
    assert b"=?" not in line
    assert line.count(b"<https://") == 1


def test_mailto_unsubscribe_is_offered_beside_https(clock: FrozenClock) -> None:
    builder = MessageBuilder(
        sender=Mailbox("talent@northwind.example"),
        clock=clock,
        link_signer=LinkSigner(LINK_SECRET, clock=clock),
        unsubscribe_base_url="https://jobs.northwind.example/l/",
        unsubscribe_mailto="unsubscribe@northwind.example",
        list_id="alumni.northwind.example",
        list_name="Northwind alumni",
    )

    message = parsed(builder.build(outbound(kind=MessageKind.TALENT_POOL_INVITE)))

    targets = [part.strip() for part in str(message["List-Unsubscribe"]).split(",")]
    assert targets[0].startswith("<https://jobs.northwind.example/l/unsubscribe/")
    assert targets[1].startswith("<mailto:unsubscribe@northwind.example?subject=unsubscribe%20")
    assert message["List-Id"] == "Northwind alumni <alumni.northwind.example>"
    # Without a separate list sender, list mail leaves from the sender.
    assert message["From"].addresses[0].addr_spec == "talent@northwind.example"


def test_list_mail_without_unsubscribe_settings_is_a_configuration_error(
    clock: FrozenClock,
) -> None:
    builder = MessageBuilder(sender=Mailbox("talent@northwind.example"), clock=clock)

    with pytest.raises(ConfigurationError) as caught:
        builder.build(outbound(kind=MessageKind.RE_ENGAGEMENT))
    assert caught.value.key_path == "mail.unsubscribe_base_url"
    # Transactional mail needs neither.
    assert builder.build(outbound())["List-Unsubscribe"] is None


def test_html_makes_multipart_alternative(builder: MessageBuilder) -> None:
    message = parsed(builder.build(outbound(html="<p>Dear Jürgen,</p>", text="Dear Jürgen,\n")))

    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert plain.get_content().strip() == "Dear Jürgen,"
    assert rich.get_content().strip() == "<p>Dear Jürgen,</p>"
    # Bodies are 7-bit safe: no server needs 8BITMIME.
    builder.build(outbound(html="<p>ü</p>")).as_bytes().decode("ascii")


def test_text_only_is_a_single_plain_part(builder: MessageBuilder) -> None:
    message = parsed(builder.build(outbound()))

    assert message.get_content_type() == "text/plain"
    assert not message.is_multipart()


def test_non_ascii_names_and_subjects_are_encoded(builder: MessageBuilder) -> None:
    message = parsed(
        builder.build(
            outbound(name="Jürgen Müller", subject="Ihre Bewerbung: Entscheidung für Öl & Gas")
        )
    )

    assert message["To"].addresses[0].display_name == "Jürgen Müller"
    assert message["Subject"] == "Ihre Bewerbung: Entscheidung für Öl & Gas"


def test_bcc_is_in_the_envelope_not_the_message(builder: MessageBuilder) -> None:
    prepared = builder.prepare(
        OutboundMessage(
            send_id="bcc-1",
            kind=MessageKind.REJECTION,
            to=Mailbox("canary.qz.1@example.test"),
            content=Content("Subject", "Body"),
            cc=(Mailbox("cc@example.test"),),
            bcc=(Mailbox("archive@northwind.example"),),
        )
    )

    assert [address for address, _ in prepared.envelope_to] == [
        "canary.qz.1@example.test",
        "cc@example.test",
        "archive@northwind.example",
    ]
    assert prepared.message["Bcc"] is None
    assert b"archive@northwind.example" not in prepared.wire_bytes()
    assert prepared.message["Cc"] == "cc@example.test"


def test_international_domain_is_sent_in_idna_form(builder: MessageBuilder) -> None:
    prepared = builder.prepare(outbound(to="jane@müller.example"))

    assert prepared.envelope_to[0][0] == "jane@xn--mller-kva.example"


@pytest.mark.parametrize(
    ("policy", "given", "expected"),
    [
        (ReplyToPolicy.RECRUITER, RECRUITER, RECRUITER.address),
        (ReplyToPolicy.RECRUITER, None, SIGN_OFF.address),
        (ReplyToPolicy.SIGN_OFF, RECRUITER, SIGN_OFF.address),
        (ReplyToPolicy.SENDER, RECRUITER, None),
    ],
)
def test_reply_to_follows_the_policy(
    clock: FrozenClock, policy: ReplyToPolicy, given: Mailbox | None, expected: str | None
) -> None:
    builder = MessageBuilder(
        sender=Mailbox("talent@northwind.example"),
        clock=clock,
        reply_to_policy=policy,
        sign_off=SIGN_OFF,
    )

    message = parsed(builder.build(outbound(reply_to=given)))

    if expected is None:
        assert message["Reply-To"] is None
    else:
        assert message["Reply-To"].addresses[0].addr_spec == expected


@pytest.mark.parametrize(
    "address",
    [
        "no-at-sign",
        "two@@example.test",
        "a@b",
        "with space@example.test",
        "x@example.test\r\nBcc: victim@example.test",
        "x@example.test>, <victim@example.test",
        ".leading@example.test",
        "jürgen@example.test",
        "",
    ],
)
def test_addresses_that_are_not_plain_mailboxes_are_refused(
    builder: MessageBuilder, address: str
) -> None:
    with pytest.raises(MessageBuildError) as caught:
        builder.build(outbound(to=address))
    assert caught.value.code == "invalid_recipient"
    assert address.strip() == "" or address not in str(caught.value)


@pytest.mark.parametrize("send_id", ["", "../etc", "a b", "x" * 129, "id\r\nX-Evil: 1", "-x"])
def test_send_ids_outside_the_grammar_are_refused(builder: MessageBuilder, send_id: str) -> None:
    with pytest.raises(MessageBuildError) as caught:
        builder.build(outbound(send_id))
    assert caught.value.code == "invalid_send_id"


def test_a_composed_message_builds_and_reads_back(builder: MessageBuilder) -> None:
    composed = Composer().compose(Purpose.REJECTION, sample_context(Purpose.REJECTION))
    assert not composed.lint.route_to_human

    message = parsed(
        builder.build(
            OutboundMessage(
                send_id="composed-1",
                kind=MessageKind.REJECTION,
                to=Mailbox("canary.qz.1@example.test", "Alex"),
                content=composed,
            )
        )
    )

    assert message["Subject"] == composed.subject
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().replace("\r\n", "\n") == composed.text
    assert (message.get_body(("html",)) is not None) == (composed.html is not None)


def test_a_message_still_routed_to_a_person_is_refused(builder: MessageBuilder) -> None:
    flagged = ComposedMessage(
        purpose=Purpose.REJECTION,
        subject="Your application",
        text="Body",
        html=None,
        locale_used="en",
        template_id="default:en/rejection",
        lint=LintReport(findings=(LintFinding("ARL101", Severity.ERROR, "an error"),)),
    )

    with pytest.raises(MessageBuildError) as caught:
        builder.build(
            OutboundMessage(
                send_id="lint-1",
                kind=MessageKind.REJECTION,
                to=Mailbox("canary.qz.1@example.test"),
                content=flagged,
            )
        )
    assert caught.value.code == "needs_review"


_HOSTILE = st.lists(
    st.sampled_from(["a", " ", "\r", "\n", "\r\n", ":", "Bcc: x@y.z", "\x00", "\u2028", "ü"]),
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(name=_HOSTILE, subject=_HOSTILE)
def test_names_and_subjects_can_never_add_a_header(name: str, subject: str) -> None:
    clock = FrozenClock(datetime(2025, 6, 2, 8, 30, tzinfo=UTC))
    builder = MessageBuilder(sender=Mailbox("talent@northwind.example", name), clock=clock)
    try:
        built = builder.build(outbound(name=name, subject=subject + "x"))
    except MessageBuildError:
        return
    message = parsed(built)

    assert sorted(message.keys()) == sorted(
        [
            "Date",
            "From",
            "To",
            "Subject",
            "Message-ID",
            "Auto-Submitted",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ]
    )
    assert "\n" not in message["Subject"]
    assert "\r" not in message["Subject"]
