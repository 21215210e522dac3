# Port of utilities/programs/quadratic_assignment_seed.ts (calibration only). The random
# draws differ from the sandbox's, but the work does not depend on them: 1000 steps, each
# computing the objective twice.
import math
import random


def algorithm(F, D, P):
    n = len(F)
    lam = 0.5

    def objective(a):
        total = 0
        for i in range(n):
            for j in range(n):
                total += F[i][j] * D[a[i]][a[j]]
        for i in range(n):
            total -= lam * P[i][a[i]]
        return total

    current = list(range(n))
    best = current[:]
    best_value = objective(current)
    temperature = 1.0
    for _ in range(1000):
        temperature *= 0.99
        candidate = current[:]
        i = math.floor(random.random() * n)
        j = math.floor(random.random() * n)
        while j == i:
            j = math.floor(random.random() * n)
        candidate[i], candidate[j] = candidate[j], candidate[i]
        value = objective(candidate)
        delta = value - objective(current)
        if delta < 0 or random.random() < math.exp(min(700.0, -delta / temperature)):
            current = candidate
            if value < best_value:
                best = candidate[:]
                best_value = value
    return best
