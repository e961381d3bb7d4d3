using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// Group-wide reductions for explicitly grouped kernels whose group size is a power of two
/// (≤ <see cref="IlgpuBackend.MaxGroupSize"/>). A fixed shared-memory tree — partner t + s for
/// s = G/2, G/4, … — so the summation order depends only on G: bit-identical run after run.
/// Every thread of the group must call these (they contain barriers).
/// </summary>
internal static class IlgpuGroupReduce
{
    public static float Sum(ArrayView<float> shared, float value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] += shared[t + s];
            Group.Barrier();
        }
        float total = shared[0];
        Group.Barrier(); // everyone has read shared[0] before the array is reused
        return total;
    }

    public static float Max(ArrayView<float> shared, float value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] = MaxNaN(shared[t], shared[t + s]);
            Group.Barrier();
        }
        float total = shared[0];
        Group.Barrier();
        return total;
    }

    /// <summary>Max in which NaN wins (as the CPU backend's running maximum does).</summary>
    public static float MaxNaN(float a, float b) => float.IsNaN(a) ? a : float.IsNaN(b) ? b : (b > a ? b : a);

    /// <summary>
    /// (value, index) maximum with the CPU's sequential rule made order-free: the first NaN if any,
    /// else the largest value, ties (including ±0) to the smaller index.
    /// </summary>
    public static bool Beats(float v, int i, float best, int bestIndex)
    {
        bool vNaN = float.IsNaN(v), bestNaN = float.IsNaN(best);
        if (vNaN || bestNaN) return vNaN && (!bestNaN || i < bestIndex);
        return v > best || (v == best && i < bestIndex);
    }

    public static void ArgMax(ArrayView<float> values, ArrayView<int> indices, ref float value, ref int index)
    {
        int t = Group.IdxX;
        values[t] = value;
        indices[t] = index;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s && Beats(values[t + s], indices[t + s], values[t], indices[t]))
            {
                values[t] = values[t + s];
                indices[t] = indices[t + s];
            }
            Group.Barrier();
        }
        value = values[0];
        index = indices[0];
        Group.Barrier();
    }
}

/// <summary>
/// Axis reductions over x viewed as [outer, axis, inner]. inner = 1 (a contiguous axis, e.g. a row
/// sum): one group per row, strided partials then the tree. inner &gt; 1: one thread per (o, i)
/// output walking the axis in order, so neighbouring threads read neighbouring addresses.
/// </summary>
internal static class IlgpuReduceKernels
{
    [IlgpuKernel]
    internal static void ReduceSumRows(ArrayView<float> x, ArrayView<float> y, int axis, float scale)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int row = Grid.IdxX;
        int baseIndex = row * axis;
        float acc = 0f;
        for (int a = Group.IdxX; a < axis; a += Group.DimX) acc += x[baseIndex + a];
        float total = IlgpuGroupReduce.Sum(shared, acc);
        if (Group.IdxX == 0) y[row] = scale * total;
    }

    [IlgpuKernel]
    internal static void ReduceSumColumns(Index1D job, ArrayView<float> x, ArrayView<float> y, int axis, int inner, float scale)
    {
        int o = job / inner;
        int baseIndex = o * axis * inner + (job - o * inner);
        float acc = 0f;
        for (int a = 0; a < axis; a++) acc += x[baseIndex + a * inner];
        y[job] = scale * acc;
    }

    [IlgpuKernel]
    internal static void ReduceSumBackward(Index1D t, ArrayView<float> dy, ArrayView<float> dx, int n, int axis, int inner, float scale)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < n; e++, j += stride)
        {
            int i = j % inner;
            int o = j / (axis * inner);
            dx[j] = scale * dy[o * inner + i];
        }
    }

    [IlgpuKernel]
    internal static void ReduceMaxRows(ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax, int axis)
    {
        var values = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        var indices = SharedMemory.Allocate<int>(IlgpuBackend.MaxGroupSize);
        int row = Grid.IdxX;
        int baseIndex = row * axis;
        // Threads past the end start from a sentinel that loses to every real element.
        float best = float.NegativeInfinity;
        int bestA = int.MaxValue;
        for (int a = Group.IdxX; a < axis; a += Group.DimX)
        {
            float v = x[baseIndex + a];
            if (IlgpuGroupReduce.Beats(v, a, best, bestA)) { best = v; bestA = a; }
        }
        IlgpuGroupReduce.ArgMax(values, indices, ref best, ref bestA);
        if (Group.IdxX == 0)
        {
            y[row] = best;
            argmax[row] = bestA;
        }
    }

    [IlgpuKernel]
    internal static void ReduceMaxColumns(Index1D job, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax, int axis, int inner)
    {
        int o = job / inner;
        int baseIndex = o * axis * inner + (job - o * inner);
        float best = x[baseIndex];
        int bestA = 0;
        for (int a = 1; a < axis; a++)
        {
            float v = x[baseIndex + a * inner];
            if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; bestA = a; }
        }
        y[job] = best;
        argmax[job] = bestA;
    }

    [IlgpuKernel]
    internal static void ReduceMaxBackward(Index1D t, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx, int n, int axis, int inner)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < n; e++, j += stride)
        {
            int i = j % inner;
            int a = j / inner % axis;
            int o = j / (axis * inner);
            int k = o * inner + i;
            dx[j] = argmax[k] == a ? dy[k] : 0f;
        }
    }
}

public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, float> reduceSumRowsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, float> reduceSumColumnsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float> reduceSumBackwardKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> reduceMaxRowsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int> reduceMaxColumnsKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int> reduceMaxBackwardKernel = null!;

    private void LoadReduce()
    {
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
}
