using ILGPU;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// Gather conv on ILGPU: the conv's implicit-GEMM forward (Conv/IlgpuConvKernels.cs) with Gather set, so
/// its tile loaders read the kept weight rows and input channels through the selections' index
/// buffers — M = kept outputs, K = kept inputs·KH·KW, no weight copy and no extra kernel.
/// </summary>
public sealed partial class IlgpuBackend
{
    protected override void RunGatherConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias,
                                                   ChannelSelection inSel, ChannelSelection outSel, DeviceBuffer<float> y)
    {
        var p = IlgpuConvParams.For(shape, IlgpuConvParams.Forward);
        p.M = outSel.Count;
        p.K = p.KChunk = inSel.Count * p.KK;
        p.Gather = 1;
        p.HasBias = bias is null ? 0 : 1;
        // K = 0 (no kept input) is a launch whose tiles are all predicated off: y = bias, or 0.
        LaunchConvGemm(p, 1, View(w), View(x), bias is null ? View(w) : View(bias), View(y),
                       View(outSel.IndexBuffer), inSel.Count == 0 ? ArrayView<int>.Empty : View(inSel.IndexBuffer));
    }
}
