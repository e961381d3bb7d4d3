using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the reduction kernels of <see cref="IlgpuReduceKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, float> reduceSumRowsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, float> reduceSumColumnsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float> reduceSumBackwardKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> reduceMaxRowsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int> reduceMaxColumnsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int> reduceMaxBackwardKernel = null!;

    private Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<int>, int, ArrayView<float>, int> countEqualKernel = null!;

    private void LoadReduce()
    {
        countEqualKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<int>, int, ArrayView<float>, int>>(IlgpuKernelRegistry.CountEqual);
        reduceSumRowsKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, float>>(IlgpuKernelRegistry.ReduceSumRows);
        reduceSumColumnsKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, float>>(IlgpuKernelRegistry.ReduceSumColumns);
        reduceSumBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float>>(IlgpuKernelRegistry.ReduceSumBackward);
        reduceMaxRowsKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>>(IlgpuKernelRegistry.ReduceMaxRows);
        reduceMaxColumnsKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int>>(IlgpuKernelRegistry.ReduceMaxColumns);
        reduceMaxBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int>>(IlgpuKernelRegistry.ReduceMaxBackward);
    }

    protected override void RunReduceSum(DeviceBuffer<float> x, DeviceBuffer<float> y, int outer, int axis, int inner, float scale)
    {
        if (inner == 1)
            reduceSumRowsKernel(stream, new KernelConfig(outer, RowGroupSize(axis)), View(x), View(y), axis, scale);
        else
            reduceSumColumnsKernel(stream, new Index1D(outer * inner), View(x), View(y), axis, inner, scale);
    }

    protected override void RunReduceSumBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int outer, int axis, int inner, float scale)
    {
        int n = outer * axis * inner;
        reduceSumBackwardKernel(stream, FlatThreads(n), View(dy), View(dx), n, axis, inner, scale);
    }

    protected override void RunReduceMax(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, int outer, int axis, int inner)
    {
        if (inner == 1)
            reduceMaxRowsKernel(stream, new KernelConfig(outer, RowGroupSize(axis)), View(x), View(y), View(argmax), axis);
        else
            reduceMaxColumnsKernel(stream, new Index1D(outer * inner), View(x), View(y), View(argmax), axis, inner);
    }

    protected override void RunReduceMaxBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, int outer, int axis, int inner)
    {
        int n = outer * axis * inner;
        reduceMaxBackwardKernel(stream, FlatThreads(n), View(dy), View(argmax), View(dx), n, axis, inner);
    }

    /// <summary>One group: the counts are a batch's labels (hundreds), too few to be worth a second pass.</summary>
    protected override void RunCountEqual(DeviceBuffer<int> a, DeviceBuffer<int> b, int n, DeviceBuffer<float> result, int resultIndex)
        => countEqualKernel(stream, new KernelConfig(1, RowGroupSize(Math.Max(1, n))), View(a), View(b), n, View(result), resultIndex);
}
