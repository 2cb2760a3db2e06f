"""Helpers shared by the side-by-side scripts in bench/ (imported from the script's own folder)."""


def peak_rss_mb():
    """VmHWM (peak resident set) of this process in MB (Linux), or None elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None
