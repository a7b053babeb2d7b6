"""One command run as a whole process, for first_result.py: its wall time from before the fork to its
reaping, the peak over time of the summed resident sets of the process and all its descendants, and
the largest single resident set that the kernel recorded (GNU time's %M).

`java -jar covidct.jar` starts a child JVM (the launcher adds the Vector API module), and a
DataLoader's workers are child processes: the memory a command needs is that of its process tree,
at once. /proc is sampled every few milliseconds: new processes are found by listing /proc and
reading the parent of each pid not seen in the last listing (a pid reused within one interval would
be missed; pids are handed out in turn), and each member's resident set is read from
/proc/PID/statm, the pages that /proc/PID/status calls VmRSS. A peak shorter than the interval can
be missed by the sum; the kernel's own maximum of the largest process cannot."""
import os
import subprocess
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def _pids():
    with os.scandir("/proc") as entries:
        return {int(e.name) for e in entries if e.name.isdigit()}


def _parent(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2:].split()[1])  # the fields after "(comm)": state, ppid, ...


def _resident_bytes(pid):
    try:
        with open("/proc/%d/statm" % pid, "rb") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        return 0


def run(argv, stdout, stderr, env=None, interval_s=0.005):
    """Runs argv with its output in the files stdout and stderr; returns a dict of exit_code, wall_s,
    tree_peak_bytes (the summed resident sets' peak), max_process_bytes (the kernel's ru_maxrss of the
    largest process) and processes (how many the tree held)."""
    listed = _pids()
    reaped = {}

    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env)

    def reap():
        _, status, usage = os.wait4(process.pid, 0)
        reaped["end"] = time.perf_counter()
        reaped["exit_code"] = os.waitstatus_to_exitcode(status)
        reaped["max_process_bytes"] = usage.ru_maxrss * 1024  # of it and its reaped descendants, in KiB

    waiter = threading.Thread(target=reap)
    waiter.start()
    members, ever, peak = {process.pid}, {process.pid}, 0
    while waiter.is_alive():
        now = _pids()
        fresh = {pid: _parent(pid) for pid in now - listed}
        listed = now
        grew = True
        while grew:  # a child and its own child may both be fresh
            grew = False
            for pid, parent in fresh.items():
                if pid not in members and parent in members:
                    members.add(pid)
                    grew = True
        ever |= members
        members &= now | {process.pid}
        peak = max(peak, sum(_resident_bytes(pid) for pid in members))
        time.sleep(interval_s)
    waiter.join()
    process.returncode = reaped["exit_code"]
    return {"exit_code": reaped["exit_code"], "wall_s": reaped["end"] - start, "tree_peak_bytes": peak,
            "max_process_bytes": reaped["max_process_bytes"], "processes": len(ever)}
