"""`manage.py seed_whatsapp_demo`: a living WhatsApp inbox for the demo seller on `make run`.

Switches `whatsapp_inbox` on for the demo seller's store and, with the offline gateway only,
links a simulator session the way a seller would (start, wait for the QR, "scan" the current
one) and lets two buyers write: the simulated buyer Bu Rina (who answers what the seller sends)
and the demo buyer Dewi, whose number is the shipping phone of the demo orders, so her chat shows
her orders and a pending one to send the QRIS link for. Also two labels and three canned replies.

Runs once per store: it does nothing when the store already has a session or canned replies
(so an admin who switched the inbox off later is not overruled by the next `make run`); but at
every run Dewi gets a fresh pending order (real checkout, payment simulator) when none of hers
has an open payment, so "Kirim link QRIS" works after the first 15 minutes too. Events go through
the real WAHA webhook handler in-process (the site is not up yet while `make run` seeds).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from checkout.management.commands.seed_demo_orders import ADDRESS as DEMO_ADDRESS
from checkout.management.commands.seed_demo_orders import DEMO_BUYER
from checkout.services import order_place
from orders.models import Order
from orders.payments import payment_mode
from stores.models import StoreFeatureFlags
from tokoblitar.demo import demo_add_force_argument, demo_data_guard
from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.simulator import SimulatorGateway
from whatsapp.management.commands.whatsapp_simulate import in_process_transport
from whatsapp.models import CannedReply, Chat, ChatLabel, LabelColour, WhatsAppSession
from whatsapp.selectors import phone_variants
from whatsapp.services import seller_qr_get, seller_session_create, waha_event_apply

DEMO_SELLER = "penjual@tokoblitar.id"
# The demo orders' shipping phone (checkout/management/commands/seed_demo_orders.py ADDRESS).
DEWI_ID = "6281233445566@c.us"
CANNED = [
    ("makasih", "Terima kasih {nama} sudah belanja di {toko} 🙏 Pesanan segera kami proses."),
    ("ongkir", "Halo {nama}, ongkir dihitung otomatis saat checkout sesuai alamat. Kirim dari Blitar setiap hari ya."),
    ("resi", "Pesanan {nama} sudah dikirim, nomor resinya {resi}. Total {total}."),
]
LABELS = [("Belum bayar", LabelColour.AMBER), ("Langganan", LabelColour.GREEN)]


class Command(BaseCommand):
    help = "Switch the WhatsApp inbox on for the demo seller and link a simulator session with two chats (once)."

    def add_arguments(self, parser) -> None:
        demo_add_force_argument(parser)

    def handle(self, *args, **options) -> None:
        demo_data_guard(force=options["force"])
        seller = User.objects.filter(email__iexact=DEMO_SELLER).select_related("store").first()
        if seller is None or not hasattr(seller, "store"):
            self.stdout.write(f"WhatsApp demo skipped: {DEMO_SELLER} has no store (run seed_demo first).")
            return
        store = seller.store
        if WhatsAppSession.objects.filter(store=store).exists() or CannedReply.objects.filter(store=store).exists():
            # Seeded before: an admin who switched the inbox off since is not overruled by `make run`.
            self.stdout.write("WhatsApp demo: already present.")
            self._fresh_pending_order(store)
            return
        StoreFeatureFlags.objects.update_or_create(store=store, defaults={"whatsapp_inbox": True})
        for name, colour in LABELS:
            ChatLabel.objects.get_or_create(store=store, name=name, defaults={"colour": colour})
        for shortcut, text in CANNED:
            CannedReply.objects.get_or_create(store=store, shortcut=shortcut, defaults={"text": text})
        live = get_whatsapp_gateway()
        if not isinstance(live, SimulatorGateway):
            self.stdout.write("WhatsApp demo: inbox switched on; no session seeded (WhatsApp runs live here).")
            return
        sim = SimulatorGateway(hmac_key=live.hmac_key, webhook_url=live.webhook_url, transport=in_process_transport)
        session, _created = seller_session_create(actor=seller)
        sim.elapse(session.name, 2)  # the start takes a second; the first QR follows
        seller_qr_get(actor=seller, session_id=session.pk)
        session.refresh_from_db()
        sim.scan(session.name, session.qr)  # the phone scans the QR the page shows
        sim.pump()
        sim.buyer_write(session.name, "Kak, sambal pecelnya masih ada? Kirim ke Wlingi bisa?")
        sim.pump()
        now = timezone.now()
        for text in ("Halo kak, saya sudah pesan tadi.", "Bayarnya lewat apa ya?"):
            waha_event_apply(
                event={
                    "id": "evt_" + secrets.token_hex(13),
                    "event": "message",
                    "session": session.name,
                    "payload": {
                        "id": f"false_{DEWI_ID}_{secrets.token_hex(10).upper()}",
                        "timestamp": int(now.timestamp()),
                        "from": DEWI_ID,
                        "fromMe": False,
                        "body": text,
                        "hasMedia": False,
                        "_data": {"notifyName": "Dewi Pembeli"},
                    },
                }
            )
        dewi = Chat.objects.filter(session=session, remote_id=DEWI_ID).first()
        if dewi is not None:
            dewi.labels.add(ChatLabel.objects.get(store=store, name="Belum bayar"))
        self._fresh_pending_order(store)
        session.refresh_from_db()
        chats = Chat.objects.filter(session=session).count()
        self.stdout.write(f"WhatsApp demo: session {session.name} is {session.state}, {chats} chats.")

    def _fresh_pending_order(self, store) -> None:
        """Dewi's chat offers "Kirim link QRIS" only for an order awaiting a payment that is
        still open, and a QRIS charge runs out after PAYMENT_EXPIRY_MINUTES: at every `make run`
        place her a new one through the real checkout (stock, quote, QRIS charge at the payment
        simulator) when none is open. Only with the payment simulator (no real charge) and only
        when the demo buyer and a product in stock exist."""
        if payment_mode() != "simulator":
            return
        buyer = User.objects.filter(email__iexact=DEMO_BUYER).first()
        if buyer is None:
            return
        variants = phone_variants(DEMO_ADDRESS["phone"])
        open_pending = Order.objects.filter(
            store=store,
            status=Order.Status.PENDING_PAYMENT,
            shipping_address__phone__in=variants,
            payment__expires_at__gt=timezone.now() + timedelta(minutes=2),
        )
        if open_pending.exists():
            return
        product = Product.objects.public().filter(store=store, stock__gte=1).order_by("name", "pk").first()
        if product is None:
            return
        placed = order_place(
            buyer=buyer,
            store_id=store.pk,
            items=[{"product_id": product.pk, "quantity": 1}],
            shipping_address=dict(DEMO_ADDRESS),
            courier="jne",
        )
        self.stdout.write(f"WhatsApp demo: pending order {placed.order.number} placed for Dewi (QRIS link demo).")
