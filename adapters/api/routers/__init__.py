"""The API's routes, one small module per resource; ``oversight.adapters.api.app`` mounts them
on /v1."""
