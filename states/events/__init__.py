"""Domain events: facts in the past tense, each with the date it happened."""
