using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the sparse-weight kernel of <see cref="IlgpuSparseKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuSparseConvParams> sparseConv2dKernel = null!;

    private void LoadSparse()
    {
        sparseConv2dKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, IlgpuSparseConvParams>>(IlgpuKernelRegistry.SparseConv2d);
    }

    protected override void RunSparseConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
    {
        var p = IlgpuSparseConvParams.For(shape, bias is not null);
        // A layer without nonzeros has empty tap and value lists, which its empty rows never index.
        bool empty = w.Nonzeros == 0;
        sparseConv2dKernel(stream, FlatThreads(p.Outputs), View(x), View(w.RowStartBuffer),
            empty ? ArrayView<int>.Empty : View(w.TapBuffer), empty ? ArrayView<float>.Empty : View(w.ValueBuffer),
            bias is null ? View(x) : View(bias), View(y), p);
    }

    /// <summary>A linear layer is the conv of `batch` one-pixel images by a 1×1 kernel: x [N, In] and y [N, Out] are already NCHW.</summary>
    protected override void RunSparseLinearForward(DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int batch) =>
        RunSparseConv2dForward(new Conv2dShape(batch, w.InChannels, 1, 1, w.OutChannels, 1, 1), x, w, bias, y);
}
