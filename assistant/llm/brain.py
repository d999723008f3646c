"""The offline simulator's "model": plain Indonesian (and simple English) commands -> a reply.

It sees only what a real model sees on the wire: the system prompt (with the date and the
store's catalogue context the loop writes there), the offered tools and the conversation.
A user command becomes one `tool_use` block (with a short lead-in text); a `tool_result`
becomes a confirmation (✅) or an apology naming the error; anything else is answered with
what the assistant can do. Pure functions, no Django: the fake server reuses them.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

JAKARTA = timezone(timedelta(hours=7))

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

ENGLISH_WORDS = frozenset(
    "add create please what how much the my this week sales revenue show set store location sync draft post "
    "enhance photo feature product promo code discount until end month help can you orders summary".split()
)
INDONESIAN_WORDS = frozenset(
    "tambah tambahkan buat buatkan produk harga stok toko promo diskon sampai akhir bulan minggu ini berapa "
    "omzet pesanan ringkasan lokasi sinkron sinkronkan posting foto perbaiki jadikan unggulan tolong dong ya "
    "yang dan di ke dengan untuk hari ganti ubah alamat nama".split()
)


@dataclass
class Plan:
    """What the simulated model answers: blocks in order and the stop reason."""

    blocks: list[tuple[str, Any]] = field(default_factory=list)  # ("text", str) | ("tool_use", (name, input))
    stop_reason: str = "end_turn"

    def say(self, text: str) -> Plan:
        self.blocks.append(("text", text))
        return self

    def call(self, name: str, tool_input: dict) -> Plan:
        self.blocks.append(("tool_use", (name, tool_input)))
        self.stop_reason = "tool_use"
        return self


# --- Reading numbers, money and dates ----------------------------------------------------


def _to_number(raw: str) -> float:
    """ "15.000" -> 15000, "1,5" -> 1.5, "15000" -> 15000 (Indonesian separators)."""
    raw = raw.strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", raw):
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+", raw):
        raw = raw.replace(",", "")
    else:
        raw = raw.replace(",", ".")
    return float(raw)


MONEY_RE = re.compile(
    r"(?:rp\.?\s*(?P<rp>\d[\d.,]*)(?:\s*,-)?(?:\s*(?P<rpunit>ribu|rb|k|juta|jt))?)"
    r"|(?:(?P<num>\d[\d.,]*)\s*(?P<unit>ribu|rb|k|juta|jt)\b)"
    r"|(?:(?:harga(?:nya)?|seharga|price|at)\s*:?\s*(?P<bare>\d[\d.,]*))",
    re.IGNORECASE,
)
UNIT = {"ribu": 1_000, "rb": 1_000, "k": 1_000, "juta": 1_000_000, "jt": 1_000_000}


def parse_money(text: str) -> tuple[int, tuple[int, int]] | None:
    """The first rupiah amount in `text` and its span: "15 ribu", "15rb", "Rp15.000", "15k",
    "1,5 juta", "harga 15000". None when there is none."""
    for m in MONEY_RE.finditer(text):
        raw = m.group("rp") or m.group("num") or m.group("bare")
        unit = (m.group("rpunit") or m.group("unit") or "").lower()
        try:
            value = _to_number(raw.rstrip(".,"))
        except ValueError:
            continue
        amount = int(round(value * UNIT.get(unit, 1)))
        if amount > 0:
            return amount, m.span()
    return None


def parse_stock(text: str) -> tuple[int, tuple[int, int]] | None:
    m = re.search(
        r"(?:stok(?:nya)?|stock|sebanyak|jumlah(?:nya)?|qty)\s*:?\s*(\d[\d.]*)"
        r"|(\d[\d.]*)\s*(?:pcs|buah|bungkus|pack|biji|botol|toples|porsi|unit)\b",
        text,
        re.IGNORECASE,
    )
    if not m:
        return None
    return int((m.group(1) or m.group(2)).replace(".", "")), m.span()


def parse_weight(text: str) -> tuple[int, tuple[int, int]] | None:
    m = re.search(r"(?:berat(?:nya)?\s*:?\s*)?(\d[\d.,]*)\s*(kg|kilo|gram|gr|g)\b", text, re.IGNORECASE)
    if not m:
        return None
    value = _to_number(m.group(1))
    grams = value * 1000 if m.group(2).lower() in ("kg", "kilo") else value
    return max(1, int(round(grams))), m.span()


def today_from_system(system: str, now: datetime | None = None) -> date:
    """Today as the system prompt states it ("Tanggal hari ini: 2026-12-01"), else now in Jakarta."""
    m = re.search(r"(\d{4}-\d{2}-\d{2})", system or "")
    if m:
        return date.fromisoformat(m.group(1))
    return (now or datetime.now(JAKARTA)).astimezone(JAKARTA).date()


def _at(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=JAKARTA).isoformat()


def _end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _named_date(text: str, today: date) -> date | None:
    m = re.search(r"(\d{1,2})\s+([a-z]+)(?:\s+(\d{4}))?", text)
    if m and m.group(2) in MONTHS:
        year = int(m.group(3)) if m.group(3) else today.year
        try:
            found = date(year, MONTHS[m.group(2)], int(m.group(1)))
        except ValueError:
            return None
        if not m.group(3) and found < today:
            found = found.replace(year=found.year + 1)
        return found
    m = re.search(r"(\d{4}-\d{2}-\d{2})", text)
    if m:
        return date.fromisoformat(m.group(1))
    return None


def parse_period(text: str, today: date) -> tuple[str, str]:
    """(starts_at, ends_at) ISO 8601 in Asia/Jakarta from "mulai besok", "sampai akhir bulan",
    "selama 7 hari", "sampai 17 agustus", "minggu ini"; starts today, lasts 7 days by default."""
    t = text.lower()
    start = today
    if re.search(r"mulai\s+besok|from tomorrow|starting tomorrow", t):
        start = today + timedelta(days=1)
    elif re.search(r"mulai\s+lusa", t):
        start = today + timedelta(days=2)
    elif m := re.search(r"mulai\s+(?:tanggal\s+)?(.+?)(?:\s+sampai|\s+hingga|$)", t):
        start = _named_date(m.group(1), today) or start
    end: date | None = None
    if re.search(r"(sampai|hingga|s/d|until)\s+akhir\s+bulan|end of (the )?month|akhir bulan", t):
        end = _end_of_month(start)
    elif re.search(r"(sampai|hingga|until)\s+akhir\s+(minggu|pekan)|end of (the )?week", t):
        end = start + timedelta(days=6 - start.weekday())
    elif re.search(r"(sampai|hingga|until)\s+akhir\s+tahun|end of (the )?year", t):
        end = date(start.year, 12, 31)
    elif m := re.search(r"(?:selama|for)\s+(\d+)\s*(hari|days?|minggu|weeks?|bulan|months?)", t):
        n = int(m.group(1))
        unit = m.group(2)
        days = n * 7 if unit.startswith(("minggu", "week")) else n * 30 if unit.startswith(("bulan", "month")) else n
        end = start + timedelta(days=days - 1)
    elif re.search(r"(sampai|hingga|until)\s+besok", t):
        end = today + timedelta(days=1)
    elif m := re.search(r"(?:sampai|hingga|until|s/d)\s+(?:tanggal\s+)?(.+)$", t):
        end = _named_date(m.group(1), today)
    if end is None or end < start:
        end = start + timedelta(days=6)
    return _at(start), _at(end, 23, 59, 59)


def parse_days(text: str) -> int:
    t = text.lower()
    if m := re.search(r"(\d+)\s*(hari|days?)", t):
        return int(m.group(1))
    if m := re.search(r"(\d+)\s*(minggu|weeks?)", t):
        return int(m.group(1)) * 7
    if m := re.search(r"(\d+)\s*(bulan|months?)", t):
        return int(m.group(1)) * 30
    if re.search(r"hari ini|today", t):
        return 1
    if re.search(r"kemarin|yesterday", t):
        return 2
    if re.search(r"bulan|month", t):
        return 30
    return 7


def summary_input(text: str) -> dict:
    """get_order_summary's input: "hari ini"/"minggu ini"/"bulan ini" are calendar periods
    (today, since Monday, since the 1st); "7 hari", "30 hari", "2 minggu" stay rolling days."""
    t = text.lower()
    if not re.search(r"\d+\s*(hari|days?|minggu|weeks?|bulan|months?)", t):
        if re.search(r"hari\s+ini|today", t):
            return {"period": "today"}
        if re.search(r"(minggu|pekan)\s+ini|this\s+week", t):
            return {"period": "this_week"}
        if re.search(r"bulan\s+ini|this\s+month", t):
            return {"period": "this_month"}
    return {"days": parse_days(t)}


# --- Context the loop writes into the system prompt ----------------------------------------


@dataclass
class Item:
    id: str
    name: str
    extra: list[str]


def context_items(system: str, heading: str) -> list[Item]:
    """Rows "- id | name | …" under a line starting with `heading` in the system prompt."""
    items: list[Item] = []
    inside = False
    for line in (system or "").splitlines():
        if line.startswith(heading):
            inside = True
            continue
        if inside:
            if not line.startswith("- "):
                if line.strip():
                    inside = False
                continue
            parts = [p.strip() for p in line[2:].split(" | ")]
            if len(parts) >= 2:
                items.append(Item(id=parts[0], name=parts[1], extra=parts[2:]))
    return items


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1}


STOP = _words("produk toko foto untuk yang dan di ke dari ini itu the of for to product store photo instagram ig")


def best_match(text: str, items: list[Item]) -> Item | None:
    """The item whose name shares the most words with `text` (ties: the longer name)."""
    said = _words(text) - STOP
    scored = []
    for item in items:
        name = _words(item.name) - STOP
        overlap = len(said & name)
        if overlap:
            scored.append((overlap / max(1, len(name)), overlap, len(item.name), item))
    if not scored:
        return None
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    return scored[0][3]


# --- Understanding one command ---------------------------------------------------------------


def is_english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    en = sum(w in ENGLISH_WORDS for w in words)
    idn = sum(w in INDONESIAN_WORDS for w in words)
    return en > idn


def _title(name: str) -> str:
    return " ".join(w if w.isupper() and len(w) > 1 else w.capitalize() for w in name.split())


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` up to the first span (the name comes before price, stock and weight)."""
    starts = [s for s, _ in spans]
    return text[: min(starts)] if starts else text


