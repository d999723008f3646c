"""OpenAPI generation (drf-spectacular): unique names, the envelope, the error answers.

- serializers nested in a view (`LoginApi.InputSerializer`) all become "Input": the view's
  name is put in front ("LoginInput");
- a collection route and its detail route (`/api/seller/promo` and `/api/seller/promo/{promo_id}`)
  get the same operationId: the detail route's id names its parameters ("…_by_promo_id");
- every 2xx body is wrapped in its named envelope component (`<Thing>Envelope`,
  `<Thing>PageEnvelope`, `<Thing>ListEnvelope`), and the error statuses a route can answer
  are listed with the `ErrorEnvelope` (AutoSchema._error_codes; `error_response` adds others).

Views declare only the `data` serializer; a 2xx answer without a named serializer is a
schema warning (and `spectacular --fail-on-warn` fails). tokoblitar/tests/test_api_client.py
generates a client from the served document and uses it.
"""

from __future__ import annotations

import re

from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema as _AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from tokoblitar.api.pagination import PageParams

_PATH_PARAM = re.compile(r"\{(\w+)\}")


# --- The envelope ---------------------------------------------------------------------------
# Every JSON answer is {"data": …, "error": null | "message", "meta": {…}} (SPEC §4). The views
# declare only what goes in `data`; the schema wraps it here, so a generated client reads the
# real body: `<Thing>Envelope` for one object, `<Thing>PageEnvelope` for a paginated list
# (meta = PageMeta), `<Thing>ListEnvelope` for a short unpaginated list, and `ErrorEnvelope`
# for every error status the route can answer.

PAGE_META = {
    "type": "object",
    "description": "Paging of a list answer; `limit` is capped at 100.",
    "properties": {
        "page": {"type": "integer", "minimum": 1},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "total": {"type": "integer", "minimum": 0, "description": "Rows matching the filters, all pages."},
    },
    "required": ["page", "limit", "total"],
}
LIST_META = {
    "type": "object",
    "description": "Meta of an unpaginated list: `total` when the route counts its rows.",
    "properties": {"total": {"type": "integer", "minimum": 0}},
}
EMPTY_META = {"type": "object", "description": "Always {} on success.", "properties": {}}
ERROR_META = {
    "type": "object",
    "description": "`code`: stable machine code of the error (e.g. out_of_stock, not_found); "
    "`fields`: per-field messages of a 400.",
    "properties": {
        "code": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code"],
}
ERROR_ENVELOPE = {
    "type": "object",
    "description": "An error answer: `data` is null, `error` a sentence for people.",
    "properties": {
        "data": {"type": "object", "nullable": True, "description": "Always null on error."},
        "error": {"type": "string"},
        "meta": {"$ref": "#/components/schemas/ErrorMeta"},
    },
    "required": ["data", "error", "meta"],
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (meta.fields names each bad field)",
    "401": "Not signed in",
    "403": "Wrong role, or not the owner",
    "404": "Not found (also another owner's object)",
    "409": "Conflict with the current state (stock, order status, promo)",
    "429": "Too many requests (see Retry-After)",
    "502": "A provider (payment, shipping) failed",
}


def error_response(description: str) -> OpenApiResponse:
    """For `@extend_schema(responses={401: error_response("Wrong email or password")})`: an
    error status the automatic rules (AutoSchema._error_codes) do not give this route."""
    return OpenApiResponse(response={"$ref": "#/components/schemas/ErrorEnvelope"}, description=description)


_REF = re.compile(r"^#/components/schemas/(\w+)$")


def _thing(schema_name: str) -> str:
    return schema_name.removesuffix("Output") or schema_name


class AutoSchema(_AutoSchema):
    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        params = _PATH_PARAM.findall(self.path)
        return f"{operation_id}_by_{'_'.join(params)}" if params else operation_id

    def get_serializer_name(self, serializer: serializers.Serializer, direction: str) -> str:
        name = super().get_serializer_name(serializer, direction)
        owner, _, own_name = type(serializer).__qualname__.rpartition(".")
        if owner and own_name == name:
            view_name = owner.split(".")[-1].removesuffix("Api").removesuffix("View")
            return view_name + name
        return name

    # -- envelope ----------------------------------------------------------------------------

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
        self.registry.register_on_missing(component)
        return component.ref

    def _is_paginated(self) -> bool:
        for parameter in self.get_override_parameters():
            cls = parameter if isinstance(parameter, type) else type(parameter)
            if issubclass(cls, PageParams):
                return True
        return False

    def _envelope(self, data_schema: dict) -> dict:
        """`data_schema` (a component ref or an array of one) wrapped in its named envelope."""
        items = data_schema.get("items", {}) if data_schema.get("type") == "array" else None
        match = _REF.match((items if items is not None else data_schema).get("$ref", ""))
        if match is None:
            warn(f"{self.method} {self.path}: the response data is not a named serializer")
            return data_schema
        thing = _thing(match.group(1))
        if items is None:
            name, meta = f"{thing}Envelope", self._component("EmptyMeta", EMPTY_META)
        elif self._is_paginated():
            name, meta = f"{thing}PageEnvelope", self._component("PageMeta", PAGE_META)
        else:
            name, meta = f"{thing}ListEnvelope", self._component("ListMeta", LIST_META)
        return self._component(
            name,
            {
                "type": "object",
                "properties": {
                    "data": data_schema,
                    "error": {"type": "string", "nullable": True, "description": "Always null on success."},
                    "meta": meta,
                },
                "required": ["data", "error", "meta"],
            },
        )

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):  # noqa: ANN001
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if direction == "response" and status_code.startswith("2"):
            for media in response.get("content", {}).values():
                media["schema"] = self._envelope(media["schema"])
        return response

    def _error_codes(self) -> list[str]:
        """The error statuses this operation can answer (all in the ErrorEnvelope)."""
        codes = ["400", "429"]
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            codes += ["401", "403", "404"]
            if self.method != "GET":
                codes.append("409")
        elif _PATH_PARAM.search(self.path):
            codes.append("404")
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):  # noqa: ANN001
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        ref = self._component("ErrorEnvelope", ERROR_ENVELOPE)
        self._component("ErrorMeta", ERROR_META)
        for code in self._error_codes():
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS.get(code, "Error"),
                    "content": {"application/json": {"schema": ref}},
                },
            )
        return responses


def with_body_id(base: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """Schema only: `base` with every field optional plus a required `id`.

    Describes the seed's collection-route PUT (`PUT /api/seller/promo {id, …changes}`), whose
    view reads `id` from the body and applies the rest as a partial update.
    """

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        base.__init__(self, *args, **kwargs)
        for field_name, field in self.fields.items():
            if field_name != "id":
                field.required = False

    return type(
        name,
        (base,),
        {
            "id": serializers.UUIDField(help_text="Which one to change"),
            "__init__": __init__,
            "__module__": base.__module__,
        },
    )
