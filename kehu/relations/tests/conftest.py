"""Fixtures of the keeping-in-touch tests: messages are checked in English."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Pages in English, as the messages are checked."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
