# StoreFeatureFlags moved here from curation (a flag is a fact about a store): the table is
# renamed, the rows stay.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0001_initial"),
        ("curation", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE curation_storefeatureflags RENAME TO stores_storefeatureflags",
                    "ALTER TABLE stores_storefeatureflags RENAME TO curation_storefeatureflags",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="StoreFeatureFlags",
                    fields=[
                        (
                            "store",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="feature_flags",
                                serialize=False,
                                to="stores.store",
                            ),
                        ),
                        ("ai_assistant", models.BooleanField(default=True, verbose_name="asisten AI")),
                        ("marketplace_sync", models.BooleanField(default=False, verbose_name="sinkron marketplace")),
                        ("instagram", models.BooleanField(default=False, verbose_name="Instagram")),
                        ("photo_enhance", models.BooleanField(default=True, verbose_name="perbaiki foto")),
                        ("whatsapp_inbox", models.BooleanField(default=False, verbose_name="kotak masuk WhatsApp")),
                        ("promos", models.BooleanField(default=True, verbose_name="promo")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"verbose_name": "fitur toko", "verbose_name_plural": "fitur toko"},
                ),
            ],
        ),
    ]
