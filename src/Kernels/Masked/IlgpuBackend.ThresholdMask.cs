using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches <see cref="IlgpuThresholdMaskKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, float, ArrayView<float>> thresholdMaskKernel = null!;

    private void LoadThresholdMask() =>
        thresholdMaskKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, float, ArrayView<float>>>(IlgpuKernelRegistry.ThresholdMask);

    protected override void RunThresholdMask(DeviceBuffer<float> scores, int n, float threshold, DeviceBuffer<float> mask)
        => thresholdMaskKernel(stream, new KernelConfig(1, RowGroupSize(n)), View(scores), n, threshold, View(mask));
}
