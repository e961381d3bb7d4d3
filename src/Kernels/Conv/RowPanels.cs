namespace SparseCore.Kernels.Conv;

/// <summary>
/// How a conv cuts its m kept output channels into the weights' micro-panels of at most 6 rows.
/// Unbalanced (the packed path, whose panels are padded to 6 anyway): 6 rows each, the rest last.
/// Balanced (the shifted path, which computes only a panel's own rows): as few panels as 6-row ones
/// would take, their rows within one of each other — 13 = 5 + 4 + 4, 32 = 6 + 6 + 5 + 5 + 5 + 5.
/// Why: a panel of few rows reads its B vectors for few FMAs; alone in L1 the kernel runs 1, 2, 3
/// rows at 35, 64, 87 % of its 4–6-row speed, so a cut ending 6 + 1, 6 + 2 or 6 + 3 paid for it
/// (11→7 @28×28 at 193 GFLOP/s against 231 for 11→9). Each output row is still one kernel call
/// over the full reduction in the same order, so results do not change.
/// </summary>
internal readonly struct RowPanels
{
    private const int MR = Avx512ShiftedKernel.MR;

    private readonly int m, count, small, larger;

    public RowPanels(int m, bool balanced)
    {
        this.m = m;
        count = (m + MR - 1) / MR;
        // Balanced: the first `larger` panels hold small + 1 rows, the others small.
        (small, larger) = balanced && count > 0 ? (m / count, m % count) : (MR, 0);
    }

    public int Count => count;

    /// <summary>The first output row of <paramref name="panel"/>.</summary>
    public int First(int panel) => panel * small + Math.Min(panel, larger);

    /// <summary>The rows <paramref name="panel"/> holds (1 … 6); the packed panel is padded with zeros past them.</summary>
    public int Rows(int panel) => Math.Min(panel < larger ? small + 1 : small, m - First(panel));
}
