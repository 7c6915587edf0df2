from __future__ import annotations

from django import forms

from paperfeed.community.discussion.markdown import MAX_LENGTH


class BodyField(forms.CharField):
    def to_python(self, value):
        # Browsers send line breaks as CRLF but count them as one character in maxlength:
        # count them the same way here, and store plain \n.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class CommentForm(forms.Form):
    body = BodyField(
        label="Comment",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write something first: the comment is empty.",
            "max_length": f"Comments are limited to {MAX_LENGTH:,} characters (this one has %(show_value)s).",
        },
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
