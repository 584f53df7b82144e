import torch.nn as nn


def helper():
    return undefined_name  # noqa: F821 - the import fails here on purpose


VALUE = helper()


class Net(nn.Module):
    size = VALUE  # the class needs the value, so the failing line runs
