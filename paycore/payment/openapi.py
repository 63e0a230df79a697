"""The OpenAPI documents of both apps: every refusal a route can answer, its headers, pages that work offline.

FastAPI documents a route's success and a ``{"detail": [...]}`` validation error that neither app
ever sends. Here each route says instead which :class:`~paycore.payment.errors.ErrorCode` members
it can answer with (:meth:`Refusals.responses`); each HTTP status then gets the real error body,
``{"error": {"code", "message"}}``, whose ``code`` is limited to those members and whose
description gives each one's meaning -- generated from the enum, so the document cannot drift
from the code. The dialects refuse in their platforms' own formats: :class:`ErrorFormat` documents
those from each platform's table of codes, :func:`combine` joins them with the plumbing's refusals.
:func:`finish` makes the document self-contained: the ``$defs`` pydantic puts inside a request-body
schema move to ``components/schemas``, so every ``$ref`` resolves.

:mod:`paycore.payment.apidocs` serves the document as pages that work offline.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from paycore.payment.errors import ErrorCode
from paycore.payment.protocol import ALGORITHM, IDEMPOTENCY_KEY, KEY_ID, NONCE, SIGNATURE, TIMESTAMP

REF_PREFIX = "#/components/schemas/"

APP_REFUSALS = (
    ErrorCode.REQUEST_TIMEOUT,
    ErrorCode.PAYLOAD_TOO_LARGE,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ErrorCode.INTERNAL_ERROR,
)
"""What the shared plumbing (:mod:`paycore.payment.web`) may answer on any route of either app."""
STRICT_JSON_REFUSALS = (ErrorCode.MALFORMED_JSON, ErrorCode.DUPLICATE_JSON_KEY)
"""What the merchant's strict JSON check answers, on any route, before a handler runs."""
PATH_REFUSALS = (ErrorCode.NOT_FOUND, ErrorCode.METHOD_NOT_ALLOWED)
"""A path parameter holding ``/`` lands on no route (404) or on another route (405)."""
UNAUTHENTICATED = (
    ErrorCode.MALFORMED_HEADERS,
    ErrorCode.UNSUPPORTED_ALGORITHM,
    ErrorCode.UNKNOWN_KEY,
    ErrorCode.INVALID_SIGNATURE,
)
"""Refusals of a message whose signature did not check out."""
SIGNATURE_CHECKS = (*UNAUTHENTICATED, ErrorCode.TIMESTAMP_OUT_OF_WINDOW, ErrorCode.REPLAYED_NONCE)
"""Everything the one verifier (:class:`~paycore.payment.protocol.signing.MessageVerifier`) refuses."""

Refusal = ErrorCode | tuple[ErrorCode, int]
"""A code at its default status, or ``(code, status)`` for one of its other statuses."""


def error_schema(codes: Iterable[ErrorCode]) -> dict:
    """The JSON Schema of the error body, its ``code`` limited to ``codes``."""
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": sorted({code.value for code in codes})},
                    "message": {"type": "string", "description": "for people; never repeats a secret"},
                },
            }
        },
    }


class Refusals:
    """The refusals of one app: ``always`` on every route, plus those a route names."""

    def __init__(self, *always: ErrorCode, headers: dict[str, dict] | None = None) -> None:
        self.always = always
        self.headers = headers or {}

    def responses(self, *refusals: Refusal, **success: dict) -> dict[int | str, dict]:
        """A FastAPI ``responses=`` mapping: one error response per status, plus ``success`` as given.

        ``success`` maps ``"200"`` (and the like) to that response's documentation.
        """
        by_status: dict[int, set[ErrorCode]] = {}
        for refusal in (*self.always, *refusals):
            code, status = refusal if isinstance(refusal, tuple) else (refusal, refusal.status)
            if status not in code.statuses:
                raise ValueError(f"{code.value} is never answered with {status}")
            by_status.setdefault(status, set()).add(code)
        documented: dict[int | str, dict] = {int(status): answer for status, answer in success.items()}
        for status in sorted(by_status):
            codes = sorted(by_status[status], key=lambda code: code.value)
            documented[status] = {
                "description": "Refused with one of these codes:\n\n"
                + "\n".join(f"- `{code.value}`: {code.meaning}" for code in codes),
                "content": {"application/json": {"schema": error_schema(codes)}},
                **({"headers": copy.deepcopy(self.headers)} if self.headers else {}),
            }
        return documented


