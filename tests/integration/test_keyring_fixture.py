"""The keyring fixture is the real Secret Service: entries land in gnome-keyring over D-Bus."""

from __future__ import annotations

from contextlib import closing

import keyring
import secretstorage
from keyring.backend import KeyringBackend


def _items(service: str) -> list[secretstorage.Item]:
    with closing(secretstorage.dbus_init()) as bus:
        collection = secretstorage.get_default_collection(bus)
        return list(collection.search_items({"service": service}))


def test_set_get_delete_through_secret_service(
    secret_service: KeyringBackend, keyring_service: str
) -> None:
    keyring.set_password(keyring_service, "portal:box-office", "correct horse")
    assert keyring.get_password(keyring_service, "portal:box-office") == "correct horse"
    assert len(_items(keyring_service)) == 1  # really stored by the Secret Service daemon
    keyring.delete_password(keyring_service, "portal:box-office")
    assert keyring.get_password(keyring_service, "portal:box-office") is None
    assert _items(keyring_service) == []


def test_namespace_is_cleaned_after_each_test(keyring_service: str) -> None:
    # Each test gets an empty, unique namespace: nothing left over from the previous test.
    assert keyring_service.startswith("TransferDesk-test-")
    assert _items(keyring_service) == []
    keyring.set_password(keyring_service, "mailbox:left-behind", "x")  # the fixture deletes it
