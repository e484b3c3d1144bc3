"""The fork server and the job child. Runs as its own interpreter: ``python -I -B -X utf8 worker.py FD PID``.

Standalone on purpose (stdlib + ``landlock.py`` loaded by path): the host's memory (API keys, caches,
the ``infscale`` package) never reaches the process that forks untrusted code, and the server stays
small so that each fork is cheap.

The server is a warm template: it imports what jobs commonly need, confines itself partly (namespaces,
a clean environment, the bulk of the seccomp policy), then keeps a few children forked ahead of time.
Each child finishes its confinement at once (session, unprivileged uid, private directory,
no_new_privs, Landlock, the child seccomp filter), writes a one-byte header on its result pipe to say
so, and waits for a job. A job goes to one waiting child, which applies the job's rlimits, runs the untrusted code,
writes one JSON frame and exits; the server forks a replacement. No child ever runs two jobs, and the
template never runs untrusted code.

Protocol with the host, one JSON message per SOCK_SEQPACKET datagram:
  server -> host: {"ev": "ready", "report"};
                  {"ev": "spare", "cid"} with the host's ends of a waiting child's pipes
                  [job_w, out_r, err_r, res_r]: the host starts it by writing the job to job_w;
                  {"ev": "started", "id", "cid"} with the same pipes (job_w only if not inline), for a
                  child forked on request; {"ev": "exited", "cid", "wstatus", "utime", "stime",
                  "maxrss"} for every child; {"ev": "failed", "id", "error"}
  host -> server: {"op": "run", "id", "limits", "inline"} [NUL job] to have a child forked;
                  {"op": "kill", "cid"}; EOF = shut down. (Starting a spare needs no message.)
A job is {"code", "function", "args", "kwargs", "limits"} as JSON on the child's stdin, then EOF.
Children are named by a never-reused ``cid``, not by pid.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import errno
import fcntl
import gc
import importlib.util
import itertools
import json
import linecache
import os
import resource
import selectors
import shutil
import signal
import socket
import stat
import struct
import sys
import sysconfig
import traceback
from typing import Any

HEADER = b"R"  # written by the child once confined, before any untrusted code runs
SETUP_FAILED = 121  # child exit code when confinement failed (nothing untrusted ran)
MAX_MESSAGE = 1 << 20
# Each server draws a random block of uids, one per slot: concurrent jobs, in this pool or in any other
# pool on the machine, do not share a uid (1 chance in a million for two given servers).
UID_BLOCKS, UID_FLOOR = 1 << 20, 1_000_000_000
SLOTS = 255
# Imported once by the template, so that jobs using them do not pay for the import.
PRELOAD = [
    *("math", "re", "json", "collections", "itertools", "functools", "heapq", "bisect", "string", "random"),
    *("fractions", "decimal", "statistics", "typing", "dataclasses", "copy", "operator", "datetime"),
    *("traceback", "linecache", "enum", "array", "struct", "hashlib", "base64", "textwrap", "difflib"),
    *("pprint", "numbers", "cmath", "unicodedata", "contextlib", "tempfile"),
]
DEVICES = {"/dev/null": "rw", "/dev/zero": "r", "/dev/urandom": "r", "/dev/random": "r"}
SYSTEM_LIB_DIRS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/share/zoneinfo")
SPARE_DISK = 16 << 20  # tmpfs size of a waiting child's dir; remounted to the job's disk_bytes
JOB_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWNET = 0x40000000
_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MS_REMOUNT = 0x20
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 0x40000
_MNT_DETACH = 2

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
_libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
_libc.prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
_libc.unshare.argtypes = (ctypes.c_int,)


def _load_sibling(name: str) -> Any:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_infscale_sandbox_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ok(res: int, what: str) -> None:
    if res != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _prctl(option: int, arg: int = 0) -> None:
    _ok(_libc.prctl(option, arg, 0, 0, 0), f"prctl({option})")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def enc(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    _ok(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _umount(target: str) -> None:
    _ok(_libc.umount2(target.encode(), _MNT_DETACH), f"umount {target}")


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


class _Program:
    """A BPF program ready for ``prctl``, built once in the server; each child patches its own pid into
    its (copy-on-write) copy and loads it: no allocation, no ctypes set-up after the fork."""

    def __init__(self, bpf: bytes, pid_words: list[int]) -> None:
        self.buf = ctypes.create_string_buffer(bpf, len(bpf))
        self.prog = _SockFprog(len(bpf) // 8, ctypes.addressof(self.buf))
        self.pid_words = pid_words

    def load(self, pid: int | None = None) -> None:
        if pid is not None:
            for i in self.pid_words:
                struct.pack_into("<I", self.buf, 4 * i, pid)
        _ok(_libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(self.prog), 0, 0), "seccomp")


def _vm_size() -> int:
    with open("/proc/self/statm", "rb") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------------------------- server


def _read_roots() -> list[str]:
    """Directories untrusted code may read: this interpreter's library paths and system libraries."""
    paths = sysconfig.get_paths()
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]]
    candidates += [p for p in sys.path if p and os.path.isabs(p) and os.path.realpath(p) != here]
    candidates += list(SYSTEM_LIB_DIRS)
    roots: list[str] = []
    for path in sorted({os.path.realpath(p) for p in candidates if os.path.isdir(p)}, key=len):
        if not any(path == r or path.startswith(r + os.sep) for r in roots):
            roots.append(path)
    return roots


