"""Subscribable iCalendar feeds of public meetings."""
