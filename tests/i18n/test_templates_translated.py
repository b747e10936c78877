"""Every template's user-facing text is marked for translation (tests/i18n/template_lint.py).

One test per template directory, so each app's owner can run their own:
`pytest tests/i18n/test_templates_translated.py -k accounts`.
"""

import pytest

from .template_lint import template_dirs, templates_in, untranslated_text

DIRS = template_dirs()


@pytest.mark.parametrize("app", sorted(DIRS))
def test_templates_have_no_untranslated_text(app):
    findings = [finding for path in templates_in(DIRS[app]) for finding in untranslated_text(path)]
    assert not findings, "Text not marked for translation:\n" + "\n".join(map(str, findings))


def test_the_lint_finds_plain_text_and_ignores_marked_text(tmp_path):
    template = tmp_path / "sample.html"
    template.write_text(
        '{% load i18n %}<h1 title="Plain title">{% translate "Marked" %}</h1>\n'
        "{# a comment #}{% comment %}Also a comment{% endcomment %}<!-- html comment -->\n"
        "<p>{% blocktranslate %}Marked {{ name }} block{% endblocktranslate %}</p>\n"
        "<script>const label = 'code';</script><style>.a { color: red; }</style>\n"
        "<p>Plain words</p> <span>{{ variable }} · PM Academy &amp; 42</span>\n",
        encoding="utf-8",
    )
    from . import template_lint

    original = template_lint.REPO
    template_lint.REPO = tmp_path
    try:
        found = [(f.line, f.text) for f in untranslated_text(template)]
    finally:
        template_lint.REPO = original
    assert found == [(1, 'title="Plain title"'), (5, "Plain words")]
