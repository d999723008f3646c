from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from catalog.search import configure_connection

        connection_created.connect(configure_connection, dispatch_uid="catalog_search_threshold")
