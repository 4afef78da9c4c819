"""`python -m ratsraum_voting` runs the service."""

from ratsraum_voting.main import main

main()
