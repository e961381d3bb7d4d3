namespace SparseCore.Kernels.Conv;

/// <summary>
/// How the shifted conv cuts its m kept output channels into the weights' 6-row micro-panels: 6
/// rows each, except that a count of 6q + 1 (7, 13, 31 …) ends 4 + 3 instead of 6 + 1. Why: a
/// one-row panel keeps four accumulators in flight, too few to cover the FMA latency, so it ran at
/// about half speed (11→7 @28×28 at 193 GFLOP/s against 231 for 11→9). Each output row is still one
/// kernel call over the full reduction in the same order, so results do not change.
/// </summary>
internal readonly struct RowPanels(int m, bool balanced)
{
    private const int MR = Avx512ShiftedKernel.MR;

    private readonly bool split = balanced && m > MR && m % MR == 1;

    public int Count => (m + MR - 1) / MR;

    /// <summary>The first output row of <paramref name="panel"/>.</summary>
    public int First(int panel) => split && panel == Count - 1 ? m - 3 : panel * MR;

    /// <summary>The rows <paramref name="panel"/> holds (1 … 6); the packed panel is padded with zeros past them.</summary>
    public int Rows(int panel) => split && panel >= Count - 2 ? (panel == Count - 1 ? 3 : 4) : Math.Min(MR, m - panel * MR);
}
