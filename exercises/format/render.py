"""Notebook cells as HTML a learner's browser can show safely, the way Jupyter shows them.

- Markdown cells: markdown-it-py's CommonMark with GitHub tables and strikethrough, as Jupyter's
  own renderer reads them. Math (``$...$``, ``$$...$$``) is parsed first, so emphasis never
  mangles it, and shown as readable text (``\\frac{R I C}{E}`` reads ``(R I C)/E``): no script
  typesets it in the browser. Raw HTML is allowed as Jupyter allows it, then everything goes
  through nh3 (the Ammonia sanitiser) with an allow-list: no script, style, form controls, event
  attributes, ids or javascript: URLs survive, and links get ``rel="noopener noreferrer nofollow"``.
- Images: an ``attachment:`` image (pasted into the cell in Jupyter) is shown from the cell's own
  attachments as a data: URI when it is a PNG, JPEG or GIF of at most ``ATTACHMENT_BYTES`` whose
  bytes match its type; otherwise its alt text is shown. An image from anywhere else is never
  loaded by the learner's browser (no request leaves for a host the notebook names): a remote
  one becomes a link to it, a relative one (a file beside the notebook) its alt text.
- Code: highlighted by Pygments as spans with CSS classes (``grading/static/grading/notebook.css``
  colours them), no inline styles, so the Content-Security-Policy stays strict.

Every input is bounded (``MARKDOWN_CHARS``, ``CODE_CHARS``) and a cut says so. Pure Python: the
template filters in ``grading/templatetags/notebook_tags.py`` call it with translated labels.
Not imported by the package's ``__init__``, so the engine and the judge never load these libraries.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

MARKDOWN_CHARS = 50_000
CODE_CHARS = 100_000
ATTACHMENT_BYTES = 512 * 1024
#: Image types an attachment may be shown as, with the bytes each file of that type starts with.
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
_DATA_IMAGE = re.compile(r"data:(image/(?:png|jpeg|gif));base64,([A-Za-z0-9+/=]+)\Z")


@dataclass(frozen=True)
class Labels:
    """Words the rendering adds to the page; the template filters pass them translated."""

    shortened: str = "The rest of this cell is not shown: it is longer than {limit} characters."
    remote_image: str = "Image: {alt}"


# --- Code -----------------------------------------------------------------------------------------

_FORMATTER = HtmlFormatter(nowrap=True)
#: The classes Pygments' HtmlFormatter gives tokens ("k", "s2", ...): the only ones a span keeps.
CODE_CLASSES = frozenset(c for c in STANDARD_TYPES.values() if c)


def _lexer(language: str):
    if language in ("", "python", "python3", "ipython", "ipython3"):
        return PythonLexer()
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return TextLexer()


def code_html(text: str, *, language: str = "python", labels: Labels = Labels()) -> str:
    """A code cell's source as escaped, highlighted spans for ``<pre><code>``; nothing else."""
    text, cut = _bounded(text, CODE_CHARS)
    highlighted = pygments_highlight(text, _lexer(language), _FORMATTER)
    # Pygments ends with a newline the source did not have; <pre> would show it as a blank line.
    if not text.endswith("\n"):
        highlighted = highlighted.removesuffix("\n")
    if cut:
        highlighted += "\n" + html.escape(labels.shortened.format(limit=f"{CODE_CHARS:,}"))
    return highlighted


# --- Math -----------------------------------------------------------------------------------------

