using System.Buffers;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// The top mask: one sort of the indices by the shared ranking (a layer's channels, hundreds),
/// reading the scores in place and sorting a pooled index array, so a search step's masks allocate nothing.
/// </summary>
public partial class CpuBackend
{
    protected override void RunTopMask(DeviceBuffer<float> scores, int n, int keep, DeviceBuffer<float> mask)
    {
        float[] s = ArrayOf(scores);
        int[] order = ArrayPool<int>.Shared.Rent(n);
        try
        {
            for (int j = 0; j < n; j++) order[j] = j;
            // The ranking is a strict total order (ties broken by index), so the sort's instability cannot show.
            order.AsSpan(0, n).Sort(new Ranking(s));
            Span<float> m = Span(mask)[..n];
            m.Clear();
            for (int r = 0; r < keep; r++) m[order[r]] = 1f;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private readonly struct Ranking(float[] scores) : IComparer<int>
    {
        public int Compare(int a, int b) => a == b ? 0 : TopMaskMath.Before(scores[a], a, scores[b], b) ? -1 : 1;
    }
}
