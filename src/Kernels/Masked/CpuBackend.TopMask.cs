using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>The top mask: one sort of the indices by the shared ranking (a layer's channels, hundreds).</summary>
public partial class CpuBackend
{
    protected override void RunTopMask(DeviceBuffer<float> scores, int n, int keep, DeviceBuffer<float> mask)
    {
        var s = Span(scores)[..n].ToArray();
        var order = new int[n];
        for (int j = 0; j < n; j++) order[j] = j;
        // The ranking is a strict total order (ties broken by index), so the sort's instability cannot show.
        Array.Sort(order, (a, b) => a == b ? 0 : TopMaskMath.Before(s[a], a, s[b], b) ? -1 : 1);
        Span<float> m = Span(mask)[..n];
        m.Clear();
        for (int r = 0; r < keep; r++) m[order[r]] = 1f;
    }
}