def _product_command(text: str) -> dict | None:
    m = re.match(
        r"\s*(?:tolong\s+|mohon\s+|please\s+)?"
        r"(?:tambah(?:kan|in)?|buat(?:kan|in)?|masukkan|input(?:kan)?|add|create|jual|upload)\s+"
        r"(?:(?:sebuah|satu|a|new|baru)\s+)?(?:produk|product|barang|item)?\s*(?:baru|new)?\s*:?\s*(?P<rest>.+)",
        text,
        re.IGNORECASE | re.DOTALL,
    )
    if not m:
        return None
    rest = m.group("rest")
    money = parse_money(rest)
    if money is None:
        return None
    stock = parse_stock(rest)
    weight = parse_weight(rest)
    spans = [money[1]] + ([stock[1]] if stock else []) + ([weight[1]] if weight else [])
    name = _cut(rest, spans)
    name = re.sub(r"\b(dengan|seharga|harga(?:nya)?|price|at|named|bernama|nama(?:nya)?)\b", " ", name, flags=re.I)
    name = re.sub(r"[,:;\-]+", " ", name)
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        return None
    tool_input: dict[str, Any] = {"name": _title(name), "price": money[0], "stock": stock[0] if stock else 0}
    if weight:
        tool_input["weight_gram"] = weight[0]
    if re.search(r"\b(aktif|langsung\s+(?:tampil|jual|tayang)|publish|active)\b", text, re.I):
        tool_input["status"] = "active"
    return tool_input


