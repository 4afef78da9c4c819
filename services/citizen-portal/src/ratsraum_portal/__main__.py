"""`python -m ratsraum_portal` serves the portal."""

from ratsraum_portal.main import main

main()
