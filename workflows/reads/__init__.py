"""The use cases that read, each logging its reads in the same unit of work."""
