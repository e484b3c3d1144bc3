"""The seccomp policy, compiled once by the host with libseccomp (through ``pyseccomp``) to raw BPF.

The fork server receives the BPF bytes and each job's child loads them with ``prctl``; so libseccomp
(which drags ``subprocess`` and ``threading`` into the importer, making every later fork slower) never
lives in the fork server. Rules about "this process" (signals only to itself) need the child's pid,
unknown at compile time: they compare against ``PID_PLACEHOLDER``, which the child patches in the BPF.

Policy: default allow, with a deny list. Denied calls kill the process (``SIGSYS``: the host reports
``forbidden``); calls whose refusal a program may reasonably survive fail with ``EPERM``/``ENOSYS``.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass

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

_CLONE_THREAD = 0x00010000
_CLONE_NAMESPACES = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
_PR_SET_PDEATHSIG = 1
_TIOCSTI = 0x5412


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


def compile_filter() -> CompiledFilter:
    """Compile the policy for this machine's architecture; ``SandboxError`` when libseccomp is missing."""
    try:
        import pyseccomp as sc
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: libseccomp.so not found
        raise SandboxError(
            f"seccomp unavailable: {exc} (pip install 'pyseccomp>=0.1.2'; apt-get install libseccomp2)"
        ) from exc
    flt = sc.SyscallFilter(sc.ALLOW)
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    flt.set_attr(sc.Attr.CTL_NNP, 0)  # the child sets no_new_privs itself, before Landlock

    def add(action: int, name: str, *args: object) -> None:
        try:
            flt.add_rule(action, name, *args)  # type: ignore[arg-type]
        except (OSError, ValueError, RuntimeError):
            pass  # a syscall this kernel/architecture does not have

    for name in KILLED_SYSCALLS:
        add(sc.KILL_PROCESS, name)
    for name in EPERM_SYSCALLS:
        add(sc.ERRNO(errno.EPERM), name)
    for name in SELF_ONLY_SIGNAL_SYSCALLS:
        add(sc.KILL_PROCESS, name, sc.Arg(0, sc.NE, PID_PLACEHOLDER))
    # Threads only: a clone without CLONE_THREAD is a new process; namespaces are never allowed.
    add(sc.KILL_PROCESS, "clone", sc.Arg(0, sc.MASKED_EQ, _CLONE_THREAD, 0))
    for flag in _CLONE_NAMESPACES:
        add(sc.KILL_PROCESS, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory that seccomp cannot read: ENOSYS makes glibc fall back to clone.
    add(sc.ERRNO(errno.ENOSYS), "clone3")
    # Clearing the parent-death signal would let a job outlive the fork server.
    add(sc.KILL_PROCESS, "prctl", sc.Arg(0, sc.EQ, _PR_SET_PDEATHSIG))
    add(sc.KILL_PROCESS, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, _TIOCSTI))

    fd = os.memfd_create("infscale-seccomp", 0)
    try:
        with os.fdopen(os.dup(fd), "wb") as sink:
            flt.export_bpf(sink)
        bpf = os.pread(fd, 1 << 20, 0)
    finally:
        os.close(fd)
    if not bpf or len(bpf) % 8:
        raise SandboxError("seccomp: libseccomp exported an empty or malformed BPF program")
    # struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: k is every second 32-bit word.
    words = struct.unpack(f"<{len(bpf) // 4}I", bpf)
    pid_words = tuple(i for i in range(1, len(words), 2) if words[i] == PID_PLACEHOLDER)
    if not pid_words:
        raise SandboxError("seccomp: the compiled filter lost its self-only signal rules")
    return CompiledFilter(bpf, pid_words)
