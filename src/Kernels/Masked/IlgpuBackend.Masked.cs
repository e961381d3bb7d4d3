using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the masked-channel kernels of <see cref="IlgpuMaskedKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int> gatherChannelsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int> scatterChannelsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int> scatterChannelsZeroKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> maskWeightKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> maskWeightGradOutKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> maskWeightGradInKernel = null!;

    private void LoadMasked()
    {
        gatherChannelsKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int>>(IlgpuKernelRegistry.GatherChannels);
        scatterChannelsKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int>>(IlgpuKernelRegistry.ScatterChannels);
        scatterChannelsZeroKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int>>(IlgpuKernelRegistry.ScatterChannelsZero);
        maskWeightKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>>(IlgpuKernelRegistry.MaskWeight);
        maskWeightGradOutKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>>(IlgpuKernelRegistry.MaskWeightGradOut);
        maskWeightGradInKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>>(IlgpuKernelRegistry.MaskWeightGradIn);
    }

    protected override void RunGatherChannels(DeviceBuffer<float> x, ChannelSelection selection, DeviceBuffer<float> y, int outer, int inner)
    {
        int n = outer * selection.Count * inner;
        gatherChannelsKernel(stream, FlatThreads(n), View(x), View(selection.IndexBuffer), View(y), n, selection.Count, selection.Width, inner);
    }

    protected override void RunScatterChannels(DeviceBuffer<float> y, ChannelSelection selection, DeviceBuffer<float> x, int outer, int inner, bool zeroOthers)
    {
        if (zeroOthers)
        {
            int n = outer * selection.Width * inner;
            scatterChannelsZeroKernel(stream, FlatThreads(n), View(y), View(selection.PositionBuffer), View(x), n, selection.Count, selection.Width, inner);
        }
        else
        {
            int n = outer * selection.Count * inner;
            scatterChannelsKernel(stream, FlatThreads(n), View(y), View(selection.IndexBuffer), View(x), n, selection.Count, selection.Width, inner);
        }
    }

    protected override void RunMaskWeight(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> y,
                                          int outChannels, int inChannels, int kernelArea)
    {
        int n = outChannels * inChannels * kernelArea;
        var mo = View(outMask);
        maskWeightKernel(stream, FlatThreads(n), View(w), mo, inMask is null ? mo : View(inMask), View(y), n, inChannels, kernelArea, inMask is null ? 0 : 1);
    }

    protected override void RunMaskWeightBackward(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> dy,
                                                  DeviceBuffer<float>? dw, DeviceBuffer<float>? dOutMask, DeviceBuffer<float>? dInMask,
                                                  int outChannels, int inChannels, int kernelArea)
    {
        var mo = View(outMask);
        var mi = inMask is null ? mo : View(inMask);
        // Both mask gradients read dy, so they are queued before dw, which may overwrite it.
        if (dInMask is not null)
            maskWeightGradInKernel(stream, new KernelConfig((inChannels + IlgpuMaskedKernels.Columns - 1) / IlgpuMaskedKernels.Columns, IlgpuMaskedKernels.InMaskGroup),
                View(w), mo, View(dy), View(dInMask), outChannels, inChannels, kernelArea);
        if (dOutMask is not null)
            maskWeightGradOutKernel(stream, new KernelConfig(outChannels, RowGroupSize(inChannels * kernelArea)),
                View(w), mi, View(dy), View(dOutMask), inChannels, kernelArea, inMask is null ? 0 : 1);
        if (dw is not null)
        {
            int n = outChannels * inChannels * kernelArea;
            maskWeightKernel(stream, FlatThreads(n), View(dy), mo, mi, View(dw), n, inChannels, kernelArea, inMask is null ? 0 : 1);
        }
    }
}