class ErrorFormat:
    """Another platform's error body, documented per status as :class:`Refusals` documents paycore's.

    ``codes`` is the table the dialect refuses from (each code's HTTP status and meaning, so the two
    cannot drift); ``schema(codes)`` is the body's JSON Schema for the codes of one status, and
    ``headers(status)`` that answer's headers."""

    def __init__(
        self,
        name: str,
        codes: Mapping[str, tuple[int, str]],
        schema: Callable[[list[str]], dict],
        *,
        headers: Callable[[int], dict[str, dict]] = lambda status: {},
    ) -> None:
        self.name, self.codes, self.schema, self.headers = name, codes, schema, headers

    def responses(self, *codes: str, **success: dict) -> dict[int, dict]:
        """A FastAPI ``responses=`` mapping: one refusal per status of ``codes``, plus ``success``."""
        by_status: dict[int, set[str]] = {}
        for code in codes:
            if code not in self.codes:
                raise ValueError(f"{self.name} has no error code {code}")
            by_status.setdefault(self.codes[code][0], set()).add(code)
        documented = {int(status): answer for status, answer in success.items()}
        for status, names in sorted(by_status.items()):
            listed = sorted(names)
            documented[status] = {
                "description": f"Refused in {self.name}'s format, with one of these codes:\n\n"
                + "\n".join(f"- `{code}`: {self.codes[code][1]}" for code in listed),
                "content": {"application/json": {"schema": self.schema(listed)}},
                **({"headers": self.headers(status)} if self.headers(status) else {}),
            }
        return documented


def combine(*documents: Mapping[int, dict]) -> dict[int, dict]:
    """``responses=`` mappings as one: a dialect refuses in its platform's format, the plumbing in
    ``paycore/1``'s (a 415; a 404 for a path parameter holding ``/``). A status both use gets ``anyOf``
    the two schemas, and keeps a header required only if both answers always send it."""
    merged: dict[int, dict] = {}
    for document in documents:
        for status, answer in document.items():
            if status not in merged:
                merged[status] = copy.deepcopy(answer)
                continue
            both = merged[status]
            both["description"] += "\n\nOr: " + answer["description"]
            for media_type, content in answer.get("content", {}).items():
                known = both.setdefault("content", {}).get(media_type)
                schema = copy.deepcopy(content["schema"])
                both["content"][media_type] = {
                    "schema": {"anyOf": [known["schema"], schema]} if known else schema
                }
            headers, more = both.get("headers", {}), answer.get("headers", {})
            for name in {*headers, *more}:
                kept = copy.deepcopy(headers.get(name) or more[name])
                kept["required"] = all(side.get(name, {}).get("required", False) for side in (headers, more))
                both.setdefault("headers", {})[name] = kept
    return dict(sorted(merged.items()))


def header(name: str, description: str, schema: dict, *, required: bool = True) -> dict:
    """An OpenAPI header parameter."""
    return {"name": name, "in": "header", "required": required, "description": description, "schema": schema}


_SIGNATURE_HEADER_SCHEMAS: tuple[tuple[str, str, dict], ...] = (
    (KEY_ID, "the signing key's id: SHA-256 of its public key (DER), in hex", {"pattern": "^[0-9a-f]{64}$"}),
    (
        TIMESTAMP,
        "Unix seconds when signed, digits without a leading zero; accepted for 300 s either side",
        {"pattern": "^(0|[1-9][0-9]{0,11})$"},
    ),
    (NONCE, "a fresh random value per message, never reused", {"pattern": "^[A-Za-z0-9_-]{16,64}$"}),
    (
        ALGORITHM,
        "the one algorithm registered with the key",
        {"enum": ["RSA-PSS-SHA256", "RSA-PKCS1v15-SHA256"]},
    ),
    (
        SIGNATURE,
        "base64 of the RSA signature over the canonical string (see docs/PROTOCOL.md)",
        {"pattern": "^[A-Za-z0-9+/]+={0,2}$"},
    ),
)


