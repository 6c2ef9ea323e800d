"""The API's routes, one small module per resource; ``adapters.api.app`` mounts them on /v1."""
