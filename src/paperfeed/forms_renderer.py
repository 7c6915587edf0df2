"""One look for every form: `{{ form }}` and `{{ field.as_field_group }}` render through the
site's own templates (templates/forms/), so labels, help text and errors sit in the same
places on every page."""

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    # TemplatesSetting (not the default DjangoTemplates) so the site's template directory,
    # where these live, is searched; "django.forms" in INSTALLED_APPS provides the widgets.
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