def _promo_command(text: str, today: date) -> dict | None:
    t = text.lower()
    if not re.search(r"promo|voucher|kupon|diskon|potongan|discount|coupon", t):
        return None
    if not re.search(r"buat|bikin|tambah|create|add|adakan|pasang|kode|code", t):
        return None
    code = None
    for m in re.finditer(r"(?:kode(?:nya)?|code|promo|voucher|kupon)\s*:?\s*['\"]?([A-Za-z0-9_-]{3,40})", text, re.I):
        candidate = m.group(1)
        if candidate.lower() in ("promo", "diskon", "baru", "kode", "code", "untuk", "dengan", "potongan", "new"):
            continue
        code = candidate.upper()
        break
    if code is None:
        m = re.search(r"\b([A-Z][A-Z0-9_-]{2,39})\b", text)
        code = m.group(1) if m else None
    percent = re.search(r"(\d+(?:[.,]\d+)?)\s*(?:%|persen|percent)", t)
    if percent:
        kind, value = "percentage", int(round(_to_number(percent.group(1))))
    else:
        rest = text if code is None else text.replace(code, " ").replace(code.lower(), " ")
        money = parse_money(rest)
        if money is None:
            return None
        kind, value = "fixed", money[0]
    starts_at, ends_at = parse_period(text, today)
    tool_input: dict[str, Any] = {"type": kind, "value": value, "starts_at": starts_at, "ends_at": ends_at}
    if code:
        tool_input["code"] = code
    if m := re.search(
        r"(?:min(?:imal)?\.?\s*(?:belanja|order|pembelian)?)\s*(?:rp\.?\s*)?(\d[\d.,]*\s*(?:ribu|rb|k)?)", t
    ):
        money = parse_money(m.group(1) if re.search(r"ribu|rb|k", m.group(1)) else "rp" + m.group(1))
        if money:
            tool_input["min_order"] = money[0]
    return tool_input


