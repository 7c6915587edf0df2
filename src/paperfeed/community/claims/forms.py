"""The claim form: which name on the byline is yours, and an optional note for the moderator."""

from __future__ import annotations

from django import forms

from paperfeed.papers.models import Author, Paper


class AuthorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, author: Author) -> str:
        return author.name


class ClaimForm(forms.Form):
    author = AuthorChoiceField(
        label="Which author are you?",
        queryset=Author.objects.none(),
        empty_label="Choose your name",
        error_messages={"invalid_choice": "Choose your name from this paper's authors."},
    )
    message = forms.CharField(
        label="Message for the moderator",
        required=False,
        max_length=2000,
        help_text="Anything that shows the paper is yours: an institutional e-mail, your ORCID, a homepage.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, paper: Paper, **kwargs):
        kwargs.setdefault("auto_id", "claim-%s")  # unique on the paper page, beside other forms
        super().__init__(*args, **kwargs)
        # Only names on this paper's byline, in byline order; the queryset is also the check.
        byline = Author.objects.filter(authorships__paper=paper).order_by("authorships__position")
        self.fields["author"].queryset = byline
        self.has_byline = byline.exists()
        if not self.has_byline:
            # Some sources know only how many authors a paper has: the moderator decides.
            self.fields["author"].required = False
