"""Trend prediction: cases per week for the next 4 weeks, in total, per street and per first-level category.

Each series is the daily count of reported cases over the last year; the model is Holt–Winters exponential
smoothing (statsmodels, additive damped trend, additive weekly season of 7 days), summed to weeks. Its error is
measured the honest way, by a backtest: the same model fitted on the series without its last 4 weeks forecasts
those 4 weeks, and MAPE = mean over the weeks of |actual − forecast| ÷ actual is shown next to the forecast.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from command.stats import category_names, division_names, in_days

HORIZON_DAYS = 28
HISTORY_DAYS = 364
MIN_DAYS = 56
TOP_CATEGORIES = 8  # the busiest first-level categories; the rest are too thin to forecast week by week


def fit_predict(y: np.ndarray, horizon: int = HORIZON_DAYS) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if y.sum() == 0:
        return np.zeros(horizon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short or flat series
        model = ExponentialSmoothing(
            y, trend="add", damped_trend=True, seasonal="add", seasonal_periods=7, initialization_method="heuristic"
        ).fit(use_brute=False)  # heuristic start values and a local optimiser: ~20 ms a series instead of ~0.5 s
        return np.clip(model.forecast(horizon), 0, None)


def weekly(values: np.ndarray) -> np.ndarray:
    return values[: len(values) // 7 * 7].reshape(-1, 7).sum(axis=1)


def mape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    mask = actual > 0
    if not mask.any():
        return None
    return round(float(np.mean(np.abs(actual[mask] - predicted[mask]) / actual[mask])), 4)


def forecast_series(y: np.ndarray, last_day: dt.date) -> dict[str, Any] | None:
    """Forecast of the 4 weeks after `last_day` with the backtest MAPE, or None when the history is too short."""
    nonzero = np.flatnonzero(y)
    if len(nonzero) == 0:
        return None
    y = y[nonzero[0] :]  # the series starts with the first case (a district that began later has no zeros before)
    if len(y) < MIN_DAYS + HORIZON_DAYS:
        return None
    y = y[len(y) % 7 :]  # whole weeks ending on last_day
    backtest = fit_predict(y[:-HORIZON_DAYS])
    error = mape(weekly(y[-HORIZON_DAYS:]), weekly(backtest))
    future = weekly(fit_predict(y))
    history = weekly(y)[-12:]
    first = last_day + dt.timedelta(days=1)
    return {
        "history": [
            {"week_end": (last_day - dt.timedelta(days=7 * (len(history) - 1 - i))).isoformat(), "n": int(v)}
            for i, v in enumerate(history)
        ],
        "weeks": [
            {
                "start": (first + dt.timedelta(days=7 * i)).isoformat(),
                "end": (first + dt.timedelta(days=7 * i + 6)).isoformat(),
                "n": round(float(v), 1),
            }
            for i, v in enumerate(future)
        ],
        "backtest": [round(float(v), 1) for v in weekly(backtest)],
        "backtest_actual": [int(v) for v in weekly(y[-HORIZON_DAYS:])],
        "mape": error,
        "total": round(float(future.sum()), 1),
    }


def build(qs: QuerySet, end: dt.date) -> dict[str, Any]:
    """Forecasts for the scope of `qs`: total, per street, per first-level category."""
    start = end - dt.timedelta(days=HISTORY_DAYS - 1)
    rows = (
        in_days(qs, start, end)
        .annotate(street=Substr("territory_code", 1, 9), top=Substr("category_code", 1, 2))
        .values("day", "street", "top")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = np.zeros(HISTORY_DAYS)
    streets: dict[str, np.ndarray] = {}
    tops: dict[str, np.ndarray] = {}
    for r in rows:
        i = (r["day"] - start).days
        total[i] += r["n"]
        streets.setdefault(r["street"], np.zeros(HISTORY_DAYS))[i] += r["n"]
        tops.setdefault(r["top"], np.zeros(HISTORY_DAYS))[i] += r["n"]
    names, cats = division_names(), category_names()

    def block(series: dict[str, np.ndarray], label, limit: int = 100) -> list[dict[str, Any]]:
        out = []
        for code, y in sorted(series.items(), key=lambda kv: -kv[1].sum())[:limit]:
            result = forecast_series(y, end)
            if result is not None:
                out.append({"code": code, "name": label.get(code, code), **result})
        return out

    return {
        "end": end.isoformat(),
        "total": forecast_series(total, end),
        "streets": block(streets, names) if len(streets) > 1 else [],
        "categories": block(tops, cats, TOP_CATEGORIES),
    }