def _location_command(text: str) -> dict | None:
    m = re.search(r"@?(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)", text)
    if not m or not re.search(r"lokasi|koordinat|titik|peta|maps|location|gps|letak", text, re.I):
        return None
    tool_input: dict[str, Any] = {"lat": float(m.group(1)), "lng": float(m.group(2))}
    if a := re.search(r"(?:alamat(?:nya)?|address)\s*:?\s*(.+)$", text, re.I):
        tool_input["address"] = a.group(1).strip().rstrip(".")
    return tool_input


def _store_info_command(text: str) -> dict | None:
    mine = r"toko(?:\s+saya)?"
    patterns = [
        ("name", r"(?:ubah|ganti|set|change|rename|update)\s+nama\s+" + mine + r"\s+(?:jadi|menjadi|ke|to|:)\s*(.+)$"),
        ("name", r"(?:change|rename)\s+(?:my\s+)?store(?:\s+name)?\s+to\s+(.+)$"),
        ("description",
         r"(?:ubah|ganti|set|tulis|update)\s+(?:deskripsi|keterangan)\s+" + mine + r"\s*(?:jadi|menjadi|:)?\s*(.+)$"),
        ("address", r"(?:ubah|ganti|set|update)\s+alamat\s+toko(?:\s+saya)?\s*(?:jadi|menjadi|ke|:)?\s*(.+)$"),
        ("address", r"alamat\s+toko(?:\s+saya)?\s+(?:sekarang|pindah)\s+(?:di|ke)\s+(.+)$"),
    ]  # fmt: skip
    found: dict[str, str] = {}
    for key, pattern in patterns:
        if key in found:
            continue
        if m := re.search(pattern, text, re.I | re.DOTALL):
            found[key] = m.group(1).strip().strip("\"'").rstrip(".")
    return found or None


PLATFORMS = ("tokopedia", "shopee", "lazada")


def _sync_command(text: str, products: list[Item]) -> dict | None:
    t = text.lower()
    platform = next((p for p in PLATFORMS if p in t), None)
    if platform is None or not re.search(r"sinkron|sync|unggah|upload|kirim|pasang|tayangkan|daftarkan|list", t):
        return None
    tool_input: dict[str, Any] = {"platform": platform}
    if not re.search(r"semua|all|seluruh", t):
        rest = t.replace(platform, " ")
        match = best_match(rest, products)
        if match is not None:
            tool_input["product_ids"] = [match.id]
    return tool_input


def _instagram_command(text: str, products: list[Item], today: date) -> dict | None:
    t = text.lower()
    if not re.search(r"instagram|\big\b|insta\b", t):
        return None
    tool_input: dict[str, Any] = {}
    match = best_match(re.sub(r"caption\s*:.*$", "", t), products)
    if match is not None:
        tool_input["product_id"] = match.id
    if m := re.search(r"(?:caption|keterangan|teks)(?:nya)?\s*:?\s*[\"“]?(.+?)[\"”]?\s*$", text, re.I | re.DOTALL):
        tool_input["caption"] = m.group(1).strip()
    if re.search(r"jadwal|schedule|besok|tomorrow", t):
        day = today + timedelta(days=1) if re.search(r"besok|tomorrow", t) else today
        hour = 10
        if m := re.search(r"jam\s*(\d{1,2})(?:[.:](\d{2}))?|at\s*(\d{1,2})", t):
            hour = int(m.group(1) or m.group(3))
        tool_input["schedule_at"] = _at(day, min(hour, 23))
    return tool_input


def _enhance_command(text: str, products: list[Item]) -> dict | None:
    t = text.lower()
    if not re.search(r"foto|photo|gambar|picture", t):
        return None
    if not re.search(r"perbaiki|percantik|bagus|rapikan|cerahkan|enhance|improve|edit|poles|jernihkan", t):
        return None
    # Only a product with a photo can be enhanced: the best match among those, else the best
    # match overall (the reply then says it has no photo yet instead of running the tool).
    with_photo = [p for p in products if _photo_of(p)]
    match = best_match(t, with_photo) or best_match(t, products)
    if match is None:
        return {}
    return {"product_id": match.id, "image_url": _photo_of(match)}


def _photo_of(item: Item) -> str:
    return next((x for x in item.extra if x.startswith(("/", "http"))), "")


def _feature_command(text: str, stores: list[Item], products: list[Item]) -> tuple[str, dict] | None:
    t = text.lower()
    if not re.search(r"unggulan|feature|featured|beranda|homepage|sorot|tampilkan di depan|halaman depan", t):
        return None
    off = bool(re.search(r"hapus|cabut|batalkan|turunkan|keluarkan|bukan|unfeature|remove|jangan", t))
    wants_store = bool(re.search(r"\btoko\b|\bstore\b", t)) and not re.search(r"\bproduk\b|\bproduct\b", t)
    if wants_store:
        match = best_match(re.sub(r"\btoko\b", " ", t), stores)
        return "feature_store", {"store_id": match.id if match else "", "featured": not off}
    match = best_match(t, products)
    return "feature_product", {"product_id": match.id if match else "", "featured": not off}


