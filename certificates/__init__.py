"""Certificates: issuance, the PDF, public verification and the signed credential.

The top layer: imports courses, grading and exercises; nothing imports it.
"""
