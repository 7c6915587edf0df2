"""A paper whose PDF keeps failing is left out longer after each try: 1 h, 4 h, 16 h, … 30 days;
a success forgets its failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from paperfeed.thumbnails.models import ThumbnailFailure
from paperfeed.thumbnails.run import record_failure, record_success

from .images import open_webp  # noqa: F401  (keeps the helper module importable here)

pytestmark = pytest.mark.django_db

def test_each_failure_waits_four_times_longer_up_to_thirty_days(make_paper):
    paper = make_paper("2611.00031")
    waits = []
    for attempt in range(1, 9):
        record_failure(paper, f"try {attempt}: 404")
        failure = ThumbnailFailure.objects.get(paper=paper)
        assert failure.failures == attempt and failure.last_error == f"try {attempt}: 404"
        waits.append(failure.retry_at - failure.last_tried)
    hour = timedelta(hours=1)
    assert waits[:4] == [hour, 4 * hour, 16 * hour, 64 * hour]
    assert waits[-1] == timedelta(days=30) and waits == sorted(waits)

def test_a_success_forgets_the_failures(make_paper, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    paper = make_paper("2611.00032")
    record_failure(paper, "truncated PDF")
    record_success(paper, b"RIFF....WEBP")
    assert not ThumbnailFailure.objects.filter(paper=paper).exists()
    paper.refresh_from_db()
    assert paper.thumbnail_at is not None and (tmp_path / "thumbnails" / "2611" / "2611.00032.webp").exists()
