"""Stateful local fakes of the video providers, built from their documented examples.

They serve the shared adapter tests and local development; never production.
"""
