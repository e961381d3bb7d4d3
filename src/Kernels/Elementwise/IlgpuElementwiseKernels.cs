using ILGPU;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Elementwise;

/// <summary>
/// Pointwise and broadcast kernels. Flat 1D launches of T = ceil(n / ElementsPerThread) threads;
/// thread t handles t, t + T, t + 2T, … (at most ElementsPerThread of them, so an index never
/// passes n + ElementsPerThread and cannot overflow), so each pass of a warp touches consecutive
/// addresses (coalesced) and every thread does a few elements. Ops are ints; the scalar math is
/// <see cref="Pointwise"/>, the very code the CPU backend uses.
/// </summary>
internal static class IlgpuElementwiseKernels
{
    public const int ElementsPerThread = 4;

    /// <summary>Threads of a flat launch over n &gt; 0 elements (also each thread's stride), overflow-free.</summary>
    public static int Threads(int n) => (n - 1) / ElementsPerThread + 1;

    [IlgpuKernel]
    internal static void Fill(Index1D t, ArrayView<float> y, int n, float value)
    {
        int stride = Threads(n);
        for (int e = 0, i = t; e < ElementsPerThread && i < n; e++, i += stride) y[i] = value;
    }

    [IlgpuKernel]
    internal static void Unary(Index1D t, ArrayView<float> x, ArrayView<float> y, int n, int op)
    {
        int stride = Threads(n);
        for (int e = 0, i = t; e < ElementsPerThread && i < n; e++, i += stride) y[i] = Pointwise.Apply(op, x[i]);
    }

    [IlgpuKernel]
    internal static void UnaryBackward(Index1D t, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int n, int op)
    {
        int stride = Threads(n);
        for (int e = 0, i = t; e < ElementsPerThread && i < n; e++, i += stride) dx[i] = dy[i] * Pointwise.Derivative(op, x[i], y[i]);
    }

    /// <summary>y[j] = a[j] op b[m], with j = (o·mid + m)·inner + i.</summary>
    [IlgpuKernel]
    internal static void Binary(Index1D t, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int n, int mid, int inner, int op)
    {
        int stride = Threads(n);
        for (int e = 0, j = t; e < ElementsPerThread && j < n; e++, j += stride) y[j] = Pointwise.Binary(op, a[j], b[j / inner % mid]);
    }

    /// <summary>da[j] = dy[j]·∂(a op b)/∂a.</summary>
    [IlgpuKernel]
    internal static void BinaryGradA(Index1D t, ArrayView<float> a, ArrayView<float> b, ArrayView<float> dy, ArrayView<float> da, int n, int mid, int inner, int op)
    {
        int stride = Threads(n);
        for (int e = 0, j = t; e < ElementsPerThread && j < n; e++, j += stride) da[j] = dy[j] * Pointwise.BinaryDa(op, a[j], b[j / inner % mid]);
    }

    /// <summary>
    /// Pass 1 of db[m] = Σ_o Σ_i dy·∂/∂b by one thread per (row part, m): rows [part·rowsPerPart, …)
    /// o then i ascending, written to partial[part·mid + m]; IlgpuBackend.SumPartsInOrder adds the
    /// parts. Used when mid is large and inner = 1 (a bias over [rows, cols]): neighbouring threads
    /// read neighbouring columns, and the row parts multiply the threads a column count alone gives.
    /// </summary>
    [IlgpuKernel]
    internal static void BinaryGradBPerThread(Index1D job, ArrayView<float> a, ArrayView<float> b, ArrayView<float> dy, ArrayView<float> partial,
                                              int outer, int mid, int inner, int op, int rowsPerPart)
    {
        int part = job / mid, m = job - part * mid;
        int begin = part * rowsPerPart;
        int end = begin + rowsPerPart < outer ? begin + rowsPerPart : outer;
        float bm = b[m];
        float acc = 0f;
        for (int o = begin; o < end; o++)
        {
            int seg = (o * mid + m) * inner;
            for (int i = 0; i < inner; i++) acc += dy[seg + i] * Pointwise.BinaryDb(op, a[seg + i], bm);
        }
        partial[job] = acc;
    }

    /// <summary>
    /// Pass 1 of db[m] by one group per (m, part): thread t sums the part's flattened (o, i) pairs
    /// t, t + G, … in order, a fixed shared-memory tree adds the G partials, and the result goes to
    /// partial[part·mid + m] for SumPartsInOrder. Used for per-channel (inner &gt; 1) and scalar forms.
    /// </summary>
    [IlgpuKernel]
    internal static void BinaryGradBPerGroup(ArrayView<float> a, ArrayView<float> b, ArrayView<float> dy, ArrayView<float> partial,
                                             int outer, int mid, int inner, int op, int parts, int partLength)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int m = Grid.IdxX / parts, part = Grid.IdxX - m * parts;
        float bm = b[m];
        int count = outer * inner;
        int begin = part * partLength;
        int end = begin + partLength < count ? begin + partLength : count;
        float acc = 0f;
        for (int p = begin + Group.IdxX; p < end; p += Group.DimX)
        {
            int o = p / inner;
            int j = (o * mid + m) * inner + (p - o * inner);
            acc += dy[j] * Pointwise.BinaryDb(op, a[j], bm);
        }
        float total = IlgpuGroupReduce.Sum(shared, acc);
        if (Group.IdxX == 0) partial[part * mid + m] = total;
    }

    /// <summary>y = alpha·x + beta·y; y is not read when beta = 0 (so stale NaNs cannot leak in).</summary>
    [IlgpuKernel]
    internal static void Axpby(Index1D t, ArrayView<float> x, ArrayView<float> y, int n, float alpha, float beta)
    {
        int stride = Threads(n);
        for (int e = 0, i = t; e < ElementsPerThread && i < n; e++, i += stride) y[i] = beta == 0f ? alpha * x[i] : alpha * x[i] + beta * y[i];
    }

    [IlgpuKernel]
    internal static void Affine(Index1D t, ArrayView<float> x, ArrayView<float> y, int n, float scale, float shift)
    {
        int stride = Threads(n);
        for (int e = 0, i = t; e < ElementsPerThread && i < n; e++, i += stride) y[i] = scale * x[i] + shift;
    }
}
