# Port of the brute-force LPN loop in tests/bench.ts (benchmark baseline only).
def algorithm(samples, labels):
    best = 0
    best_agree = -1
    n = len(samples[0])
    for mask in range(1 << n):
        agree = 0
        for i in range(len(samples)):
            parity = 0
            row = samples[i]
            for b in range(n):
                if (mask >> b) & 1:
                    parity ^= row[b]
            if parity == labels[i]:
                agree += 1
        if agree > best_agree:
            best_agree = agree
            best = mask
    return best
