from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = "Stores"

    def ready(self) -> None:
        from pictures.signals import picture_processed

        from stores.models import Store
        from stores.services import store_images_mark_rendered

        # The task worker drew a logo's/banner's renditions: pages may use its srcset from now on.
        for kind in ("logo", "banner"):

            def renditions_done(*, file_name: str, new: list, _kind: str = kind, **_: object) -> None:
                if new:
                    store_images_mark_rendered(file_name=file_name, kind=_kind)

            picture_processed.connect(
                renditions_done,
                sender=Store._meta.get_field(kind),
                weak=False,
                dispatch_uid=f"stores_renditions_done_{kind}",
            )
