"""The use cases that write: record an event, fire a timer, correct, retract, leave, and their
save."""
