"""The public read model of meetings, fed only by meeting's public events."""
