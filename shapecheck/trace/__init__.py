"""Run a model on an input and record what every layer and functional op did."""

from .records import MODULE, OP, LayerRecord, Location, TensorInfo, Trace, TraceError

__all__ = ["MODULE", "OP", "LayerRecord", "Location", "TensorInfo", "Trace", "TraceError"]
