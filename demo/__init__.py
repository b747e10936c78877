"""The demo site `make run` loads: the flagship courses (their pages, lessons and notebook
exercises, in ``courses/``), and the demo accounts.

It sits above every other app and no app imports it: it builds content through the apps'
services and models, exactly as an instructor's authoring would.
"""
