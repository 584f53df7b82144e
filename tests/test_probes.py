"""The probe searches of diagnose/probes.py on plain functions: where they stop and what they find."""

from shapecheck.diagnose.probes import grow, largest_where, required_multiple, smallest_where, with_size
from shapecheck.domain.records import SIZE_LIMIT, size_limit


def test_with_size_sets_only_the_axes():
    assert with_size((3, 224, 160), (1, 2), 64) == (3, 64, 64)
    assert with_size([3, 224, 160], (2,), 64) == (3, 224, 64)


def test_grow_doubles_until_the_test_holds_or_the_limit():
    seen = []

    def at_least_1000(size):
        seen.append(size)
        return size >= 1000

    assert grow(at_least_1000, 100) == (1600, True) and seen == [100, 200, 400, 800, 1600]
    size, found = grow(lambda s: False, 224)
    assert not found and size == 1792 and size >= size_limit(224) == 1024
    # A large traced size moves the limit to 4 × itself.
    assert grow(lambda s: False, 2000) == (8000, False) and size_limit(2000) == 8000 > SIZE_LIMIT


def test_bisections_find_the_edges_of_a_monotone_test():
    assert smallest_where(lambda s: s * s >= 2000, 1, 1000) == 45
    assert largest_where(lambda s: s // 32 <= 7, 1, 1000) == 255
    # No size passes: the far end comes back, and the caller checks it.
    assert smallest_where(lambda s: False, 1, 50) == 50
    assert largest_where(lambda s: False, 10, 50) == 10


def test_required_multiple_is_the_smallest_power_of_two_that_holds():
    def unet(size):  # four 2× poolings and a skip join: sizes must be multiples of 16
        return size % 16 == 0

    assert required_multiple(unet, 100) == (16, 96, 112)
    assert required_multiple(lambda s: s % 2 == 0, 101) == (2, 100, 102)
    # Multiples of 8 run, and so do the sizes 4 past them: the requirement is 4, not 8.
    assert required_multiple(lambda s: s % 4 == 0, 99) == (4, 96, 100)
    # Only an exact size runs: no power of two explains it.
    assert required_multiple(lambda s: s == 100, 99) is None