def _blocking_ancestor(path: str) -> str | None:
    """The topmost proper ancestor that other users cannot traverse (e.g. a 0700 home holding pyenv)."""
    parts = path.strip(os.sep).split(os.sep)
    for i in range(1, len(parts)):
        anc = os.sep + os.sep.join(parts[:i])
        if not os.stat(anc).st_mode & stat.S_IXOTH:
            return anc
    return None


def _expose(roots: list[str], staging: str) -> None:
    """In the server's private mount namespace, cover each blocking ancestor with an empty tmpfs that
    holds only bind mounts of the read roots: a dropped uid can import the stdlib, and everything else
    under that ancestor (the rest of a home directory) disappears from the children's view."""
    groups: dict[str, list[str]] = {}
    for root in roots:
        anc = _blocking_ancestor(root)
        if anc is not None:
            groups.setdefault(anc, []).append(root)
    os.makedirs(staging, mode=0o700, exist_ok=True)
    for n, (anc, members) in enumerate(groups.items()):
        staged = []
        for i, root in enumerate(members):
            spot = os.path.join(staging, f"{n}-{i}")
            os.mkdir(spot, 0o700)
            _mount(root, spot, None, _MS_BIND | _MS_REC)
            staged.append((root, spot))
        _mount("tmpfs", anc, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=64k")
        for root, spot in staged:
            os.makedirs(root, mode=0o755, exist_ok=True)
            _mount(spot, root, None, _MS_BIND | _MS_REC)
            _umount(spot)
            os.rmdir(spot)


class Slot:
    """A private directory (a tmpfs when namespaces are available) and its Landlock ruleset, kept across
    jobs and wiped between them: a uid, a directory and a ruleset are cheap to reuse, a process is not."""

    def __init__(
        self, index: int, path: str, uid: int | None, mounted: bool, ruleset: int, size: int
    ) -> None:
        self.index, self.path, self.uid, self.mounted, self.ruleset = index, path, uid, mounted, ruleset
        self.size = size


class Child:
    """One forked, confined child. ``cid`` names it in the protocol: unlike a pid, it is never reused."""

    def __init__(self, cid: int, pid: int, pidfd: int, slot: Slot, host_fds: list[int]) -> None:
        self.cid, self.pid, self.pidfd, self.slot, self.host_fds = cid, pid, pidfd, slot, host_fds


class Server:
    """Keep spare confined children; hand each job to one; reap it; report. Single-threaded on purpose."""

    def __init__(self, ctl: socket.socket, config: dict[str, Any]) -> None:
        self.ctl = ctl
        self.root: str = config["root"]
        self.spares_wanted = int(config.get("spares", 2))
        self.spare_disk = int(config.get("spare_disk", SPARE_DISK))
        server_bpf = bytes.fromhex(config["server_bpf"]) if config.get("server_bpf") else None
        child_bpf = bytes.fromhex(config["child_bpf"]) if config.get("child_bpf") else None
        self.bpf: _Program | None = None
        if server_bpf is not None and child_bpf is not None:
            self.bpf = _Program(child_bpf, list(config.get("pid_words", [])))
        self.landlock = _load_sibling("landlock")
        self.abi = self.landlock.abi_version()
        self.is_root = os.geteuid() == 0
        self.report: dict[str, Any] = {
            "root": self.is_root,
            "landlock_abi": self.abi,
            "seccomp": self.bpf is not None,
            "namespaces": [],
            "tmpfs": False,
            "uid_drop": False,
            "errors": [],
        }
        self.read_roots = _read_roots()
        if self.is_root and config.get("namespaces", True):
            self._enter_namespaces()
        if self.is_root:
            unreadable = [r for r in self.read_roots if _blocking_ancestor(r)]
            if unreadable:
                self.report["errors"].append(f"uid drop off: not readable by other users: {unreadable}")
            else:
                self.report["uid_drop"] = True
        self.report["read_roots"] = self.read_roots
        self._clean_interpreter()
        if self.bpf is not None and server_bpf is not None:
            _prctl(_PR_SET_NO_NEW_PRIVS, 1)
            _Program(server_bpf, []).load()
        self.free_slots = list(range(SLOTS))
        self.uid_base = UID_FLOOR + (int.from_bytes(os.urandom(4), "little") % UID_BLOCKS) * (SLOTS + 1)
        self.slots: dict[int, Slot] = {}
        self.cids = itertools.count(1)
        self.spares: dict[int, Child] = {}  # handed to the host; whether used, learnt at exit
        self.children: dict[int, Child] = {}  # pidfd -> child
        self.by_cid: dict[int, Child] = {}
        self.spare_failures = 0
        self.sel = selectors.DefaultSelector()

    def _enter_namespaces(self) -> None:
        try:
            _ok(_libc.unshare(_CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWIPC | _CLONE_NEWUTS), "unshare")
            _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
        except OSError as exc:
            self.report["errors"].append(f"namespaces: {exc}")
            return
        self.report["namespaces"] = ["mount", "net", "ipc", "uts"]
        self.report["tmpfs"] = True
        try:
            _expose(self.read_roots, os.path.join(self.root, "stage"))
        except OSError as exc:
            self.report["errors"].append(f"exposing the Python installation: {exc}")

    def _clean_interpreter(self) -> None:
        """What every child would otherwise redo: environment, import path, argv, signal dispositions."""
        os.environ.update(JOB_ENV)
        roots = self.read_roots
        sys.path[:] = [p for p in sys.path if any(p == r or p.startswith(r + os.sep) for r in roots)]
        sys.argv[:] = ["<sandbox>"]
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)

    # -- messages

    def send(self, msg: dict[str, Any], fds: list[int] | None = None) -> None:
        try:
            socket.send_fds(self.ctl, [json.dumps(msg).encode()], fds or [])
        except OSError:
            self.shutdown()

    def serve(self) -> None:
        self.probe()
        self.send({"ev": "ready", "report": self.report})
        self.sel.register(self.ctl, selectors.EVENT_READ, None)
        while True:
            # Events first; refill the spares only when nothing is waiting. The host starts spares without
            # telling this server, which learns it when they exit: so a spare is replaced after its job,
            # never while it runs (forking then would delay reaping, and so reporting, the running job).
            refill = len(self.spares) < self.spares_wanted and self.spare_failures < 3
            events = self.sel.select(timeout=0 if refill else None)
            if not events and refill:
                self.spawn_spare()
            # Control messages first: a kill for a child must be handled before its exit is reported.
            for key, _ in sorted(events, key=lambda event: event[0].data is not None):
                if key.data is None:
                    self.on_control()
                else:
                    self.on_exit(key.data)

    def on_control(self) -> None:
        try:
            data = self.ctl.recv(MAX_MESSAGE)
        except OSError:
            data = b""
        if not data:
            self.shutdown()
        head, _, payload = data.partition(b"\0")
        msg = json.loads(head)
        op = msg["op"]
        if op == "run":
            self.dispatch(msg["id"], msg["limits"], payload if msg.get("inline") else None)
        elif op == "kill":
            child = self.by_cid.get(msg["cid"])
            if child is not None:
                self.kill(child)

    # -- children

    def fork_child(self, probe: bool = False) -> Child:
        """Fork a child that confines itself and waits for its job on stdin."""
        slot = self.acquire_slot()
        pipes = [os.pipe2(os.O_CLOEXEC) for _ in range(4)]
        child_fds = [pipes[0][0], pipes[1][1], pipes[2][1], pipes[3][1]]
        host_fds = [pipes[0][1], pipes[1][0], pipes[2][0], pipes[3][0]]
        try:
            pid = os.fork()
            if pid == 0:  # the child never returns from here
                _child(child_fds, slot, _vm_size(), probe, self)
        except BaseException:
            for fd in host_fds:
                os.close(fd)
            self.release(slot)
            raise
        finally:
            for fd in child_fds:
                os.close(fd)
        child = Child(next(self.cids), pid, os.pidfd_open(pid), slot, host_fds)
        self.children[child.pidfd] = child
        self.by_cid[child.cid] = child
        self.sel.register(child.pidfd, selectors.EVENT_READ, child.pidfd)
        return child

    def spawn_spare(self) -> None:
        """Fork a spare and hand the host its pipes: the host starts it by writing a job to its stdin,
        without a round trip through this server."""
        try:
            child = self.fork_child()
        except OSError as exc:
            self.spare_failures += 1
            self.report["errors"].append(f"spare: {exc}")
            return
        self.spares[child.cid] = child
        self.send({"ev": "spare", "cid": child.cid}, child.host_fds)
        for fd in child.host_fds:
            os.close(fd)
        child.host_fds = []

    def dispatch(self, job_id: int, limits: dict[str, Any], payload: bytes | None) -> None:
        """Fork a child for a job the host could not start itself (no spare, or a non-default disk
        size). A small job travels inside the run message and is written here."""
        try:
            child = self.fork_child()
            self.resize(child.slot, limits["disk_bytes"])
        except OSError as exc:
            self.send({"ev": "failed", "id": job_id, "error": str(exc)})
            return
        fds = child.host_fds
        if payload is not None:  # fits the empty pipe (the host checks the size): never blocks
            with contextlib.suppress(OSError):  # the child is gone; its exit is reported as usual
                os.write(fds[0], payload)
            os.close(fds[0])
            fds = fds[1:]
        self.send({"ev": "started", "id": job_id, "cid": child.cid}, fds)
        for fd in fds:
            os.close(fd)
        child.host_fds = []

    def acquire_slot(self) -> Slot:
        if not self.free_slots:
            raise OSError(errno.EAGAIN, "too many concurrent jobs")
        index = self.free_slots.pop(0)
        slot = self.slots.get(index)
        if slot is None:
            try:
                slot = self.slots[index] = self.make_slot(index)
            except BaseException:
                self.free_slots.insert(0, index)
                raise
        return slot

    def make_slot(self, index: int) -> Slot:
        uid = self.uid_base + index if self.report["uid_drop"] else None
        path = os.path.join(self.root, f"slot-{index}")
        os.mkdir(path, 0o700)
        mounted = False
        try:
            if self.report["tmpfs"]:
                owner = f",uid={uid},gid={uid}" if uid is not None else ""
                flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
                _mount("tmpfs", path, "tmpfs", flags, f"{_tmpfs_size(self.spare_disk)},mode=0700{owner}")
                mounted = True
            elif uid is not None:
                os.chown(path, uid, uid)
            ruleset = self.ruleset(path) if self.abi else -1
        except BaseException:
            if mounted:
                _umount(path)
            os.rmdir(path)
            raise
        return Slot(index, path, uid, mounted, ruleset, self.spare_disk)

    def ruleset(self, job_dir: str) -> int:
        ll = self.landlock
        fd: int = ll.create_ruleset(self.abi)
        try:
            for root in self.read_roots:
                ll.add_path(fd, root, ll.READ_ONLY, self.abi)
            for dev, mode in DEVICES.items():
                if os.path.exists(dev):
                    ll.add_path(fd, dev, ll.READ_FILE | (ll.WRITE_FILE if "w" in mode else 0), self.abi)
            ll.add_path(fd, job_dir, ll.PRIVATE_DIR, self.abi)
        except OSError:
            os.close(fd)
            raise
        return fd

    def kill(self, child: Child) -> None:
        with contextlib.suppress(OSError):  # already exited: the exit event is on its way
            signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)

    def on_exit(self, pidfd: int) -> None:
        child = self.children.pop(pidfd)
        self.sel.unregister(pidfd)
        self.by_cid.pop(child.cid, None)
        self.sweep(child)
        _pid, wstatus, ru = os.wait4(child.pid, 0)
        os.close(pidfd)
        msg = {"ev": "exited", "cid": child.cid, "wstatus": wstatus}
        self.send(msg | {"utime": ru.ru_utime, "stime": ru.ru_stime, "maxrss": ru.ru_maxrss})
        if self.spares.pop(child.cid, None) is not None:  # a spare: used by the host, or broken
            # Spares that keep failing to confine themselves are not replaced (calls then fork on
            # demand and report the failure); any other exit resets the count.
            failed = os.waitstatus_to_exitcode(wstatus) == SETUP_FAILED
            self.spare_failures = self.spare_failures + 1 if failed else 0
        self.release(child.slot)

    def sweep(self, child: Child) -> None:
        """Kill anything the child may have started. Under seccomp it cannot start anything; without
        (weak mode) its process group goes, and as root every process of the job's uid. The child is
        a zombie until reaped, so its pid (= its process group id) cannot have been reused yet."""
        if self.bpf is not None:
            return
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signal.SIGKILL)
        uid = child.slot.uid
        if uid is not None:
            killer = os.fork()
            if killer == 0:
                try:
                    os.setresgid(uid, uid, uid)
                    os.setresuid(uid, uid, uid)
                    os.kill(-1, signal.SIGKILL)  # every process this uid can signal, except itself
                finally:
                    os._exit(0)
            os.waitpid(killer, 0)

    def release(self, slot: Slot) -> None:
        """Wipe the slot's directory (and give it back the spares' size) for its next child; if
        anything resists, rebuild the slot."""
        try:
            with os.scandir(slot.path) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)
            self.resize(slot, self.spare_disk)
        except OSError as exc:
            self.report["errors"].append(f"wiping {slot.path}: {exc}")
            self.drop_slot(slot)
        self.free_slots.insert(0, slot.index)

    def resize(self, slot: Slot, disk_bytes: int) -> None:
        if slot.mounted and slot.size != disk_bytes:
            flags = _MS_REMOUNT | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
            _mount(None, slot.path, None, flags, _tmpfs_size(disk_bytes))
            slot.size = disk_bytes

    def drop_slot(self, slot: Slot) -> None:
        self.slots.pop(slot.index, None)
        if slot.ruleset >= 0:
            os.close(slot.ruleset)
        if slot.mounted:
            try:
                _umount(slot.path)
            except OSError as exc:
                self.report["errors"].append(str(exc))
        shutil.rmtree(slot.path, ignore_errors=True)

    def shutdown(self) -> None:
        for child in list(self.children.values()):
            self.kill(child)
        for child in list(self.children.values()):
            os.waitpid(child.pid, 0)
        for slot in list(self.slots.values()):
            self.drop_slot(slot)
        os._exit(0)

    def probe(self) -> None:
        """Confine one throwaway child end to end, so that the host learns at start (not at the first
        job) whether every mechanism this machine claims to have really applies."""
        try:
            child = self.fork_child(probe=True)
        except OSError as exc:
            self.report["errors"].append(f"probe: {exc}")
            self.report["probe"] = False
            return
        job_w, out_r, err_r, res_r = child.host_fds
        os.close(job_w)
        self.sel.unregister(child.pidfd)
        del self.children[child.pidfd]
        del self.by_cid[child.cid]
        _pid, status = os.waitpid(child.pid, 0)
        os.close(child.pidfd)
        head, err = os.read(res_r, 16), os.read(err_r, 4096)
        for fd in (out_r, err_r, res_r):
            os.close(fd)
        self.release(child.slot)
        self.report["probe"] = head == HEADER and os.waitstatus_to_exitcode(status) == 0
        if not self.report["probe"]:
            self.report["errors"].append(f"probe: {err.decode(errors='replace').strip() or status}")


