"""The subscribe form and a subscriber's digest preferences, with help in plain words for
every choice and number (how many papers, when it arrives)."""

from __future__ import annotations

from django import forms

from paperfeed.digests.compose import TRENDING_ITEMS
from paperfeed.digests.models import Subscription
from paperfeed.digests.sections import MATCHES_PER_SEARCH, PICKS_IN_DIGEST
from paperfeed.digests.timezones import time_zone_choices

PERIOD_HELP = (
    f"Daily: the {TRENDING_ITEMS['daily']} most upvoted papers of each day, the next morning. "
    f"Weekly: the {TRENDING_ITEMS['weekly']} most upvoted papers of the week, on Monday."
)
NO_ANNOUNCEMENT_HELP = "arXiv announces no papers on weekends and holidays. Without this, those days send no mail at all."


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="E-mail address",
        help_text="We first send a link to confirm it is yours.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.org"}),
    )
    period = forms.ChoiceField(
        choices=Subscription.Period.choices,
        initial="daily",
        label="How often",
        help_text=PERIOD_HELP,
        widget=forms.RadioSelect,
    )
    notify_no_announcement = forms.BooleanField(
        required=False, label="Send a one-line notice on days arXiv announces nothing", help_text=NO_ANNOUNCEMENT_HELP
    )


class DigestPreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        choices=(),
        initial="UTC",
        label="Time zone",
        help_text="Common zones first, then by region and city.",
    )
    send_hour = forms.TypedChoiceField(
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        label="Send at",
        help_text="Your local hour. A daily digest comes the morning after its day; a weekly one on Monday.",
    )

    # The sections, shown together under "What goes in it".
    SECTIONS = [
        "include_trending",
        "include_personal",
        "include_saved_searches",
        "include_followed_authors",
        "include_new_versions",
    ]

    class Meta:
        model = Subscription
        fields = [
            "period",
            "include_trending",
            "include_personal",
            "include_saved_searches",
            "include_followed_authors",
            "include_new_versions",
            "notify_no_announcement",
            "timezone",
            "send_hour",
        ]
        labels = {
            "period": "How often",
            "include_trending": "Trending papers",
            "include_personal": "Papers picked for you",
            "include_saved_searches": "New matches of your saved searches",
            "include_followed_authors": "New papers by authors you follow",
            "include_new_versions": "New versions of papers you upvoted or saved",
            "notify_no_announcement": "A one-line notice on days arXiv announces nothing",
        }
        help_texts = {
            "period": PERIOD_HELP,
            "include_trending": f"The {TRENDING_ITEMS['daily']} most upvoted papers of the day "
            f"({TRENDING_ITEMS['weekly']} of the week in a weekly digest).",
            "include_personal": f"Up to {PICKS_IN_DIGEST} new papers like the ones you upvote and save.",
            "include_saved_searches": f"Up to {MATCHES_PER_SEARCH} new papers for each search you saved "
            "under Interests and mutes.",
            "include_followed_authors": "Every new paper with a followed author's name on it.",
            "include_new_versions": "When a paper you upvoted or saved gets a v2, v3 … on arXiv.",
            "notify_no_announcement": NO_ANNOUNCEMENT_HELP,
        }
        widgets = {"period": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = time_zone_choices()
        # A reader who never chose a zone has the default, UTC: let the browser suggest its own
        # (static/paperfeed/forms.js), shown on the page and saved only when they press Save.
        if not self.is_bound and (self.instance.timezone or "UTC") == "UTC":
            self.fields["timezone"].widget.attrs["data-suggest-browser-zone"] = ""

    def section_fields(self):
        return [self[name] for name in self.SECTIONS]

    def other_fields(self):
        return [self[name] for name in self.Meta.fields if name not in self.SECTIONS]
