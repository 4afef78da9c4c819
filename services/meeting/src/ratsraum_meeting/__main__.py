"""`python -m ratsraum_meeting` runs the service."""

from ratsraum_meeting.main import main

main()
