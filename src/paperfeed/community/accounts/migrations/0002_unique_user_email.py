"""One account per e-mail address, whatever its case.

Django's User has no such rule; the sign-up form checks it, and this index makes it hold
also when two sign-ups race. Users without an address (e.g. made with createsuperuser) are
left out. Expression and partial indexes are plain SQL on both SQLite and PostgreSQL.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE UNIQUE INDEX accounts_user_email_ci ON auth_user (LOWER(email)) WHERE email <> ''",
            reverse_sql="DROP INDEX accounts_user_email_ci",
        ),
    ]
