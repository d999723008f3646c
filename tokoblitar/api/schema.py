"""OpenAPI generation (drf-spectacular) with names that cannot collide.

Two things drf-spectacular derives would otherwise repeat across views, which it reports as
warnings (`manage.py check --deploy`) and resolves with arbitrary suffixes:
- serializers nested in a view (`LoginApi.InputSerializer`) all become "Input": the view's
  name is put in front ("LoginInput");
- a collection route and its detail route (`/api/seller/promo` and `/api/seller/promo/{promo_id}`)
  get the same operationId: the detail route's id names its parameters ("…_by_promo_id").
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema as _AutoSchema
from rest_framework import serializers

_PATH_PARAM = re.compile(r"\{(\w+)\}")


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
