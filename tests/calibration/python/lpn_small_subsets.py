# Port of stand_in/programs/lpn/small_subsets.ts (calibration only).
def algorithm(train_samples, train_labels, test_samples):
    n_bits = len(train_samples[0])
    candidates = [[]]
    for i in range(n_bits):
        candidates.append([i])
        for j in range(i + 1, n_bits):
            candidates.append([i, j])

    def parity(x, subset):
        s = 0
        for i in subset:
            s += x[i]
        return s % 2

    best = candidates[0]
    best_agree = -1
    for subset in candidates:
        agree = 0
        for k in range(len(train_samples)):
            if parity(train_samples[k], subset) == train_labels[k]:
                agree += 1
        if agree > best_agree:
            best_agree = agree
            best = subset
    return [parity(x, best) for x in test_samples]
