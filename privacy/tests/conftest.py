from orders.tests.factories import blitar_areas, product, store  # noqa: F401 - fixtures for this package
