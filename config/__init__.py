"""The shipped configuration: the authorities' policy files, example scenarios, import mappings
and an example settings file. Package data, read with ``importlib.resources`` (never by a path
into the source tree), so a wheel carries them."""
