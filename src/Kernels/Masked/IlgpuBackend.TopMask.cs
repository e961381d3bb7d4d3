using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches <see cref="IlgpuTopMaskKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, ArrayView<float>> topMaskKernel = null!;

    private void LoadTopMask() =>
        topMaskKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, ArrayView<float>>>(IlgpuKernelRegistry.TopMask);

    protected override void RunTopMask(DeviceBuffer<float> scores, int n, int keep, DeviceBuffer<float> mask)
        => topMaskKernel(stream, new Index1D(n), View(scores), n, keep, View(mask));
}
