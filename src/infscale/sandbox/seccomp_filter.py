"""The seccomp policy, compiled by the host with libseccomp (through ``pyseccomp``) to raw BPF.

Two stacked filters (the kernel applies every filter a process has; the strictest action wins):

* the *server* filter, loaded once by the fork server on itself and inherited by every child: the
  bulk of the deny list (network, exec, ptrace, namespaces, kernel attack surface, IPC...), minus the
  few calls the server still needs (fork, mount for job dirs, uid changes for children, pidfds);
* the small *child* filter, loaded by each child once it has confined itself: no new processes (only
  threads), no mounts, no uid changes, no chown, signals only to itself.

So each child compiles nothing and the kernel JIT-compiles a short program per child; libseccomp
(which drags ``subprocess`` and ``threading`` into the importer, making every later fork slower) never
lives in the fork server. Rules about "this process" need the child's pid, unknown at compile time:
they compare against ``PID_PLACEHOLDER``, which the child patches in its BPF.

Policy: default allow, with deny lists. Denied calls kill the process (``SIGSYS``: the host reports
``forbidden``); calls whose refusal a program may reasonably survive fail with ``EPERM``/``ENOSYS``.
"""

from __future__ import annotations

import errno
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import SandboxError

PID_PLACEHOLDER = 0x7EADBEEF

# Killing the process: no new processes, no programs, no network, no escaping or inspecting others.
KILLED_SYSCALLS = (
    # processes and programs
    "fork",
    "vfork",
    "execve",
    "execveat",
    # network (socketpair stays: an anonymous pair reaches nothing, and asyncio needs it)
    "socket",
    # other processes
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "process_mrelease",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "tkill",
    # namespaces and mounts
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "mount_setattr",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    # kernel attack surface and host-wide state
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "syslog",
    "quotactl",
    "quotactl_fd",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "iopl",
    "ioperm",
    "modify_ldt",
    "vhangup",
    "uselib",
    "lookup_dcookie",
    "nfsservctl",
    "name_to_handle_at",
    "open_by_handle_at",
    "fanotify_init",
    "mknod",
    "mknodat",
    "migrate_pages",
    "move_pages",
    "listmount",
    "statmount",
    "open_tree_attr",
    # identity changes
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setfsuid",
    "setfsgid",
    "setgroups",
    "capset",
    # System V IPC and POSIX message queues outlive the process: no leaks across jobs
    "shmget",
    "shmat",
    "shmctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
)

# Failing with EPERM: metadata changes Landlock does not cover (it guards opens, not chmod/chown).
EPERM_SYSCALLS = (
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "setxattrat",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "removexattrat",
    "utime",
    "utimes",
    "futimesat",
    "utimensat",
)

# Signals: only to this process (its own pid / thread group).
SELF_ONLY_SIGNAL_SYSCALLS = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")

# Calls newer than some libseccomp releases know; numbers >= 424 are the same on every architecture.
_NEW_SYSCALL_NUMBERS = {
    "fchmodat2": 452,
    "statmount": 457,
    "listmount": 458,
    "setxattrat": 463,
    "removexattrat": 466,
    "open_tree_attr": 467,
}

_CLONE_THREAD = 0x00010000
_CLONE_NAMESPACES = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
_PR_SET_PDEATHSIG = 1
_TIOCSTI = 0x5412


# What the fork server itself still needs; the child filter denies these.
SERVER_NEEDS = frozenset(
    {
        "fork",
        "vfork",
        "mount",
        "umount2",
        "setresuid",
        "setresgid",
        "setgroups",
        "pidfd_open",
        "pidfd_send_signal",
    }
)
CHOWN_SYSCALLS = frozenset({"chown", "fchown", "lchown", "fchownat"})


