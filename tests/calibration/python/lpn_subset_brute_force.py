# Port of stand_in/programs/lpn/subset_brute_force.ts (calibration only).
def algorithm(train_samples, train_labels, test_samples):
    n_bits = len(train_samples[0]) if len(train_samples) > 0 else 0

    def pack(x):
        mask = 0
        for i in range(n_bits):
            if x[i] == 1:
                mask |= 1 << i
        return mask

    def pop_parity(v):
        p = 0
        while v != 0:
            v &= v - 1
            p ^= 1
        return p

    train = [pack(x) for x in train_samples]
    best_subset = 0
    best_agree = -1
    for subset in range(1 << n_bits):
        agree = 0
        for k in range(len(train)):
            if pop_parity(train[k] & subset) == train_labels[k]:
                agree += 1
        if agree > best_agree:
            best_agree = agree
            best_subset = subset
    return [pop_parity(pack(x) & best_subset) for x in test_samples]
