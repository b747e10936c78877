"""Layout facts a person sees, measured in chromium at desktop and phone widths (issue 17).

Text and axe checks passed while the lesson's reading column was 256 px wide, the notebook's
markdown showed raw and "Log out" was cut off on a phone. These tests measure the rendered page
on the flagship course (what `make run` shows): the reading column holds most of the width,
nothing scrolls sideways, no markdown is left unrendered and no navigation text is clipped.
"""

from __future__ import annotations

import re

import pytest

from certificates.services import certificate_share_set

from .accessibility import wait_until_settled
from .flagship_content import flagship_site
from .live_site import database_turn
from .logins import log_in
from .site_content import certified_learner

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = 1440
PHONE = 390
#: The reading column's least share of the page's container on a desktop.
MAIN_COLUMN_SHARE = 0.6

#: Facts about the page as laid out now. The reading column is the wide part of a sidebar layout
#: (not its aside, navigation or filter form), or the whole container on a page without one.
LAYOUT_FACTS = """() => {
  const container = document.querySelector('main .container');
  const style = getComputedStyle(container);
  const inner = container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const column = document.querySelector(
    'main .sidebar-layout > :not(aside, nav, [role=search])') || container;
  return {
    containerWidth: inner,
    columnWidth: column.getBoundingClientRect().width,
    column: column.tagName.toLowerCase() + (column.className ? '.' + column.className.split(' ').join('.') : ''),
    scrollWidth: document.scrollingElement.scrollWidth,
    viewportWidth: window.innerWidth,
  };
}"""

#: Visible text outside code (code legitimately holds `**`, `# comment` and `|---|`).
PROSE_TEXT = """() => {
  const skip = 'pre, code, textarea, script, style, template, .CodeMirror, [hidden]';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !node.textContent.trim()) continue;
    if (!parent.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    texts.push(node.textContent);
  }
  return texts;
}"""

#: Each link and button of the main navigation, and whether any of it is hidden: overflowing its
#: own box, outside the viewport, or outside an ancestor that clips (a scrolling nav included).
NAV_CLIPPING = """() => {
  const items = [...document.querySelectorAll('nav[aria-label=Main] a, nav[aria-label=Main] button')];
  return items.filter(el => el.checkVisibility()).map(el => {
    const box = el.getBoundingClientRect();
    const problems = [];
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`text ${el.scrollWidth}px in a ${el.clientWidth}px box`);
    if (box.left < -0.5 || box.right > window.innerWidth + 0.5) problems.push(`outside the viewport (${Math.round(box.left)}-${Math.round(box.right)} of ${window.innerWidth})`);
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const clip = up.getBoundingClientRect();
      const left = clip.left + up.clientLeft, right = left + up.clientWidth;
      if (box.left < left - 0.5 || box.right > right + 0.5) {
        problems.push(`cut off by <${up.tagName.toLowerCase()} class="${up.className}"> (${Math.round(box.left)}-${Math.round(box.right)} shown in ${Math.round(left)}-${Math.round(right)})`);
      }
    }
    return {text: el.innerText.trim(), problems};
  });
}"""

RAW_MARKDOWN = {
    "bold written as **text**": r"\*\*[^\s*][^*\n]*\*\*",
    "a heading written as ## text": r"(?m)^\s*#{1,6} \S",
    "a pipe table's |---| row": r"(?m)^\s*\|?\s*:?-{3,}:?\s*\|",
}


PAGES = {
    "home": "/",
    "catalog": "/courses/",
    "course": "{course}",
    "lesson": "{reading_lesson}",
    "lesson with exercise": "{exercise_lesson}",
    "dashboard": "/dashboard/",
    "certificates": "/certificates/",
    "certificate": "/certificates/{code}/",
    "verify": "/verify/{code}/",
}

#: Where the exercise's notebook is shown (markdown cells, code, answer editors).
NOTEBOOK = ".exercise-editor"


@pytest.fixture
def learner_site(site, password):
    """The flagship course, and a learner who completed it and shares the certificate."""
    with database_turn():
        flagship = flagship_site()
        learner, certificate = certified_learner(flagship.course, name="Grace Hopper")
        certificate_share_set(certificate=certificate, learner=learner, shared=True)
    urls = {
        "course": flagship.course.url,
        "reading_lesson": flagship.reading_lesson.url,
        "exercise_lesson": flagship.exercise_lesson.url,
        "code": certificate.code,
    }
    return learner, {name: path.format(**urls) for name, path in PAGES.items()}


def look_at(page, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    wait_until_settled(page)


def raw_markdown(page) -> dict:
    """Markdown syntax left in the visible prose: {what it is: the text found}."""
    prose = "\n".join(page.evaluate(PROSE_TEXT))
    found = {what: re.search(pattern, prose) for what, pattern in RAW_MARKDOWN.items()}
    return {what: match.group(0) for what, match in found.items() if match}


def layout_problems(page, width: int) -> list[str]:
    problems = []
    facts = page.evaluate(LAYOUT_FACTS)
    if facts["scrollWidth"] > facts["viewportWidth"]:
        problems.append(f"scrolls sideways: the document is {facts['scrollWidth']} px wide")
    share = facts["columnWidth"] / facts["containerWidth"]
    if width == DESKTOP and share < MAIN_COLUMN_SHARE:
        problems.append(
            f"the reading column ({facts['column']}) is {facts['columnWidth']:.0f} px of "
            f"{facts['containerWidth']:.0f} ({share:.0%})"
        )
    for item in page.evaluate(NAV_CLIPPING):
        if item["problems"]:
            problems.append(f"the nav clips {item['text']!r}: {'; '.join(item['problems'])}")
    if raw := raw_markdown(page):
        problems.append(f"raw markdown shows: {raw}")
    return problems


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_pages_are_laid_out_for_reading(page, learner_site, password, width):
    learner, urls = learner_site
    log_in(page, learner.email, password)
    problems = {}
    for name, path in urls.items():
        look_at(page, path, width)
        if name == "lesson with exercise":
            assert page.locator(NOTEBOOK).count() == 1, "the lesson shows no exercise notebook"
        if found := layout_problems(page, width):
            problems[name] = found
    assert not problems, f"At {width} px wide:\n" + "\n".join(
        f"  {name}: {problem}" for name, found in problems.items() for problem in found
    )
