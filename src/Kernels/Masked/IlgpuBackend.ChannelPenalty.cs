using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches <see cref="IlgpuChannelPenaltyKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, int, ArrayView<double>, int, int> channelSquaresKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int, int, int> channelPenaltyKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<int>, float, double, ArrayView<float>> unitScalesKernel = null!;

    private void LoadChannelPenalty()
    {
        channelSquaresKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, int, ArrayView<double>, int, int>>(IlgpuKernelRegistry.ChannelSquares);
        channelPenaltyKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int, int, int>>(IlgpuKernelRegistry.ChannelPenalty);
        unitScalesKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<int>, float, double, ArrayView<float>>>(IlgpuKernelRegistry.UnitScales);
    }

    protected override void RunChannelSquares(DeviceBuffer<float> w, int outer, int channels, int inner, DeviceBuffer<double> sums, int offset, bool accumulate)
        => channelSquaresKernel(stream, channels, View(w), outer, channels, inner, View(sums), offset, accumulate ? 1 : 0);

    protected override void RunChannelPenalty(DeviceBuffer<float> w, DeviceBuffer<float> grad, DeviceBuffer<float> coefficient, float scale,
                                              int offset, int outer, int channels, int inner)
        => channelPenaltyKernel(stream, outer * channels * inner, View(w), View(grad), View(coefficient), scale, offset, channels, inner);

    protected override void RunUnitScales(DeviceBuffer<double> sums, ChannelUnits units, float lambda, double maxScale, DeviceBuffer<float> coefficient)
        => unitScalesKernel(stream, units.Segments, View(sums), View(units.MemberStarts), View(units.Members), View(units.SegmentStarts), lambda, maxScale, View(coefficient));
}
