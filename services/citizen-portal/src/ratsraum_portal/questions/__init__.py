"""Citizens' question time on the portal: the form, its robot traps and forwarding to meeting."""
