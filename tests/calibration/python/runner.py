# Times one calibration program under CPython. Reads {"program": NAME, "calls": [[args...], ...],
# "repeats": N} as JSON on stdin; runs every call N times and prints, as JSON, per call the least
# wall seconds and the first run's result (to compare with the sandbox's answer).
import importlib
import json
import sys
import time


def main():
    request = json.load(sys.stdin)
    module = importlib.import_module(request["program"])
    seconds = []
    results = []
    for args in request["calls"]:
        least = float("inf")
        result = None
        for run in range(request["repeats"]):
            start = time.perf_counter()
            out = module.algorithm(*args)
            least = min(least, time.perf_counter() - start)
            if run == 0:
                result = out
        seconds.append(least)
        results.append(result)
    json.dump({"seconds": seconds, "results": results}, sys.stdout)


main()
