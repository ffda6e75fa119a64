"""Template sets: lookup order, overrides, errors that name the template, the sandbox."""

from __future__ import annotations

import pickle
from importlib import resources
from pathlib import Path

import pytest
from pydantic import BaseModel

from ats_reject.compose import (
    Composer,
    MessageTemplateError,
    Purpose,
    TemplateSet,
    check_templates,
    sample_context,
)
from ats_reject.compose._terms import LINT_TERMS_KEY_PATH
from ats_reject.compose.context import SIGN_OFF_KEY_PATH
from ats_reject.compose.templates import FOLDER_KEY_PATH
from ats_reject.config import CompanySettings, Config, TemplateSettings
from ats_reject.errors import ConfigurationError
from ats_reject.models import StageKind


def write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


SIMPLE = {
    "subject": "Your application for {{ role }}",
    "text": (
        "Hi {{ candidate_name }},\n\nWe have decided not to move forward for {{ role }}."
        "\n\n{{ sender.name }}\n"
    ),
}


def simple(prefix: str) -> dict[str, str]:
    return {f"{prefix}.{part}.j2": body for part, body in SIMPLE.items()}


def test_the_shipped_set_has_every_purpose_in_english_and_german() -> None:
    ids = {(locale, template_id) for source, locale, template_id in TemplateSet().template_ids()}
    for locale in ("en", "de"):
        for purpose in Purpose:
            assert (locale, purpose.value) in ids


def test_the_shipped_templates_are_package_data() -> None:
    templates = resources.files("ats_reject.compose").joinpath("templates")
    assert templates.joinpath("en").joinpath("rejection.interview.text.j2").is_file()
    assert templates.joinpath("_shared").joinpath("layout.html.j2").is_file()


def test_a_stage_template_wins_over_the_purpose_template() -> None:
    templates = TemplateSet()
    assert templates.find("rejection", "final", ("en",)).template_id == "default:en/rejection.final"
    assert templates.find("rejection", "offer", ("en",)).template_id == "default:en/rejection"


def test_a_stage_template_shares_its_purpose_subject() -> None:
    bundle = TemplateSet().find("rejection", "interview", ("en",))
    assert bundle.subject.filename is not None
    assert bundle.subject.filename.endswith("rejection.subject.j2")


def test_the_locale_chain_is_tried_in_order() -> None:
    templates = TemplateSet()
    assert templates.find("rejection", "screen", ("de-AT", "de", "en")).locale == "de"
    assert templates.find("rejection", "screen", ("fr-CA", "fr", "en")).locale == "en"


def test_a_user_purpose_template_overrides_every_shipped_stage_template(tmp_path: Path) -> None:
    templates = TemplateSet(write(tmp_path, simple("en/rejection")))
    for stage in ("application_review", "interview", "final", "other"):
        assert templates.find("rejection", stage, ("en",)).template_id == "user:en/rejection"


def test_a_user_stage_template_overrides_only_that_stage(tmp_path: Path) -> None:
    templates = TemplateSet(write(tmp_path, simple("en/rejection.final")))
    assert templates.find("rejection", "final", ("en",)).template_id == "user:en/rejection.final"
    assert (
        templates.find("rejection", "interview", ("en",)).template_id
        == "default:en/rejection.interview"
    )


def test_a_more_specific_shipped_locale_beats_a_user_template_in_a_fallback_locale(
    tmp_path: Path,
) -> None:
    templates = TemplateSet(write(tmp_path, simple("en/rejection")))
    assert templates.find("rejection", "other", ("de", "en")).template_id == "default:de/rejection"


def test_user_locale_folders_may_use_underscores(tmp_path: Path) -> None:
    templates = TemplateSet(write(tmp_path, simple("de_AT/rejection")))
    bundle = templates.find("rejection", "other", ("de-AT", "de", "en"))
    assert (bundle.template_id, bundle.locale) == ("user:de-AT/rejection", "de-AT")


def test_compiled_templates_are_cached() -> None:
    templates = TemplateSet()
    first = templates.find("rejection", "final", ("en",))
    assert templates.find("rejection", "final", ("en",)) is first


def test_a_missing_subject_is_named(tmp_path: Path) -> None:
    templates = TemplateSet(write(tmp_path, {"en/holding_update.text.j2": "Hi"}))
    with pytest.raises(MessageTemplateError, match="subject part is missing") as caught:
        templates.find("holding_update", "other", ("en",))
    assert caught.value.template == "user:en/holding_update"


def test_no_template_in_any_locale_is_an_error() -> None:
    composer = Composer(default_locale="fr")
    with pytest.raises(MessageTemplateError, match=r"no template .* fr"):
        composer.compose(Purpose.REJECTION, sample_context(locale=None))


def test_a_missing_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        TemplateSet(tmp_path / "nope")
    assert caught.value.key_path == "templates.folder"


def test_a_template_error_names_the_template_folder_setting(tmp_path: Path) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = "{% if %}"
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    assert caught.value.key_path == "templates.folder"
    assert str(caught.value).startswith("templates.folder: template user:en/rejection.text.j2")


@pytest.mark.parametrize(
    ("key_path", "model"),
    [
        (FOLDER_KEY_PATH, TemplateSettings),
        (LINT_TERMS_KEY_PATH, TemplateSettings),
        (SIGN_OFF_KEY_PATH, CompanySettings),
    ],
)
def test_error_key_paths_are_keys_of_the_configuration(
    key_path: str, model: type[BaseModel]
) -> None:
    table, key = key_path.split(".")
    assert key in model.model_fields
    assert Config.model_fields[table].annotation is model


