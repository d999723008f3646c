from orders.tests.factories import blitar_areas  # noqa: F401 - Kota Blitar areas so checkouts can quote shipping
