"""Work done in a forked child process while this one goes on, on the machine's other core.

A run scores its comparison and trend periods beside its own period (scoring/cli/run_cmd.py):
the engine is Python and holds the interpreter's lock, so a thread would not help, but a
forked child starts with every loaded table already in memory (shared, copied only where it
writes) and hands back a small picklable answer through a pipe.

The child is only a shortcut, never the one that decides. When it cannot be used (no `fork`:
Windows; macOS, where forking a process that has used system frameworks is unsafe; one CPU) or
when it does not deliver (it raised, crashed, was killed, or its answer does not unpickle), the
work runs here, in this process, as if there were no child: an error in it is raised here with
its usual message, and the child's own output is thrown away.

    with Background(lambda: expensive(data)) as pending:
        other_work()
        answer = pending.result()
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

CHUNK = 1 << 20
PR_SET_PDEATHSIG = 1  # linux/prctl.h
STOPS = {signal.SIGINT, signal.SIGTERM}  # what stops a run (scoring/cli/common.py)


def can_fork() -> bool:
    """Whether a child can safely run on another CPU: Linux with `fork` and at least two CPUs,
    and no other thread of ours alive (one holding a lock at the moment of the fork would leave
    it held for ever in the child)."""
    return (sys.platform == "linux" and hasattr(os, "fork") and len(os.sched_getaffinity(0)) > 1
            and threading.active_count() == 1)


class Background(Generic[T]):
    """`work()` started in a forked child (when `fork` and `can_fork()`); `result()` is its
    answer, or `work()` run here when the child could not give one. Leaving the `with` block
    without asking for the result stops the child."""

    def __init__(self, work: Callable[[], T], fork: bool = True) -> None:
        self._work = work
        self._pid: int | None = None
        self._read = -1
        if fork and can_fork():
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        parent = os.getpid()
        # A Ctrl-C or SIGTERM arriving during the fork would run its handler inside the
        # interpreter's at-fork callbacks, where an exception is only printed ("Exception
        # ignored"): the run would go on as if never stopped. It waits until the fork is done.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(self._work, write, parent, mask)
        os.close(write)
        self._pid, self._read = pid, read
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a stop that waited is raised here
        except BaseException:
            self._reap()
            raise

    def result(self) -> T:
        """The child's answer; `work()` here if there is no child or it gave none."""
        if self._pid is None:
            return self._work()
        payload = _read_all(self._read)
        self._reap()
        try:
            done, value = pickle.loads(payload)
        except Exception:  # nothing, or cut short: the child died before it finished
            done, value = False, None
        return value if done else self._work()

    def _reap(self) -> None:
        """Close the pipe and wait for the child (killing it first if it is still at work)."""
        if self._pid is None:
            return
        os.close(self._read)
        try:
            os.kill(self._pid, signal.SIGKILL)  # a child that has answered is exiting anyway
        except ProcessLookupError:
            pass
        os.waitpid(self._pid, 0)
        self._pid = None

    def __enter__(self) -> "Background[T]":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._reap()


def _child(work: Callable[[], object], write: int, parent: int, mask: set[signal.Signals]) -> None:
    """Run `work`, send (done, answer) through `write`, and leave without running anything of
    the parent's (no atexit handlers, no flushing of its buffered output, no temporary-file
    clean-up): os._exit. `mask`: the signal mask to restore once the child's own handlers are set."""
    code = 1
    try:
        _die_with_parent(parent)
        _quiet()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # the parent runs `work` itself and reports whatever goes wrong
            payload = pickle.dumps((False, None))
        view = memoryview(payload)
        while view:
            view = view[os.write(write, view[:CHUNK]):]
        code = 0
    finally:
        os._exit(code)


def _die_with_parent(parent: int) -> None:
    """The child ends when the parent does, even by SIGKILL: nobody would read its answer."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the child ends when it finds the pipe closed
        pass
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)


def _quiet() -> None:
    """The child says nothing: its standard output and error go to the null device, and
    Ctrl-C (sent to the whole process group) or SIGTERM just end it."""
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(null, fd)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # also when they are not fds 1 and 2 (captured)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _read_all(fd: int) -> bytes:
    parts = []
    while chunk := os.read(fd, CHUNK):
        parts.append(chunk)
    return b"".join(parts)
