"""StreamField block that chooses an exercise; used by the courses app's lesson blocks."""

from .choosers import exercise_chooser_viewset

ExerciseChooserBlock = exercise_chooser_viewset.get_block_class(
    name="ExerciseChooserBlock", module_path="grading.blocks"
)
