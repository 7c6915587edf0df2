from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='Attempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=40)),
                ('key', models.CharField(max_length=200)),
                ('at', models.DateTimeField()),
            ],
            options={
                'indexes': [models.Index(fields=['scope', 'key', 'at'], name='attempt_scope_key_at')],
            },
        ),
        migrations.RunSQL(
            sql="CREATE UNIQUE INDEX accounts_user_email_ci ON auth_user (LOWER(email)) WHERE email <> ''",
            reverse_sql='DROP INDEX accounts_user_email_ci',
        ),
        migrations.CreateModel(
            name='AttemptLock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=40)),
                ('key', models.CharField(max_length=200)),
                ('locked_at', models.DateTimeField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('scope', 'key'), name='attemptlock_scope_key')],
            },
        ),
    ]
