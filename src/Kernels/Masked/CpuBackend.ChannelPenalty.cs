using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>The channel penalties: plain loops on one thread (hundreds of channels, a few parameters a step).</summary>
public partial class CpuBackend
{
    protected override void RunChannelSquares(DeviceBuffer<float> w, int outer, int channels, int inner, DeviceBuffer<double> sums, int offset, bool accumulate)
    {
        ReadOnlySpan<float> x = Span(w);
        Span<double> s = Span(sums);
        for (int c = 0; c < channels; c++)
        {
            double acc = accumulate ? s[offset + c] : 0;
            for (int o = 0; o < outer; o++)
            {
                int start = (o * channels + c) * inner;
                for (int k = start; k < start + inner; k++) acc += (double)x[k] * x[k];
            }
            s[offset + c] = acc;
        }
    }

    protected override void RunChannelPenalty(DeviceBuffer<float> w, DeviceBuffer<float> grad, DeviceBuffer<float> coefficient, float scale,
                                              int offset, int outer, int channels, int inner)
    {
        ReadOnlySpan<float> x = Span(w);
        ReadOnlySpan<float> coef = Span(coefficient);
        Span<float> g = Span(grad);
        int n = outer * channels * inner;
        for (int k = 0; k < n; k++) g[k] += scale * coef[offset + k / inner % channels] * x[k];
    }

    protected override void RunUnitScales(DeviceBuffer<double> sums, ChannelUnits units, float lambda, double maxScale, DeviceBuffer<float> coefficient)
    {
        ReadOnlySpan<double> s = Span(sums);
        ReadOnlySpan<int> starts = Span(units.MemberStarts), members = Span(units.Members), segments = Span(units.SegmentStarts);
        Span<float> coef = Span(coefficient);
        // As on ILGPU, each norm is formed twice (range, then scale) rather than kept: no per-step allocation.
        for (int seg = 0; seg < units.Segments; seg++)
        {
            double max = double.MinValue, min = double.MaxValue;
            for (int p = segments[seg]; p < segments[seg + 1]; p++)
            {
                double norm = Norm(s, starts, members, p);
                max = Math.Max(max, norm);
                min = Math.Min(min, norm);
            }
            for (int p = segments[seg]; p < segments[seg + 1]; p++)
                coef[p] = ChannelPenaltyMath.Coefficient(lambda, maxScale, Norm(s, starts, members, p), min, max);
        }
    }

    private static double Norm(ReadOnlySpan<double> sums, ReadOnlySpan<int> starts, ReadOnlySpan<int> members, int p)
    {
        double sum = 0;
        for (int j = starts[p]; j < starts[p + 1]; j++) sum += sums[members[j]];
        return Math.Sqrt(sum);
    }
}
