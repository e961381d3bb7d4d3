using ILGPU;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Masked;

/// <summary>
/// The channel penalties, one thread per channel, element or segment: a step's penalty touches
/// hundreds of channels, too few for a tree reduction to pay, and a serial sum per thread keeps
/// the CPU backend's order (and so its bits).
/// </summary>
internal static class IlgpuChannelPenaltyKernels
{
    /// <summary>One thread per channel c: the chain of its squares over [outer, ·, inner], o then k ascending.</summary>
    [IlgpuKernel]
    internal static void ChannelSquares(Index1D c, ArrayView<float> w, int outer, int channels, int inner, ArrayView<double> sums, int offset, int accumulate)
    {
        double acc = accumulate != 0 ? sums[offset + c] : 0;
        for (int o = 0; o < outer; o++)
        {
            int start = (o * channels + c) * inner;
            for (int k = start; k < start + inner; k++)
            {
                double v = w[k];
                acc += v * v;
            }
        }
        sums[offset + c] = acc;
    }

    /// <summary>One thread per element k of [outer, channels, inner].</summary>
    [IlgpuKernel]
    internal static void ChannelPenalty(Index1D k, ArrayView<float> w, ArrayView<float> grad, ArrayView<float> coefficient, float scale, int offset, int channels, int inner) =>
        grad[k] += scale * coefficient[offset + k / inner % channels] * w[k];

    /// <summary>
    /// One thread per segment: its channels' unit norms (computed twice, once for the range and once
    /// for the scales, rather than kept in a buffer: a unit has a handful of members).
    /// </summary>
    [IlgpuKernel]
    internal static void UnitScales(Index1D segment, ArrayView<double> sums, ArrayView<int> memberStarts, ArrayView<int> members,
                                    ArrayView<int> segmentStarts, float lambda, double maxScale, ArrayView<float> coefficient)
    {
        int first = segmentStarts[segment], end = segmentStarts[segment + 1];
        double max = double.MinValue, min = double.MaxValue;
        for (int p = first; p < end; p++)
        {
            double norm = Norm(sums, memberStarts, members, p);
            max = Math.Max(max, norm);
            min = Math.Min(min, norm);
        }
        for (int p = first; p < end; p++)
            coefficient[p] = ChannelPenaltyMath.Coefficient(lambda, maxScale, Norm(sums, memberStarts, members, p), min, max);
    }

    private static double Norm(ArrayView<double> sums, ArrayView<int> memberStarts, ArrayView<int> members, int p)
    {
        double sum = 0;
        for (int j = memberStarts[p]; j < memberStarts[p + 1]; j++) sum += sums[members[j]];
        return Math.Sqrt(sum);
    }
}
