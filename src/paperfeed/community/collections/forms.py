from django import forms

from paperfeed.community.collections.models import Collection


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["name", "description", "public"]
        labels = {"public": "Public: anyone with the link can see it"}
        help_texts = {
            "description": "Shown under the name; up to 2,000 characters.",
            "public": "Private collections are seen only by you; public ones are also listed on your profile.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"maxlength": 100, "autocomplete": "off"}),
            "description": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("A collection needs a name.")
        return name
