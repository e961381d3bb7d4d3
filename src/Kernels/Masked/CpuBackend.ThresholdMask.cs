using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>The threshold mask: one pass (masks are a layer's channels, hundreds, not worth threads).</summary>
public partial class CpuBackend
{
    protected override void RunThresholdMask(DeviceBuffer<float> scores, int n, float threshold, DeviceBuffer<float> mask)
    {
        ReadOnlySpan<float> s = Span(scores)[..n];
        Span<float> m = Span(mask)[..n];
        bool any = false;
        int best = 0;
        for (int j = 0; j < n; j++)
        {
            bool keep = s[j] >= threshold;
            m[j] = keep ? 1f : 0f;
            any |= keep;
            if (j > 0 && ThresholdMaskMath.Beats(s[j], j, s[best], best)) best = j;
        }
        if (!any) m[best] = 1f;
    }
}