_TEX_SYMBOLS = {
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "equiv": "≡",
    "infty": "∞", "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐",
    "iff": "⇔", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪",
    "cap": "∩", "forall": "∀", "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨",
    "ldots": "…", "dots": "…", "cdots": "⋯", "max": "max", "min": "min", "log": "log",
    "ln": "ln", "exp": "exp", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "quad": " ", "qquad": " ", "left": "", "right": "", "middle": "", "big": "", "Big": "",
    "bigg": "", "Bigg": "", "displaystyle": "", "textstyle": "", "limits": "", "nolimits": "",
    "tiny": "", "small": "", "normalsize": "", "large": "", "Large": "", "LARGE": "",
    "huge": "", "Huge": "", "lbrace": "{", "rbrace": "}", "mid": "|", "vert": "|",
    "langle": "⟨", "rangle": "⟩", "circ": "∘", "star": "⋆", "prime": "′",
}  # fmt: skip
_SUPERSCRIPTS = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
#: Accents as combining marks over the letter they decorate: \hat{y} reads ŷ.
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308",
}  # fmt: skip
_TEX_TEXT = re.compile(
    r"\\(?:text|textrm|textbf|textit|textsf|texttt|mathrm|mathbf|mathit|mathsf|mathtt|mathcal"
    r"|mathbb|boldsymbol|operatorname)\{([^{}]*)\}"
)
_TEX_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_TEX_SQRT = re.compile(r"\\sqrt\{([^{}]*)\}")
_TEX_ACCENT = re.compile(r"\\(" + "|".join(_ACCENTS) + r")(?:\{([^{}]*)\}|\s*([A-Za-z]))")
_TEX_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|([A-Za-z0-9]))")
#: A group that is no command's argument (not after a letter or a closing brace): its contents.
_TEX_GROUP = re.compile(r"(?<![A-Za-z}])\{([^{}]*)\}")
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)(\s?)")
#: The symbols first, so an accent or a script sees \beta as the one letter β it is.
_TEX_SYMBOL = re.compile(
    r"\\(" + "|".join(sorted(_TEX_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])(\s?)"
)
_TEX_SPACING = re.compile(r"\\[,;:! >]")
_SIMPLE = re.compile(r"[\w.·]+\Z")
_LBRACE, _RBRACE = "\ue000", "\ue001"  # \{ and \} while groups are read
_KEPT_SCRIPT = {"^": "\ue002", "_": "\ue003"}


def _grouped(part: str) -> str:
    part = part.strip()
    return part if _SIMPLE.match(part) else f"({part})"


def _script(match: re.Match[str]) -> str:
    mark, braced, single = match.group(1), match.group(2), match.group(3)
    body = (braced if braced is not None else single).strip()
    table = _SUPERSCRIPTS if mark == "^" else _SUBSCRIPTS
    shifted = body.translate(table)
    if body and all(a != b for a, b in zip(body, shifted, strict=True)):
        return shifted
    if not body:
        return ""
    # Marked so the next pass does not read the same script again; restored at the end.
    kept = _KEPT_SCRIPT[mark]
    return f"{kept}{body}" if len(body) == 1 else f"{kept}({body})"


def _accent(match: re.Match[str]) -> str:
    body = (match.group(2) if match.group(2) is not None else match.group(3)).strip()
    mark = _ACCENTS[match.group(1)]
    return f"{body}{mark}" if len(body) == 1 else f"{match.group(1)}({body})"


def tex_text(tex: str) -> str:
    """TeX as text a person can read without MathJax: symbols as Unicode, fractions with a slash,
    simple scripts raised or lowered (x², xᵢ), accents combined (ŷ)."""
    text = _TEX_SPACING.sub(" ", tex).replace("\\{", _LBRACE).replace("\\}", _RBRACE)
    text = text.replace(r"\%", "%").replace(r"\$", "$").replace(r"\&", "&").replace(r"\#", "#")
    text = _TEX_SYMBOL.sub(lambda m: _TEX_SYMBOLS[m[1]] + m[2], text)
    steps = (
        (_TEX_TEXT, lambda m: m[1]),
        (_TEX_ACCENT, _accent),
        (_TEX_SCRIPT, _script),
        (_TEX_FRAC, lambda m: f"{_grouped(m[1])}/{_grouped(m[2])}"),
        (_TEX_SQRT, lambda m: f"√{_grouped(m[1])}"),
    )
    for _ in range(16):  # innermost groups first, so nested fractions read (a/b)/c
        changed = 0
        for pattern, replace in steps:
            text, n = pattern.subn(replace, text)
            changed += n
        if not changed:
            text, changed = _TEX_GROUP.subn(lambda m: m[1], text)
            if not changed:
                break
    text = _TEX_COMMAND.sub(lambda m: m[1] + m[2], text)  # one no table knows: its name
    text = text.replace("{", "").replace("}", "").replace("\\\\", " ").replace("&", " ")
    for placeholder, original in (
        (_LBRACE, "{"), (_RBRACE, "}"), (_KEPT_SCRIPT["^"], "^"), (_KEPT_SCRIPT["_"], "_")
    ):  # fmt: skip
        text = text.replace(placeholder, original)
    return re.sub(r"\s+", " ", text).strip()


