"""Wrong logins per client: ten in a minute, then a pause; successes never count; other clients unaffected."""

from sollicitations_ui.login_throttle import ClientThrottle


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_client_that_fails_too_often_waits_for_the_window_to_pass():
    clock = Clock()
    throttle = ClientThrottle(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert throttle.allows("198.51.100.7")
        throttle.failed("198.51.100.7")
        clock.now += 1
    assert not throttle.allows("198.51.100.7")
    assert throttle.allows("203.0.113.9")  # another client
    clock.now += 57.5  # the first failure (only) leaves the window
    assert throttle.allows("198.51.100.7")
    throttle.failed("198.51.100.7")
    assert not throttle.allows("198.51.100.7")


def test_clients_with_no_recent_failure_are_forgotten():
    clock = Clock()
    throttle = ClientThrottle(limit=3, window=60, clock=clock)
    for n in range(100):
        throttle.failed(f"client-{n}")
    clock.now += 61
    assert all(throttle.allows(f"client-{n}") for n in range(100))
    assert throttle._failures == {}
