from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import checks  # noqa: F401 - registers the email system check
        from notifications.selectors import notifications_export
        from notifications.subscribers import on_account_deleted, on_order_refund_needed, on_order_status_changed
        from tokoblitar.events import subscribe
        from tokoblitar.personal_data import register_export_section

        # orders announces every status move; we tell the seller and the buyer (orders never imports us).
        subscribe("order.status_changed", on_order_status_changed)
        subscribe("order.refund_needed", on_order_refund_needed)
        subscribe("account.deleted", on_account_deleted)
        # privacy sits in our layer and may not import us: the export asks through the kernel.
        register_export_section("notifications", notifications_export)
