"""StreamField blocks for lessons and the home page: one StreamBlock per field."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from grading.blocks import ExerciseChooserBlock

from .exercise_panel import exercise_panel_for_request

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "code", "hr"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, help_text=_("The heading text."))
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section (h2)")), ("h3", _("Subsection (h3)"))],
        default="h2",
        help_text=_("Use sections for big steps, subsections inside them."),
    )

    class Meta:
        icon = "title"
        group = _("Text")
        help_text = _("A heading that structures the lesson; it also appears to screen readers.")
        preview_value = {"text": "Why roadmaps change", "level": "h2"}
        template = "blocks/heading.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        group = _("Media")
        help_text = _("An image with alternative text and an optional caption.")
        template = "blocks/figure.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text=_("A YouTube or Vimeo address."))
    transcript = blocks.RichTextBlock(
        required=False,
        features=RICH_TEXT_FEATURES,
        help_text=_("A transcript makes the video usable without sound."),
    )

    class Meta:
        icon = "media"
        group = _("Media")
        help_text = _("An embedded video with an optional transcript.")
        template = "blocks/video.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("tip", _("Tip")), ("warning", _("Warning"))],
        default="info",
    )
    title = blocks.CharBlock(required=False, max_length=120)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        group = _("Text")
        help_text = _("A highlighted box for a tip, a key fact or a common mistake.")
        preview_value = {
            "kind": "tip",
            "title": "Try this",
            "text": "<p>Write the problem down before you look at solutions.</p>",
        }
        template = "blocks/callout.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        group = _("Text")
        help_text = _("A quotation with the person or source it comes from.")
        preview_value = {
            "quote": "Fall in love with the problem, not the solution.",
            "attribution": "A common product saying",
        }
        template = "blocks/quote.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        choices=[("python", "Python"), ("sql", "SQL"), ("text", _("Plain text"))],
        default="python",
    )
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        group = _("Text")
        help_text = _("Source code shown exactly as written, in a fixed-width font.")
        preview_value = {
            "language": "python",
            "code": "score = reach * impact * confidence / effort",
        }
        template = "blocks/code.html"


class LessonTableBlock(TableBlock):
    class Meta:
        icon = "table"
        group = _("Text")
        help_text = _("A small table; mark the first row as headers.")
        preview_value = {
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "data": [["Feature", "Score"], ["Export", "42"]],
        }
        template = "blocks/table.html"


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300, help_text=_("The answer as learners read it."))
    is_correct = blocks.BooleanBlock(required=False, help_text=_("Tick every right answer."))
    feedback = blocks.TextBlock(
        required=False,
        help_text=_("Shown after answering: why this option is right or wrong."),
    )

    class Meta:
        icon = "tick"
        label = _("Option")


class KnowledgeCheckBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=400)
    options = blocks.ListBlock(
        OptionBlock(),
        min_num=2,
        help_text=_("Each option keeps its identity when you reorder them."),
    )
    explanation = blocks.RichTextBlock(
        required=False,
        features=RICH_TEXT_FEATURES,
        help_text=_("Shown once the learner has answered correctly."),
    )

    class Meta:
        icon = "help"
        group = _("Practice")
        help_text = _(
            "A multiple-choice question with one or more right options and feedback for each option."
        )
        preview_value = {
            "question": "Who owns the product vision?",
            "options": [
                {"text": "The product manager", "is_correct": True, "feedback": "Yes."},
                {
                    "text": "The project manager",
                    "is_correct": False,
                    "feedback": "They own delivery.",
                },
            ],
            "explanation": "",
        }
        template = "blocks/knowledge_check.html"

    def clean(self, value):
        value = super().clean(value)
        if not any(option["is_correct"] for option in value["options"]):
            raise StructBlockValidationError(
                block_errors={"options": ValidationError(_("Mark at least one option as correct."))}
            )
        return value


class ExerciseBlock(blocks.StructBlock):
    """A graded notebook exercise: download, upload, in-browser editor, Check and Submit."""

    exercise = ExerciseChooserBlock()

    class Meta:
        icon = "code"
        group = _("Practice")
        label = _("Notebook exercise")
        help_text = _(
            "A graded notebook exercise. Learners download the notebook or edit the answer cells in "
            "the browser, check their work against the visible tests and submit it for grading."
        )
        template = "blocks/exercise.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        exercise = value.get("exercise")
        course = context.get("course")
        if exercise is not None and request is not None:
            context.update(
                exercise_panel_for_request(
                    request=request, exercise=exercise, course_page_id=course.pk if course else None
                )
            )
            context.update(exercise=exercise, lesson=context.get("page"))
        return context


def paragraph_block(preview_value: str) -> blocks.RichTextBlock:
    """Running text, the same in every body; only the preview differs."""
    return blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        group=_("Text"),
        help_text=_("Running text."),
        preview_value=preview_value,
        template="blocks/paragraph.html",
    )


class LessonBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = paragraph_block("<p>Product managers decide <b>what</b> to build and <b>why</b>.</p>")
    callout = CalloutBlock()
    quote = QuoteBlock()
    table = LessonTableBlock()
    code = CodeBlock()
    figure = FigureBlock()
    video = VideoBlock()
    knowledge_check = KnowledgeCheckBlock()
    exercise = ExerciseBlock()

    class Meta:
        block_counts = {"knowledge_check": {"max_num": 10}, "exercise": {"max_num": 3}}


class HomeBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = paragraph_block("<p>Learn to decide what to build next.</p>")
    callout = CalloutBlock()
    quote = QuoteBlock()


def knowledge_checks_in(body) -> list:
    """The knowledge-check children of a lesson body, in reading order."""
    return [child for child in body if child.block_type == "knowledge_check"]


def option_ids(check_value) -> list[str]:
    return [bound.id for bound in check_value["options"].bound_blocks]


def correct_option_ids(check_value) -> set[str]:
    return {bound.id for bound in check_value["options"].bound_blocks if bound.value["is_correct"]}
