"""What tests (and the benchmarks) share beyond fixtures: plain helpers, never pytest fixtures.

served (the app as `python -m sollicitations serve` starts it), ports (free ones), waiting
(wait_until), concurrent (calls released together), coroutines (run from a plain test), browser
(Debian's chromium and its options); captcha and samples play a visitor's part.
"""