def understand(text: str, *, system: str, tools: set[str]) -> tuple[str, dict] | None:
    """The (tool, input) a command asks for, among the offered tools; None when none fits."""
    today = today_from_system(system)
    products = context_items(system, "Produk")
    stores = context_items(system, "Toko")
    t = text.strip()
    candidates: list[tuple[str, dict | None]] = []
    if "feature_store" in tools or "feature_product" in tools:
        feature = _feature_command(t, stores, products)
        if feature is not None and feature[0] in tools:
            candidates.append(feature)
    candidates.append(("create_promo", _promo_command(t, today)))
    candidates.append(("set_store_location", _location_command(t)))
    candidates.append(("sync_to_marketplace", _sync_command(t, products)))
    candidates.append(("draft_instagram_post", _instagram_command(t, products, today)))
    candidates.append(("enhance_product_photo", _enhance_command(t, products)))
    if re.search(r"omzet|omset|pendapatan|penjualan|pesanan|order|revenue|sales|laku|terjual", t, re.I) and re.search(
        r"ringkas|rangkum|berapa|laporan|rekap|summary|how|what|show|total|lihat|cek|minggu|bulan|hari|week|month|today",
        t,
        re.I,
    ):
        candidates.append(("get_order_summary", summary_input(t)))
    candidates.append(("update_store_info", _store_info_command(t)))
    candidates.append(("create_product", _product_command(t)))
    for name, tool_input in candidates:
        if tool_input is not None and name in tools:
            return name, tool_input
    return None


# --- Wording ---------------------------------------------------------------------------------

LEAD_IN = {
    "create_product": ("Baik, saya tambahkan produk {name} ke toko Anda.", "Sure, adding {name} to your store."),
    "update_store_info": ("Baik, saya perbarui info toko Anda.", "Sure, updating your store details."),
    "set_store_location": ("Baik, saya simpan lokasi toko Anda.", "Sure, saving your store location."),
    "sync_to_marketplace": ("Baik, saya sinkronkan produk ke {platform}.", "Sure, syncing products to {platform}."),
    "create_promo": ("Baik, saya buatkan kode promonya.", "Sure, creating the promo code."),
    "draft_instagram_post": ("Baik, saya siapkan draf posting Instagram.", "Sure, drafting the Instagram post."),
    "get_order_summary": ("Sebentar, saya hitung pesanan {days} hari terakhir.", "One moment, adding up {days} days."),
    "enhance_product_photo": ("Baik, saya perbaiki fotonya.", "Sure, enhancing the photo."),
    "feature_store": ("Baik, saya ubah status unggulan toko itu.", "Sure, updating that store's featured status."),
    "feature_product": ("Baik, saya ubah status unggulan produk itu.", "Sure, updating that product's feature."),
}  # fmt: skip

CAPABILITIES_ID = (
    'Saya asisten TokoBLITAR. Saya bisa membantu: menambah produk (mis. "tambahkan keripik tempe pedas 15 ribu '
    'stok 30"), membuat kode promo ("buat promo HEMAT10 diskon 10% sampai akhir bulan"), meringkas pesanan '
    '("berapa omzet minggu ini?"), mengubah info dan lokasi toko, sinkron ke Tokopedia/Shopee/Lazada, membuat draf '
    "posting Instagram, dan memperbaiki foto produk."
)
CAPABILITIES_EN = (
    'I\'m the TokoBLITAR assistant. I can add products ("add spicy tempeh chips 15k stock 30"), create promo codes, '
    'summarise your orders ("sales this week"), update your store details and location, sync to '
    "Tokopedia/Shopee/Lazada, draft Instagram posts and enhance product photos."
)
ADMIN_ID = " Untuk admin: menjadikan toko atau produk unggulan di beranda."
ADMIN_EN = " For admins: feature a store or product on the homepage."


def _rupiah(amount: Any, english: bool = False) -> str:
    """The site's rupiah format ("Rp 15.000", no-break space); English groups with commas."""
    try:
        grouped = f"{int(amount):,}"
    except (TypeError, ValueError):
        return str(amount)
    return "Rp\u00a0" + (grouped if english else grouped.replace(",", "."))


