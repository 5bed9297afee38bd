"""Item pipelines and the pure functions behind them."""
