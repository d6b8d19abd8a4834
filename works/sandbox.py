"""The child process that converts one upload under CPU, memory and time limits.

works.uploads runs it as `python -m works.sandbox`: on stdin a line of JSON (the file's
extension and the limits) and then the file's bytes; on stdout one JSON object, either
{"chapters": [[title, html], ...], "peak_kb": N} or {"error": "what to tell the user"}.
Whatever a parser does with a hostile file, it does it here, and the server's worker only
waits (at most the time limit) for the answer.
"""

import json
import resource
import sys
import traceback

from works import uploads

# How close to the limit the peak must come to count as having reached it: allocations
# are made in blocks, and the one that failed never counted.
MEMORY_MARGIN = 8 * 1024 * 1024
TOO_BIG = "This file needs more memory to read than we allow. Save it as a smaller file."


def main():
    header = json.loads(sys.stdin.buffer.readline())
    # Set before any byte of the file is read; the parsers are loaded by then, so that a
    # limit that is too small is reported as that, not as a failed import.
    cpu = header["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (header["memory_bytes"], header["memory_bytes"]))
    try:
        data = sys.stdin.buffer.read()
        chapters = uploads.convert_unpacked(header["extension"], data, header["max_chapters"])
        del data
        reply = {
            "chapters": [[chapter.title, chapter.html] for chapter in chapters],
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
    except MemoryError:
        reply = {"error": TOO_BIG}
    except uploads.UploadError as error:
        reply = {"error": TOO_BIG if _ran_out_of_memory(header) else str(error)}
    except Exception:  # a parser's own bug on a strange file: the user is told, we are too
        traceback.print_exc()
        reply = {"error": TOO_BIG if _ran_out_of_memory(header) else uploads.UNREADABLE}
    sys.stdout.write(json.dumps(reply))


def _ran_out_of_memory(header):
    """Whether the limit was reached: a parser that hits it may say anything (libxml2 and
    zipfile report a failed allocation as a damaged file), but the process's peak address
    space then stands at the limit."""
    try:
        with open("/proc/self/status") as status:
            peak = next((line for line in status if line.startswith("VmPeak:")), "VmPeak: 0 kB")
    except OSError:  # no /proc (not Linux): the parser's own message stands
        return False
    return int(peak.split()[1]) * 1024 >= header["memory_bytes"] - MEMORY_MARGIN


if __name__ == "__main__":
    main()
