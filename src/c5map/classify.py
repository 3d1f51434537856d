"""Class breaks of the choropleth pages: c5map's 1-2-5 ladder, or a mapclassify scheme the user chooses.

The influence and trade scenes class their figures on one scale per page with
:func:`class_breaks`. By default the scale is the 1-2-5 ladder
(:func:`c5map.maps.style.nice_breaks`); ``c5map build --scheme``, ``build(classes=Classes.of(...))``,
or :func:`using` around a page function chooses one of mapclassify's schemes:

==================  ===============================================================================
``quantiles``       ``mapclassify.Quantiles``: about as many figures in each class
``natural_breaks``  ``mapclassify.FisherJenks``: Jenks's optimal natural breaks. Not mapclassify's
                    ``NaturalBreaks``, which is k-means from random starts: two builds could differ.
``equal_interval``  ``mapclassify.EqualInterval``: classes of equal width, smallest figure to largest
``user``            the breaks you give (``--breaks 1e9,5e9,2e10``)
==================  ===============================================================================

A break is where a class starts, as the legends say ("$5bn or more"): a figure
equal to a break is in the class above it, and a bound is classed on its side
of the break (:func:`c5map.maps.style.class_of`).

Computed breaks are rounded so that a figure sits in the class its label says.
mapclassify's bins are the upper bounds of its classes at any precision
($4,731,566,112); a legend writes at most three significant digits. So each
break becomes the number of two significant digits ($4.7bn) nearest
mapclassify's bin that still separates the same figures, three digits where no
two-digit number lies between them, and the figures are classed by the number
the legend writes. Every figure then falls in mapclassify's class for it,
except where two neighbouring figures differ past the third digit; there it
sits in the class its label says.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from c5map.errors import UsageError
from c5map.format import format_usd
from c5map.maps.style import nice_breaks

#: The schemes ``--scheme`` takes; without one, the 1-2-5 ladder.
SCHEMES = ("quantiles", "natural_breaks", "equal_interval", "user")
#: mapclassify's own default number of classes (as ``GeoDataFrame.explore(scheme=...)``).
DEFAULT_K = 5
#: Most classes a page shows: up to 7, every shade of every partner's ramp stays at least 8 CIEDE2000 from
#: its neighbour as the page draws it (tests/test_schemes.py); at 8 some fall to 6.9 and classes blur.
MAX_CLASSES = 7
#: The classes of the 1-2-5 ladder (the default scale; c5map's pages have always had up to four).
LADDER_CLASSES = 4


@dataclass(frozen=True)
class Classes:
    """How a build classes its figures: a scheme and its number of classes, or the user's own breaks.

    Make one with :meth:`of`, which checks the options as the command line gives them.

    Attributes
    ----------
    scheme : str or None
        One of :data:`SCHEMES`; None for the 1-2-5 ladder.
    k : int or None
        Number of classes of a computed scheme; None for :data:`DEFAULT_K`, or fewer on a page with fewer
        distinct figures (a ``k`` asked for is never lowered: more than a page's distinct figures is an error).
    breaks : tuple of float
        The user's breaks (``scheme="user"``), increasing: where each class above the first starts.
    """

    scheme: str | None = None
    k: int | None = None
    breaks: tuple[float, ...] = ()

    @classmethod
    def of(
        cls, scheme: str | None = None, k: int | None = None, breaks: str | Sequence[float] | None = None
    ) -> Classes:
        """Check the options of a scheme and return its classes; a mistake is a :class:`UsageError` naming the option.

        Parameters
        ----------
        scheme : str, optional
            One of :data:`SCHEMES`; default the 1-2-5 ladder.
        k : int, optional
            Classes of ``quantiles``, ``natural_breaks`` or ``equal_interval``: 2 to :data:`MAX_CLASSES`;
            default :data:`DEFAULT_K`, or as many as a page has distinct figures when fewer.
        breaks : str or sequence of float, optional
            The breaks of ``user``, increasing, in US dollars: ``"1e9,5e9,2e10"`` or a list.

        Examples
        --------
        >>> Classes.of("quantiles", k=4)
        Classes(scheme='quantiles', k=4, breaks=())
        >>> Classes.of("quantiles")  # k: 5, or a page's distinct figures when fewer
        Classes(scheme='quantiles', k=None, breaks=())
        >>> Classes.of("user", breaks="1e9, 5e9").breaks
        (1000000000.0, 5000000000.0)
        >>> Classes.of("user", breaks="5e9,1e9")
        Traceback (most recent call last):
        ...
        c5map.errors.UsageError: --breaks 5e9,1e9: not increasing: 1e9 comes after 5e9
        """
        if scheme is not None and scheme not in SCHEMES:
            raise UsageError(f"--scheme {scheme}: unknown scheme; choose {', '.join(SCHEMES)}")
        if breaks is not None and scheme != "user":
            raise UsageError("--breaks needs --scheme user (add --scheme user, or leave out --breaks)")
        if scheme == "user":
            if k is not None:
                raise UsageError(f"--k {k}: --scheme user has one class more than its --breaks; leave out --k")
            if breaks is None:
                raise UsageError("--scheme user needs --breaks: where each class starts, as --breaks 1e9,5e9,2e10")
            given = _user_breaks(breaks)
            return cls("user", len(given) + 1, given)
        if k is not None and scheme is None:
            raise UsageError(f"--k {k} needs --scheme quantiles, natural_breaks or equal_interval")
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= MAX_CLASSES):
            raise UsageError(f"--k {k}: give 2 to {MAX_CLASSES} classes ({MAX_CLASSES} is the most whose shades "
                             "read apart on a map)")  # fmt: skip
        return cls(scheme, k)

    def __str__(self) -> str:
        if self.scheme is None:
            return "the 1-2-5 ladder"
        if self.scheme == "user":
            return f"--scheme user --breaks {','.join(f'{b:g}' for b in self.breaks)}"
        return f"--scheme {self.scheme}" + (f" --k {self.k}" if self.k else "")


def _user_breaks(breaks: str | Sequence[float]) -> tuple[float, ...]:
    """Return the user's breaks as floats, checked: numbers, positive, increasing, as the legend writes them."""
    words = [w.strip() for w in breaks.split(",")] if isinstance(breaks, str) else [str(b) for b in breaks]
    option = f"--breaks {','.join(words)}"
    values = []
    for word in words:
        try:
            value = float(word)
        except ValueError:
            raise UsageError(f"{option}: {word!r} is not a number of US dollars (as 1e9 or 1500000000)") from None
        if not math.isfinite(value) or value <= 0:
            raise UsageError(f"{option}: {word} is not a positive amount of US dollars")
        if float(f"{value:.3g}") != value:  # the legend writes three significant digits: it must say the break
            raise UsageError(
                f"{option}: the legend would write {word} as {format_usd(value)}: give breaks of at most "
                "three significant digits, so that every figure sits in the class its label says"
            )
        values.append(value)
    if not values:
        raise UsageError(f"{option}: give at least one break")
    for (before, low), (after, high) in itertools.pairwise(zip(words, values, strict=True)):
        if high <= low:
            raise UsageError(f"{option}: not increasing: {after} comes after {before}")
    if len(values) + 1 > MAX_CLASSES:
        raise UsageError(f"{option}: {len(values) + 1} classes; give at most {MAX_CLASSES - 1} breaks "
                         f"({MAX_CLASSES} classes are the most whose shades read apart on a map)")  # fmt: skip
    return tuple(values)


_IN_USE: ContextVar[Classes] = ContextVar("c5map_classes", default=Classes())  # noqa: B039 (frozen: immutable)


def classes_in_use() -> Classes:
    """Return the classes the scenes built now use: the ladder unless :func:`using` chose others."""
    return _IN_USE.get()


@contextmanager
def using(scheme: str | Classes | None = None, k: int | None = None, breaks=None) -> Iterator[Classes]:
    """Class every page built inside the ``with`` block by a scheme (see :meth:`Classes.of`).

    Forked workers started inside it (the build's images) inherit it.

    Examples
    --------
    >>> with using("quantiles", k=4):
    ...     classes_in_use().scheme
    'quantiles'
    >>> classes_in_use().scheme is None
    True
    """
    classes = scheme if isinstance(scheme, Classes) else Classes.of(scheme, k, breaks)
    token = _IN_USE.set(classes)
    try:
        yield classes
    finally:
        _IN_USE.reset(token)


def class_breaks(values: Iterable[float], page: str) -> list[float]:
    """Return the class breaks of one page's figures under the classes in use (:func:`classes_in_use`).

    Parameters
    ----------
    values : iterable of float
        The figures the page classes, in US dollars (NaN and negative ones are not classed).
    page : str
        The page's name, for the message when ``--k`` is more than its distinct figures.

    Raises
    ------
    c5map.errors.UsageError
        A computed scheme asks for more classes than the page has distinct figures.

    Examples
    --------
    >>> class_breaks([1e8, 4.2e9, 8e9, 15e9], "trade")  # the 1-2-5 ladder
    [200000000.0, 1000000000.0, 10000000000.0]
    >>> with using("equal_interval", k=3):
    ...     class_breaks([0.0, 1e9, 3e9, 4.4e9, 6e9, 9e9], "trade")
    [3100000000.0, 6100000000.0]
    """
    classes = classes_in_use()
    figures = sorted(float(v) for v in values if math.isfinite(v) and v >= 0)
    if classes.scheme is None:
        return nice_breaks(figures, classes=LADDER_CLASSES)
    if classes.scheme == "user":
        return list(classes.breaks)
    if not figures:  # nothing to class: the page draws no class, and misleads no one
        return []
    distinct = len(set(figures))
    if classes.k is None:  # not asked for: as many as there are distinct figures, up to the default
        k = min(DEFAULT_K, distinct)
        return legend_breaks(figures, mapclassify_bins(figures, classes.scheme, k)) if k >= 2 else []
    if distinct < classes.k:
        fix = f"give --k {distinct} or fewer" if distinct >= 2 else "build it with the 1-2-5 ladder or --scheme user"
        raise UsageError(f"--k {classes.k}: the {page} page has {distinct} distinct figure{'s' * (distinct != 1)} to "
                         f"class, fewer than {classes.k} classes; {fix}")  # fmt: skip
    return legend_breaks(figures, mapclassify_bins(figures, classes.scheme, classes.k))


def mapclassify_bins(figures: Sequence[float], scheme: str, k: int) -> list[float]:
    """Return mapclassify's bins (upper bounds of classes, the largest figure last) of a computed scheme."""
    import mapclassify  # loaded only for a scheme: the default ladder needs neither it nor scikit-learn

    classifier = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks,
                  "equal_interval": mapclassify.EqualInterval}[scheme]  # fmt: skip
    with warnings.catch_warnings():  # "numba not installed" and "fewer classes": said by the breaks themselves
        warnings.simplefilter("ignore")
        return [float(b) for b in classifier(list(figures), k=k).bins]


