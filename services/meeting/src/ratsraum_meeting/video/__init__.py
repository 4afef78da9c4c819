"""Video conferencing behind one adapter interface: Jitsi, BigBlueButton, Webex, Teams."""
