using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the conv2d kernels of <see cref="IlgpuConvKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Split-K for the weight gradient: aim for chunks of ≥ this many k, and ≤ this many blocks in all.</summary>
    private const int ConvSplitKMinChunk = 256, ConvSplitKMaxBlocks = 256;

    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, IlgpuConvParams> convGemmKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> convSplitKSumKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int> convBiasGradKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> convEpilogueKernel = null!;

    private void LoadConv()
    {
        convGemmKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, IlgpuConvParams>>(IlgpuKernelRegistry.ConvGemm);
        convSplitKSumKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.ConvSplitKSum);
        convBiasGradKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int>>(IlgpuKernelRegistry.ConvBiasGrad);
        convEpilogueKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.ConvEpilogue);
    }

    /// <summary>Dense passes read no index list: the empty views are never touched (Gather = 0).</summary>
    private void LaunchConvGemm(in IlgpuConvParams p, int splits, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c) =>
        LaunchConvGemm(p, splits, a, b, bias, c, ArrayView<int>.Empty, ArrayView<int>.Empty);

    private void LaunchConvGemm(in IlgpuConvParams p, int splits, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c,
                                ArrayView<int> outRows, ArrayView<int> inChannels)
    {
        var grid = new Index3D((p.N + IlgpuConvKernels.BN - 1) / IlgpuConvKernels.BN, (p.M + IlgpuConvKernels.BM - 1) / IlgpuConvKernels.BM, splits);
        convGemmKernel(stream, new KernelConfig(grid, new Index3D(IlgpuConvKernels.Threads, 1, 1)), a, b, bias, c, outRows, inChannels, p);
    }

    protected override void RunConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias, DeviceBuffer<float> y,
                                             in ConvEpilogue epilogue)
    {
        var p = IlgpuConvParams.For(shape, IlgpuConvParams.Forward);
        p.HasBias = bias is null ? 0 : 1;
        LaunchConvGemm(p, 1, View(w), View(x), bias is null ? View(w) : View(bias), View(y));
        if (epilogue.IsNone) return;
        var residual = epilogue.Residual is { } r ? View(r) : View(y);
        convEpilogueKernel(stream, new Index1D((int)shape.YLength), View(y).SubView(0, shape.YLength), residual,
                           epilogue.Residual is null ? 0 : 1, epilogue.Relu ? 1 : 0);
    }

    protected override void RunConv2dBackwardData(in Conv2dShape shape, DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx)
    {
        var p = IlgpuConvParams.For(shape, IlgpuConvParams.BackwardData);
        LaunchConvGemm(p, 1, View(w), View(dy), View(w), View(dx));
    }

    protected override void RunConv2dBackwardWeights(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float>? dbias)
    {
        var p = IlgpuConvParams.For(shape, IlgpuConvParams.BackwardWeights);
        // The split depends on the shape alone, so the summation order is the same on every run.
        long blocks = (long)((p.N + IlgpuConvKernels.BN - 1) / IlgpuConvKernels.BN) * ((p.M + IlgpuConvKernels.BM - 1) / IlgpuConvKernels.BM);
        int splits = (int)Math.Clamp(Math.Min((p.K + ConvSplitKMinChunk - 1) / ConvSplitKMinChunk, ConvSplitKMaxBlocks / blocks), 1, Math.Max(1, accelerator.MaxGridSize.Z));
        int chunk = (p.K + splits - 1) / splits;
        p.KChunk = (chunk + IlgpuConvKernels.BK - 1) / IlgpuConvKernels.BK * IlgpuConvKernels.BK;
        splits = (p.K + p.KChunk - 1) / p.KChunk;
        int length = (int)shape.WeightLength;
        if (splits == 1)
            LaunchConvGemm(p, 1, View(dy), View(x), View(dy), View(dw));
        else
        {
            // Back to the pool at the end of this call while the kernels may still be queued: safe,
            // since every later user of the buffer is ordered after them on the one stream.
            using var partial = Allocate<float>(checked(splits * length));
            p.SplitStride = length;
            LaunchConvGemm(p, splits, View(dy), View(x), View(dy), View(partial));
            convSplitKSumKernel(stream, new Index1D(length), View(partial), View(dw), length, splits);
        }
        if (dbias is not null)
        {
            int plane = shape.OutH * shape.OutW;
            // The same fixed parts as batch-norm's reductions (from the shape alone), summed in part order.
            var (parts, partLength) = ReductionParts(shape.N * plane);
            using var biasParts = Allocate<float>(checked(parts * shape.Cout));
            convBiasGradKernel(stream, new KernelConfig(shape.Cout * parts, RowGroupSize(partLength)), View(dy), View(biasParts), shape.N, shape.Cout, plane, parts, partLength);
            SumPartsInOrder(biasParts, dbias, shape.Cout, parts);
        }
    }
}
