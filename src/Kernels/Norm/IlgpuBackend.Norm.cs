using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Norm;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the normalisation kernels of <see cref="IlgpuNormKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int> batchNormStatsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float> batchNormStatsCombineKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> batchNormBackwardCombineKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> batchNormEvalStatsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> batchNormApplyKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int> batchNormBackwardReduceKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int> batchNormBackwardDataKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> layerNormKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> layerNormBackwardDataKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> layerNormBackwardParamsKernel = null!;

    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float> foldBatchNormKernel = null!;

    private void LoadNorm()
    {
        foldBatchNormKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float>>(IlgpuKernelRegistry.FoldBatchNorm);
        batchNormStatsKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int, int, int>>(IlgpuKernelRegistry.BatchNormStats);
        batchNormStatsCombineKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float>>(IlgpuKernelRegistry.BatchNormStatsCombine);
        batchNormBackwardCombineKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>>(IlgpuKernelRegistry.BatchNormBackwardCombine);
        batchNormEvalStatsKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>>(IlgpuKernelRegistry.BatchNormEvalStats);
        batchNormApplyKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>>(IlgpuKernelRegistry.BatchNormApply);
        batchNormBackwardReduceKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int>>(IlgpuKernelRegistry.BatchNormBackwardReduce);
        batchNormBackwardDataKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int>>(IlgpuKernelRegistry.BatchNormBackwardData);
        layerNormKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>>(IlgpuKernelRegistry.LayerNorm);
        layerNormBackwardDataKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>>(IlgpuKernelRegistry.LayerNormBackwardData);
        layerNormBackwardParamsKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>>(IlgpuKernelRegistry.LayerNormBackwardParams);
    }

    protected override void RunBatchNorm2d(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                                           DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> y,
                                           DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, BatchNormShape shape,
                                           bool training, float momentum, float eps)
    {
        if (training)
        {
            var (parts, length) = ReductionParts(shape.PerChannel);
            // Back to the pool while the kernels may be queued: every later user is ordered after them on the stream.
            using var partial = Allocate<float>(checked(3 * shape.C * parts));
            batchNormStatsKernel(stream, new KernelConfig(shape.C * parts, RowGroupSize(length)), View(x), View(partial),
                shape.C, shape.Spatial, shape.PerChannel, parts, length);
            batchNormStatsCombineKernel(stream, new Index1D(shape.C), View(partial), View(runningMean), View(runningVar), View(saveMean), View(saveRstd),
                shape.PerChannel, parts, momentum, eps);
        }
        else
            batchNormEvalStatsKernel(stream, new Index1D(shape.C), View(runningMean), View(runningVar), View(saveMean), View(saveRstd), eps);
        int n = (int)shape.Size;
        batchNormApplyKernel(stream, FlatThreads(n), View(x), View(gamma), View(beta), View(saveMean), View(saveRstd), View(y), n, shape.C, shape.Spatial);
    }

    protected override void RunBatchNorm2dBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                                   DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                                   DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta,
                                                   BatchNormShape shape, bool training)
    {
        var (parts, length) = ReductionParts(shape.PerChannel);
        using (var partial = Allocate<float>(checked(2 * shape.C * parts)))
        {
            batchNormBackwardReduceKernel(stream, new KernelConfig(shape.C * parts, RowGroupSize(length)), View(x), View(dy), View(saveMean), View(partial),
                shape.C, shape.Spatial, shape.PerChannel, parts, length);
            batchNormBackwardCombineKernel(stream, new Index1D(shape.C), View(partial), View(saveRstd), View(dgamma), View(dbeta), parts);
        }
        int n = (int)shape.Size;
        batchNormBackwardDataKernel(stream, FlatThreads(n), View(x), View(dy), View(gamma), View(saveMean), View(saveRstd), View(dgamma), View(dbeta),
            View(dx), n, shape.C, shape.Spatial, shape.PerChannel, training ? 1 : 0);
    }

    protected override void RunLayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
                                         DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, int rows, int cols, float eps)
        => layerNormKernel(stream, new KernelConfig(rows, RowGroupSize(cols)), View(x), View(gamma), View(beta), View(y), View(saveMean), View(saveRstd), cols, eps);

    protected override void RunLayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                                 DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                                 DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, int rows, int cols)
    {
        layerNormBackwardDataKernel(stream, new KernelConfig(rows, RowGroupSize(cols)), View(x), View(dy), View(gamma), View(saveMean), View(saveRstd), View(dx), cols);
        // One thread per (row part, column) rather than per column: cols threads alone cannot fill a GPU.
        var (parts, perPart) = RowParts(rows);
        using var partialGamma = Allocate<float>(checked(parts * cols));
        using var partialBeta = Allocate<float>(checked(parts * cols));
        layerNormBackwardParamsKernel(stream, new Index1D(parts * cols), View(x), View(dy), View(saveMean), View(saveRstd),
            View(partialGamma), View(partialBeta), rows, cols, perPart);
        SumPartsInOrder(partialGamma, dgamma, cols, parts);
        SumPartsInOrder(partialBeta, dbeta, cols, parts);
    }

    protected override void RunFoldBatchNorm(DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                                             DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> foldedWeight,
                                             DeviceBuffer<float> foldedBias, int channels, int perChannel, float eps)
    {
        int n = channels * perChannel;
        // Without a conv bias the kernel never reads its view; γ stands in for it.
        foldBatchNormKernel(stream, FlatThreads(n), View(weight), View(bias ?? gamma), View(gamma), View(beta), View(runningMean), View(runningVar),
                            View(foldedWeight), View(foldedBias), n, perChannel, bias is null ? 0 : 1, eps);
    }
}
