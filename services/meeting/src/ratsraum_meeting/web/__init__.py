"""The web app: server-rendered pages for members (and later clerks, chairs and the hall).

A presentation layer beside `api/`: pages read and act through meeting's own HTTP API
(in-process, with the signed-in person's token), so the app can do nothing the API cannot.
"""