def _tmpfs_size(disk_bytes: int) -> str:
    size = max(int(disk_bytes), 4096)
    return f"size={size},nr_inodes={max(64, size // 4096)}"


# ---------------------------------------------------------------------------------------------- child


def _child(fds: list[int], slot: Slot, vm_base: int, probe: bool, srv: Server) -> None:
    """Confine this process, then wait for a job and run it. Never returns."""
    try:
        server_pid = os.getppid()
        os.setsid()
        # Move the job's pipes to 0-3 without clobbering: first above everything, then into place.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 16) for fd in fds]
        rules = fcntl.fcntl(slot.ruleset, fcntl.F_DUPFD, 16) if slot.ruleset >= 0 else -1
        for target, fd in enumerate(high):
            os.dup2(fd, target)
        for which in (resource.RLIMIT_CORE, resource.RLIMIT_MEMLOCK, resource.RLIMIT_MSGQUEUE):
            resource.setrlimit(which, (0, 0))
        os.chdir(slot.path)
        if slot.uid is not None:
            os.setgroups([])
            os.setresgid(slot.uid, slot.uid, slot.uid)
            os.setresuid(slot.uid, slot.uid, slot.uid)
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != server_pid:
            os._exit(SETUP_FAILED)
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
        if rules >= 0:
            srv.landlock.restrict_self(rules)
        os.closerange(4, 1 << 20)
        if srv.bpf is not None:
            srv.bpf.load(os.getpid())
        os.environ["HOME"] = os.environ["TMPDIR"] = os.environ["PWD"] = slot.path
        if "tempfile" in sys.modules:
            setattr(sys.modules["tempfile"], "tempdir", slot.path)  # noqa: B010 (mypy: untyped module attr)
        os.write(3, HEADER)
    except BaseException as exc:  # confinement failed: nothing untrusted has run; say why and stop
        try:
            os.write(2, f"sandbox setup failed: {exc!r}\n".encode())
        finally:
            os._exit(SETUP_FAILED)
    if probe:
        os._exit(0)
    _rehearse()
    _run_job(vm_base, slot.uid is not None)