def signature_parameters(signer: str) -> list[dict]:
    """The five ``Paycore-*`` headers of a message signed by ``signer``, as header parameters."""
    return [
        header(name, f"{description} ({signer})", {"type": "string", **schema})
        for name, description, schema in _SIGNATURE_HEADER_SCHEMAS
    ]


def signature_response_headers(*, required: bool, when: str = "") -> dict[str, dict]:
    """The five ``Paycore-*`` headers of a signed answer, as response headers."""
    return {
        name: {
            "required": required,
            "description": f"{description}{when}",
            "schema": {"type": "string", **schema},
        }
        for name, description, schema in _SIGNATURE_HEADER_SCHEMAS
    }


IDEMPOTENCY_PARAMETER = header(
    IDEMPOTENCY_KEY,
    "one key per logical request (a UUID fits): a retry with the same key and body gets the first answer",
    {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,128}$"},
)


def signature_scheme(signer: str, description: str) -> dict:
    """A security scheme for the ``Paycore-Signature`` header (OpenAPI has no type for signatures)."""
    return {
        "type": "apiKey",
        "in": "header",
        "name": SIGNATURE,
        "description": f"{description} The signature is made by {signer}'s RSA key over the canonical "
        "string of the message (method, target, timestamp, nonce and the SHA-256 of the exact body "
        "bytes), and travels with the other four `Paycore-*` headers; see docs/PROTOCOL.md.",
    }


def request_body(model: type, *, description: str = "") -> dict:
    """An ``openapi_extra`` request body from a pydantic model whose nested models are components."""
    schema = model.model_json_schema(ref_template=REF_PREFIX + "{model}")
    return {
        "requestBody": {
            "required": True,
            **({"description": description} if description else {}),
            "content": {"application/json": {"schema": schema}},
        }
    }


def _hoist_defs(node: Any, components: dict) -> Any:
    """Move every nested ``$defs`` into ``components`` and point ``#/$defs/X`` references there."""
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            components.setdefault(name, _hoist_defs(schema, components))
        return {
            key: (REF_PREFIX + value[len("#/$defs/") :])
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
            else _hoist_defs(value, components)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_hoist_defs(item, components) for item in node]
    return node


def _references(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _references(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_references, node)) if node else set()
    return set()


def _drop_fastapi_validation_errors(paths: dict) -> None:
    """Remove the ``422 {"detail": [...]}`` FastAPI adds to a route that declared no 422 of its own.

    Neither app ever sends that body (:func:`~paycore.payment.web.install_error_handlers` turns
    every validation error into the JSON error format), so a route keeps a 422 only if it names one.
    """
    for operations in paths.values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422", {})
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") == REF_PREFIX + "HTTPValidationError":
                del operation["responses"]["422"]


def finish(spec: dict, security_schemes: dict[str, dict] | None = None) -> dict:
    """Make the document self-contained and true: nested ``$defs`` hoisted, FastAPI's own 422 and
    unused components dropped, the security schemes added."""
    _drop_fastapi_validation_errors(spec["paths"])
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    spec["paths"] = _hoist_defs(spec["paths"], schemas)
    schemas.update({name: _hoist_defs(schema, schemas) for name, schema in list(schemas.items())})
    used: set[str] = set()
    pending = {ref[len(REF_PREFIX) :] for ref in _references(spec["paths"]) if ref.startswith(REF_PREFIX)}
    while pending:  # follow references from schema to schema
        name = pending.pop()
        used.add(name)
        pending |= {
            ref[len(REF_PREFIX) :] for ref in _references(schemas.get(name, {})) if ref.startswith(REF_PREFIX)
        } - used
    components["schemas"] = {name: schemas[name] for name in sorted(schemas) if name in used}
    if security_schemes:
        components.setdefault("securitySchemes", {}).update(security_schemes)
    return spec
