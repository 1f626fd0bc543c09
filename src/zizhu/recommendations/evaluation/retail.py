"""UCI Online Retail invoice lines → purchase :class:`Interactions` (one per kept line).

Kept, as in the data set's README: a customer id is present, not a cancellation ('C' invoice),
quantity > 0, unit price > 0, and the stock code starts with five digits (drops postage, fees,
manual lines). The invoice is the basket. Reads the parquet file, or a CSV with the same columns
(the test fixture).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zizhu.recommendations.interactions import Interactions

FILE_NAMES = ("online_retail.parquet", "online_retail.csv")
SUBDIR = "uci-online-retail"
COLUMNS = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]


def find_data_file(path: Path) -> Path | None:
    """``path`` may be the file, its folder, or the datasets folder holding ``uci-online-retail/``."""
    if path.is_file():
        return path
    for folder in (path, path / SUBDIR):
        for name in FILE_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def read_lines(file: Path):  # -> pandas.DataFrame (pandas is imported lazily: the shop does not need it)
    import pandas as pd

    if file.suffix == ".parquet":
        frame = pd.read_parquet(file, columns=COLUMNS)
    else:
        frame = pd.read_csv(file, usecols=COLUMNS, dtype={"InvoiceNo": str, "StockCode": str})
        frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    return frame


def keep_purchases(frame):  # type: ignore[no-untyped-def]
    invoice = frame["InvoiceNo"].astype(str)
    stock = frame["StockCode"].astype(str)
    keep = (
        frame["CustomerID"].notna()
        & ~invoice.str.startswith("C")
        & (frame["Quantity"] > 0)
        & (frame["UnitPrice"] > 0)
        & stock.str.match(r"^\d{5}")
    )
    return frame.loc[keep]


def load_interactions(file: Path) -> Interactions:
    lines = keep_purchases(read_lines(file))
    return Interactions(
        users=lines["CustomerID"].astype(np.int64).to_numpy().astype(object),
        items=lines["StockCode"].astype(str).to_numpy().astype(object),
        event_types=np.full(len(lines), "purchase", dtype=object),
        occurred_at=lines["InvoiceDate"].to_numpy().astype("datetime64[s]"),
        baskets=lines["InvoiceNo"].astype(str).to_numpy().astype(object),
    )