_REHEARSAL = json.dumps(
    {
        "code": "def main(x, y=None):\n    return [x, {'k': 1.5, 's': 'text'}, y]\n",
        "function": "main",
        "args": [1],
        "kwargs": {"y": [2, 3]},
    }
).encode()


def _rehearse() -> None:
    """Walk a job's code path once on a dummy job while waiting, so that its copy-on-write page
    faults are taken now instead of on the critical path. It leaves nothing a job could observe."""
    request = json.loads(_REHEARSAL)
    namespace: dict[str, Any] = {"__name__": "__rehearsal__", "__builtins__": builtins}
    exec(compile(request["code"], "<rehearsal>", "exec"), namespace)
    value = namespace[request["function"]](*request["args"], **request["kwargs"])
    json.dumps({"kind": "return", "value": value}).encode()
    resource.getrusage(resource.RUSAGE_SELF)
    for which in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NOFILE, resource.RLIMIT_FSIZE):
        resource.getrlimit(which)
    dict(builtins.__dict__)
    _make_epilogue()


def _job_limits(limits: dict[str, Any], vm_base: int, own_uid: bool) -> None:
    """The job's rlimits, set by the still-trusted child once it knows the job (lowering only)."""

    def cap(which: int, value: int) -> None:
        _soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))

    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime + limits["cpu_time"] + 0.999)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(
        resource.RLIMIT_CPU, (cpu, cpu + 1 if hard == resource.RLIM_INFINITY else min(cpu + 1, hard))
    )
    cap(resource.RLIMIT_AS, vm_base + limits["memory_bytes"])
    cap(resource.RLIMIT_NOFILE, limits["max_files"])
    cap(resource.RLIMIT_FSIZE, limits["disk_bytes"])
    if own_uid:  # RLIMIT_NPROC counts per uid: only meaningful when the job has a uid of its own
        cap(resource.RLIMIT_NPROC, limits["max_threads"])


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


