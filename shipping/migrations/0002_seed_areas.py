"""Seed districts for Blitar and common destinations.

Ids are Kemendagri kecamatan codes (approximate for some); coordinates are each kecamatan's
approximate centre, used by the simulator for distance. `kiriminaja_id` stays empty: the
live client needs KiriminAja's own ids (fill them from its /api/mitra/kecamatan list).
"""

from django.db import migrations

JATIM = "Jawa Timur"
AREAS = [
    # id, kecamatan, city, province, postal code, lat, lng
    (357201, "Sukorejo", "Kota Blitar", JATIM, "66121", -8.0890, 112.1530),
    (357202, "Kepanjenkidul", "Kota Blitar", JATIM, "66117", -8.1020, 112.1640),
    (357203, "Sananwetan", "Kota Blitar", JATIM, "66137", -8.0980, 112.1800),
    (350501, "Bakung", "Kabupaten Blitar", JATIM, "66163", -8.2700, 112.1200),
    (350504, "Sutojayan", "Kabupaten Blitar", JATIM, "66172", -8.1980, 112.2160),
    (350505, "Kademangan", "Kabupaten Blitar", JATIM, "66161", -8.1480, 112.1570),
    (350506, "Kanigoro", "Kabupaten Blitar", JATIM, "66171", -8.1330, 112.2190),
    (350507, "Talun", "Kabupaten Blitar", JATIM, "66183", -8.0950, 112.2810),
    (350508, "Selopuro", "Kabupaten Blitar", JATIM, "66184", -8.1130, 112.3070),
    (350509, "Kesamben", "Kabupaten Blitar", JATIM, "66191", -8.1310, 112.3780),
    (350510, "Binangun", "Kabupaten Blitar", JATIM, "66193", -8.2090, 112.3230),
    (350512, "Srengat", "Kabupaten Blitar", JATIM, "66152", -8.0830, 112.0600),
    (350513, "Wonodadi", "Kabupaten Blitar", JATIM, "66155", -8.0920, 112.0140),
    (350514, "Udanawu", "Kabupaten Blitar", JATIM, "66154", -8.0450, 112.0370),
    (350515, "Ponggok", "Kabupaten Blitar", JATIM, "66153", -8.0560, 112.0950),
    (350516, "Nglegok", "Kabupaten Blitar", JATIM, "66181", -8.0260, 112.1780),
    (350517, "Garum", "Kabupaten Blitar", JATIM, "66182", -8.0680, 112.2230),
    (350518, "Wlingi", "Kabupaten Blitar", JATIM, "66184", -8.0790, 112.3260),
    (350519, "Gandusari", "Kabupaten Blitar", JATIM, "66187", -8.0150, 112.2950),
    (350402, "Tulungagung", "Kabupaten Tulungagung", JATIM, "66211", -8.0650, 111.9030),
    (350403, "Kedungwaru", "Kabupaten Tulungagung", JATIM, "66224", -8.0500, 111.9180),
    (350413, "Ngunut", "Kabupaten Tulungagung", JATIM, "66292", -8.1070, 112.0090),
    (350301, "Trenggalek", "Kabupaten Trenggalek", JATIM, "66311", -8.0500, 111.7080),
    (357101, "Mojoroto", "Kota Kediri", JATIM, "64112", -7.8130, 111.9900),
    (357102, "Kota", "Kota Kediri", JATIM, "64121", -7.8170, 112.0150),
    (357103, "Pesantren", "Kota Kediri", JATIM, "64131", -7.8300, 112.0370),
    (350621, "Pare", "Kabupaten Kediri", JATIM, "64211", -7.7640, 112.1940),
    (357301, "Klojen", "Kota Malang", JATIM, "65111", -7.9780, 112.6300),
    (357302, "Blimbing", "Kota Malang", JATIM, "65125", -7.9400, 112.6500),
    (357303, "Lowokwaru", "Kota Malang", JATIM, "65141", -7.9400, 112.6180),
    (350731, "Kepanjen", "Kabupaten Malang", JATIM, "65163", -8.1300, 112.5700),
    (357901, "Batu", "Kota Batu", JATIM, "65311", -7.8710, 112.5250),
    (357801, "Genteng", "Kota Surabaya", JATIM, "60275", -7.2580, 112.7420),
    (357802, "Tegalsari", "Kota Surabaya", JATIM, "60262", -7.2680, 112.7360),
    (357803, "Gubeng", "Kota Surabaya", JATIM, "60281", -7.2750, 112.7520),
    (357804, "Wonokromo", "Kota Surabaya", JATIM, "60243", -7.3000, 112.7350),
    (357805, "Rungkut", "Kota Surabaya", JATIM, "60293", -7.3270, 112.7830),
    (351501, "Sidoarjo", "Kabupaten Sidoarjo", JATIM, "61212", -7.4470, 112.7180),
    (357601, "Prajurit Kulon", "Kota Mojokerto", JATIM, "61321", -7.4720, 112.4330),
    (351701, "Jombang", "Kabupaten Jombang", JATIM, "61411", -7.5460, 112.2330),
    (357702, "Kartoharjo", "Kota Madiun", JATIM, "63117", -7.6290, 111.5380),
    (357501, "Purworejo", "Kota Pasuruan", JATIM, "67115", -7.6450, 112.9070),
    (357401, "Mayangan", "Kota Probolinggo", JATIM, "67211", -7.7500, 113.2160),
    (350901, "Kaliwates", "Kabupaten Jember", JATIM, "68131", -8.1720, 113.6960),
    (351001, "Banyuwangi", "Kabupaten Banyuwangi", JATIM, "68411", -8.2190, 114.3690),
    (317301, "Gambir", "Kota Jakarta Pusat", "DKI Jakarta", "10110", -6.1760, 106.8270),
    (317101, "Kebayoran Baru", "Kota Jakarta Selatan", "DKI Jakarta", "12110", -6.2430, 106.8000),
    (327301, "Coblong", "Kota Bandung", "Jawa Barat", "40132", -6.8870, 107.6150),
    (347101, "Gondokusuman", "Kota Yogyakarta", "DI Yogyakarta", "55221", -7.7830, 110.3800),
    (337401, "Semarang Tengah", "Kota Semarang", "Jawa Tengah", "50131", -6.9830, 110.4200),
    (337201, "Laweyan", "Kota Surakarta", "Jawa Tengah", "57141", -7.5690, 110.8010),
    (517101, "Denpasar Barat", "Kota Denpasar", "Bali", "80112", -8.6560, 115.2010),
    (737101, "Ujung Pandang", "Kota Makassar", "Sulawesi Selatan", "90111", -5.1400, 119.4100),
    (127101, "Medan Petisah", "Kota Medan", "Sumatera Utara", "20112", 3.5850, 98.6720),
]


def seed(apps, schema_editor):
    Area = apps.get_model("shipping", "Area")
    for pk, name, city, province, postal, lat, lng in AREAS:
        Area.objects.update_or_create(
            pk=pk, defaults={"name": name, "city": city, "province": province, "postal_code": postal, "lat": lat, "lng": lng}
        )


def unseed(apps, schema_editor):
    apps.get_model("shipping", "Area").objects.filter(pk__in=[a[0] for a in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
