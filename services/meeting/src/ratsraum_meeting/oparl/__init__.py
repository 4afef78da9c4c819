"""Import from a town's council information system over OParl 1.1."""
