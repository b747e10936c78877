"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, offline and bounded.

eddsa-rdfc-2022 signs the canonical N-Quads of a credential, so the JSON-LD processor (pyld)
must expand its `@context`s. Those contexts ship in `certificates/contexts/` and the document
loader here serves only them: an unknown context URL is an error, never a network fetch.

Inputs are untrusted (anyone may upload a credential to the verification page), and
canonicalisation is exponential on crafted "poison" graphs. It is bounded the way the RDFC-1.0
text recommends: a cap on the quads and blank nodes a document may produce, and on the deep
iterations (calls of Hash N-Degree Quads) one canonicalisation may make. Our own credentials
use a few blank nodes and a handful of deep iterations.

RDFC-1.0 is URDNA2015 under its standard name; they differ only in how the canonical N-Quads
escape control characters other than tab, line feed and carriage return, which
`credentials.credential_build` never lets into a credential.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

#: Every context a credential we sign or check may name, and the shipped file behind it.
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
}

MAX_QUADS = 2_000
MAX_BLANK_NODES = 64
MAX_DEEP_ITERATIONS = 256


class CanonicalizationError(ValueError):
    """The document cannot be canonicalised: an unknown context, invalid JSON-LD, or too complex."""


@cache
def _context(url: str) -> dict[str, Any]:
    with (CONTEXTS_DIR / CONTEXT_FILES[url]).open(encoding="utf-8") as handle:
        return json.load(handle)


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's loader interface, answering only from the shipped contexts."""
    if url not in CONTEXT_FILES:
        raise _unknown_context(url)
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def _unknown_context(url: str) -> jsonld.JsonLdError:
    return jsonld.JsonLdError(
        f"The JSON-LD context {url} is not one this platform knows; it is never fetched.",
        "jsonld.LoadDocumentError",
        {"url": url},
        code="loading remote context failed",
    )


def _loader_with(extra: Mapping[str, dict[str, Any]]):
    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url in extra:
            return {"contextUrl": None, "documentUrl": url, "document": extra[url]}
        return document_loader(url, options)

    return load


class _BoundedCanonicalization(URDNA2015):
    """URDNA2015 (RDFC-1.0) that stops after MAX_DEEP_ITERATIONS calls of Hash N-Degree Quads."""

    def __init__(self) -> None:
        super().__init__()
        self.deep_iterations = 0

    def hash_n_degree_quads(self, id_, issuer):
        self.deep_iterations += 1
        if self.deep_iterations > MAX_DEEP_ITERATIONS:
            raise CanonicalizationError("The document's graph is too complex to canonicalise.")
        return super().hash_n_degree_quads(id_, issuer)


# Processed contexts by URL, kept between calls: only the shipped contexts ever resolve, and they
# never change, so this holds at most len(CONTEXT_FILES) entries. Calls with extra contexts (the
# W3C test vectors' examples context) get a cache of their own.
_resolved_contexts: dict[str, Any] = {}


def canonicalize_rdf(
    document: dict[str, Any], *, extra_contexts: Mapping[str, dict[str, Any]] | None = None
) -> bytes:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, UTF-8 encoded.

    `extra_contexts` (URL to parsed context document) adds contexts to the shipped ones for
    this call only; tests use it for the W3C vectors' examples context.
    """
    loader = _loader_with(extra_contexts) if extra_contexts else document_loader
    cache_: dict[str, Any] = {} if extra_contexts else _resolved_contexts
    options = {
        "base": "",
        "documentLoader": loader,
        "contextResolver": ContextResolver(cache_, loader),
        "processingMode": "json-ld-1.1",
        "produceGeneralizedRdf": False,
        "extractAllScripts": False,
    }
    try:
        dataset = jsonld.JsonLdProcessor().to_rdf(document, options)
    except jsonld.JsonLdError as exc:
        raise CanonicalizationError(_reason(exc)) from exc
    except (RecursionError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise CanonicalizationError("The document is not valid JSON-LD.") from exc
    _check_size(dataset)
    try:
        return _BoundedCanonicalization().main(dataset, {"format": "application/n-quads"}).encode()
    except RecursionError as exc:
        raise CanonicalizationError("The document's graph is too complex to canonicalise.") from exc


def _check_size(dataset: dict[str, list[dict[str, Any]]]) -> None:
    quads = [quad for triples in dataset.values() for quad in triples]
    if len(quads) > MAX_QUADS:
        raise CanonicalizationError("The document is larger than any credential we issue.")
    blank_nodes = {
        component["value"]
        for quad in quads
        for component in quad.values()
        if isinstance(component, dict) and component.get("type") == "blank node"
    }
    blank_nodes.update(name for name in dataset if name.startswith("_:"))
    if len(blank_nodes) > MAX_BLANK_NODES:
        raise CanonicalizationError("The document's graph is too complex to canonicalise.")


def _reason(error: jsonld.JsonLdError) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, jsonld.JsonLdError) and "never fetched" in str(cause.args[0]):
            return str(cause.args[0])
        cause = cause.__cause__
    return "The document is not valid JSON-LD for the contexts it names."
