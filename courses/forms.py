"""Forms for the catalog filter and knowledge-check answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Level, Skill


class CatalogFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *Level.choices], required=False
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        queryset=Skill.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any skill"),
    )


class KnowledgeCheckForm(forms.Form):
    """Validates the selected options against the ids the check really has."""

    options = forms.MultipleChoiceField(
        label=_("Your answer"),
        error_messages={"required": _("Choose at least one option before checking your answer.")},
    )

    def __init__(self, *args, option_ids: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        options = self.fields["options"]
        assert isinstance(options, forms.MultipleChoiceField)  # noqa: S101 - declared above
        options.choices = [(option_id, option_id) for option_id in option_ids]
        self.fields["options"].error_messages["invalid_choice"] = _(
            "That option is not part of this question. Reload the page and try again."
        )
