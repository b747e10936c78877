"""The exercise chooser in the Wagtail admin (kept free of forms so blocks can import it early)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.chooser import ChooserViewSet

from exercises.models import Exercise


class ExerciseChooserViewSet(ChooserViewSet):
    """Lets authors pick an exercise for a lesson's exercise block."""

    model = Exercise
    icon = "code"
    choose_one_text = _("Choose an exercise")
    choose_another_text = _("Choose another exercise")
    edit_item_text = _("Edit this exercise")
    per_page = 20


exercise_chooser_viewset = ExerciseChooserViewSet("exercise_chooser")
