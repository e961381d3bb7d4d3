using ILGPU;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Masked;

/// <summary>
/// The top mask by rank counting: thread j counts the scores ranked before its own and keeps its
/// channel when fewer than keep are. O(n²) comparisons, but n is one layer's channels (≤ 2048), the
/// reads are L1/L2 hits, and there is no sort, no barrier and no order-dependent result.
/// </summary>
internal static class IlgpuTopMaskKernels
{
    [IlgpuKernel]
    internal static void TopMask(Index1D j, ArrayView<float> scores, int n, int keep, ArrayView<float> mask)
    {
        float v = scores[j];
        int rank = 0;
        for (int i = 0; i < n; i++)
            rank += TopMaskMath.Before(scores[i], i, v, j) ? 1 : 0;
        mask[j] = rank < keep ? 1f : 0f;
    }
}
