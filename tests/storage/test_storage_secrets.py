"""Database URLs with passwords: the password never appears in an error message."""

from __future__ import annotations

import pytest

from assistant.errors import StorageError
from assistant.storage import Store
from assistant.storage.db import make_engine


@pytest.mark.parametrize(
    "url",
    [
        "mysql://staff:s3cretpw@db.example/assistant",
        "postgresql://staff:s3cretpw@127.0.0.1:notaport/assistant",
        "postgresql://staff:s3cretpw@127.0.0.1:1/assistant",
    ],
)
def test_a_database_password_never_appears_in_an_error(url):
    with pytest.raises(StorageError) as raised:
        Store.open(url)
    assert "s3cretpw" not in str(raised.value)
    assert "s3cretpw" not in raised.value.user_message


def test_engines_hide_sql_parameters(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert engine.hide_parameters
    engine.dispose()
