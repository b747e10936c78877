"""Operations: health checks, worker heartbeats, security headers and structured logs.

Infrastructure only: no app imports ops for business logic, and ops imports none of the apps.
"""
