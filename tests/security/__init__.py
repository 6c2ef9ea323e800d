"""The security suite (issue 14): what a data protection officer's penetration testers try."""
