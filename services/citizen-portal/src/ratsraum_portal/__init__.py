"""Ratsraum citizen portal: public pages, live updates, OParl."""