@dataclass(frozen=True)
class CompiledFilter:
    """Raw BPF (``struct sock_filter`` array) and the indexes of the 32-bit words to patch with the pid."""

    bpf: bytes
    pid_words: tuple[int, ...]

    def for_pid(self, pid: int) -> bytes:
        words = list(struct.unpack(f"<{len(self.bpf) // 4}I", self.bpf))
        for i in self.pid_words:
            words[i] = pid
        return struct.pack(f"<{len(words)}I", *words)


@dataclass(frozen=True)
class Filters:
    """The server filter (loaded once by the fork server) and the child filter (per child)."""

    server: bytes
    child: CompiledFilter


def compile_filters() -> Filters:
    """Compile both policies for this machine's architecture; ``SandboxError`` when libseccomp is missing."""
    try:
        import pyseccomp as sc
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: libseccomp.so not found
        raise SandboxError(
            f"seccomp unavailable: {exc} (pip install 'pyseccomp>=0.1.2'; apt-get install libseccomp2)"
        ) from exc

    def new() -> tuple[Any, Callable[..., None]]:
        flt = sc.SyscallFilter(sc.ALLOW)
        flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
        flt.set_attr(sc.Attr.CTL_NNP, 0)  # no_new_privs is set explicitly before loading

        def add(action: int, name: str, *args: object) -> None:
            nr = sc.resolve_syscall(sc.Arch.NATIVE, name)
            if nr < 0:
                nr = _NEW_SYSCALL_NUMBERS.get(name, -1)
            if nr < 0:
                return  # a syscall this architecture does not have
            flt.add_rule(action, nr, *args)

        return flt, add

    server, add = new()
    for name in KILLED_SYSCALLS:
        if name not in SERVER_NEEDS:
            add(sc.KILL_PROCESS, name)
    for name in EPERM_SYSCALLS:
        if name not in CHOWN_SYSCALLS:
            add(sc.ERRNO(errno.EPERM), name)
    for flag in _CLONE_NAMESPACES:  # namespaces are never created after the server's own unshare
        add(sc.KILL_PROCESS, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory that seccomp cannot read: ENOSYS makes glibc fall back to clone.
    add(sc.ERRNO(errno.ENOSYS), "clone3")
    add(sc.KILL_PROCESS, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, _TIOCSTI))

    child, add = new()
    for name in sorted(SERVER_NEEDS | {"capset", "pidfd_getfd"}):
        add(sc.KILL_PROCESS, name)
    for name in sorted(CHOWN_SYSCALLS):
        add(sc.ERRNO(errno.EPERM), name)
    for name in SELF_ONLY_SIGNAL_SYSCALLS:
        add(sc.KILL_PROCESS, name, sc.Arg(0, sc.NE, PID_PLACEHOLDER))
    # Threads only: a clone without CLONE_THREAD is a new process.
    add(sc.KILL_PROCESS, "clone", sc.Arg(0, sc.MASKED_EQ, _CLONE_THREAD, 0))
    # Clearing the parent-death signal would let a job outlive the fork server.
    add(sc.KILL_PROCESS, "prctl", sc.Arg(0, sc.EQ, _PR_SET_PDEATHSIG))

    child_bpf = _export(server=False, flt=child)
    # struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: k is every second 32-bit word.
    words = struct.unpack(f"<{len(child_bpf) // 4}I", child_bpf)
    pid_words = tuple(i for i in range(1, len(words), 2) if words[i] == PID_PLACEHOLDER)
    if not pid_words:
        raise SandboxError("seccomp: the compiled child filter lost its self-only signal rules")
    return Filters(_export(server=True, flt=server), CompiledFilter(child_bpf, pid_words))


def _export(*, server: bool, flt: Any) -> bytes:
    fd = os.memfd_create("infscale-seccomp", 0)
    try:
        with os.fdopen(os.dup(fd), "wb") as sink:
            flt.export_bpf(sink)
        bpf = os.pread(fd, 1 << 20, 0)
    finally:
        os.close(fd)
    if not bpf or len(bpf) % 8:
        which = "server" if server else "child"
        raise SandboxError(f"seccomp: libseccomp exported an empty or malformed {which} BPF program")
    return bpf
