"""The grading engine, pure Python (no Django): notebooks and limits in, a typed report out.

Steps, one module each: assemble -> execute (sandbox) -> score -> sealed -> report; pipeline ties
them together and validate reuses it. Imports exercises.format; never Django, courses or certificates.
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
