# Port of utilities/programs/maxcut_seed.ts (calibration only).
def algorithm(adjacency):
    n = len(adjacency)
    side = [-1] * n
    unplaced = set(range(n))
    while len(unplaced) > 0:
        best_weight = -1
        best_node = -1
        best_side = 0
        for node in sorted(unplaced):
            for s in (0, 1):
                weight = 0
                for other in range(n):
                    if side[other] == 1 - s:
                        weight += adjacency[node][other]
                if weight > best_weight:
                    best_weight = weight
                    best_node = node
                    best_side = s
        side[best_node] = best_side
        unplaced.discard(best_node)
    return side
