"""The lobby of remote members, admissions by the clerk, heartbeats and who is connected."""
