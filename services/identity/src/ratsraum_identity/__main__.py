"""`python -m ratsraum_identity` starts the service."""

from ratsraum_identity.main import main

if __name__ == "__main__":
    main()