_MEMORY_FRAME = b'{"kind":"raise","category":"memory","type":"MemoryError","message":"","traceback":""}'
_BROKEN_FRAME = (
    b'{"kind":"raise","category":"error","type":"SandboxEpilogueError",'
    b'"message":"the program left the interpreter unable to report its outcome","traceback":""}'
)


def _category(exc: BaseException) -> str:
    if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
        return "memory"
    if isinstance(exc, PermissionError):
        return "permission"
    if isinstance(exc, OSError) and exc.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
        return "disk"
    return "error"


def _run_job(vm_base: int, own_uid: bool) -> None:
    """Trusted code around untrusted code, in the same process (see docs/sandbox.md, residual risks).

    What the epilogue needs is bound to locals before the untrusted code runs, and the builtins are
    restored from a snapshot before it runs: rebinding ``json.dumps``, ``os.write``, ``isinstance``
    or ``BaseException`` cannot redirect it. Whatever else breaks it yields an error frame."""
    try:
        request = json.loads(_read_all(0))
        code, name = request["code"], request["function"]
        args, kwargs, limits = request["args"], request["kwargs"], request["limits"]
        result_limit = int(limits["result_bytes"])
        _job_limits(limits, vm_base, own_uid)
    except BaseException as exc:  # a malformed job from the host: trusted, so say so and stop
        os.write(2, f"sandbox: bad job: {exc!r}\n".encode())
        os._exit(SETUP_FAILED)
    base_exc, memory_exc, memory_frame, broken_frame = (
        BaseException,
        MemoryError,
        _MEMORY_FRAME,
        _BROKEN_FRAME,
    )
    builtins_dict, saved_builtins = builtins.__dict__, dict(builtins.__dict__)
    epilogue = _make_epilogue()
    write, close, exit_, out, err = os.write, os.close, os._exit, sys.stdout, sys.stderr
    returned, outcome = False, None
    try:
        linecache.cache["<sandbox>"] = (len(code), None, code.splitlines(True), "<sandbox>")
        namespace: dict[str, Any] = {"__name__": "__sandbox__", "__builtins__": builtins}
        exec(compile(code, "<sandbox>", "exec"), namespace)
        function = namespace.get(name)
        if not callable(function):
            raise LookupError(f"the code defines no function named {name!r}")
        outcome = function(*args, **kwargs)
        returned = True
    except base_exc as exc:
        outcome = exc
    frame: bytes
    try:
        builtins_dict.clear()
        builtins_dict.update(saved_builtins)
        frame = epilogue(returned, outcome, result_limit)
    except memory_exc:
        frame = memory_frame
    except base_exc:
        frame = broken_frame
    # Plain try/except here and below, not contextlib.suppress: the program may have replaced it.
    for stream in (out, err):
        try:  # noqa: SIM105
            stream.flush()
        except base_exc:
            pass
    view = memoryview(frame)
    try:
        while view:
            view = view[write(3, view) :]
        for fd in (3, 1, 2):  # EOF for the host now, not after the process teardown
            close(fd)
    finally:
        exit_(0)