def _product_sentence(r: dict, english: bool) -> str:
    """What create_product really did: on sale, or a draft (not on the storefront) with what
    is missing, the weight it assumed and where to finish it."""
    base = (
        f"**{r.get('name')}** {_rupiah(r.get('price'))}, stok {r.get('stock')}"
        if not english
        else f"**{r.get('name')}** at {_rupiah(r.get('price'), True)}, stock {r.get('stock')}"
    )
    missing = []
    if not r.get("has_photo"):
        missing.append("photo" if english else "foto")
    if r.get("weight_assumed"):
        missing.append(
            f"weight (I assumed {r.get('weight_gram')} g)"
            if english
            else f"berat (saya anggap {r.get('weight_gram')} g)"
        )
    url = r.get("url") or ""
    if r.get("status") == "active":
        head = f"✅ {base} is on sale now." if english else f"✅ {base} sudah ditambahkan dan tampil di toko."
        if missing:
            head += (" Please check: " if english else " Mohon periksa: ") + ", ".join(missing) + f" — {url}"
        return head
    if english:
        text = f"✅ Saved {base} as a **draft**: it is not on your storefront yet."
        if missing:
            text += " Still to do: " + ", ".join(missing) + "."
        return text + f" Finish it and set it Active here: {url}"
    text = f"✅ {base} disimpan sebagai **draf**: belum tampil di toko."
    if missing:
        text += " Yang perlu dilengkapi: " + ", ".join(missing) + "."
    return text + f" Lengkapi lalu aktifkan di: {url}"


