"""What every fuzzed case must hold to: it ends in success or one clear message, within a
deadline and a memory budget, and what each case's outcome was (for the 10,000-case
benchmark's counts)."""

from __future__ import annotations

import contextlib
import resource
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DEADLINE_SECONDS = 30  # a case that takes longer hangs (the slowest take about 2 s)
MEMORY_BUDGET = 3 * 2**30  # address space a case may add to the process's
MAX_MESSAGE = 1500  # a message this long names a long path and a value, and no more


class Hang(BaseException):
    """Raised into a case that passed its deadline (a BaseException: no handler in the
    code under test may take it for a user's error)."""


class OverBudget(BaseException):
    """A case asked for more memory than the budget allows."""


@dataclass
class Outcome:
    """How one case ended: "ok", "message", "traceback", "hang" or "memory", and what it
    printed or raised."""

    kind: str
    text: str = ""

    @property
    def clean(self) -> bool:
        return self.kind in ("ok", "message")


@contextlib.contextmanager
def deadline(seconds: int = DEADLINE_SECONDS) -> Iterator[None]:
    """Raise Hang into the main thread after `seconds` (a blocked open of a FIFO or a read
    of a device is interrupted too: the signal handler runs and raises)."""

    def expired(signum: int, frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def address_space() -> int:
    """This process's virtual memory in bytes, as the kernel counts it against RLIMIT_AS."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


@contextlib.contextmanager
def memory_budget(budget: int = MEMORY_BUDGET) -> Iterator[None]:
    """Allocations past `budget` more than the process holds now fail (MemoryError, which
    the case then reports as OverBudget) instead of drawing on the machine's memory."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = address_space() + budget
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    except MemoryError as error:
        raise OverBudget(f"more than {budget // 2**20} MiB asked for: {error}") from error
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def outcome_of(case: Callable[[], None], clean_errors: tuple[type[BaseException], ...]) -> Outcome:
    """Run `case` under the deadline and budget; an error of `clean_errors` whose message is
    one line of readable length counts as a clean message."""
    try:
        with deadline(), memory_budget():
            case()
    except Hang as error:
        return Outcome("hang", str(error))
    except OverBudget as error:
        return Outcome("memory", str(error))
    except clean_errors as error:
        text = str(error)
        if "\n" in text.strip() or len(text) > MAX_MESSAGE or not text.strip():
            return Outcome("traceback", f"an unclear message: {text[:2000]!r}")
        return Outcome("message", text)
    except Exception:
        return Outcome("traceback", traceback.format_exc())
    return Outcome("ok")
