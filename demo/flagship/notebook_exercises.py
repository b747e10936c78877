"""The flagship course's notebook exercises: stored from demo/flagship/notebooks/ and validated.

A notebook is stored again only when its content changed (a new revision; earlier submissions
keep the revision they were graded against). New revisions are validated in the task queue by
default, so `make run` starts at once and its worker opens the exercises seconds later;
`validate_now` runs the sandbox here instead, and also retries revisions still waiting or whose
validation could not run.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from exercises.models import Exercise, ExerciseRevision, ValidationStatus
from exercises.points import stored_points
from exercises.services import exercise_create, exercise_revision_create, exercise_source_parse
from grading.services import exercise_revision_validate, exercise_revision_validate_later

from . import NOTEBOOK_DIR


@dataclass(frozen=True)
class DemoExercise:
    slug: str
    notebook: str
    title: str
    instructions: str


DEMO_EXERCISES = (
    DemoExercise(
        "pmf-rice",
        "rice.ipynb",
        "RICE: ranking the Tandem backlog",
        "Score fourteen calendar features by reach, impact, confidence and effort, rank them and "
        "fill one quarter's budget: the ranking you would defend in a planning meeting.",
    ),
    DemoExercise(
        "pmf-ice",
        "ice.ipynb",
        "ICE: fast scoring for Ledgerly",
        "Triage an invoicing app's growth ideas with ICE, then measure how far each idea moves "
        "when RICE's reach and effort are taken into account.",
    ),
    DemoExercise(
        "pmf-moscow",
        "moscow.ipynb",
        "MoSCoW under a capacity limit",
        "Turn stakeholders' Must, Should, Could and Won't labels into a release that fits 40 "
        "developer-days, and say so clearly when the Musts alone do not fit.",
    ),
    DemoExercise(
        "pmf-kano",
        "kano.ipynb",
        "Kano: what runners expect, love and ignore",
        "Classify a running app's features from survey answers and compute the satisfaction "
        "coefficients that show which ones are basics and which ones delight.",
    ),
    DemoExercise(
        "pmf-wsjf",
        "wsjf.ipynb",
        "WSJF and cost of delay",
        "Sequence a freight platform's quarter by weighted shortest job first and prove with "
        "numbers what a different order would cost.",
    ),
    DemoExercise(
        "pmf-weighted-scoring",
        "weighted_scoring.ipynb",
        "Weighted scoring and the value-versus-effort map",
        "Score a school platform's features against the criteria leadership agreed on and sort "
        "them into quick wins, big bets, fill-ins and money pits.",
    ),
    DemoExercise(
        "pmf-capstone",
        "capstone.ipynb",
        "Capstone: a travel app's roadmap for the year",
        "Score the backlog, respect the dependencies the tech leads flagged, fit the work into "
        "each quarter's capacity and explain to a stakeholder why their favourite did not make it.",
    ),
)

CAPSTONE_SLUG = "pmf-capstone"


@dataclass
class ExerciseSyncReport:
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    # (slug, validation status) of the revisions validated in this run
    validated: list[tuple[str, str]] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)
    # slug -> the notebook's max score, which the course counts the exercise for
    max_points: dict[str, Decimal] = field(default_factory=dict)
    pks: dict[str, int] = field(default_factory=dict)
    to_validate: list[ExerciseRevision] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.revised or self.validated or self.queued)


def _latest_revision(exercise: Exercise) -> ExerciseRevision | None:
    return exercise.revisions.order_by("-number").first()


def demo_exercises_sync(*, validate_now: bool) -> ExerciseSyncReport:
    """Store every demo notebook whose content is new; `to_validate` lists what needs validating.

    With `validate_now`, revisions left pending or unvalidated by an earlier run are listed too.
    """
    report = ExerciseSyncReport()
    to_validate = report.to_validate
    for spec in DEMO_EXERCISES:
        data = (NOTEBOOK_DIR / spec.notebook).read_bytes()
        parsed = exercise_source_parse(data=data)
        exercise = Exercise.objects.filter(slug=spec.slug).first()
        if exercise is None:
            exercise = exercise_create(
                title=spec.title,
                data=data,
                filename=spec.notebook,
                created_by=None,
                instructions=spec.instructions,
                slug=spec.slug,
            )
            report.created.append(spec.slug)
            first = _latest_revision(exercise)
            if first is not None:
                to_validate.append(first)
        else:
            latest = _latest_revision(exercise)
            if latest is None or latest.source_sha256 != parsed.source.sha256:
                revision = exercise_revision_create(
                    exercise=exercise, data=data, filename=spec.notebook, uploaded_by=None
                )
                exercise.title, exercise.instructions = spec.title, spec.instructions
                exercise.save(update_fields=["title", "instructions", "updated_at"])
                report.revised.append(spec.slug)
                to_validate.append(revision)
            elif validate_now and latest.validation_status in (
                ValidationStatus.PENDING,
                ValidationStatus.ERROR,
            ):
                to_validate.append(latest)
        report.max_points[spec.slug] = stored_points(parsed.source.max_score)
        report.pks[spec.slug] = exercise.pk
    return report


def demo_exercises_validate(*, report: ExerciseSyncReport, validate_now: bool) -> None:
    """Validate here (minutes of sandbox work, so outside any transaction) or queue it on commit."""
    for revision in report.to_validate:
        if validate_now:
            checked = exercise_revision_validate(revision=revision)
            report.validated.append((revision.exercise.slug, checked.validation_status))
        else:
            exercise_revision_validate_later(revision=revision)
            report.queued.append(revision.exercise.slug)