def _math(content: str, options: dict[str, Any]) -> str:
    # The plugin wraps it: <span class="math inline"> or <div class="math block">.
    return html.escape(tex_text(content))


# --- Markdown -------------------------------------------------------------------------------------

_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


def _highlight_fence(code: str, language: str, _attrs: Any) -> str:
    return f'<pre class="notebook-code"><code>{code_html(code, language=language or "python")}</code></pre>\n'


def _align_to_class(state: Any) -> None:
    """Table alignment as a class: markdown-it writes a style attribute, which the CSP forbids."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style"):
            match = _ALIGN.search(str(token.attrs.pop("style")))
            if match:
                token.attrSet("class", f"align-{match.group(1)}")


def _markdown() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        # Jupyter renders raw HTML in markdown cells; nh3 then keeps only the allow-list.
        {"html": True, "linkify": False, "typographer": False, "highlight": _highlight_fence},
    ).enable(["table", "strikethrough"])
    # "$5 and $10" stays prices: maths has no space just inside its dollars, as in Pandoc.
    dollarmath_plugin(
        md,
        allow_space=False,
        double_inline=True,
        allow_labels=False,
        renderer=_math,
    )
    md.core.ruler.push("pma_align_to_class", _align_to_class)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    return md


def _render_table_open(
    self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict
) -> str:
    # A wide table scrolls sideways in its own box instead of the page; focusable, so a keyboard
    # can scroll it. Not a named region: two tables would be two landmarks of the same name.
    return '<div class="notebook-table" tabindex="0">\n<table>\n'


def _render_table_close(
    self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict
) -> str:
    return "</table>\n</div>\n"


def _render_image(
    self: RendererHTML, tokens: list[Token], idx: int, options: Any, env: dict
) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if src.startswith("attachment:"):
        data = attachment_data_uri(env["attachments"], unquote(src.removeprefix("attachment:")))
        if data:
            return f'<img src="{data}" alt="{html.escape(alt, quote=True)}">'
    elif src.startswith(("https://", "http://")):
        text = env["labels"].remote_image.format(alt=alt or src)
        return f'<a href="{html.escape(src, quote=True)}">{html.escape(text)}</a>'
    return f'<span class="notebook-image-alt">{html.escape(alt)}</span>' if alt else ""


def attachment_data_uri(attachments: Mapping[str, Any], name: str) -> str | None:
    """A cell attachment as a data: URI, if it is a PNG, JPEG or GIF small enough whose bytes match."""
    bundle = attachments.get(name) if isinstance(attachments, Mapping) else None
    if not isinstance(bundle, Mapping):
        return None
    for mime, signatures in ATTACHMENT_SIGNATURES.items():
        value = bundle.get(mime)
        if isinstance(value, list):
            value = "".join(v for v in value if isinstance(v, str))
        if not isinstance(value, str) or len(value) > ATTACHMENT_BYTES * 4 // 3 + 1024:
            continue
        try:
            data = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(data) <= ATTACHMENT_BYTES and data.startswith(signatures):
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return None


_MD = _markdown()

#: What a notebook's markdown may keep. No form controls (the cells sit inside the answer form),
#: no ids (they could clobber the page's), no style, no media that would load on its own.
TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
        "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
        "q", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr",
    }
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
ATTRIBUTE_VALUES = {"div": {"tabindex": {"0"}}}
_ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
#: Jupyter's own callouts (``<div class="alert alert-info">``) are common in course notebooks.
_ALERT_CLASSES = {"alert", "alert-info", "alert-warning", "alert-danger", "alert-success"}
CLASSES = {
    "span": set(CODE_CLASSES) | {"math", "inline", "notebook-image-alt"},
    "div": {"math", "block", "inline", "notebook-table"} | _ALERT_CLASSES,
    "pre": {"notebook-code"},
    "p": {"notebook-note"},
    "th": _ALIGN_CLASSES,
    "td": _ALIGN_CLASSES,
}
URL_SCHEMES = {"http", "https", "mailto", "data", "attachment"}
LINK_REL = "noopener noreferrer nofollow"
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _url_filter(attachments: Mapping[str, Any]):
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            # Only pictures that travel with the page: never a request to a host the cell names.
            if value.startswith("attachment:"):
                return attachment_data_uri(attachments, unquote(value.removeprefix("attachment:")))
            match = _DATA_IMAGE.match(value)
            if match:
                return value if _valid_data_image(match[1], match[2]) else None
            # A remote picture in raw HTML is kept here only to become a link (_images_settled).
            return value if value.lower().startswith(("https://", "http://")) else None
        if attribute in ("href", "src", "cite") and value.lower().startswith(
            ("data:", "attachment:")
        ):
            return None
        return value

    return keep


_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')


def _images_settled(safe: str, labels: Labels) -> str:
    """Raw HTML images as markdown ones: shown from data: only, a remote one as a link to it,
    any other as its alt text. Reads nh3's output, whose attributes are always double-quoted
    and escaped, so a pattern reads them exactly."""

    def settle(match: re.Match[str]) -> str:
        attributes = dict(_ATTRIBUTE.findall(match[1]))
        src, alt = attributes.get("src", ""), attributes.get("alt", "")
        if src.startswith("data:"):
            return match[0]
        if src:
            text = html.escape(labels.remote_image).format(alt=alt or src)
            return f'<a href="{src}" rel="{LINK_REL}">{text}</a>'
        return f'<span class="notebook-image-alt">{alt}</span>' if alt else ""

    return _IMG.sub(settle, safe)


def _valid_data_image(mime: str, payload: str) -> bool:
    return attachment_data_uri({"x": {mime: payload}}, "x") is not None


def sanitise(fragment: str, *, attachments: Mapping[str, Any] | None = None) -> str:
    """HTML reduced to the notebook allow-list (the last step of every markdown rendering)."""
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        clean_content_tags={"script", "style", "textarea", "title", "noscript", "template"},
        attributes=ATTRIBUTES,
        tag_attribute_values=ATTRIBUTE_VALUES,
        allowed_classes=CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_url_filter(attachments or {}),
    )


def _bounded(text: str, limit: int) -> tuple[str, bool]:
    text = text if isinstance(text, str) else ""
    return (text[:limit], True) if len(text) > limit else (text, False)


def markdown_html(
    text: str,
    *,
    attachments: Mapping[str, Any] | None = None,
    heading_offset: int = 0,
    labels: Labels = Labels(),
) -> str:
    """A markdown cell as safe HTML. Headings move down ``heading_offset`` levels (at most h6) so
    a notebook's ``# Title`` sits under the page's own headings."""
    text, cut = _bounded(text, MARKDOWN_CHARS)
    env = {"attachments": attachments or {}, "labels": labels}
    rendered = _MD.render(text, env)
    if cut:
        note = html.escape(labels.shortened.format(limit=f"{MARKDOWN_CHARS:,}"))
        rendered += f'<p class="notebook-note"><em>{note}</em></p>'
    safe = _images_settled(sanitise(rendered, attachments=attachments), labels)
    if heading_offset:
        safe = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + heading_offset)}>", safe)
    return safe
