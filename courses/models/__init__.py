"""The models of courses, in two modules by what they are; every name is re-exported here, so
`from courses.models import X` (and the app label `courses`) work as before.

- pages: the Wagtail page tree (HomePage, CourseIndexPage, CoursePage, ModulePage, LessonPage),
  the CourseTreePage mixin, the orderables edited on those pages (CourseExercise,
  HomeFeaturedCourse), the Skill snippet and Level the catalog filters on, and the routing
  tables (ROUTED_PAGE_TYPES, ROUTED_RELATED).
- learning: what a learner did (Enrolment and EnrolmentStatus, LessonCompletion,
  KnowledgeCheckAnswer, QuizAttempt, CourseExerciseScore, CourseProgress, ExerciseTestTally,
  SORT_NAME_MAX_LENGTH).
- cohorts: Cohort (a course's group of learners with its own dates and instructors) and
  CohortDueDate (its due date per exercise).
- enrolment_records: what staff do to enrolments (EnrolmentEvent, the audit, with
  EnrolmentAction and EnrolmentSource; Invitation and InvitationStatus; EnrolmentImport and
  ImportStatus, an uploaded CSV).
- drafts: ExerciseDraft, the answers a learner is typing into an exercise, saved as they type.

Imports run one way: learning, cohorts and drafts import pages, learning imports cohorts, pages
never imports them, and none imports this package. Pages that call selectors or services do so lazily, inside their methods.
All writes go through courses.services, all reads for views through courses.selectors (drafts
through courses.drafts).
"""

from .cohorts import Cohort, CohortDueDate
from .drafts import ExerciseDraft
from .enrolment_records import (
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentImport,
    EnrolmentSource,
    ImportStatus,
    Invitation,
    InvitationStatus,
)
from .learning import (
    SORT_NAME_MAX_LENGTH,
    CourseExerciseScore,
    CourseProgress,
    Enrolment,
    EnrolmentStatus,
    ExerciseTestTally,
    KnowledgeCheckAnswer,
    LessonCompletion,
    QuizAttempt,
)
from .pages import (
    LESSON_VIEW_REFRESH,
    ROUTED_PAGE_TYPES,
    ROUTED_RELATED,
    CourseExercise,
    CourseIndexPage,
    CoursePage,
    CourseTreePage,
    HomeFeaturedCourse,
    HomePage,
    LessonPage,
    Level,
    ModulePage,
    Skill,
    originals,
)

__all__ = [
    "originals",
    "LESSON_VIEW_REFRESH",
    "ROUTED_PAGE_TYPES",
    "ROUTED_RELATED",
    "SORT_NAME_MAX_LENGTH",
    "Cohort",
    "CohortDueDate",
    "CourseExercise",
    "CourseExerciseScore",
    "CourseIndexPage",
    "CoursePage",
    "CourseProgress",
    "CourseTreePage",
    "Enrolment",
    "EnrolmentAction",
    "EnrolmentEvent",
    "EnrolmentImport",
    "EnrolmentSource",
    "EnrolmentStatus",
    "ExerciseDraft",
    "ExerciseTestTally",
    "HomeFeaturedCourse",
    "HomePage",
    "ImportStatus",
    "Invitation",
    "InvitationStatus",
    "KnowledgeCheckAnswer",
    "LessonCompletion",
    "LessonPage",
    "Level",
    "ModulePage",
    "QuizAttempt",
    "Skill",
]
