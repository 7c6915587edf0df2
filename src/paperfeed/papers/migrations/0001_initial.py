import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Author',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=300, unique=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Category',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=40, unique=True)),
            ],
            options={
                'verbose_name_plural': 'categories',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='Organization',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('name', models.CharField(max_length=200)),
                ('avatar_url', models.URLField(blank=True, max_length=500)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Paper',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('arxiv_id', models.CharField(max_length=64, unique=True)),
                ('title', models.TextField()),
                ('abstract', models.TextField(blank=True)),
                ('authors_text', models.TextField(blank=True)),
                ('num_authors', models.PositiveIntegerField(default=0)),
                ('published', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('updated', models.DateTimeField(blank=True, null=True)),
                ('latest_version', models.PositiveIntegerField(default=1)),
                ('comments', models.TextField(blank=True)),
                ('journal_ref', models.TextField(blank=True)),
                ('doi', models.CharField(blank=True, max_length=200)),
                ('report_no', models.CharField(blank=True, max_length=300)),
                ('license', models.URLField(blank=True, max_length=300)),
                ('submitter', models.CharField(blank=True, max_length=300)),
                ('github_repo', models.URLField(blank=True, max_length=500)),
                ('project_page', models.URLField(blank=True, max_length=500)),
                ('withdrawn', models.BooleanField(default=False)),
                ('modified_at', models.DateTimeField(auto_now=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('primary_category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='primary_papers', to='papers.category')),
                ('comment_count', models.PositiveIntegerField(db_default=0, default=0)),
                ('upvotes', models.PositiveIntegerField(db_default=0, default=0)),
                ('source_upvotes', models.PositiveIntegerField(db_default=0, default=0)),
                ('thumbnail_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-published', 'arxiv_id'],
            },
        ),
        migrations.CreateModel(
            name='PaperCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='papers.category')),
                ('paper', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='papers.paper')),
            ],
        ),
        migrations.AddField(
            model_name='paper',
            name='categories',
            field=models.ManyToManyField(blank=True, related_name='papers', through='papers.PaperCategory', to='papers.category'),
        ),
        migrations.CreateModel(
            name='PaperVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('created', models.DateTimeField()),
                ('size', models.CharField(blank=True, max_length=40)),
                ('paper', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='papers.paper')),
            ],
            options={
                'ordering': ['paper', 'number'],
            },
        ),
        migrations.CreateModel(
            name='DailyEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(db_index=True)),
                ('submitted_by', models.CharField(blank=True, max_length=150)),
                ('upvotes', models.PositiveIntegerField(default=0)),
                ('added_at', models.DateTimeField(auto_now_add=True)),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='daily_entries', to='papers.organization')),
                ('paper', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='daily_entries', to='papers.paper')),
                ('submitter', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='submissions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'daily entries',
                'ordering': ['-date', '-upvotes', 'paper__arxiv_id'],
                'indexes': [models.Index(fields=['date', '-upvotes'], name='dailyentry_day_rank')],
                'constraints': [models.UniqueConstraint(fields=('date', 'paper'), name='dailyentry_unique_paper_per_day')],
            },
        ),
        migrations.CreateModel(
            name='Announcement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(db_index=True)),
                ('kind', models.CharField(choices=[('new', 'New'), ('cross', 'Cross'), ('replace', 'Replace'), ('replace-cross', 'Replace Cross')], max_length=20)),
                ('version', models.PositiveIntegerField(default=1)),
                ('paper', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='announcements', to='papers.paper')),
            ],
            options={
                'ordering': ['-date', 'paper'],
                'constraints': [models.UniqueConstraint(fields=('date', 'paper'), name='announcement_unique_per_day')],
            },
        ),
        migrations.CreateModel(
            name='PaperAuthor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField()),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='authorships', to='papers.author')),
                ('paper', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='authorships', to='papers.paper')),
            ],
            options={
                'ordering': ['paper', 'position'],
                'constraints': [models.UniqueConstraint(fields=('paper', 'position'), name='paperauthor_unique_position')],
            },
        ),
        migrations.AddConstraint(
            model_name='papercategory',
            constraint=models.UniqueConstraint(fields=('paper', 'category'), name='papercategory_unique'),
        ),
        migrations.AddConstraint(
            model_name='paperversion',
            constraint=models.UniqueConstraint(fields=('paper', 'number'), name='paperversion_unique_number'),
        ),
        migrations.AddField(
            model_name='dailyentry',
            name='listed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='dailyentry',
            name='media_urls',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='dailyentry',
            name='submitter_profile',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='dailyentry',
            name='thumbnail',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name='paper',
            name='ai_keywords',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='paper',
            name='ai_summary',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='paper',
            name='github_stars',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='paper',
            name='source_authors',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='paper',
            name='source_comments',
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
    ]
