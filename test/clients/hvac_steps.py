"""What every hvac script prints and checks: one line per step, and expected refusals."""


def step(name):
    print("ok", name, flush=True)


def expect(exc, fn, *args, **kwargs):
    """Calls fn and fails unless it raises exc (an hvac.exceptions class)."""
    try:
        fn(*args, **kwargs)
    except exc:
        return
    raise AssertionError("expected %s from %s" % (exc.__name__, fn.__name__))
