using System.Diagnostics;
using ILGPU.Runtime.Cuda;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// cuBLAS SGEMM through ILGPU.Algorithms, on this backend's stream and buffers: the peer the
/// hand-written GEMM is measured against (never used by the engine). ILGPU.Algorithms finds only
/// libcublas.so.10–12, so on a machine with another version, or without CUDA, this says why not.
/// </summary>
public sealed partial class IlgpuBackend
{
    /// <summary>
    /// Seconds per call of cuBLAS on the row-major <paramref name="spec"/> (batch 1), timed over
    /// <paramref name="repetitions"/> calls and one synchronisation after a warm-up call; null with
    /// <paramref name="why"/> when cuBLAS is not available.
    /// </summary>
    public double? TimeCublasGemm(in GemmSpec spec, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c,
                                  int repetitions, out string why)
    {
        if (spec.Batch != 1) throw new ArgumentException("TimeCublasGemm: batch 1 only");
        if (accelerator is not CudaAccelerator cuda)
        {
            why = "no CUDA device";
            return null;
        }
        CuBlas blas;
        try
        {
            blas = new CuBlas(cuda);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or NotSupportedException
                                   or InvalidOperationException or CuBlasException or TypeInitializationException)
        {
            why = $"cuBLAS did not load ({e.GetType().Name}: {e.Message})";
            return null;
        }
        using (blas)
        {
            blas.Stream = (CudaStream)stream;
            // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands, keep the flags.
            var opA = spec.TransA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose;
            var opB = spec.TransB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose;
            int lda = spec.TransA ? spec.M : spec.K, ldb = spec.TransB ? spec.K : spec.N;
            var (va, vb, vc) = (View(a), View(b), View(c));
            var (m, n, k, alpha, beta) = (spec.M, spec.N, spec.K, spec.Alpha, spec.Beta);
            void Call() => blas.Gemm(opB, opA, n, m, k, alpha, vb, ldb, va, lda, beta, vc, n);
            Call();
            stream.Synchronize();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < repetitions; i++) Call();
            stream.Synchronize();
            why = "";
            return clock.Elapsed.TotalSeconds / repetitions;
        }
    }
}
