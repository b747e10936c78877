"""Accessibility checks in the browser: axe-core from node_modules, and keyboard-only focus.

axe-core comes from the npm registry, pinned by package.json/package-lock.json and installed by
scripts/node-deps.sh; the tests inject the local file, so nothing is fetched at run time.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: Impacts that fail a page. Minor and moderate findings are reported by axe but do not fail.
BLOCKING = ("serious", "critical")

#: WCAG 2.0/2.1/2.2 A and AA rules plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_path() -> Path:
    if not AXE.is_file():
        raise RuntimeError(
            f"axe-core is missing ({AXE}). Install it from the npm registry with "
            "`bash scripts/node-deps.sh` (make test runs it)."
        )
    return AXE


#: Where pages load axe from: a same-origin address the browser context answers from the local
#: file (serve_axe), so the site's Content-Security-Policy (script-src 'self') stays in force.
AXE_URL_PATH = "/__e2e__/axe.min.js"


def serve_axe(context, base_url: str) -> None:
    """Answer AXE_URL_PATH in this browser context with node_modules/axe-core/axe.min.js."""
    script = axe_path()
    context.route(
        base_url + AXE_URL_PATH,
        lambda route: route.fulfill(path=str(script), content_type="text/javascript"),
    )


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is now; its violations of serious or critical impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL_PATH)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(
                f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}"
            )
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


#: True once the document, its stylesheets and its web fonts have all loaded: before then axe
#: measures unstyled boxes (nav links 22 px tall fail `target-size`).
PAGE_SETTLED = """() => document.readyState === 'complete'
  && [...document.querySelectorAll('link[rel=stylesheet]')].every(link => link.sheet !== null)
  && document.fonts.status === 'loaded'"""


def wait_until_settled(page) -> None:
    """Wait for the page's own resources. It cannot tell an old page from a new one: after a click
    that navigates, the caller first waits for something only the new page shows."""
    page.wait_for_load_state("load")
    page.wait_for_function(PAGE_SETTLED)


def assert_accessible(page, name: str) -> None:
    """No serious or critical axe violation on the page; the message lists each one."""
    wait_until_settled(page)
    violations = axe_violations(page)
    assert not violations, (
        f"axe found serious or critical problems on {name} ({page.url}):\n" + describe(violations)
    )


FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
    name: el.getAttribute('name'), value: el.getAttribute('value'),
    focusVisible: el.matches(':focus-visible'),
    indicated: outline || ring,
    inCodeMirror: !!el.closest('.CodeMirror'),
  };
}"""


def focus_state(page) -> dict | None:
    return page.evaluate(FOCUS_STATE)


def tab_until(page, wanted, *, max_presses: int = 80, shift: bool = False) -> dict:
    """Press Tab until `wanted(focus)` holds; every stop on the way must show its focus."""
    key = "Shift+Tab" if shift else "Tab"
    for _ in range(max_presses):
        page.keyboard.press(key)
        state = focus_state(page)
        if state is None:
            continue
        # CodeMirror's input is a hidden textarea; the editor shows its own cursor instead.
        if not state["inCodeMirror"]:
            assert state["focusVisible"] and state["indicated"], f"focus is not visible on {state}"
        if wanted(state):
            return state
    raise AssertionError(f"{max_presses} presses of {key} never reached the element wanted")
