"""People: the user model, the certificate name, and who may reach the admin.

The lowest layer: every other app may import it; it imports none of them.
"""
