using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Gemm;

/// <summary>Single-precision GEMM on the CPU (managed SIMD, caller + persistent worker threads).</summary>
public static class CpuGemm
{
    // Below ~25³ multiply-adds, packing and the thread hand-off cost more than they save.
    private const long NaiveMaxWork = 16_384;

    // Below ~80³ multiply-adds a single thread finishes within the few microseconds a sleeping
    // worker needs to wake up.
    private const long ParallelMinWork = 1L << 19;

    /// <summary>
    /// C[M×N] = alpha·op(A)·op(B) + beta·C. Row-major, tight leading dimensions:
    /// A is M×K (transA=false) or K×M (transA=true); B is K×N (transB=false) or N×K (transB=true).
    /// beta == 0 means C is write-only (NaNs in C must not propagate).
    /// </summary>
    /// <remarks>
    /// Deterministic: the result depends only on the inputs and the machine's SIMD width, never on
    /// thread count or timing. alpha == 0 or k == 0 reads neither A nor B (BLAS convention).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs.</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                             ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c) =>
        Sgemm(GemmPath.Auto, transA, transB, m, n, k, alpha, a, b, beta, c);

    /// <summary>Tests' door: force an implementation and cap the thread count.</summary>
    internal static unsafe void Sgemm(GemmPath path, bool transA, bool transB, int m, int n, int k, float alpha,
                                      ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c,
                                      int maxThreads = int.MaxValue)
    {
        Validate(transA, transB, m, n, k, a.Length, b.Length, c.Length);
        if (m == 0 || n == 0)
            return;

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                Scale(pc, (long)m * n, beta);
                return;
            }

            var opA = GemmOperand.RowMajor(pa, transA, m, k);
            var opB = GemmOperand.RowMajor(pb, transB, k, n);
            long work = (long)m * n * k;
            int threads = work >= ParallelMinWork ? Math.Min(maxThreads, WorkerTeam.Shared.Size) : 1;
            if (path == GemmPath.Auto)
                path = work <= NaiveMaxWork ? GemmPath.Naive : Widest();

            switch (path)
            {
                case GemmPath.Avx512:
                    RequireSupported<Avx512MicroKernel>(path);
                    PackedGemm<Avx512MicroKernel>.Run(m, n, k, opA, opB, pc, alpha, beta, threads);
                    break;
                case GemmPath.Avx2:
                    RequireSupported<Avx2MicroKernel>(path);
                    PackedGemm<Avx2MicroKernel>.Run(m, n, k, opA, opB, pc, alpha, beta, threads);
                    break;
                case GemmPath.Vector128:
                    RequireSupported<Vector128MicroKernel>(path);
                    PackedGemm<Vector128MicroKernel>.Run(m, n, k, opA, opB, pc, alpha, beta, threads);
                    break;
                default:
                    NaiveGemm.Run(m, n, k, opA, opB, pc, alpha, beta);
                    break;
            }
        }
    }

    internal static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Avx512MicroKernel.IsSupported,
        GemmPath.Avx2 => Avx2MicroKernel.IsSupported,
        GemmPath.Vector128 => Vector128MicroKernel.IsSupported,
        _ => true,
    };

    private static GemmPath Widest() =>
        Avx512MicroKernel.IsSupported ? GemmPath.Avx512
        : Avx2MicroKernel.IsSupported ? GemmPath.Avx2
        : Vector128MicroKernel.IsSupported ? GemmPath.Vector128
        : GemmPath.Naive;

    private static void RequireSupported<TKernel>(GemmPath path) where TKernel : struct, IGemmMicroKernel
    {
        if (!TKernel.IsSupported)
            throw new PlatformNotSupportedException($"Sgemm path {path} is not supported on this CPU.");
    }

    private static unsafe void Scale(float* c, long count, float beta)
    {
        // beta == 0 must overwrite, not multiply: 0·NaN is NaN.
        if (beta == 0f)
            new Span<float>(c, checked((int)count)).Clear();
        else if (beta != 1f)
            for (long i = 0; i < count; i++) c[i] *= beta;
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k, int aLength, int bLength, int cLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        Check("a", transA ? "transA=true, stored K×M" : "transA=false, stored M×K", transA ? k : m, transA ? m : k, aLength);
        Check("b", transB ? "transB=true, stored N×K" : "transB=false, stored K×N", transB ? n : k, transB ? k : n, bLength);
        Check("c", "M×N", m, n, cLength);

        static void Check(string operand, string layout, int rows, int cols, int length)
        {
            long needed = (long)rows * cols;
            if (length < needed)
                throw new ArgumentException(
                    $"Sgemm: {operand} ({layout}) needs {rows}×{cols} = {needed} floats but has {length}.",
                    operand);
        }
    }
}
