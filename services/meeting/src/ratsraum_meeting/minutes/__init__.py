"""Minutes (Niederschrift): draft as HTML and PDF, free text, signatures, public part."""
