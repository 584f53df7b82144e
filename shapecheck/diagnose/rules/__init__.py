"""One module per rule; importing this package registers them all."""

from . import sc100_unclassified, sc101_missing_flatten, sc102_in_features, sc103_size_locked  # noqa: F401
