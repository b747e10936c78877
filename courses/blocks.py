"""StreamField blocks for lessons and the home page: one StreamBlock per field."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import blocks
from wagtail.blocks.struct_block import BlockGroup, StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from grading.blocks import ExerciseChooserBlock

from .exercise_panel import exercise_panel_for_request
from .quizzes import QuizReveal, QuizSettings

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "code", "hr"]


class SearchesTextOnly:
    """Site search reads the words a reader sees: a block's choices (a heading's level, a
    callout's kind, a code block's language) are settings, so they are neither indexed nor quoted
    in search excerpts."""

    def get_searchable_content(self, value):
        content = []
        for name, child in self.child_blocks.items():  # type: ignore[attr-defined]
            if not isinstance(child, blocks.ChoiceBlock):
                content.extend(child.get_searchable_content(value.get(name)))
        return content


class HeadingBlock(SearchesTextOnly, blocks.StructBlock):
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


class CalloutBlock(SearchesTextOnly, blocks.StructBlock):
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


class CodeBlock(SearchesTextOnly, blocks.StructBlock):
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


class QuestionBlock(blocks.StructBlock):
    """A multiple-choice question: what a knowledge check and a quiz question have in common."""

    question = blocks.CharBlock(max_length=400)
    options = blocks.ListBlock(
        OptionBlock(),
        min_num=2,
        help_text=_("Each option keeps its identity when you reorder them."),
    )

    def get_searchable_content(self, value):
        # The question and its options are what a reader sees; which option is right, the
        # feedback and the explanation come only after answering, so search never reads them
        # (a search for a feedback word would otherwise tell which option it belongs to).
        return [value["question"], *(option["text"] for option in value["options"])]

    def clean(self, value):
        value = super().clean(value)
        if not any(option["is_correct"] for option in value["options"]):
            raise StructBlockValidationError(
                block_errors={"options": ValidationError(_("Mark at least one option as correct."))}
            )
        return value


#: The question the admin previews a knowledge check and a graded quiz with.
PREVIEW_QUESTION = {
    "question": "Who owns the product vision?",
    "options": [
        {"text": "The product manager", "is_correct": True, "feedback": "Yes."},
        {"text": "The project manager", "is_correct": False, "feedback": "They own delivery."},
    ],
    "explanation": "",
}


class KnowledgeCheckBlock(QuestionBlock):
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
        preview_value = PREVIEW_QUESTION
        template = "blocks/knowledge_check.html"


class QuizQuestionBlock(QuestionBlock):
    explanation = blocks.RichTextBlock(
        required=False,
        features=RICH_TEXT_FEATURES,
        help_text=_("Shown with the right answers, once the quiz reveals them."),
    )

    class Meta:
        icon = "help"
        label = _("Question")
        label_format = "{question}"


class QuizBlock(blocks.StructBlock):
    """A graded quiz: limited attempts, an optional pool drawn per learner, answers kept back.

    Its questions count for the lesson's pass share (LessonPage.pass_check_percent); the rules
    live in courses.quizzes.
    """

    questions_per_learner = blocks.IntegerBlock(
        required=False,
        min_value=1,
        label=_("Questions per learner"),
        help_text=_(
            "Leave empty to ask every question. Give fewer than there are questions to make a "
            "pool: each learner gets their own random draw, the same every time they open the "
            "lesson."
        ),
    )
    max_attempts = blocks.IntegerBlock(
        default=3,
        min_value=1,
        max_value=20,
        label=_("Attempts allowed"),
        help_text=_("Learners see how many attempts they have left. Their best score counts."),
    )
    reveal = blocks.ChoiceBlock(
        choices=QuizReveal.choices,
        default=QuizReveal.AFTER_LAST_ATTEMPT,
        label=_("Show the right answers"),
        help_text=_(
            "Until then learners see their score after each attempt, never which options were "
            "right."
        ),
    )
    due_at = blocks.DateTimeBlock(
        required=False,
        label=_("Due date"),
        help_text=_(
            "No attempts are accepted after it. Needed when the answers are shown after the due "
            "date."
        ),
    )
    questions = blocks.ListBlock(
        QuizQuestionBlock(),
        min_num=1,
        max_num=50,
        help_text=_("Options are shown to each learner in their own order."),
    )

    class Meta:
        icon = "list-ol"
        group = _("Practice")
        label = _("Graded quiz")
        help_text = _(
            "Questions that count for the lesson's pass share: a limited number of attempts, an "
            "optional pool drawn per learner, and the right answers kept back until the last "
            "attempt or the due date."
        )
        form_layout = BlockGroup(
            children=[
                BlockGroup(
                    children=["questions_per_learner", "max_attempts", "reveal", "due_at"],
                    heading=_("Grading"),
                    icon="cog",
                ),
                "questions",
            ]
        )
        preview_value = {
            "questions_per_learner": None,
            "max_attempts": 3,
            "reveal": QuizReveal.AFTER_LAST_ATTEMPT,
            "due_at": None,
            "questions": [PREVIEW_QUESTION],
        }
        template = "blocks/quiz.html"

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        drawn, pool = value["questions_per_learner"], len(value["questions"])
        if drawn is not None and drawn > pool:
            errors["questions_per_learner"] = ValidationError(
                ngettext(
                    "There is only %(pool)d question to draw from.",
                    "There are only %(pool)d questions to draw from.",
                    pool,
                )
                % {"pool": pool}
            )
        if value["reveal"] == QuizReveal.AFTER_DUE_DATE and value["due_at"] is None:
            errors["due_at"] = ValidationError(
                _("Set a due date, or show the answers after the learner's last attempt.")
            )
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def get_searchable_content(self, value):
        # A graded quiz is kept out of search: each learner draws their own questions, and the
        # question bank, its answers and feedback must not be found or quoted in excerpts.
        return []

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        if context.get("quiz") is None:
            # The admin's block preview and page preview: the quiz as a learner first sees it.
            from .selectors import quiz_preview

            context["quiz"] = quiz_preview(value=value, block_id=context.get("block_id") or "")
        return context


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
                    request=request,
                    exercise=exercise,
                    course_page_id=course.pk if course else None,
                    enrolment=context.get("enrolment"),
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
    paragraph = paragraph_block(
        "<p>Product managers decide <b>what</b> to build and <b>why</b>.</p>"
    )
    callout = CalloutBlock()
    quote = QuoteBlock()
    table = LessonTableBlock()
    code = CodeBlock()
    figure = FigureBlock()
    video = VideoBlock()
    knowledge_check = KnowledgeCheckBlock()
    quiz = QuizBlock()
    exercise = ExerciseBlock()

    class Meta:
        block_counts = {
            "knowledge_check": {"max_num": 10},
            "quiz": {"max_num": 1},
            "exercise": {"max_num": 3},
        }


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


def quizzes_in(body) -> list:
    """The graded-quiz children of a lesson body, in reading order."""
    return [child for child in body if child.block_type == "quiz"]


def quiz_question_count(body) -> int:
    """How many questions each learner answers in the body's graded quizzes."""
    return sum(QuizSettings.of(child.value).question_count for child in quizzes_in(body))


def quiz_questions(quiz_value) -> dict:
    """A quiz's questions by block id, in the instructor's order."""
    return {bound.id: bound.value for bound in quiz_value["questions"].bound_blocks}
