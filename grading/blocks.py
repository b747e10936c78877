"""StreamField block that chooses an exercise; used by the courses app's lesson blocks."""

import copy

from .choosers import exercise_chooser_viewset

_ChooserBlock = exercise_chooser_viewset.get_block_class(
    name="ExerciseChooserBlock", module_path="grading.blocks"
)


class ExerciseChooserBlock(_ChooserBlock):  # type: ignore[valid-type, misc]  # a class the viewset makes
    """Loads each chosen exercise with its current revision, which every exercise panel reads
    (whether it is open, its points, its notebook): one query for all of a page's exercises.
    """

    def _exercises(self):
        return self.model_class.objects.select_related("current_revision")

    def to_python(self, value):
        if value is None:
            return None
        return self._exercises().filter(pk=value).first()

    def bulk_to_python(self, values):
        # As Wagtail's ChooserBlock: same order as `values`, None kept, a copy for a repeated id.
        found = self._exercises().in_bulk(values)
        seen = set()
        exercises = []
        for pk in values:
            exercise = found.get(pk)
            exercises.append(
                copy.copy(exercise) if exercise is not None and pk in seen else exercise
            )
            seen.add(pk)
        return exercises
