"""Declared argument constraints: what each kind accepts, how a refusal reads, and the decorator."""

import inspect
import math
import os
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pytest

from b12risk.errors import ConfigError
from b12risk.validation.constraints import Interval, Options, check_params, constraints_of, validate_params


@pytest.mark.parametrize(
    ("interval", "text"),
    [
        (Interval(Integral, 1, None, closed="left"), "an int in the range [1, inf)"),
        (Interval(Integral, 0, 3, closed="both"), "an int in the range [0, 3]"),
        (Interval(Real, 0, 1, closed="neither"), "a real number in the range (0, 1)"),
        (Interval(Real, None, 0.5, closed="right"), "a real number in the range (-inf, 0.5]"),
        (Interval(Integral, 1, 2**63 - 1), "an int in the range [1, 9223372036854775807]"),
    ],
)
def test_an_interval_reads_as_scikit_learn_writes_it(interval, text):
    assert str(interval) == text


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (1, True),
        (np.int64(7), True),
        (2**200, True),  # no upper bound
        (0, False),
        (-1, False),
        (1.0, False),  # a float is not an int, even a whole one
        (1.5, False),
        ("1", False),
        (True, False),  # bools are not counted as ints
        (np.timedelta64(1, "ns"), False),  # which numpy files under the integers
        (None, False),
        (math.nan, False),
    ],
)
def test_an_int_interval_takes_whole_numbers_only(value, accepted):
    assert Interval(Integral, 1, None, closed="left").accepts(value) is accepted


def test_a_real_interval_takes_its_bounds_as_closed_says_and_never_nan():
    closed = Interval(Real, 0, 1, closed="both")
    assert closed.accepts(0) and closed.accepts(1.0) and closed.accepts(np.float32(0.5))
    opened = Interval(Real, 0, 1, closed="neither")
    assert not opened.accepts(0) and not opened.accepts(1) and opened.accepts(1e-300)
    assert not closed.accepts(math.nan) and not closed.accepts(True) and not closed.accepts(1j)
    assert not Interval(Real, 0, None, closed="left").accepts(math.inf)  # [0, inf) leaves inf out
    assert Interval(Real, 0, None, closed="both").accepts(math.inf)


def test_a_bad_interval_is_a_programming_error():
    with pytest.raises(ValueError, match="low must not be above high"):
        Interval(Integral, 3, 1)
    with pytest.raises(ValueError, match="closed must be"):
        Interval(Integral, 0, 1, closed="open")
    with pytest.raises(TypeError, match="Interval type"):
        Interval(str, 0, 1)


def test_options_take_their_values_of_the_same_type_only():
    labs = Options(("clinical", "survey"))
    assert str(labs) == "one of clinical, survey"
    assert labs.accepts("survey") and labs.accepts(np.str_("survey"))
    assert not labs.accepts("Survey") and not labs.accepts(b"survey") and not labs.accepts(None)
    assert not labs.accepts(np.array(["survey"]))  # no element-wise comparison
    assert not Options((1, 2)).accepts("1")


def test_options_may_depend_on_the_other_arguments():
    scenario = Options(lambda args: sorted(args["kb"]))
    declaration = {"scenario": [scenario]}
    check_params("simulate", {"scenario": "b", "kb": {"a": 1, "b": 2}}, declaration)
    with pytest.raises(ConfigError, match=r"must be one of a, b\. Got 'c' instead\.$"):
        check_params("simulate", {"scenario": "c", "kb": {"a": 1, "b": 2}}, declaration)


def test_a_refusal_names_the_parameter_the_function_what_is_allowed_and_the_value():
    declaration = {"n": [Interval(Integral, 1, None, closed="left")]}
    with pytest.raises(ConfigError) as info:
        check_params("simulate", {"n": "x"}, declaration)
    assert str(info.value) == "The 'n' parameter of simulate must be an int in the range [1, inf). Got 'x' instead."
    declaration = {"path": [None, str, os.PathLike, Interval(Real, 0, 1)]}
    with pytest.raises(ConfigError) as info:
        check_params("f", {"path": 2.5}, declaration)
    assert str(info.value) == (
        "The 'path' parameter of f must be None, a str, a path-like object or a real number in the range [0, 1]. "
        "Got 2.5 instead."
    )
    with pytest.raises(ConfigError, match=r"must be an instance of Path\. Got 3 instead\.$"):
        check_params("f", {"p": 3}, {"p": [Path]})


def test_values_that_cannot_be_shown_are_still_named():
    with pytest.raises(ConfigError, match=r"Got <an integer of 5001 digits> instead\.$"):
        check_params("f", {"n": 10**5000}, {"n": [str]})


def test_the_first_bad_argument_in_declaration_order_is_named():
    declaration = {"b": [str], "a": [str]}
    with pytest.raises(ConfigError, match="The 'b' parameter"):
        check_params("f", {"a": 1, "b": 2}, declaration)
    check_params("f", {}, declaration)  # names not given are not checked


@validate_params({"n": [Interval(Integral, 1, None, closed="left")], "labs": [Options(("clinical", "survey"))]})
def _draw(n, size=2, *, labs="clinical"):
    """Draw."""
    return n, size, labs


def test_the_decorator_checks_positional_keyword_and_default_arguments_first():
    assert _draw(3) == (3, 2, "clinical")
    assert _draw(n=4, labs="survey") == (4, 2, "survey")
    with pytest.raises(ConfigError, match="The 'n' parameter of _draw must be"):
        _draw(0)
    with pytest.raises(ConfigError, match="The 'labs' parameter of _draw must be one of clinical, survey"):
        _draw(1, labs="lab")
    with pytest.raises(TypeError):  # a missing argument is left to Python to report
        _draw()


def test_the_decorated_function_keeps_its_name_signature_and_declaration():
    assert (_draw.__name__, _draw.__doc__) == ("_draw", "Draw.")
    assert list(inspect.signature(_draw).parameters) == ["n", "size", "labs"]
    name, declaration = constraints_of(_draw)
    assert name == "_draw" and set(declaration) == {"n", "labs"}
    assert constraints_of(len) is None


def test_a_declaration_may_give_the_function_another_name():
    @validate_params({"n": [Interval(Integral, 1, None, closed="left")]}, function="simulate")
    def write(n):
        return n

    with pytest.raises(ConfigError, match="The 'n' parameter of simulate must be"):
        write(0)


def test_a_declaration_must_name_parameters_and_constraints():
    with pytest.raises(TypeError, match="has no parameter m"):
        validate_params({"m": [str]})(lambda n: n)
    with pytest.raises(TypeError, match="must be a non-empty list"):
        validate_params({"n": str})
    with pytest.raises(TypeError, match="must be None, a class, Interval or Options"):
        validate_params({"n": ["a str"]})


def test_unresolved_dynamic_options_are_refused_even_under_python_O():
    from b12risk.validation.constraints import Options

    dynamic = Options(lambda arguments: ["a", "b"])
    with pytest.raises(TypeError, match="resolve"):
        dynamic.accepts("a")
    with pytest.raises(TypeError, match="resolve"):
        str(dynamic)
    assert dynamic.resolve({}).accepts("a") and str(dynamic.resolve({})) == "one of a, b"