def legend_breaks(figures: Sequence[float], bins: Sequence[float]) -> list[float]:
    """Turn mapclassify's bins into breaks the legend writes exactly, separating the same figures.

    A bin ``b`` puts the figures up to ``b`` below and those above it above; any break in
    ``(largest figure <= b, smallest figure > b]`` does the same with c5map's "a break starts its class".

    Examples
    --------
    >>> legend_breaks([1e9, 2e9, 3e9, 4e9], [2.5e9, 4e9])
    [2500000000.0]
    >>> legend_breaks([1e9, 2e9, 3e9, 4e9], [2e9, 4e9])  # 2e9 is in the class below: the next starts above it
    [2100000000.0]
    """
    breaks: list[float] = []
    for b in bins:
        above = [f for f in figures if f > b]
        if not above:  # the last bin: the largest figure, no class starts there
            continue
        low, high = max((f for f in figures if f <= b), default=0.0), min(above)
        chosen = _nearest_written(low, high, b, 2) or _nearest_written(low, high, b, 3) or float(f"{b:.3g}")
        if not breaks or chosen > breaks[-1]:
            breaks.append(chosen)
    return breaks


def _nearest_written(low: float, high: float, near: float, digits: int) -> float | None:
    """Return the number of ``digits`` significant digits in ``(low, high]`` nearest ``near``; None if none."""
    lowest, highest = Decimal(low), Decimal(high)
    top = _exponent(high)
    found = []
    for magnitude in range(_exponent(low) if low > 0 else top - 1, top + 1):
        unit = Decimal(1).scaleb(magnitude - digits + 1)  # numbers of this many digits in [10^m, 10^(m+1))
        first = max(10 ** (digits - 1), int((lowest / unit).to_integral_value(rounding="ROUND_FLOOR")) + 1)
        last = min(10**digits - 1, int((highest / unit).to_integral_value(rounding="ROUND_FLOOR")))
        if first > last:
            continue
        n = min(max(int((Decimal(near) / unit).to_integral_value()), first), last)
        candidate = float(Decimal(n) * unit)
        if low < candidate <= high:
            found.append(candidate)
    return min(found, key=lambda c: (abs(c - near), c)) if found else None


def _exponent(value: float) -> int:
    """Return the power of ten of ``value``'s first significant digit (``value`` > 0)."""
    return Decimal(value).adjusted()
