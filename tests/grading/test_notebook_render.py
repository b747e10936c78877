"""The exercise notebook rendered as Jupyter renders it, and nothing a notebook holds runs.

Markdown cells (exercises.format.render through grading/templatetags/notebook_tags.py) keep
tables, code spans, emphasis, links, headings and maths as text; an allow-list of HTML survives
nh3, and every other tag, attribute and URL is dropped. Code is highlighted with classes only.
"""

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.format import render
from exercises.format.render import (
    ATTACHMENT_BYTES,
    ATTRIBUTE_VALUES,
    ATTRIBUTES,
    CODE_CHARS,
    MARKDOWN_CHARS,
    TAGS,
    code_html,
    markdown_html,
    tex_text,
)
from exercises.services import exercise_create, exercise_revision_record_validation
from grading.selectors import EditorCell
from grading.templatetags.notebook_tags import notebook_markdown

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP_RICE = ROOT / "demo" / "flagship" / "notebooks" / "rice.ipynb"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
GIF = b"GIF89a" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 24
SAFE_CLASS_ATTRIBUTES = {"class"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Elements(HTMLParser):
    """Every start tag and its attributes, as a browser would read them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_only_allowed_html(html: str) -> None:
    for tag, attrs in Elements(html).elements:
        assert tag in TAGS, tag
        allowed = (
            ATTRIBUTES.get(tag, set())
            | set(ATTRIBUTE_VALUES.get(tag, {}))
            | SAFE_CLASS_ATTRIBUTES
            | ({"rel"} if tag == "a" else set())
        )
        for name, value in attrs.items():
            assert name in allowed, (tag, name, value)
            assert not name.startswith("on")
            if name in ("href", "src"):
                assert value is not None
                # A scheme as browsers read one (WHATWG URL): leading controls and spaces
                # stripped, tabs and newlines removed anywhere, then a letter and letters, digits,
                # "+", "-" or "."; anything else before a colon ("%3Ejavascript:") is a path.
                url = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
                found = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
                scheme = found.group(1).lower() if found else ""
                assert scheme in ("", "http", "https", "mailto", "data"), value
                if scheme == "data" or (tag == "img" and name == "src"):
                    # Only pictures carried by the page itself: nothing loads from elsewhere.
                    assert tag == "img" and re.match(r"data:image/(png|jpeg|gif);base64,", value)
        if tag == "a" and "href" in attrs:
            assert attrs["rel"] == "noopener noreferrer nofollow"


# --- What Jupyter shows ---------------------------------------------------------------------------


def test_a_pipe_table_becomes_a_table_in_a_focusable_scrolling_box_aligned_by_class():
    html = markdown_html(
        "| factor | unit |\n|:---|---:|\n| **R**each | accounts |\n| Effort | `weeks` |\n"
    )

    assert '<div class="notebook-table" tabindex="0">\n<table>' in html
    assert '<th class="align-left">factor</th>' in html
    assert '<td class="align-right"><code>weeks</code></td>' in html
    assert '<td class="align-left"><strong>R</strong>each</td>' in html
    assert "style=" not in html and "|---" not in html


def test_emphasis_code_spans_strikethrough_lists_and_links():
    html = markdown_html(
        "**Tandem** is *new*, ~~old~~ and `rice(x)`.\n\n"
        '1. first\n2. [docs](https://example.org/rice?a=1&b=2 "RICE")\n'
    )

    assert "<strong>Tandem</strong> is <em>new</em>, <s>old</s> and <code>rice(x)</code>." in html
    assert "<ol>\n<li>first</li>" in html
    assert (
        '<a href="https://example.org/rice?a=1&amp;b=2" title="RICE" '
        'rel="noopener noreferrer nofollow">docs</a>'
    ) in html
    assert "**" not in html and "`" not in html


def test_headings_move_under_the_pages_own_and_stop_at_h6():
    html = markdown_html("# RICE\n\n## Your task\n\n#### Deep\n", heading_offset=3)

    assert html == "<h4>RICE</h4>\n<h5>Your task</h5>\n<h6>Deep</h6>\n", (
        "h1 to h4, h2 to h5, deeper levels stay h6"
    )
    assert markdown_html("## Your task") == "<h2>Your task</h2>\n"


def test_maths_stays_readable_text_and_emphasis_never_mangles_it():
    html = markdown_html(
        "Score $\\frac{R \\times I \\times C}{E}$ where $a*b*c$ is not emphasis.\n\n"
        "$$\n\\text{WSJF} = \\frac{\\text{cost of delay}}{\\text{job size}}\n$$\n"
    )

    assert '<span class="math inline">(R × I × C)/E</span>' in html
    assert '<span class="math inline">a*b*c</span>' in html and "<em>" not in html
    assert '<div class="math block">\nWSJF = (cost of delay)/(job size)\n</div>' in html


def test_prices_are_not_maths():
    html = markdown_html("It costs $5 a seat and $10 with SSO.")

    assert html == "<p>It costs $5 a seat and $10 with SSO.</p>\n"


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("x^2 + y^{10}", "x² + y¹⁰"),
        ("\\sqrt{a+b} \\le \\infty", "√(a+b) ≤ ∞"),
        ("\\frac{\\frac{a}{b}}{c}", "(a/b)/c"),
        ("\\alpha \\cdot \\Delta", "α · Δ"),
        ("100\\%", "100%"),
        ("e^{i\\pi}", "e^(iπ)"),
        ("\\hat{\\beta}_0 + \\bar x", "β̂₀ + x̄"),
        (
            "\\Large \\text{RMSE} = \\sqrt{ \\frac{1}{n} \\sum_{i=1}^n \\left ( y_i - \\hat{y}_i \\right ) ^2 }",
            "RMSE = √(1/n ∑ᵢ₌₁ⁿ ( yᵢ - y\u0302ᵢ ) ²)",  # y and a combining circumflex
        ),
        ("\\mathbb{R}^{n \\times m} \\lefteye", "R^(n × m) lefteye"),
    ],
)
def test_tex_reads_as_text(tex, text):
    assert tex_text(tex) == text


def test_fenced_code_in_markdown_is_highlighted_with_classes():
    html = markdown_html("```python\nscore = reach * impact  # RICE\n```\n")

    assert html.startswith('<pre class="notebook-code"><code><span class="n">score</span>')
    assert '<span class="c1"># RICE</span>' in html and "style=" not in html


def test_raw_html_that_jupyter_allows_survives_and_jupyter_callouts_keep_their_class():
    html = markdown_html(
        '<div class="alert alert-warning evil">Heads up<br>twice</div>\n\n<b>bold</b> <sup>2</sup>'
    )

    assert '<div class="alert alert-warning">Heads up<br>twice</div>' in html
    assert "<b>bold</b> <sup>2</sup>" in html


# --- What never survives ------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<style>body { display: none }</style>",
    '<p style="position:fixed;inset:0">cover</p>',
    "<svg onload=alert(1)><circle r=9 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<iframe src="https://evil.example/"></iframe>',
    "<object data=evil.swf></object><embed src=evil.swf>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<form action="/accounts/logout/"><input name="answer-rice_answer" value="x"><button>Go</button></form>',
    '<textarea name="answer-rice_answer">x</textarea>',
    '<div id="exercise-1" tabindex="-1" role="alert">clobber</div>',
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    '<a href="https://evil.example/" target="_top" onclick="steal()">x</a>',
    "<!-- <script>alert(1)</script> -->",
    '<img src="https://tracker.example/pixel.gif" alt="">',
    "![pixel](https://tracker.example/pixel.gif)",
    "<video src=x onerror=alert(1)></video><audio src=x>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]


@pytest.mark.parametrize("attack", XSS)
def test_no_script_style_event_handler_form_control_or_dangerous_url_survives(attack):
    html = markdown_html(f"Before\n\n{attack}\n\nAfter *emphasis*")

    assert_only_allowed_html(html)
    # What is left of an attack is text at most ("[click](javascript:...)" is shown, inert).
    tags = " ".join(re.findall(r"<[^>]*>", html)).lower()
    for marker in ("<script", "<style", "<svg", "<iframe", "<form", "<input", "<textarea",
                   "javascript:", " style=", " id=", "onerror", "onload", "ontoggle", "onclick",
                   "<meta", "<base", "<link", "<object", "<embed", "<video", "<audio"):  # fmt: skip
        assert marker not in tags, (attack, html)
    assert "<em>emphasis</em>" in html


def test_a_remote_image_is_a_link_never_loaded_and_a_relative_one_its_alt_text():
    html = markdown_html("![Kano chart](https://example.org/kano.png) ![map](images/map.png)")

    assert "<img" not in html
    assert (
        '<a href="https://example.org/kano.png" rel="noopener noreferrer nofollow">Image: Kano chart</a>'
        in html
    )
    assert '<span class="notebook-image-alt">map</span>' in html


def test_raw_html_images_follow_the_same_rules_as_markdown_ones():
    html = markdown_html(
        '<img src="https://example.org/logo.png" width="250px" style="margin: 0"> '
        '<img src="images/local.png" alt="the local map"> <img src="javascript:alert(1)">'
    )

    assert html == (
        '<p><a href="https://example.org/logo.png" rel="noopener noreferrer nofollow">'
        "Image: https://example.org/logo.png</a> "
        '<span class="notebook-image-alt">the local map</span> </p>\n'
    )


@pytest.mark.parametrize(
    ("mime", "data"), [("image/png", PNG), ("image/gif", GIF), ("image/jpeg", JPEG)]
)
def test_an_attachment_image_is_shown_from_the_cell_itself(mime, data):
    attachments = {"chart one.png": {mime: b64(data)}}

    html = markdown_html("![RICE chart](attachment:chart%20one.png)", attachments=attachments)
    raw = markdown_html('<img src="attachment:chart one.png" alt="raw">', attachments=attachments)

    assert f'<img src="data:{mime};base64,{b64(data)}" alt="RICE chart">' in html
    assert f'<img src="data:{mime};base64,{b64(data)}" alt="raw">' in raw


@pytest.mark.parametrize(
    "bundle",
    [
        {"image/svg+xml": "<svg onload=alert(1)></svg>"},  # not a type shown
        {"image/png": b64(b"<svg onload=alert(1)></svg>")},  # bytes are not a PNG
        {"image/png": "not base64 at all!"},
        {"image/png": b64(PNG + b"\x00" * ATTACHMENT_BYTES)},  # too large
        {"text/html": "<script>alert(1)</script>"},
        "not a bundle",
    ],
)
def test_an_attachment_that_is_not_a_small_real_image_shows_its_alt_text(bundle):
    html = markdown_html("![the chart](attachment:c.png)", attachments={"c.png": bundle})

    assert html == '<p><span class="notebook-image-alt">the chart</span></p>\n'


def test_a_missing_attachment_shows_its_alt_text():
    assert "the chart" in markdown_html("![the chart](attachment:gone.png)")


def test_huge_markdown_is_cut_with_a_note_and_deep_nesting_stays_bounded():
    huge = markdown_html("**bold** " * (MARKDOWN_CHARS // 4))
    nested = markdown_html("> " * 5_000 + "deep\n" + "[" * 50_000 + "*" * 50_000)

    assert len(huge) < MARKDOWN_CHARS * 3
    assert huge.endswith(
        '<p class="notebook-note"><em>The rest of this cell is not shown: it is longer than '
        "50,000 characters.</em></p>"
    )
    assert_only_allowed_html(nested)
    assert len(nested) < 4 * MARKDOWN_CHARS


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<", ">", "/", "=", '"', "'", " ", "\n", "script", "img", "a", "href", "src",
             "onerror", "style", "javascript:", "data:", "attachment:", "svg", "![x](", "[x](",
             ")", "`", "$", "*", "|", "---", "#", "&#", "x", "iframe", "alert(1)"]
        ),
        max_size=60,
    ).map("".join)
)  # fmt: skip
def test_any_mix_of_markdown_and_html_fragments_yields_only_allowed_html(text):
    assert_only_allowed_html(markdown_html(text, attachments={"x": {"image/png": b64(PNG)}}))


# --- Code -------------------------------------------------------------------------------------------


def test_code_is_escaped_and_highlighted_by_class_without_a_trailing_newline():
    html = code_html('print("<script>alert(1)</script>")  # hi')

    assert html == (
        '<span class="nb">print</span><span class="p">(</span>'
        '<span class="s2">"&lt;script&gt;alert(1)&lt;/script&gt;"</span>'
        '<span class="p">)</span>  <span class="c1"># hi</span>'
    )


def test_huge_code_is_cut_with_a_note():
    html = code_html("x = 1\n" * CODE_CHARS)

    assert html.count('<span class="n">x</span>') == CODE_CHARS // 6 + 1
    assert html.endswith("longer than 100,000 characters.")


# --- Template filters ---------------------------------------------------------------------------


def test_the_filter_renders_a_cell_with_its_attachments_and_caches_by_content(monkeypatch):
    cache.clear()
    cell = EditorCell(
        cell_type="markdown",
        text="# Chart\n\n![RICE](attachment:a.png)",
        attachments={"a.png": {"image/png": b64(PNG)}},
    )
    template = Template("{% load notebook_tags %}{{ cell|notebook_markdown:3 }}")

    first = template.render(Context({"cell": cell}))
    monkeypatch.setattr(render, "_MD", None)  # a second rendering would fail
    second = template.render(Context({"cell": cell}))

    assert first == second
    assert (
        first == f'<h4>Chart</h4>\n<p><img src="data:image/png;base64,{b64(PNG)}" alt="RICE"></p>\n'
    )


def test_a_cell_the_renderer_cannot_read_is_shown_as_escaped_text(monkeypatch):
    cache.clear()

    def broken(*args, **kwargs):
        raise RecursionError

    monkeypatch.setattr("grading.templatetags.notebook_tags.markdown_html", broken)

    assert notebook_markdown("**a** <b>b</b>") == "<p>**a** &lt;b&gt;b&lt;/b&gt;</p>"


# --- The learner's page -----------------------------------------------------------------------------


def flagship_rice_exercise(course, *, extra_cells=()):
    from courses.models import CourseExercise

    notebook = json.loads(FLAGSHIP_RICE.read_text())
    notebook["cells"].extend(extra_cells)
    exercise = exercise_create(
        title="RICE: ranking the Tandem backlog",
        slug="pmf-rice",
        data=json.dumps(notebook).encode(),
        filename="rice.ipynb",
        created_by=None,
        instructions="Rank **fourteen** features.",
    )
    exercise_revision_record_validation(
        revision=exercise.revisions.get(), report={"valid": True, "problems": []}
    )
    exercise.refresh_from_db()
    CourseExercise.objects.create(
        course=course, exercise=exercise, title=exercise.title, max_points=10
    )
    return exercise


@pytest.mark.django_db
def test_the_learner_sees_the_flagship_notebook_rendered_not_raw(client, enrolled, course):
    cache.clear()
    exercise = flagship_rice_exercise(course)
    client.force_login(enrolled)

    page = client.get(reverse("exercise_page", args=[course.pk, exercise.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "<strong>Tandem</strong> is a team-calendar SaaS" in html
    assert "<th>factor</th>" in html and "<td><strong>R</strong>each</td>" in html
    assert "<h4>RICE: ranking the Tandem backlog</h4>" in html and "<h5>Your task</h5>" in html
    assert (
        '<div class="prose notebook-markdown"><p>Rank <strong>fourteen</strong> features.</p>'
        in html
    )
    assert (
        '<pre class="exercise-cell exercise-cell--code notebook-code" tabindex="0"><code><span class="c1">'
        in html
    )
    assert "/static/grading/notebook.css" in html
    # Code (highlighted) and answers (in textareas) may hold "**"; the rendered text may not.
    text = re.sub(r"<(pre|textarea)\b.*?</\1>", "", html, flags=re.S)
    assert "**" not in text and "|---" not in text and not re.search(r"^#+ ", text, re.M)


@pytest.mark.django_db
def test_an_image_pasted_into_a_markdown_cell_shows_on_the_page(client, enrolled, course):
    cache.clear()
    pasted = {
        "id": "pasted-map",
        "cell_type": "markdown",
        "metadata": {},
        "source": "The team's chart: ![impact map](attachment:map.png)",
        "attachments": {"map.png": {"image/png": b64(PNG)}},
    }
    exercise = flagship_rice_exercise(course, extra_cells=[pasted])
    client.force_login(enrolled)

    html = client.get(reverse("exercise_page", args=[course.pk, exercise.pk])).content.decode()

    assert f'<img src="data:image/png;base64,{b64(PNG)}" alt="impact map">' in html


# --- Outputs on the submission page -----------------------------------------------------------------

DATAFRAME = "            name   rice\n0      Dark mode  3000.0\n1  Outlook add-in   300.0"


def test_outputs_show_a_dataframe_as_its_text_and_never_html_or_script():
    from types import SimpleNamespace

    from grading.answer_outputs import cell_outputs_for_learner

    items = cell_outputs_for_learner(
        [
            {
                "output_type": "execute_result",
                "data": {"text/html": "<table onmouseover=alert(1)>", "text/plain": DATAFRAME},
                "metadata": {},
                "execution_count": 1,
            },
            {"output_type": "stream", "name": "stdout", "text": "<script>alert(1)</script>"},
            {"output_type": "display_data", "data": {"application/javascript": "alert(1)"}},
        ],
        hidden=[],
    )
    result = SimpleNamespace(
        score=1, overridden=False, message="", tests=[], notes=[], outputs=[("rank", items)]
    )
    submission = SimpleNamespace(pk=7, kind="submit", max_score=10)

    html = Template('{% include "grading/includes/submission_result.html" %}').render(
        Context({"result": result, "submission": submission})
    )

    assert (
        '<pre class="cell-output cell-output--text cell-output--value" tabindex="0">'
        f"{DATAFRAME}</pre>"
    ) in html
    assert (
        '<pre class="cell-output cell-output--text" tabindex="0">'
        "&lt;script&gt;alert(1)&lt;/script&gt;</pre>"
    ) in html
    assert (
        "An output of type application/javascript is not shown here; only text and PNG images are."
        in html
    )
    assert "<script" not in html and "<table" not in html and "onmouseover" not in html


@pytest.mark.django_db
def test_the_instructors_exercise_inspect_view_renders_the_instructions(client, instructor):
    cache.clear()
    exercise = exercise_create(
        title="RICE scoring",
        data=FLAGSHIP_RICE.read_bytes(),
        filename="rice.ipynb",
        created_by=instructor,
        instructions="Rank by **RICE**, see [the guide](https://example.org/rice).\n\n"
        "<script>alert(1)</script>",
    )
    client.force_login(instructor)

    page = client.get(reverse("exercises:inspect", args=[exercise.pk])).content.decode()

    assert (
        '<div class="pma-instructions"><p>Rank by <strong>RICE</strong>, see '
        '<a href="https://example.org/rice" rel="noopener noreferrer nofollow">the guide</a>.</p>'
    ) in page
    assert "<script>alert(1)</script>" not in page