def confirm(name: str, tool_input: dict, result: Any, english: bool) -> str:
    """The ✅ sentence after a successful tool run, from the tool's own result."""
    r = result if isinstance(result, dict) else {}
    if name == "create_product":
        return _product_sentence(r, english)
    if name == "get_order_summary":
        days = r.get("days", tool_input.get("days", 7))
        period, since = r.get("period"), r.get("since") or ""
        if english:
            label = {
                "today": f"Today ({since})",
                "this_week": f"This week (since Monday {since})",
                "this_month": f"This month (since {since})",
                "since": f"Since {since}",
            }.get(period, f"Last {days} days")
            return (
                f"✅ {label}: {r.get('orders', 0)} orders, {r.get('paid_orders', 0)} paid, "
                f"revenue {_rupiah(r.get('revenue', 0), True)}."
            )
        label = {
            "today": f"Hari ini ({since})",
            "this_week": f"Minggu ini (sejak Senin {since})",
            "this_month": f"Bulan ini (sejak {since})",
            "since": f"Sejak {since}",
        }.get(period, f"{days} hari terakhir")
        return (
            f"✅ {label}: {r.get('orders', 0)} pesanan, {r.get('paid_orders', 0)} sudah dibayar, "
            f"omzet {_rupiah(r.get('revenue', 0))}."
        )
    if name == "create_promo":
        value = f"{r.get('value')}%" if r.get("type") == "percentage" else _rupiah(r.get("value"), english)
        ends = str(r.get("ends_at") or "")[:10]
        if english:
            return f"✅ Promo code **{r.get('code')}** created: {value} off until {ends}."
        return f"✅ Kode promo **{r.get('code')}** sudah dibuat: potongan {value} sampai {ends}."
    if name == "update_store_info":
        return "✅ Store details updated." if english else f"✅ Info toko **{r.get('name', '')}** sudah diperbarui."
    if name == "set_store_location":
        return "✅ Store location saved." if english else f"✅ Lokasi toko disimpan ({r.get('lat')}, {r.get('lng')})."
    if name == "sync_to_marketplace":
        if english:
            return f"✅ Sync done: {r.get('synced', 0)} synced, {r.get('failed', 0)} failed."
        return f"✅ Sinkron selesai: {r.get('synced', 0)} berhasil, {r.get('failed', 0)} gagal."
    if name == "draft_instagram_post":
        return "✅ Instagram post drafted." if english else "✅ Draf posting Instagram sudah dibuat."
    if name == "enhance_product_photo":
        if english:
            return "✅ Photo enhancement started; the result appears on the product page."
        return "✅ Foto sedang diperbaiki; hasilnya muncul di halaman produk."
    if name in ("feature_store", "feature_product"):
        on = r.get("featured", tool_input.get("featured"))
        what = r.get("name", "")
        if english:
            return f"✅ {what} is {'now featured' if on else 'no longer featured'} on the homepage."
        return f"✅ {what} {'sekarang tampil sebagai unggulan' if on else 'tidak lagi unggulan'} di beranda."
    return "✅ Done." if english else "✅ Selesai."


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def _last_user_text(messages: list[dict]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            text = _text_of(message.get("content"))
            if text:
                return text
    return ""


# --- Refusals and confirmations ---------------------------------------------------------------

OTHER_STORE_RE = re.compile(
    r"toko\s+(?:lain|orang|sebelah|tetangga|pesaing|kompetitor|teman)|other\s+(?:store|shop)s?|another\s+(?:store|shop)"
    r"|(?:store|shop)\s+of\s+someone",
    re.I,
)
INJECTION_RE = re.compile(
    r"abaikan\s+(?:semua\s+|seluruh\s+)?(?:instruksi|perintah|aturan)|lupakan\s+(?:semua\s+)?(?:instruksi|aturan)"
    r"|ignore\s+(?:all\s+|any\s+|the\s+|your\s+)?(?:previous\s+|prior\s+|above\s+)?(?:instructions|rules|prompt)"
    r"|system\s+prompt|prompt\s+sistem|kamu\s+(?:sekarang\s+)?(?:adalah\s+)?admin|you\s+are\s+now|jailbreak"
    r"|developer\s+mode|mode\s+developer|tanpa\s+batasan|without\s+restrictions",
    re.I,
)
DELETE_RE = re.compile(r"\b(hapus|hapuskan|buang|delete|remove|musnahkan)\b", re.I)
FEATURE_RE = re.compile(r"unggulan|\bfeatured?\b|halaman\s+depan|beranda|homepage", re.I)
YES_RE = re.compile(r"^\s*(ya|iya|yes|y|ok|oke|okay|lanjut(?:kan)?|betul|setuju|boleh|yup|go)\b[\s.!]*$", re.I)
CONFIRM_MARK_ID = "Balas 'ya' untuk"
CONFIRM_MARK_EN = "Reply 'yes' to"


def refusal(text: str, *, system: str, offered: set[str]) -> str | None:
    """Why the assistant will not do what `text` asks, in the user's language; None when it may.
    A seller only ever sees her own store: another store named (the loop lists the ones the
    message mentions under "Toko lain") or "toko lain" gets a refusal, never her own figures."""
    english = is_english(text)
    if INJECTION_RE.search(text):
        return "Sorry, that request is not allowed." if english else "Maaf, permintaan itu tidak diizinkan."
    admin = bool({"feature_store", "feature_product"} & offered)
    if not admin:
        others = context_items(system, "Toko lain")
        if others or OTHER_STORE_RE.search(text):
            names = ", ".join(o.name for o in others)
            if english:
                return "Sorry, I can only see and manage your own store" + (
                    f"; I cannot see or change {names}." if names else "; other stores' data is not available to me."
                )
            return "Maaf, saya hanya bisa melihat dan mengelola toko Anda sendiri" + (
                f"; data {names} tidak bisa saya lihat atau ubah."
                if names
                else "; data toko lain tidak bisa saya akses."
            )
        if (
            FEATURE_RE.search(text)
            and not _store_info_command(text)
            and re.search(r"jadikan|jadi|tampilkan|pasang|feature|make|set|angkat|masukkan", text, re.I)
        ):
            if english:
                return "Sorry, I can't do that: only TokoBLITAR admins choose featured stores and products."
            return "Maaf, saya tidak bisa melakukannya: hanya admin TokoBLITAR yang memilih toko dan produk unggulan."
    if DELETE_RE.search(text) and not (admin and FEATURE_RE.search(text)):
        if english:
            return "Sorry, I can't delete anything; you can archive or delete products on the Products page."
        return "Maaf, saya tidak bisa menghapus apa pun; produk bisa diarsipkan atau dihapus di halaman Produk."
    return None


def _typical_price(system: str) -> int | None:
    prices = []
    for item in context_items(system, "Produk toko"):
        if item.extra and item.extra[0].isdigit():
            prices.append(int(item.extra[0]))
    if not prices:
        return None
    prices.sort()
    return prices[len(prices) // 2]


def needs_confirmation(name: str, tool_input: dict, system: str) -> bool:
    """Store details and location, and promos of 50 % or more or a fixed cut at least the
    typical (median) product price, run only after the user says "ya"."""
    if name in ("update_store_info", "set_store_location"):
        return True
    if name == "create_promo":
        value = tool_input.get("value") or 0
        if tool_input.get("type") == "percentage":
            return value >= 50
        typical = _typical_price(system)
        return typical is not None and value >= typical
    return False


def _describe(name: str, tool_input: dict, english: bool) -> str:
    if name == "update_store_info":
        parts = []
        labels = {
            "name": ("nama", "name"),
            "description": ("deskripsi", "description"),
            "address": ("alamat", "address"),
        }
        for key, (idn, en) in labels.items():
            if key in tool_input:
                parts.append(f"{en if english else idn} → **{tool_input[key]}**")
        what = ", ".join(parts)
        return f"update your store ({what})" if english else f"mengubah info toko ({what})"
    if name == "set_store_location":
        where = f"{tool_input.get('lat')}, {tool_input.get('lng')}"
        return f"set your store location to {where}" if english else f"menyimpan lokasi toko di {where}"
    value = (
        f"{tool_input.get('value')}%"
        if tool_input.get("type") == "percentage"
        else _rupiah(tool_input.get("value"), english)
    )
    code = tool_input.get("code", "")
    ends = str(tool_input.get("ends_at") or "")[:10]
    if english:
        return f"create promo code **{code}** with {value} off until {ends}"
    return f"membuat kode promo **{code}** dengan potongan {value} sampai {ends}"


def ask_confirmation(name: str, tool_input: dict, english: bool) -> str:
    what = _describe(name, tool_input, english)
    if english:
        return (
            f"Before I do this, please confirm: I will {what}. {CONFIRM_MARK_EN} go ahead, or anything else to cancel."
        )
    return (
        f"Sebelum saya jalankan, mohon konfirmasi: saya akan {what}. "
        f"{CONFIRM_MARK_ID} melanjutkan, atau pesan lain untuk batal."
    )


def _pending_command(messages: list[dict]) -> str | None:
    """The user's command the assistant asked to confirm in its last answer, when the last
    user message is a "ya"; None otherwise."""
    if len(messages) < 3 or not YES_RE.match(_text_of(messages[-1].get("content"))):
        return None
    asked = messages[-2]
    if asked.get("role") != "assistant":
        return None
    said = _text_of(asked.get("content"))
    if CONFIRM_MARK_ID not in said and CONFIRM_MARK_EN not in said:
        return None
    for message in reversed(messages[:-2]):
        if message.get("role") == "user":
            text = _text_of(message.get("content"))
            if text:
                return text
    return None


def respond(*, system: str, tools: list[dict], messages: list[dict]) -> Plan:
    """The simulated model's answer to one Messages API request (already validated)."""
    offered = {t.get("name") for t in tools if isinstance(t, dict)}
    last = messages[-1]
    content = last.get("content")
    english = is_english(_last_user_text(messages))
    results = (
        [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
        if isinstance(content, list)
        else []
    )
    if results:
        calls = {
            b["id"]: b for b in messages[-2].get("content", []) if isinstance(b, dict) and b.get("type") == "tool_use"
        }
        plan = Plan()
        for block in results:
            call = calls.get(block.get("tool_use_id"), {})
            raw = _text_of(block.get("content")) if not isinstance(block.get("content"), str) else block["content"]
            try:
                result = json.loads(raw)
            except (TypeError, ValueError):
                result = raw
            if block.get("is_error"):
                message = result.get("error") if isinstance(result, dict) else str(result)
                text = f"Maaf, perintah itu gagal: {message}" if not english else f"Sorry, that did not work: {message}"
                url = result.get("url") if isinstance(result, dict) else None
                if isinstance(url, str) and url.startswith("/"):
                    text += f" — {url}"
                plan.say(text)
            else:
                plan.say(confirm(call.get("name", ""), call.get("input", {}), result, english))
        return plan
    text = _last_user_text(messages)
    pending = _pending_command(messages)
    confirmed = pending is not None
    if confirmed:
        text = pending
        english = is_english(text)
    refused = refusal(text, system=system, offered=offered)
    if refused is not None:
        return Plan().say(refused)
    intent = understand(text, system=system, tools=offered)
    if intent is None:
        admin = bool({"feature_store", "feature_product"} & offered)
        if english:
            return Plan().say(CAPABILITIES_EN + (ADMIN_EN if admin else ""))
        return Plan().say(CAPABILITIES_ID + (ADMIN_ID if admin else ""))
    name, tool_input = intent
    if name == "enhance_product_photo":
        if tool_input.get("product_id") and not tool_input.get("image_url"):
            found = [p.name for p in context_items(system, "Produk") if p.id == tool_input["product_id"]]
            product_name = found[0] if found else ""
            if english:
                return Plan().say(f"**{product_name}** has no photo yet; upload one on its product page first.")
            return Plan().say(f"Produk **{product_name}** belum punya foto; unggah fotonya dulu di halaman produk.")
    if not confirmed and needs_confirmation(name, tool_input, system):
        return Plan().say(ask_confirmation(name, tool_input, english))
    lead = LEAD_IN[name][1 if english else 0]
    lead = lead.format(name=tool_input.get("name", ""), platform=str(tool_input.get("platform", "")).title(),
                       days=tool_input.get("days", 7))  # fmt: skip
    if name == "get_order_summary" and "period" in tool_input:
        lead = "One moment, adding up your orders." if english else "Sebentar, saya hitung pesanan Anda."
    return Plan().say(lead).call(name, tool_input)
