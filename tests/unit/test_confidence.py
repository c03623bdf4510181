"""Measuring a student's confidence: logprobs, reading self-ratings, the calibration curve."""

from __future__ import annotations

import math

import pytest

from agents.providers.confidence import (
    DEFAULT_CALIBRATION,
    CalibrationCurve,
    confidence_from_logprobs,
    parse_rating,
)


def test_confidence_from_logprobs_is_the_geometric_mean_probability():
    assert confidence_from_logprobs([math.log(0.5), math.log(0.5)]) == pytest.approx(0.5)
    assert confidence_from_logprobs([0.0, math.log(0.25)]) == pytest.approx(0.5)
    assert confidence_from_logprobs([]) is None


@pytest.mark.parametrize(
    ("reply", "rating"),
    [
        ("8", 8.0),
        (" 7.5\n", 7.5),
        ("9/10", 9.0),
        ("10/10 - certain", 10.0),
        ("6 out of 10", 6.0),
        ("80%", 8.0),
        ("75", 7.5),  # a bare number above 10 is a percentage
        ("Rating: 4,5", 4.5),
        ("On a scale of 0-10: 3", 3.0),
        ("from 1 to 10, I'd give it 7", 7.0),
        ("Confidence: eight", 8.0),
        ("zero", 0.0),
    ],
)
def test_ratings_are_read_robustly(reply, rating):
    assert parse_rating(reply) == rating


@pytest.mark.parametrize(
    "reply", ["", "I am quite sure.", "a lot", "250", "I think this one is right"]
)
def test_unreadable_ratings_are_none(reply):
    assert parse_rating(reply) is None


def test_the_curve_interpolates_and_is_flat_beyond_its_ends():
    curve = CalibrationCurve(((0.2, 0.1), (0.6, 0.5), (1.0, 0.7)))

    assert curve(0.0) == 0.1 and curve(0.2) == 0.1
    assert curve(0.4) == pytest.approx(0.3)
    assert curve(0.8) == pytest.approx(0.6)
    assert curve(1.0) == 0.7


def test_the_default_curve_discounts_high_self_ratings():
    ratings = [r / 10 for r in range(11)]
    values = [DEFAULT_CALIBRATION(r) for r in ratings]

    assert values == sorted(values)  # monotone
    assert all(v <= r for v, r in zip(values, ratings, strict=True))  # never above what was said
    assert DEFAULT_CALIBRATION(1.0) == 0.85 and DEFAULT_CALIBRATION(0.9) == pytest.approx(0.70)


@pytest.mark.parametrize(
    "points",
    [((0.0, 0.0),), ((0.5, 0.1), (0.5, 0.2)), ((0.0, 0.0), (1.0, 1.5))],
)
def test_bad_curves_are_refused(points):
    with pytest.raises(ValueError):
        CalibrationCurve(points)
