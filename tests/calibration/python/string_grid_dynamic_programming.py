# Port of stand_in/programs/string-grid/dynamic_programming.ts (calibration only).
def algorithm(t, dist):
    n = len(t)
    letters = ["A", "B"]
    changes_t = 0
    for i in range(1, n):
        if t[i] != t[i - 1]:
            changes_t += 1
    target = dist - changes_t
    max_value = 2 * n
    reach = []
    for i in range(n):
        reach.append([[False] * (max_value + 1), [False] * (max_value + 1)])
        for c in range(2):
            mismatch = 1 if letters[c] != t[i] else 0
            if i == 0:
                reach[0][c][mismatch] = True
                continue
            for prev in range(2):
                step = mismatch + (1 if prev != c else 0)
                v = 0
                while v + step <= max_value:
                    if reach[i - 1][prev][v]:
                        reach[i][c][v + step] = True
                    v += 1
    if n == 0 or target < 0 or target > max_value:
        return t
    c = 0 if reach[n - 1][0][target] else 1 if reach[n - 1][1][target] else -1
    if c < 0:
        return t
    v = target
    out = [""] * n
    for i in range(n - 1, -1, -1):
        out[i] = letters[c]
        if i == 0:
            break
        mismatch = 1 if letters[c] != t[i] else 0
        for prev in range(2):
            before = v - mismatch - (1 if prev != c else 0)
            if before >= 0 and reach[i - 1][prev][before]:
                v = before
                c = prev
                break
    return "".join(out)
