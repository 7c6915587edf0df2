"""The submit form: a paper reference, the day's list, and optionally one of the user's organizations."""

from __future__ import annotations

from django import forms

from paperfeed.community.submissions.rules import today
from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.papers.models import Organization


class SubmitForm(forms.Form):
    paper = forms.CharField(
        label="arXiv id or URL",
        max_length=300,
        help_text="2412.13148, arXiv:hep-th/9901001, or an arxiv.org abs/pdf or huggingface.co/papers link.",
        widget=forms.TextInput(attrs={"placeholder": "2412.13148 or https://arxiv.org/abs/2412.13148", "autocomplete": "off"}),
    )
    date = forms.DateField(
        label="Day's list",
        required=False,
        help_text="The list the paper goes on (UTC); today when empty.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    organization = forms.ModelChoiceField(
        label="On behalf of",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="Only me",
        to_field_name="slug",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the submitter's own organizations can be chosen; the queryset is also the check.
        self.fields["organization"].queryset = Organization.objects.filter(memberships__user=user).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("date", today())

    def clean_paper(self):
        reference = parse_arxiv_reference(self.cleaned_data["paper"])
        if reference is None:
            raise forms.ValidationError(
                "That is not an arXiv id or link. Use an id such as 2412.13148 or a link to an "
                "arxiv.org abs/pdf page or a huggingface.co/papers page."
            )
        return reference

    def clean_date(self):
        return self.cleaned_data["date"] or today()
