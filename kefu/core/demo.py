"""Demo data from every app.

``kefu seed --demo`` builds the customer master (``kefu.customers``), then runs the loaders other
apps registered here, in ``order``, inside the same transaction: the desk adds tickets and a
contract, the knowledge base adds articles. A loader gets the demo users by role name (``admin``,
``supervisor``, ``agent``, ``customer``) and must go through its app's services, so demo rows carry
the same events, audit entries and search documents as real ones.
"""

from collections.abc import Callable

DemoLoader = Callable[..., None]
_loaders: list[tuple[int, str, DemoLoader]] = []


def register_demo_loader(loader: DemoLoader, *, order: int = 100) -> None:
    """Register ``loader(users=..., stdout=...)``; registering the same function twice is a no-op."""
    name = f"{loader.__module__}.{loader.__qualname__}"
    if any(existing == name for _order, existing, _fn in _loaders):
        return
    _loaders.append((order, name, loader))


def demo_loaders_run(*, users: dict, stdout=None) -> list[str]:
    """Run every registered loader in order; return their names."""
    ran = []
    for _order, name, loader in sorted(_loaders, key=lambda item: (item[0], item[1])):
        loader(users=users, stdout=stdout)
        ran.append(name)
    return ran