def _make_epilogue() -> Any:
    """The epilogue as a closure over everything it uses, captured before the untrusted code runs."""
    dumps, fmt, clear_frames, collect = (
        json.dumps,
        traceback.format_exception,
        traceback.clear_frames,
        gc.collect,
    )
    category_of, write, memory_frame = _category, os.write, _MEMORY_FRAME
    base_exc, memory_exc = BaseException, MemoryError

    def epilogue(returned: bool, outcome: Any, result_limit: int) -> bytes:
        """The one frame for the host: the JSON value, or a description of the exception."""
        if returned:
            try:
                frame = bytes(dumps({"kind": "return", "value": outcome}).encode())
            except memory_exc:
                return memory_frame
            except base_exc as exc:
                message = f"{type(exc).__name__}: {exc}"[:2000]
                return bytes(dumps({"kind": "unserialisable", "message": message}).encode())
            if len(frame) > result_limit:
                return bytes(dumps({"kind": "oversize", "size": len(frame)}).encode())
            return frame
        error: BaseException = outcome
        category = category_of(error)
        if category == "memory":  # free what the failed frames hold before formatting anything
            clear_frames(error.__traceback__)
            collect()
        try:
            text = "".join(fmt(error))[-8000:]
            message = str(error)[:2000]
        except memory_exc:
            return memory_frame
        except base_exc:  # an exception whose __str__ fails: report its type only
            text, message = "", ""
        try:  # noqa: SIM105
            write(2, text.encode(errors="replace"))
        except OSError:
            pass
        fields = {"kind": "raise", "category": category, "type": type(error).__name__}
        return bytes(dumps(fields | {"message": message, "traceback": text}).encode())

    return epilogue


# ----------------------------------------------------------------------------------------------- main


def main() -> None:
    ctl = socket.socket(fileno=int(sys.argv[1]))
    host_pid = int(sys.argv[2])
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != host_pid:
        os._exit(1)
    config = json.loads(ctl.recv(MAX_MESSAGE))
    for name in config.get("preload", PRELOAD):
        with contextlib.suppress(ImportError):
            __import__(name)
    server = Server(ctl, config)
    gc.collect()
    gc.freeze()  # keep the collector from touching (and copying) the template's pages in every child
    server.serve()


if __name__ == "__main__":
    main()
