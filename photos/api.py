"""Seller routes for photo enhancement (SPEC §9; the seed's `POST …/enhance-photo`)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.permissions import IsSeller
from catalog.serializers import ImageOutput
from photos.models import EnhanceJob
from photos.selectors import enhance_job_get_for_seller
from photos.services import (
    KEEP_ADD,
    KEEP_REPLACE,
    enhance_job_payload,
    seller_enhance_discard,
    seller_enhance_keep,
    seller_enhance_start,
)
from stores.selectors import store_get_for_seller
from tokoblitar.api.errors import envelope


class EnhancePhotoInput(serializers.Serializer):
    image_url = serializers.CharField(
        max_length=2000,
        help_text="URL (or storage name) of one of this product's own stored photos; nothing else is fetched.",
    )


class EnhanceJobOutput(serializers.Serializer):
    job_id = serializers.UUIDField()
    product_id = serializers.UUIDField()
    image_id = serializers.UUIDField(allow_null=True, help_text="The original photo")
    status = serializers.ChoiceField(choices=EnhanceJob.Status.values)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    reason = serializers.CharField(help_text="Why it failed (technical, English); empty otherwise")
    reason_code = serializers.CharField(help_text='"timeout", "provider", "unreadable", "bad_output" or ""')
    decision = serializers.CharField(help_text='"", "replaced", "added" or "discarded"')
    enhanced_url = serializers.CharField(allow_null=True, help_text="The enhanced photo once succeeded")


class EnhanceKeepInput(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=[KEEP_REPLACE, KEEP_ADD],
        default=KEEP_REPLACE,
        help_text="replace: takes the original's place; add: a new photo",
    )


class SellerEnhancePhotoApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(
        request=EnhancePhotoInput,
        responses={202: EnhanceJobOutput, 200: EnhanceJobOutput},
        description=(
            "Enhance one of this product's photos in the background. Answers 202 with the job "
            "(poll GET /api/seller/enhance-jobs/{job_id}; progress is also pushed to the dashboard), "
            "or 200 with `enhanced_url` when it already finished. 400 `foreign_image_url` for a URL that "
            "is not one of our stored photos, 404 for another store's product or photo, 403 "
            "`feature_disabled` when the store's photo_enhance switch is off."
        ),
    )
    def post(self, request, product_id: UUID):
        data = EnhancePhotoInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = seller_enhance_start(actor=request.user, product_id=product_id, **data.validated_data)
        job.refresh_from_db()
        status = 200 if job.status == EnhanceJob.Status.SUCCEEDED else 202
        return envelope(EnhanceJobOutput(enhance_job_payload(job)).data, status=status)


class SellerEnhanceJobApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(request=None, responses={200: EnhanceJobOutput})
    def get(self, request, job_id: UUID):
        job = enhance_job_get_for_seller(store=store_get_for_seller(user=request.user), job_id=job_id)
        return envelope(EnhanceJobOutput(enhance_job_payload(job)).data)


class SellerEnhanceKeepApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(
        request=EnhanceKeepInput,
        responses={201: ImageOutput},
        description="Keep the enhanced photo: replace the original, or add it as a new photo.",
    )
    def post(self, request, job_id: UUID):
        data = EnhanceKeepInput(data=request.data)
        data.is_valid(raise_exception=True)
        image = seller_enhance_keep(actor=request.user, job_id=job_id, **data.validated_data)
        return envelope(ImageOutput(image).data, status=201)


class SellerEnhanceDiscardApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(request=None, responses={200: EnhanceJobOutput})
    def post(self, request, job_id: UUID):
        job = seller_enhance_discard(actor=request.user, job_id=job_id)
        return envelope(EnhanceJobOutput(enhance_job_payload(job)).data)
