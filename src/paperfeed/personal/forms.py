"""The forms of Interests and mutes, with help in plain words (what a mute hides, what a
saved search's threshold means)."""

from __future__ import annotations

from django import forms

from paperfeed.personal.models import MuteRule

THRESHOLD_HELP = (
    "How closely a new paper must match your words to be sent to you, from 0 to 1. "
    "0.5 (the default) catches papers clearly about the topic; 0.7 only very close matches, "
    "so fewer papers; 0.3 also loosely related ones, so more."
)


class MuteForm(forms.Form):
    kind = forms.ChoiceField(
        choices=MuteRule.Kind.choices,
        label="Mute papers by",
        help_text="Keyword: in the title or abstract, any case. Category: an arXiv code such as cs.CV. "
        "Author: a name as on the byline.",
    )
    value = forms.CharField(
        max_length=200,
        strip=True,
        label="Word, category or name",
        widget=forms.TextInput(attrs={"placeholder": "e.g. benchmark", "autocomplete": "off"}),
    )


class SavedSearchForm(forms.Form):
    query = forms.CharField(
        max_length=500,
        strip=True,
        label="Search words",
        widget=forms.TextInput(attrs={"placeholder": "e.g. sparse attention", "autocomplete": "off"}),
    )
    threshold = forms.FloatField(
        min_value=0.0,
        max_value=1.0,
        initial=0.5,
        label="How close a match",
        help_text=THRESHOLD_HELP,
        widget=forms.NumberInput(attrs={"step": "0.05", "inputmode": "decimal"}),
    )


class CategoriesForm(forms.Form):
    categories = forms.CharField(
        max_length=500,
        required=False,
        label="Your arXiv categories",
        help_text="arXiv codes separated by spaces, e.g. cs.LG cs.CL. For you starts from new papers in these "
        "until you have upvoted or saved a few.",
        widget=forms.TextInput(attrs={"placeholder": "cs.LG cs.CL", "autocomplete": "off", "spellcheck": "false"}),
    )
