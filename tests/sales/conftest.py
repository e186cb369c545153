import pytest


@pytest.fixture
def at_counter(client, cashier, shop):
    """A test client signed in as the cashier, in the Sharma Kirana Store."""
    client.force_login(cashier)
    return client
