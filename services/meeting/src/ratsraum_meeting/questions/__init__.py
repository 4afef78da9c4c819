"""Citizens' question time (Einwohnerfragestunde): questions, the clerk's decision, answers."""
