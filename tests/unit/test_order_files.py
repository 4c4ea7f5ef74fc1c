"""Order files: bad rows become per-line reasons, whole-file problems one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.intake.files import OrderFileError, parse_order_bytes, read_order_file
from app.intake.orders import OrderError, parse_order


def test_a_row_in_the_wrong_encoding_is_rejected_alone():
    data = b"order_ref,event_name\nA,Game\n" + b"B,Caf\xe9\n" + b"C,Game\n"
    rows = parse_order_bytes(data, json_lines=False)
    assert rows[0] == (2, {"order_ref": "A", "event_name": "Game"})
    assert rows[1] == (3, "not valid UTF-8 (save the file as UTF-8)")
    assert rows[2][0] == 4 and isinstance(rows[2][1], dict)


def test_json_lines_report_bad_lines_with_their_number():
    data = b'{"order_ref": "A", "event_name": "G"}\n\nnot json\n[1]\n{"order_ref": "B"}\n'
    rows = parse_order_bytes(data, json_lines=True)
    assert [n for n, _ in rows] == [1, 3, 4, 5]
    assert "not valid JSON" in rows[1][1] and rows[2][1] == "a line must be one JSON object"


def test_a_50_mb_file_is_refused_before_reading(tmp_path: Path):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(OrderFileError, match=r"big.csv is 52.4 MB; the limit is 21 MB"):
        read_order_file(big)


def test_header_problems_are_one_line(tmp_path: Path):
    path = tmp_path / "o.csv"
    path.write_text("event_name,colour\nx,y\n")
    with pytest.raises(OrderFileError, match="unknown column.s. colour; missing column "
                                             "order_ref"):
        read_order_file(path)


def test_extra_fields_and_a_10000_seat_row_are_reasons():
    rows = parse_order_bytes(b"order_ref,event_name\nA,G,extra\n", json_lines=False)
    assert rows == [(2, "3 fields but the header has 2")]
    with pytest.raises(OrderError, match="10000 seats: at most 200"):
        parse_order({"order_ref": "A", "event_name": "G",
                     "seats": ";".join(str(n) for n in range(10_000))})
    with pytest.raises(OrderError, match="seat range '1-10000': at most 200"):
        parse_order({"order_ref": "A", "event_name": "G", "seats": "1-10000"})


def test_amounts_follow_the_currency_minor_unit():
    assert parse_order({"order_ref": "A", "event_name": "G", "amount": "12.50"}).facts[
        "amount"] == 1250
    assert parse_order({"order_ref": "A", "event_name": "G", "amount": "1200",
                        "currency": "JPY"}).facts["amount"] == 1200
    with pytest.raises(OrderError, match="at most 0 decimal"):
        parse_order({"order_ref": "A", "event_name": "G", "amount": "12.5", "currency": "jpy"})


def test_webhooks_config_tables_are_read_and_checked(tmp_path: Path):
    from app.config import load_settings
    from app.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text('[[webhooks]]\nname = "m"\nurl = "https://m.example/h"\n'
                    'events = ["verified"]\nformat = "slack"\n')
    (hook,) = load_settings(path, {}).webhooks
    assert (hook.name, hook.events, hook.format) == ("m", ("verified",), "slack")
    path.write_text('[[webhooks]]\nname = "m"\nsigning_secret = "x"\n')
    with pytest.raises(ConfigError, match="looks like a secret"):
        load_settings(path, {})
    path.write_text('[[webhooks]]\nname = "m"\ncolour = "x"\n')
    with pytest.raises(ConfigError, match=r"\[\[webhooks\]\] #1: unknown key\(s\) colour"):
        load_settings(path, {})
