using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Reduce;

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

    /// <summary>
    /// One group counts matches: strided partial counts, then the shared tree. Integer sums are
    /// exact in any order, so the float written is the same whatever the group size.
    /// </summary>
    [IlgpuKernel]
    internal static void CountEqual(ArrayView<int> a, ArrayView<int> b, int n, ArrayView<float> result, int resultIndex)
    {
        var shared = SharedMemory.Allocate<int>(IlgpuBackend.MaxGroupSize);
        int t = Group.IdxX;
        int count = 0;
        for (int i = t; i < n; i += Group.DimX) count += a[i] == b[i] ? 1 : 0;
        shared[t] = count;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] += shared[t + s];
            Group.Barrier();
        }
        if (t == 0) result[resultIndex] = shared[0];
    }
}
