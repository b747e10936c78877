"""The grading engine, pure Python (no Django): notebooks and limits in, a typed report out.

Two halves:

* The grading steps, the modules here, one each: assemble -> execute -> judge -> score -> sealed
  -> report. ``pipeline`` ties them together (``grade_submission``) and ``validate`` reuses it
  (the reference must score full marks, the release zero); ``judge_wire`` is the judge's wire
  format and ``flags`` the static review flags. They decide what runs and what results mean.
* The sandbox, ``grading.engine.sandbox``: single-use, jailed IPython kernels where learner code
  runs, how they are launched (fork server or bubblewrap), bounded (cgroups, seccomp, rlimits)
  and pooled; its docstring maps it and holds the way imports run between the halves.

``limits`` (the per-run bounds) is shared by both. The steps import the sandbox, never the other
way round except for the few narrow seams the sandbox's docstring lists. The engine imports
exercises.format; never Django, courses or certificates.
"""

from .report import ENGINE_VERSION, Flag, GradeReport, ReportStatus, TestResult, TestStatus

__all__ = [
    "ENGINE_VERSION",
    "Flag",
    "GradeReport",
    "ReportStatus",
    "TestResult",
    "TestStatus",
    "grade_submission",
    "validate_exercise",
]


def __getattr__(name: str) -> object:
    # The pipeline imports the sandbox; loading it lazily keeps `import grading.engine` cheap for
    # code that only reads reports (views, the gradebook).
    if name == "grade_submission":
        from .pipeline import grade_submission

        return grade_submission
    if name == "validate_exercise":
        from .validate import validate_exercise

        return validate_exercise
    raise AttributeError(name)
