"""The starting set of categories for Blitar's small shops (admins may add more)."""

from django.db import migrations

CATEGORIES = [
    ("Makanan & Minuman", "makanan-minuman", "🍜"),
    ("Oleh-oleh Blitar", "oleh-oleh-blitar", "🎁"),
    ("Kerajinan", "kerajinan", "🏺"),
    ("Batik & Tenun", "batik-tenun", "👘"),
    ("Fashion", "fashion", "👕"),
    ("Pertanian", "pertanian", "🌾"),
    ("Kecantikan", "kecantikan", "💄"),
    ("Kesehatan", "kesehatan", "🌿"),
    ("Rumah Tangga", "rumah-tangga", "🏠"),
    ("Elektronik", "elektronik", "🔌"),
    ("Mainan & Hobi", "mainan-hobi", "🧸"),
    ("Jasa", "jasa", "🛠️"),
]


def forward(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for position, (name, slug, icon) in enumerate(CATEGORIES):
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "icon": icon, "position": position})


def backward(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    Category.objects.filter(slug__in=[slug for _, slug, _ in CATEGORIES], products__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search")]

    operations = [migrations.RunPython(forward, backward)]