def test_stray_files_are_reported(tmp_path: Path) -> None:
    templates = TemplateSet(
        write(tmp_path, {"en/rejections.txt.j2": "x", "english/a.text.j2": "x"})
    )
    assert set(templates.unrecognised_files) == {
        "user:en/rejections.txt.j2",
        "user:english/a.text.j2",
    }


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = "Hi {{ candidate_name }},\n\n{% if role %}\nno end\n"
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    error = caught.value
    assert error.template == "user:en/rejection.text.j2"
    assert error.line is not None
    assert "syntax error" in error.reason
    assert "Alex" not in str(error)


def test_an_undefined_variable_names_the_file_line_and_variable(tmp_path: Path) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = "Hi {{ candidate_name }},\n\nThanks.\n{{ canddate_name }}\n"
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    error = caught.value
    assert (error.template, error.line) == ("user:en/rejection.text.j2", 4)
    assert "'canddate_name'" in error.reason


def test_an_error_inside_an_include_names_the_included_file(tmp_path: Path) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = 'Hi,\n{% include "en/_part.text.j2" %}\n'
    files["en/_part.text.j2"] = "one\ntwo {{ sender.nickname }}\n"
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    assert (caught.value.template, caught.value.line) == ("user:en/_part.text.j2", 2)
    assert "'nickname'" in caught.value.reason


def test_a_name_taken_from_the_data_never_appears_in_the_error(tmp_path: Path) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = "{{ links[candidate_name] }}"
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    assert "Alex" not in str(caught.value)
    assert caught.value.reason == "undefined variable or attribute"


def test_a_foreign_exception_is_named_by_type_only(tmp_path: Path) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = '{{ ("%(" ~ candidate_name ~ ")s") % {} }}'
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    assert caught.value.reason == "KeyError while rendering"
    assert "Alex" not in str(caught.value)


@pytest.mark.parametrize(
    "expression",
    [
        "sender.__class__.__mro__",
        "sender.model_copy.__globals__",
        "links.clear()",
        "strengths.__len__.__self__",
        '"x" * 1000000',
        "2 ** 1000000",
    ],
)
def test_the_sandbox_blocks_unsafe_operations(tmp_path: Path, expression: str) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = "{{ " + expression + " }}"
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    assert caught.value.template == "user:en/rejection.text.j2"


def test_only_the_html_part_is_escaped() -> None:
    context = sample_context().model_copy(update={"candidate_name": "Alex <b>&</b>"})
    message = Composer().compose(Purpose.REJECTION, context)
    assert "Hi Alex <b>&</b>," in message.text
    assert message.html is not None
    assert "Alex &lt;b&gt;&amp;&lt;/b&gt;" in message.html
    assert "<b>&</b>" not in message.html


def test_template_errors_survive_pickling() -> None:
    error = MessageTemplateError("user:en/x.text.j2", "syntax error: boom", line=3)
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (clone.template, clone.reason, clone.line, str(clone)) == (
        error.template,
        error.reason,
        error.line,
        str(error),
    )


def test_check_finds_every_shipped_template_clean() -> None:
    checks = check_templates()
    assert len(checks) == len(TemplateSet().template_ids())
    assert all(check.ok and not check.findings for check in checks)


def test_check_reports_broken_misnamed_and_risky_templates(tmp_path: Path) -> None:
    files = {
        **simple("en/rejection.final"),
        "en/rejection.final.text.j2": "Hi {{ candidate_name }},\n{% if %}\n",
        **simple("en/rejections"),
        **simple("en/rejection.interviews"),
        "en/holding_update.subject.j2": "Update",
        "en/holding_update.text.j2": "Dear candidate,\n\nWe will keep your CV on file.\n",
        "en/notes.txt": "stray",
        "en/rejection.text.jinja.j2": "stray",
    }
    checks = {
        check.template_id: check
        for check in check_templates(Composer.from_paths(write(tmp_path, files)))
    }
    broken = checks["user:en/rejection.final"]
    assert broken.problem is not None
    assert "user:en/rejection.final.text.j2, line 2" in broken.problem
    assert checks["user:en/rejections"].problem == "named for no purpose or stage kind"
    assert checks["user:en/rejection.interviews"].problem == "named for no purpose or stage kind"
    risky = checks["user:en/holding_update"]
    assert risky.problem is None
    assert not risky.ok
    assert {"ARL003", "ARL112"} <= {finding.code for finding in risky.findings}
    assert checks["user:en/rejection.text.jinja.j2"].problem is not None
    assert checks["default:en/rejection"].ok


def test_a_missing_include_is_named(tmp_path: Path) -> None:
    files = simple("en/rejection")
    files["en/rejection.text.j2"] = 'Hi,\n\n{% include "en/_nope.text.j2" %}\n'
    composer = Composer.from_paths(write(tmp_path, files))
    with pytest.raises(MessageTemplateError) as caught:
        composer.compose(Purpose.REJECTION, sample_context(stage=StageKind.OTHER))
    assert caught.value.template == "user:en/rejection.text.j2"
    assert caught.value.reason == "included template 'en/_nope.text.j2' not found"
